# SPDX-License-Identifier: GPL-2.0-or-later
"""End to end under a real systemd as PID 1 (in namespaces, nothing touches
the host): `make install` into the container's overlay root, /etc/conf.d/distccd,
`systemctl enable --now distccd.socket`, compiles over TCP from another
network namespace with Debian's distcc 3.4 client and ours, and the journal's
own view of the daemon (_UID, _CAP_EFFECTIVE are filled in by journald, so
they cannot be faked). Skipped, visibly, where namespaces are not permitted."""
import os
import pwd
import re
import subprocess
import time

import pytest

from conftest import BUILD, DEBIAN_DISTCC, TOP
import systemd_helpers as sh

pytestmark = [pytest.mark.systemd, pytest.mark.serial]

NET = 10 + os.getpid() % 200
SERVER_IP, CLIENT_IP, OUTSIDER_IP = ("10.77.%d.%d" % (NET, h) for h in (2, 1, 3))
PATH = "/opt/xtools/bin:/usr/bin:/bin"
IDLE = 3
CONF = """# test configuration
DISTCC_ARGS="--allow %s --jobs 2 --max-per-source 4 --idle-exit %d --log-level info"
PATH=%s
""" % (CLIENT_IP, IDLE, PATH)
# server side: the cross compiler only exists on conf.d's PATH and says so
FAKE_CROSS = '#!/bin/sh\necho "fake-cross: compiled on the server" >&2\nexec gcc "$@"\n'
# server side: marks its start and end on its stderr (the client shows
# them), to count concurrency; a compiler has no socket, not even the journal's
SLOWCC = ('#!/bin/sh\necho "slowcc start $(date +%s%N)" >&2\nsleep 1\n'
          'gcc "$@"; r=$?\necho "slowcc end $(date +%s%N)" >&2\nexit $r\n')
LOCAL_CC = '#!/bin/sh\nexec gcc "$@"\n'      # client side: for local preprocessing


def our_client():
    return os.path.join(BUILD, "distcc")


CLIENTS = [pytest.param(DEBIAN_DISTCC, id="debian-distcc"),
           pytest.param(our_client(), id="our-distcc", marks=pytest.mark.skipif(
               not os.access(our_client(), os.X_OK), reason="our client not built yet"))]


class Box:
    def __init__(self, tmp):
        self.tmp = tmp
        self.name = "dcsd%d" % os.getpid()
        self.client_ns = self.name + "c"
        self.c = sh.Container(self.name, tmp)

    def up(self):
        self.c.start()
        sh.run(["ip", "netns", "add", self.client_ns])
        sh.veth_pair(self.name, self.client_ns, "dcv%d" % os.getpid(), SERVER_IP,
                     [CLIENT_IP, OUTSIDER_IP])
        # DESTDIR=/ (the container's overlay root): a packager's install, which
        # leaves the whitelist (/usr/lib/distcc) to the distribution
        self.c.exec(["make", "-s", "-C", TOP, "BUILD=" + os.path.abspath(BUILD), "install",
                     "PREFIX=/usr/local", "DESTDIR=/"], timeout=300)
        self.c.write("/etc/conf.d/distccd", CONF)
        self.c.write("/opt/xtools/bin/aarch64-fake-linux-gnu-gcc", FAKE_CROSS, 0o755)
        self.c.write("/opt/xtools/bin/slowcc-gcc", SLOWCC, 0o755)
        for n in ("aarch64-fake-linux-gnu-gcc", "slowcc-gcc", "missing-cross-gcc"):
            self.c.exec(["ln", "-sf", "../../bin/distcc", "/usr/lib/distcc/" + n])
        self.c.exec(["systemctl", "daemon-reload"])
        self.c.exec(["systemctl", "enable", "--now", "distccd.socket"])
        # the client's own copies, for local preprocessing
        self.bin = os.path.join(tmp_dir(self.tmp, "bin"))
        for n in ("aarch64-fake-linux-gnu-gcc", "slowcc-gcc", "missing-cross-gcc"):
            p = os.path.join(self.bin, n)
            open(p, "w").write(LOCAL_CC)
            os.chmod(p, 0o755)
        self.src = tmp_dir(self.tmp, "src")
        open(os.path.join(self.src, "hello.c"), "w").write("int sq(int x) { return x * x; }\n")
        open(os.path.join(self.src, "bad.c"), "w").write("int f(void) { return nope; }\n")

    def down(self):
        self.c.stop()
        sh.run(["ip", "netns", "del", self.client_ns], check=False)

    def compile(self, client, compiler="gcc", src="hello.c", obj=None, check=True, extra_env=None):
        state = tmp_dir(self.tmp, "state-%d" % time.monotonic_ns())
        obj = obj or os.path.join(state, "out.o")
        env = dict(os.environ, DISTCC_HOSTS="%s/8" % SERVER_IP, DISTCC_DIR=state,
                   DISTCC_FALLBACK="0", DISTCC_SKIP_LOCAL_RETRY="1", DISTCC_BACKOFF_PERIOD="0",
                   PATH=self.bin + ":" + os.environ["PATH"])
        env.update(extra_env or {})
        p = sh.run(["ip", "netns", "exec", self.client_ns, client, compiler, "-c",
                    os.path.join(self.src, src), "-o", obj], check=False, env=env)
        if check:
            assert p.returncode == 0, p.stderr
            assert open(obj, "rb").read(4) == b"\x7fELF"
        return p

    def journal(self, *match):
        p = self.c.exec(["journalctl", "--no-pager", "-o", "json"] + list(match), check=False)
        return sh.journal_json(p.stdout)

    def wait_journal(self, *match, n=1, pred=None, timeout=10):
        """Entries matching, once there are at least @n: the job summary is
        written after the reply, so the client can be faster than the journal."""
        end = time.monotonic() + timeout
        while True:
            got = [e for e in self.journal(*match) if pred is None or pred(e)]
            if len(got) >= n or time.monotonic() > end:
                return got
            time.sleep(0.1)

    def active(self, unit):
        return self.c.exec(["systemctl", "is-active", unit], check=False).stdout.strip()

    def prop(self, unit, name):
        return self.c.exec(["systemctl", "show", "-P", name, unit]).stdout.strip()


def tmp_dir(base, name):
    d = os.path.join(base, name)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    return d


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    reason = sh.can_boot_systemd()
    if reason:
        pytest.skip(reason)
    tmp = str(tmp_path_factory.mktemp("sdboot"))
    os.chmod(tmp, 0o755)
    b = Box(tmp)
    try:
        b.up()
        yield b
    finally:
        b.down()
        assert sh.dev_null_ok(), "the host's /dev/null was changed"


def test_socket_listens_and_service_waits(box):
    assert box.active("distccd.socket") == "active"
    assert box.prop("distccd.socket", "Listen") == "[::]:3632 (Stream)"
    assert box.active("distccd.service") == "inactive"


@pytest.mark.parametrize("client", CLIENTS)
def test_compile_over_tcp(box, client):
    box.compile(client)
    assert box.active("distccd.service") == "active"
    ok = box.wait_journal("-u", "distccd", "DISTCC_RESULT=COMPILE_OK",
                          n=len(box.journal("-u", "distccd", "DISTCC_RESULT=COMPILE_OK")) + 1)
    assert ok, "no job in journalctl -u distccd"
    e = ok[-1]
    assert e["DISTCC_CLIENT"].startswith(CLIENT_IP + ":")
    assert e["DISTCC_INPUT"].endswith("hello.c")
    assert e["DISTCC_EXIT_STATUS"] == "0" and int(e["DISTCC_DURATION_MS"]) >= 0
    assert e["_SYSTEMD_UNIT"] == "distccd.service"
    # journald's own view of the sender: the unit's user, no capabilities
    pw = pwd.getpwnam("distccd")
    assert e["_UID"] == str(pw.pw_uid) and e["_GID"] == str(pw.pw_gid)
    assert int(e["_CAP_EFFECTIVE"], 16) == 0
    # Type=notify: READY=1 was received, STATUS= is kept up to date
    assert "served" in box.prop("distccd.service", "StatusText")


def test_compile_error_is_queryable(box):
    p = box.compile(DEBIAN_DISTCC, src="bad.c", check=False)
    assert p.returncode == 1 and "nope" in p.stderr
    errs = box.wait_journal("-u", "distccd", "DISTCC_RESULT=COMPILE_ERROR")
    assert len(errs) == 1 and errs[0]["DISTCC_EXIT_STATUS"] == "1"


def test_cross_compiler_from_conf_path(box):
    p = box.compile(DEBIAN_DISTCC, compiler="aarch64-fake-linux-gnu-gcc")
    assert "fake-cross: compiled on the server" in p.stderr
    jobs = box.wait_journal("-u", "distccd", "DISTCC_COMPILER=aarch64-fake-linux-gnu-gcc")
    assert jobs and jobs[-1]["DISTCC_RESULT"] == "COMPILE_OK"


def test_whitelisted_but_missing_compiler_names_path(box):
    p = box.compile(DEBIAN_DISTCC, compiler="missing-cross-gcc", check=False)
    assert p.returncode == 110, p.stderr
    assert "missing-cross-gcc" in p.stderr and PATH in p.stderr


def test_client_outside_allow_list_is_refused(box):
    script = ("import socket; s = socket.socket(); s.bind(('%s', 0)); s.settimeout(10); "
              "s.connect(('%s', 3632)); s.sendall(b'DIST00000001');\n"
              "try: print(repr(s.recv(10)))\nexcept ConnectionResetError: print('reset')"
              % (OUTSIDER_IP, SERVER_IP))
    p = sh.run(["ip", "netns", "exec", box.client_ns, "python3", "-c", script])
    assert p.stdout.strip() in ("b''", "reset")
    denied = box.wait_journal("-u", "distccd", "-p", "warning",
                              pred=lambda e: "denied" in e.get("MESSAGE", ""))
    assert denied and OUTSIDER_IP in denied[-1]["MESSAGE"]


def max_overlap(marks):
    events = sorted((int(t), what) for what, t in marks)
    cur = best = 0
    for _, what in events:
        cur += 1 if what == "start" else -1
        best = max(best, cur)
    return best


def test_global_jobs_limit_without_refusals(box):
    """--jobs 2 (--max-per-source 4), eight clients at once from one
    address: never more than two compilers, all eight served (the rest wait,
    none is refused)."""
    before = len(box.journal("-u", "distccd", "DISTCC_COMPILER=slowcc-gcc"))
    procs = []
    for i in range(8):
        state = tmp_dir(box.tmp, "par%d" % i)
        env = dict(os.environ, DISTCC_HOSTS="%s/8" % SERVER_IP, DISTCC_DIR=state,
                   DISTCC_FALLBACK="0", DISTCC_SKIP_LOCAL_RETRY="1", DISTCC_BACKOFF_PERIOD="0",
                   PATH=box.bin + ":" + os.environ["PATH"])
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", box.client_ns, DEBIAN_DISTCC, "slowcc-gcc", "-c",
             os.path.join(box.src, "hello.c"), "-o", os.path.join(state, "o.o")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    marks = []
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        marks += [tuple(l.split()[1:3]) for l in err.splitlines() if l.startswith("slowcc ")]
    jobs = box.wait_journal("-u", "distccd", "DISTCC_COMPILER=slowcc-gcc", n=before + 8)
    assert len(jobs) - before == 8
    assert all(j["DISTCC_RESULT"] == "COMPILE_OK" for j in jobs)
    assert len(marks) == 16, marks
    assert max_overlap(marks) == 2
    assert not [e for e in box.journal("-u", "distccd", "-p", "warning")
                if "closed" in e.get("MESSAGE", "")]


def test_idle_exit_then_socket_restarts(box):
    box.compile(DEBIAN_DISTCC)
    first = box.prop("distccd.service", "InvocationID")
    end = time.monotonic() + IDLE + 10
    while box.active("distccd.service") == "active" and time.monotonic() < end:
        time.sleep(0.2)
    assert box.active("distccd.service") == "inactive"
    assert box.prop("distccd.service", "Result") == "success"
    assert box.active("distccd.socket") == "active"
    box.compile(DEBIAN_DISTCC)
    assert box.active("distccd.service") == "active"
    assert box.prop("distccd.service", "InvocationID") != first
    assert any("no connection for" in e.get("MESSAGE", "") for e in box.journal("-u", "distccd"))


def test_service_without_socket_binds_itself(box):
    """`systemctl start distccd` with the socket stopped: distccd binds port
    3632 itself (Type=notify still reaches READY) and does not idle-exit."""
    box.c.exec(["systemctl", "stop", "distccd.socket", "distccd.service"])
    box.c.exec(["systemctl", "start", "distccd.service"])
    try:
        assert box.active("distccd.service") == "active"
        if box.active("distccd.socket") == "active":
            pytest.fail("starting the service pulled in the socket; nothing tested")
        box.compile(DEBIAN_DISTCC)
        time.sleep(IDLE + 1)
        assert box.active("distccd.service") == "active"
    finally:
        box.c.exec(["systemctl", "stop", "distccd.service"])
        box.c.exec(["systemctl", "start", "distccd.socket"])


def stats_page(box, send=b"GET / HTTP/1.0\r\n\r\n"):
    """The statistics port's answer, fetched from the client's namespace."""
    script = ("import socket; s = socket.create_connection(('%s', 3633), timeout=20); "
              "s.sendall(%r); d = b''\n"
              "while True:\n    c = s.recv(65536)\n    if not c: break\n    d += c\n"
              "print(d.decode())" % (SERVER_IP, send))
    return sh.run(["ip", "netns", "exec", box.client_ns, "python3", "-c", script]).stdout


def compile_ok_count(page):
    m = re.search(r"^dcc_compile_ok (\d+)$", page, re.M)
    assert m, page
    return int(m.group(1))


def test_stats_socket_unit(box):
    """The shipped distccd-stats.socket: enabled, it listens on 3633 and is
    handed, named "stats", to distccd.service with distccd.socket's socket.
    The first connection to it starts the service, which serves 3.4's page
    and counts the jobs that come in on the compile port."""
    box.c.exec(["systemctl", "stop", "distccd.service"])
    box.c.exec(["systemctl", "enable", "--now", "distccd-stats.socket"])
    try:
        assert box.active("distccd-stats.socket") == "active"
        assert box.active("distccd.service") == "inactive"
        page = stats_page(box)
        assert "<distccstats>" in page and re.search(r"^dcc_max_kids 2$", page, re.M), page
        assert box.active("distccd.service") == "active"
        before = compile_ok_count(page)
        box.compile(DEBIAN_DISTCC)
        end = time.monotonic() + 10
        while compile_ok_count(page) < before + 1 and time.monotonic() < end:
            page = stats_page(box)
        assert compile_ok_count(page) == before + 1, page
        metrics = stats_page(box, b"GET /metrics HTTP/1.0\r\n\r\n")
        assert "distccd_jobs" in metrics and metrics.rstrip().endswith("# EOF"), metrics
    finally:
        box.c.exec(["systemctl", "disable", "--now", "distccd-stats.socket"])
        box.c.exec(["systemctl", "stop", "distccd.service"])


def test_accept_yes_dropin(box):
    """The documented drop-in: one distccd@ instance per connection; its
    jobs are under -u 'distccd@*', not -u distccd (the trade-off README names)."""
    box.c.exec(["install", "-D", "-m", "644", "/usr/local/share/doc/distcc/accept-yes.conf",
                "/etc/systemd/system/distccd.socket.d/accept-yes.conf"])
    box.c.exec(["systemctl", "stop", "distccd.service"])
    box.c.exec(["systemctl", "daemon-reload"])
    box.c.exec(["systemctl", "restart", "distccd.socket"])
    assert box.prop("distccd.socket", "Accept") == "yes"
    box.compile(DEBIAN_DISTCC, extra_env={})
    inst = box.wait_journal("-u", "distccd@*", "DISTCC_RESULT=COMPILE_OK")
    assert inst and inst[-1]["_SYSTEMD_UNIT"].startswith("distccd@")
    assert inst[-1]["_UID"] == str(pwd.getpwnam("distccd").pw_uid)
    assert int(inst[-1]["_CAP_EFFECTIVE"], 16) == 0
    assert int(box.prop("distccd.socket", "NAccepted")) >= 1
