# SPDX-License-Identifier: GPL-2.0-or-later
"""UPSTREAM-BUGS.md regression tests not covered by an area suite (the full
map, item by item, is docs/upstream-bugs.md). Daemon items talk raw
protocol to build/distccd; client items run build/distcc against a
recording server that logs the argv each job carries on the wire."""
import os
import tempfile
import shutil
import stat
import subprocess
import time
import uuid

import pytest

from client_helpers import HELLO_C, client_env, run_distcc, world_dir, write
from conftest import binary
from daemon_helpers import Daemon, Distccd, connect, lzo_zeros, recv_all, request, tok, tstr
from hostile_helpers import raw_job
from upstream_helpers import RecordingServer, autogroup_nice, v3_request

ARGV = ["gcc", "-c", "t.c", "-o", "t.o"]
HEAD = tok("DIST", 1) + tok("ARGC", len(ARGV)) + b"".join(tstr("ARGV", a) for a in ARGV)


@pytest.fixture(scope="module")
def d():
    # a long I/O timeout: a drop within seconds is the daemon's own decision
    with Daemon(args=["--io-timeout", "30", "-j", "2"]) as dd:
        yield dd


def healthy(d):
    rep = raw_job(d, ARGV)
    assert rep is not None and rep["STAT"] == 0 and rep["DOTO"][:4] == b"\x7fELF", rep


def closed_within(s, seconds):
    """Wait for the daemon to close @s (EOF or reset); True if it did in time."""
    s.settimeout(seconds)
    t0 = time.monotonic()
    data = recv_all(s)
    return time.monotonic() - t0 < seconds and not data.startswith(b"DONE")


# ---- A1, A2, A3: pump uploads are refused with no filesystem effect ----

def _pump_attacks(rand):
    a = ["gcc", "-c", "a.c", "-o", "a.o"]
    return {
        "A1-dotdot": v3_request("/src", a, [("/../../../../../../../tmp/" + rand, "FILE", b"")]),
        "A1-relative": v3_request("/src", a, [(rand, "FILE", b"")]),
        "A2-link-then-file": v3_request("/src", a, [("/safe", "LINK", b"../../../../../../tmp"),
                                                    ("/safe/" + rand, "FILE", b"")]),
        "A3-cdir": v3_request("/../../../../../../tmp/%s/d" % rand, a, []),
    }


@pytest.mark.sanitize
@pytest.mark.parametrize("name", ["A1-dotdot", "A1-relative", "A2-link-then-file", "A3-cdir"])
def test_pump_traversal_has_no_effect(d, name):
    rand = "distcc-upstream-" + uuid.uuid4().hex
    with connect(d) as s:
        s.sendall(_pump_attacks(rand)[name])
        s.settimeout(10)
        data = recv_all(s)
    # refused with distcc's "access denied" status, the reason on SERR
    assert data.startswith(b"DONE00000003STAT%08x" % (113 << 8)), data[:60]
    for p in ("/tmp/" + rand, "/var/tmp/" + rand):
        assert not os.path.lexists(p), p
    assert d.wait_log("refusing job from")
    assert d.alive()
    healthy(d)


# ---- A4: over-cap announcements are refused at once, not at the timeout ---

A4_CASES = {
    "huge-argc": tok("DIST", 1) + tok("ARGC", 0x05f5e100),
    "argv-ffffffff": tok("DIST", 1) + tok("ARGC", 1) + tok("ARGV", 0xffffffff),
    "doti-ffffffff": HEAD + tok("DOTI", 0xffffffff),
    "lzo-bomb": None,
}


@pytest.mark.sanitize
@pytest.mark.serial      # asserts a wall-clock bound
@pytest.mark.parametrize("name", sorted(A4_CASES))
def test_a4_overcap_then_stall_is_dropped_at_once(d, name):
    data = A4_CASES[name]
    if data is None:
        bomb = lzo_zeros(300 << 20)        # inflates past MAX_BULK_PLAIN
        data = request(ARGV, bomb, 2)
    rss0 = d.rss_kb()
    with connect(d, timeout=30) as s:
        s.sendall(data)
        # the client now stalls with the connection open; --io-timeout is 30 s
        assert closed_within(s, 10), name
    assert d.rss_kb() < max(32 * 1024, rss0 * 2)
    healthy(d)


@pytest.mark.sanitize
def test_a6_many_specs_refused_worker_survives(d):
    argv = ["gcc"] + ["-specs=s%d" % i for i in range(3000)] + ["-c", "t.c", "-o", "t.o"]
    rep = raw_job(d, argv)
    assert rep is not None, "dropped instead of refused"
    assert rep["STAT"] == 113 << 8, rep["SERR"]
    assert b"specs" in rep["SERR"]
    healthy(d)


# ---- G1, G3: daemon start-up --------------------------------------------

def test_g1_cmdlist_without_whitelist_dirs_starts():
    """3.4 exits 110 at start without masquerade dirs even with
    DISTCC_CMDLIST. Ours starts: the list is the whitelist then, and it
    serves exactly the compilers listed."""
    lst = world_dir("distccd-cmdlist-")
    path = os.path.join(lst, "cmdlist")
    with open(path, "w") as f:
        f.write("/usr/bin/gcc\n")
    try:
        with Daemon(masq="/nonexistent/distcc-masq", env={"DISTCC_CMDLIST": path}) as dd:
            assert dd.alive()
            healthy(dd)
            rep = raw_job(dd, ["cc"] + ARGV[1:])
            assert rep is not None and rep["STAT"] == 113 << 8
            assert b"not in DISTCC_CMDLIST" in rep["SERR"], rep["SERR"]
    finally:
        shutil.rmtree(lst, ignore_errors=True)


@pytest.mark.skipif(autogroup_nice(os.getpid()) is None, reason="no scheduler autogroup")
def test_g3_autogroup_follows_nice():
    tmp = world_dir("distccd-g3-")
    pidf = os.path.join(tmp, "d.pid")
    pid = None
    d = Distccd(["-N", "7", "-P", pidf, "--lifetime", "30"], detach=True, masq=None,
                log_level=None)
    try:
        assert d.proc.wait(20) == 0, d.output()
        with open(pidf) as f:
            pid = int(f.read())
        assert os.getpriority(os.PRIO_PROCESS, pid) == 7
        assert autogroup_nice(pid) == 7, open("/proc/%d/autogroup" % pid).read()
    finally:
        if pid:
            os.kill(pid, 15)
            end = time.monotonic() + 5
            while os.path.exists("/proc/%d" % pid) and time.monotonic() < end:
                time.sleep(0.05)
        d.close()
        shutil.rmtree(tmp, ignore_errors=True)


# ---- client side, judged by what the recording server receives ----------

@pytest.fixture
def rec():
    s = RecordingServer()
    yield s
    s.close()


def compile_with(tmp_path, rec, args, path_prefix=(), **extra):
    env = client_env(tmp_path, rec.hostspec, DISTCC_FALLBACK=0, **extra)
    env["PATH"] = ":".join(list(path_prefix) + [env.get("PATH", "/usr/bin:/bin")])
    return run_distcc(args, env, cwd=str(tmp_path))


def hello(tmp_path, name="a.c"):
    write(str(tmp_path / name), HELLO_C)


@pytest.mark.sanitize
def test_c1_cc_through_a_non_symlink_alternative(tmp_path, rec):
    """cc -> alt/cc, and alt/cc is a regular file: the second readlink fails
    (3.4 then writes linkbuf[-1]). Clean run; argv[0] stays cc."""
    hello(tmp_path)
    bindir, alt = tmp_path / "bin", tmp_path / "alt"
    write(str(alt / "cc"), '#!/bin/sh\nexec gcc "$@"\n', 0o755)
    bindir.mkdir()
    os.symlink("../alt/cc", str(bindir / "cc"))
    r = compile_with(tmp_path, rec, ["cc", "-c", "a.c"], [str(bindir)])
    assert r.returncode == 0, r.stderr
    assert b"runtime error" not in r.stderr and b"Sanitizer" not in r.stderr, r.stderr
    assert [a[0] for a in rec.argvs()] == ["cc"], rec.argvs()


@pytest.mark.sanitize
@pytest.mark.parametrize("form", [["-iquote", "inc"], ["-iquoteinc"]])
def test_c3_iquote_not_sent(tmp_path, rec, form):
    write(str(tmp_path / "inc" / "h.h"), "#define X 0\n")
    write(str(tmp_path / "a.c"), '#include "h.h"\nint main(void) { return X; }\n')
    r = compile_with(tmp_path, rec, ["clang", "-Werror"] + form + ["-c", "a.c"])
    assert r.returncode == 0, r.stderr
    (argv,) = rec.argvs()
    assert not any("iquote" in a or a == "inc" for a in argv), argv
    assert "-Werror" in argv


def test_c4_xclang_values_arrive_intact(tmp_path, rec):
    """The local preprocessor is a clang wrapper that drops the -Xclang pairs
    (real cc1 has no -xfoo/-lbar); what matters is the server's argv."""
    hello(tmp_path)
    wrap = tmp_path / "wrap"
    write(str(wrap / "clang"), '#!/bin/bash\nargs=()\nwhile [ $# -gt 0 ]; do\n'
          '  if [ "$1" = -Xclang ]; then shift 2; continue; fi\n'
          '  args+=("$1"); shift\ndone\nexec /usr/bin/clang "${args[@]}"\n', 0o755)
    r = compile_with(tmp_path, rec, ["clang", "-Xclang", "-xfoo", "-Xclang", "-lbar", "-c", "a.c"],
                     [str(wrap)])
    assert r.returncode == 0, r.stderr
    (argv,) = rec.argvs()
    i = argv.index("-xfoo")
    assert argv[i - 1] == "-Xclang" and argv[i + 1:i + 3] == ["-Xclang", "-lbar"], argv


@pytest.mark.parametrize("flag", ["-march=native", "-mtune=native", "-mcpu=native"])
def test_c5_native_never_sent(tmp_path, rec, flag):
    hello(tmp_path)
    r = compile_with(tmp_path, rec, ["gcc", flag, "-c", "a.c"])
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.o").exists()
    assert not any("native" in a for argv in rec.argvs() for a in argv), rec.argvs()


def test_c6_lto_is_distributed(tmp_path, rec):
    hello(tmp_path)
    r = compile_with(tmp_path, rec, ["gcc", "-flto", "-c", "a.c"])
    assert r.returncode == 0, r.stderr
    (argv,) = rec.argvs()
    assert "-flto" in argv


def test_c8_cc_dispatcher_script_is_probed(tmp_path, rec):
    """A cc that is a script running clang (no symlink to follow): the
    --version probe finds clang, so the job gets clang's -target."""
    hello(tmp_path)
    bindir = tmp_path / "bin"
    write(str(bindir / "cc"), '#!/bin/sh\nexec /usr/bin/clang "$@"\n', 0o755)
    r = compile_with(tmp_path, rec, ["cc", "-c", "a.c"], [str(bindir)])
    assert r.returncode == 0, r.stderr
    (argv,) = rec.argvs()
    assert "-target" in argv, argv
    assert argv[argv.index("-target") + 1].startswith("x86_64-"), argv


def test_c9_distcc_ssh_words_kept_for_every_connection(tmp_path):
    """DISTCC_SSH is split on a copy: every ssh started by the process gets
    all its words, and the environment its children see is unchanged. The
    fake ssh speaks no protocol: the job falls back to a local compile."""
    hello(tmp_path)
    marker = tmp_path / "ssh-ran"
    write(str(tmp_path / "bin" / "sshwrap"),
          '#!/bin/sh\necho "$DISTCC_SSH|$*" >> "%s"\nexit 3\n' % marker, 0o755)
    env = client_env(tmp_path, "@127.0.0.1 @127.0.0.2", DISTCC_SSH="sshwrap -p 2222",
                     DISTCC_BACKOFF_PERIOD=0)
    env["PATH"] = str(tmp_path / "bin") + ":" + env.get("PATH", "/usr/bin:/bin")
    # DISTCC_DIR is too long for control sockets: they go to XDG_RUNTIME_DIR
    short = tempfile.mkdtemp(prefix="dsr")
    env["XDG_RUNTIME_DIR"] = short
    try:
        r = run_distcc(["gcc", "-c", "a.c"], env, cwd=str(tmp_path))
        assert os.path.isdir(os.path.join(short, "distcc-ssh"))
    finally:
        shutil.rmtree(short)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.o").exists()
    lines = marker.read_text().splitlines()
    assert len(lines) == 2, lines
    for line, host in zip(lines, ["127.0.0.1", "127.0.0.2"]):
        env_seen, args = line.split("|")
        assert env_seen == "sshwrap -p 2222"
        assert args.startswith("-p 2222 "), args
        assert args.endswith(" %s distccd --inetd" % host), args


def test_c10_distcc_ssh_option_as_program_refused(tmp_path):
    """A DISTCC_SSH whose first word is an option is refused before any
    fork (3.4 hands '-oProxyCommand=...' to execvp); the job runs locally."""
    hello(tmp_path)
    marker = tmp_path / "ssh-ran"
    env = client_env(tmp_path, "@127.0.0.1", DISTCC_SSH="-oProxyCommand=touch %s" % marker)
    r = run_distcc(["gcc", "-c", "a.c"], env, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.o").exists()
    assert not marker.exists()
    assert b"DISTCC_SSH" in r.stderr and b"first word" in r.stderr, r.stderr


@pytest.mark.sanitize
@pytest.mark.parametrize("how", ["bare", "path"])
def test_c11_long_path_entries_with_masquerade(tmp_path, rec, how):
    """PATH entries longer than PATH_MAX around the masquerade dir, with the
    link run by bare name (PATH search) or by path: bounded, clean, and the
    masquerade dir is skipped when finding the real compiler."""
    hello(tmp_path)
    masq = tmp_path / "masq"
    masq.mkdir()
    os.symlink(binary("distcc"), str(masq / "gcc"))
    long_entries = ["/" + "x" * 5000, "/" + "y/" * 2100]
    env = client_env(tmp_path, rec.hostspec, DISTCC_FALLBACK=0)
    env["PATH"] = ":".join(long_entries + [str(masq)] + long_entries + ["/usr/bin", "/bin"])
    argv0 = "gcc" if how == "bare" else str(masq / "gcc")
    r = subprocess.run([argv0, "-c", "a.c"], env=env, cwd=str(tmp_path),
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert b"Sanitizer" not in r.stderr and b"runtime error" not in r.stderr, r.stderr
    (argv,) = rec.argvs()
    assert argv[0] in ("gcc", "x86_64-linux-gnu-gcc"), argv


def test_d8_split_dwarf_keeps_the_dwo(tmp_path, rec):
    """Protocol 1/2 has no slot for the .dwo either: the job runs locally."""
    hello(tmp_path)
    r = compile_with(tmp_path, rec, ["gcc", "-g", "-gsplit-dwarf", "-c", "a.c"])
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.o").exists() and (tmp_path / "a.dwo").exists()
    assert rec.argvs() == []


# ---- B2, B3: client files -----------------------------------------------

def test_b2_client_files_not_world_writable_under_umask000(tmp_path):
    """State and backoff files written while a job runs are never o+w; the
    lock slots are the one deliberate exception (B3)."""
    hello(tmp_path)
    rec = RecordingServer(delay=1.5)
    seen = {}
    try:
        env = client_env(tmp_path, rec.hostspec, DISTCC_FALLBACK=0)
        p = subprocess.Popen([binary("distcc"), "gcc", "-c", "a.c"], env=env, cwd=str(tmp_path),
                             stderr=subprocess.PIPE, preexec_fn=lambda: os.umask(0))
        dcc = tmp_path / "dcc"
        while p.poll() is None:
            for root, dirs, files in os.walk(str(dcc)):
                for n in files:
                    try:
                        seen[os.path.join(root, n)] = os.lstat(os.path.join(root, n)).st_mode
                    except FileNotFoundError:
                        pass
            time.sleep(0.02)
        assert p.wait() == 0, p.stderr.read()
    finally:
        rec.close()
    assert any("/state/" in n for n in seen), seen
    for n, mode in seen.items():
        if "/lock/" in n:
            assert stat.S_IMODE(mode) == 0o666, (n, oct(mode))
        else:
            assert not mode & stat.S_IWOTH, (n, oct(mode))


def test_b3_second_user_shares_lock_slots(tmp_path, rec):
    """Root fills a shared DISTCC_DIR under umask 022; 'nobody' then compiles
    with the same DISTCC_DIR and the same (pre-existing) slot."""
    shared = world_dir("distcc-b3-")
    try:
        os.chmod(shared, 0o777)
        work = os.path.join(shared, "w")
        os.mkdir(work)
        os.chmod(work, 0o777)
        write(os.path.join(work, "a.c"), HELLO_C, 0o644)
        env = client_env(work, rec.hostspec + "/1", DISTCC_FALLBACK=0)
        env["DISTCC_DIR"] = os.path.join(shared, "dcc")
        r = subprocess.run([binary("distcc"), "gcc", "-c", "a.c", "-o", "root.o"], env=env,
                           cwd=work, capture_output=True, preexec_fn=lambda: os.umask(0o022))
        assert r.returncode == 0, r.stderr
        slot = os.path.join(shared, "dcc", "lock", "cpu_tcp_127.0.0.1_%d_0" % rec.port)
        assert stat.S_IMODE(os.stat(slot).st_mode) == 0o666
        r = subprocess.run(["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups",
                            binary("distcc"), "gcc", "-c", "a.c", "-o", "nobody.o"], env=env,
                           cwd=work, capture_output=True, timeout=60,
                           preexec_fn=lambda: os.umask(0o022))
        assert r.returncode == 0, r.stderr
        assert os.stat(os.path.join(work, "nobody.o")).st_uid != 0
        assert len(rec.argvs()) == 2
    finally:
        shutil.rmtree(shared, ignore_errors=True)
