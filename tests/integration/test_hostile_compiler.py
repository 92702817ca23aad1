# SPDX-License-Identifier: GPL-2.0-or-later
"""A compromised compiler inside the sandbox (issue 10): the whitelisted name
`gcc` resolves, through DISTCCD_PATH, to a probe that does what an attacker
who owns the compiler would try, chosen per job by a -DPROBE=<mode> argument:
swap its results for symlinks to a file outside the job, leave a
double-forked setsid() process behind, open sockets (UDP, pathname UNIX, TCP),
use fds it inherited. The daemon sends back nothing but a refusal, leaves no
process behind, and the compiler gets no socket and no fd beyond 0-2."""
import json
import os
import random
import socket
import time

import pytest

from hostile_helpers import Daemon, Scratch, connect, make_masq, raw_job, recv_all
from pump_wire_helpers import file_entry, parse_pump_reply, pump_request
from test_daemon_limits import gone

PROBE = r'''#!/usr/bin/python3 -I
import json, os, socket, sys
args = sys.argv
out = args[args.index("-o") + 1]
mode = [a[len("-DPROBE="):] for a in args if a.startswith("-DPROBE=")][0]
with open(out, "wb") as f:
    f.write(b"\x7fELF-probe")

def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return e.errno

def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"leak", ("127.0.0.1", UDP_PORT))

def unix():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(UNIX_PATH)

def tcp():
    socket.create_connection(("127.0.0.1", TCP_PORT), timeout=2)

def open_fds():
    found = []
    for fd in range(3, 1024):
        try:
            os.fstat(fd)
            found.append(fd)
        except OSError:
            pass
    return found

if mode == "symlink_out":
    os.unlink(out)
    os.symlink(SECRET, out)
elif mode == "symlink_stdout":
    path = os.readlink("/proc/self/fd/1")
    print("probe stdout", flush=True)
    os.unlink(path)
    os.symlink(SECRET, path)
elif mode == "symlink_dotd":
    deps = args[args.index("-MF") + 1]
    with open(deps, "w") as f:
        f.write("t.o: t.c\n")
    os.unlink(deps)
    os.symlink(SECRET, deps)
elif mode == "symlink_stderr":
    path = os.readlink("/proc/self/fd/2")
    os.unlink(path)
    os.symlink(SECRET, path)
elif mode == "daemon":
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", TAG])
        os._exit(0)
    os.waitpid(pid, 0)
elif mode == "group":
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", TAG])
elif mode == "sockets":
    print(json.dumps({"udp": attempt(udp), "unix": attempt(unix), "tcp": attempt(tcp),
                      "socketpair": attempt(lambda: socket.socketpair())}))
elif mode == "fds":
    print(json.dumps(open_fds()))
elif mode == "siblings":
    top = os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[0])))
    def read(rel):
        with open(os.path.join(top, rel)) as f:
            f.read()
    print(json.dumps({rel: attempt(lambda: read(rel)) for rel in SIBLINGS}))
'''


# a path beside the probe's bin/ -> may the compiler read it?
SIBLINGS = {"lib/f": True, "libexec/f": True, "include/f": True, "share/locale/f": True,
            "x86_64-fake-linux-gnu/f": True,       # a triple bin/ has a driver for
            "share/secret": False, "arm-other-linux-gnu/f": False, "my-private-notes/f": False}


@pytest.fixture(scope="module")
def probe():
    s = Scratch()
    secret, text = s.secret()
    tag = "%d.%06d" % (3000 + os.getpid() % 500, random.randrange(10 ** 6))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(4)
    tcp.setblocking(False)
    unix_path = s.path("bait.sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(unix_path)
    os.chmod(unix_path, 0o777)
    unix.listen(4)
    unix.setblocking(False)
    bindir = os.path.join(s.dir, "bin")
    os.mkdir(bindir, 0o755)
    # beside bin/: what a toolchain needs, and what only looks like it
    for rel in SIBLINGS:
        os.makedirs(os.path.dirname(s.path(rel)), 0o755, exist_ok=True)
        with open(s.path(rel), "w") as f:
            f.write("x")
        os.chmod(s.path(rel), 0o644)
    s.script(os.path.join("bin", "x86_64-fake-linux-gnu-gcc"), "#!/bin/sh\nexit 1\n")
    body = PROBE.replace("SIBLINGS", repr(sorted(SIBLINGS)))
    for k, v in {"SECRET": repr(secret), "TAG": repr(tag), "UNIX_PATH": repr(unix_path),
                 "UDP_PORT": str(udp.getsockname()[1]),
                 "TCP_PORT": str(tcp.getsockname()[1])}.items():
        body = body.replace(k, v)
    s.script(os.path.join("bin", "gcc"), body)
    masq = make_masq(names=["gcc"])
    env = {"DISTCCD_PATH": bindir + ":/usr/bin:/bin"}
    with Daemon(masq=masq, env=env) as d:
        yield {"d": d, "text": text, "tag": tag, "udp": udp, "tcp": tcp, "unix": unix}
    for pid in tagged(tag):         # what a failing daemon left: ours to remove
        os.kill(pid, 9)
    for sock in (udp, tcp, unix):
        sock.close()
    s.cleanup()


def run(p, mode):
    return raw_job(p["d"], ["gcc", "-DPROBE=" + mode, "-c", "t.c", "-o", "t.o"])


def tagged(tag):
    found = []
    for n in os.listdir("/proc"):
        if n.isdigit():
            try:
                with open("/proc/%s/cmdline" % n, "rb") as f:
                    if tag.encode() in f.read().split(b"\0"):
                        found.append(int(n))
            except OSError:
                pass
    return found


def assert_only_refusal(p, rep, name):
    assert rep is not None, "no reply at all"
    assert rep["STAT"] == 113 << 8, rep
    assert rep["DOTO"] == b"" and rep["SOUT"] == b"", rep
    for part in ("SERR", "SOUT", "DOTO"):
        assert p["text"].encode() not in rep[part]
    assert ("'%s' is not a plain file" % name).encode() in rep["SERR"], rep["SERR"]
    assert p["d"].wait_log("refusing the results of 'gcc'")


@pytest.mark.sanitize
def test_normal_probe_job_succeeds(probe):
    rep = run(probe, "none")
    assert rep["STAT"] == 0 and rep["DOTO"] == b"\x7fELF-probe", rep


@pytest.mark.sanitize
def test_output_swapped_for_symlink(probe):
    assert_only_refusal(probe, run(probe, "symlink_out"), "output.o")


@pytest.mark.sanitize
def test_stdout_swapped_for_symlink(probe):
    assert_only_refusal(probe, run(probe, "symlink_stdout"), "compiler.stdout")


@pytest.mark.sanitize
def test_stderr_swapped_for_symlink(probe):
    assert_only_refusal(probe, run(probe, "symlink_stderr"), "compiler.stderr")


@pytest.mark.sanitize
def test_dotd_swapped_for_symlink(probe):
    """Protocol 3 sends the .d file back (DOTD): it is read the same way."""
    req = pump_request("/src", ["gcc", "-DPROBE=symlink_dotd", "-MD", "-c", "/src/t.c", "-o",
                                "t.o"], [file_entry("/src/t.c", b"int t;\n")])
    with connect(probe["d"], timeout=30) as s:
        s.sendall(req)
        rep = parse_pump_reply(recv_all(s))
    assert rep["STAT"] == 113 << 8, rep
    assert "DOTD" not in rep and rep["DOTO"] == b"" and rep["SOUT"] == b""
    assert probe["text"].encode() not in rep["SERR"]
    assert b"'output.d' is not a plain file" in rep["SERR"], rep["SERR"]


@pytest.mark.sanitize
@pytest.mark.parametrize("mode", ["daemon", "group"])
def test_nothing_survives_the_job(probe, mode):
    """A double-forked setsid() process (out of the compiler's group) and a
    plain child (in it) are both gone once the reply has arrived."""
    rep = run(probe, mode)
    assert rep["STAT"] == 0 and rep["DOTO"] == b"\x7fELF-probe", rep
    left = tagged(probe["tag"])
    assert all(gone(pid, timeout=0.5) for pid in left), left
    assert probe["d"].wait_log("the compiler left behind")


@pytest.mark.sanitize
def test_no_sockets(probe):
    rep = run(probe, "sockets")
    assert rep["STAT"] == 0, rep
    r = json.loads(rep["SOUT"])
    assert r["udp"] == 13 and r["unix"] == 13 and r["tcp"] == 13, r
    assert r["socketpair"] == "ok", r
    time.sleep(0.2)
    for name in ("udp", "tcp", "unix"):
        with pytest.raises(BlockingIOError):
            if name == "udp":
                probe[name].recv(16)
            else:
                probe[name].accept()


@pytest.mark.sanitize
def test_toolchain_siblings_only(probe):
    """Beside a DISTCCD_PATH bin/: lib*, libexec, include, share/locale and
    the <triple>/ of a driver in bin/ are readable; any other directory with
    dashes in its name, and the rest of share/, are not."""
    rep = run(probe, "siblings")
    assert rep["STAT"] == 0, rep
    got = json.loads(rep["SOUT"])
    for rel, ok in SIBLINGS.items():
        assert (got[rel] == "ok") == ok, (rel, got[rel])
        if not ok:
            assert got[rel] == 13, (rel, got[rel])


@pytest.mark.sanitize
def test_only_std_fds(probe):
    rep = run(probe, "fds")
    assert rep["STAT"] == 0, rep
    assert json.loads(rep["SOUT"]) == []
