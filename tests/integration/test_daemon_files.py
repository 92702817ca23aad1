# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd start-up, exit codes and files: 101 for bad/unsupported options,
102 for bind failure, --version/--help, pid file written after bind when
detaching, file modes under umask 000 (UPSTREAM-BUGS B2), job directories
from a CSPRNG with mode 0700 and removed after the job (B1)."""
import os
import re
import shutil
import socket
import stat
import subprocess
import threading
import time

import pytest

from conftest import DEBIAN_DISTCCD, binary, wait_port
from daemon_helpers import Daemon, connect, parse_reply, recv_all, request, world_dir

PRE = b'# 1 "t.c"\nint f(void) { return 3; }\n'
ARGV = ["gcc", "-c", "t.c", "-o", "t.o"]


def run(args, **kw):
    return subprocess.run([binary("distccd")] + args, capture_output=True, timeout=20, **kw)


@pytest.mark.parametrize("args", [["--bogus"], ["-j", "0"], ["--port", "70000"],
                                  ["--allow", "1.2.3.4/40"], ["--log-level", "chatty"],
                                  ["--auth"], ["--whitelist", "/x"]])
def test_bad_options_exit_101(args):
    r = run(args + ["--daemon", "--no-detach"])
    assert r.returncode == 101, r.stderr
    assert r.stderr


def test_unsupported_message_names_option():
    r = run(["--auth"])
    assert b"--auth is not supported" in r.stderr


def test_version_help():
    r = run(["--version"])
    assert r.returncode == 0 and b"distccd 3.4" in r.stdout
    lines = r.stdout.decode().splitlines()
    assert re.fullmatch(r"distccd 3\.4 [a-z0-9_]+-(pc|unknown)-linux-gnu", lines[0]), lines
    assert lines[1] == "  (protocols 1, 2 and 3) (default port 3632)"
    assert len(lines) > 2                  # our own words follow
    r = run(["--help"])
    assert r.returncode == 0 and b"--masquerade-dir" in r.stdout and b"--allow" in r.stdout


def test_version_first_two_lines_match_34():
    """Scripts parse 3.4's first two lines: Debian's distccd prints the same."""
    if not os.access(DEBIAN_DISTCCD, os.X_OK):
        pytest.skip("Debian's distccd is not installed")
    ours = run(["--version"]).stdout.decode().splitlines()
    theirs = subprocess.run([DEBIAN_DISTCCD, "--version"], capture_output=True, text=True,
                            timeout=20).stdout.splitlines()
    assert ours[:2] == theirs[:2]


def test_bind_failure_102():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = run(["--daemon", "--no-detach", "--log-stderr", "-p", str(port),
                 "--listen", "127.0.0.1"])
        assert r.returncode == 102
        assert b"cannot listen" in r.stderr


def test_detach_writes_pidfile_after_bind_modes_umask000():
    d = world_dir("distccd-files-")
    pw_dir = d
    pid, log = os.path.join(pw_dir, "d.pid"), os.path.join(pw_dir, "d.log")
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    p = port.getsockname()[1]
    port.close()
    try:
        r = run(["--daemon", "-p", str(p), "--listen", "127.0.0.1", "-P", pid,
                 "--log-file", log, "--lifetime", "20"], preexec_fn=lambda: os.umask(0))
        assert r.returncode == 0
        # the parent exits only after bind and pid file: both are there now
        with socket.create_connection(("127.0.0.1", p), timeout=2):
            pass
        daemon_pid = int(open(pid).read())
        assert os.path.exists("/proc/%d" % daemon_pid)
        assert stat.S_IMODE(os.stat(pid).st_mode) == 0o644
        assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
        os.kill(daemon_pid, 15)
        end = time.monotonic() + 5
        while os.path.exists("/proc/%d" % daemon_pid) and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_b1_job_dirs_random_private_removed():
    tmp = world_dir("distccd-tmp-")
    os.chmod(tmp, 0o1777)
    try:
        # one address, 24 connections at once: its share must cover them
        with Daemon(args=["-j", "8", "--max-per-source", "12"],
                    env={"TMPDIR": tmp, "DISTCC_SAVE_TEMPS": "1"}) as d:
            out = [None] * 24

            def one(i):
                with connect(d) as s:
                    s.sendall(request(ARGV, PRE))
                    out[i] = recv_all(s)
            ts = [threading.Thread(target=one, args=(i,)) for i in range(24)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            assert all(parse_reply(o)["STAT"] == 0 for o in out)
            names = os.listdir(tmp)
            assert len(names) == 24 and len(set(names)) == 24
            for n in names:
                assert re.fullmatch(r"distccd_[0-9a-f]{16}", n), n
                st = os.stat(os.path.join(tmp, n))
                assert stat.S_IMODE(st.st_mode) == 0o700
                for f in os.listdir(os.path.join(tmp, n)):
                    assert not os.stat(os.path.join(tmp, n, f)).st_mode & 0o077, f
        # without DISTCC_SAVE_TEMPS nothing is left behind
        for n in os.listdir(tmp):
            shutil.rmtree(os.path.join(tmp, n))
        with Daemon(env={"TMPDIR": tmp}) as d:
            for argv in (ARGV, ["gcc", "-c", "t.c", "-o", "t.o", "-fsyntax-only-bogus"]):
                with connect(d) as s:
                    s.sendall(request(argv, PRE))
                    recv_all(s)
            assert d.wait_log("COMPILE_ERROR")
            assert os.listdir(tmp) == []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_inetd_on_pipe_serves_without_acl():
    """--inetd on pipes (ssh transport): no peer address, no ACL, one job."""
    masq = world_dir("distccd-masq-")
    os.symlink("/usr/bin/gcc", os.path.join(masq, "gcc"))
    req = os.path.join(masq, "req")
    with open(req, "wb") as f:
        f.write(request(ARGV, PRE))
    try:
        # a closed pipe would read as a client hang-up (as in 3.4): use a file
        with open(req, "rb") as stdin:
            r = subprocess.run([binary("distccd"), "--inetd", "--masquerade-dir", masq,
                                "--allow", "10.0.0.1", "--log-stderr"],
                               stdin=stdin, capture_output=True, timeout=30)
        rep = parse_reply(r.stdout)
        assert rep["STAT"] == 0 and rep["DOTO"][:4] == b"\x7fELF"
        assert b"client: localhost-pipe COMPILE_OK" in r.stderr
    finally:
        shutil.rmtree(masq, ignore_errors=True)
