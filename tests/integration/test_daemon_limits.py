# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd limits: --jobs is a real global limit (excess clients wait, none
refused), --max-per-source, --job-lifetime (exit 118), a client hanging up
mid-compile kills the compiler's process group, SIGTERM stops jobs."""
import os
import pwd
import shutil
import signal
import threading
import time

import pytest

from daemon_helpers import Daemon, connect, make_masq, parse_reply, recv_all, request, world_dir, write

PRE = b'# 1 "t.c"\nint f(void) { return 3; }\n'

FAKE = b"""#!/bin/sh
# whitelisted fake compiler: logs start/end, sleeps, writes its output
echo "start $$" >> %(state)s/events
echo $$ > %(state)s/pid.$$
sleep %(sleep)s
echo "end $$" >> %(state)s/events
while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; esac; shift; done
printf 'OBJ' > "$out"
"""


@pytest.fixture
def fake():
    """(masq dir, env, state dir, make(sleep)) for a fake compiler 'fakecc'."""
    bindir = world_dir("distccd-fake-")
    state = world_dir("distccd-state-")
    os.chmod(state, 0o777)
    masq = make_masq(names=[], extra={"fakecc": os.path.join(bindir, "fakecc")})

    def make(sleep):
        write(os.path.join(bindir, "fakecc"),
              FAKE % {b"state": state.encode(), b"sleep": str(sleep).encode()}, 0o755)
    make(0.3)
    env = {"DISTCCD_PATH": bindir + ":/usr/bin:/bin"}
    yield masq, env, state, make
    for d in (bindir, state, masq):
        shutil.rmtree(d, ignore_errors=True)


def job(d, out, i, argv=("fakecc", "-c", "t.c", "-o", "t.o"), timeout=60):
    with connect(d, timeout=timeout) as s:
        s.sendall(request(list(argv), PRE))
        out[i] = recv_all(s)


def events(state):
    with open(os.path.join(state, "events")) as f:
        return [l.split() for l in f if l.strip()]


def max_concurrency(evs):
    cur = peak = 0
    for kind, _ in evs:
        cur += 1 if kind == "start" else -1
        peak = max(peak, cur)
    return peak


def pids(state):
    return [int(open(os.path.join(state, n)).read()) for n in os.listdir(state)
            if n.startswith("pid.")]


def gone(pid, timeout=5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not os.path.exists("/proc/%d" % pid):
            return True
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_jobs_is_a_global_limit(fake):
    masq, env, state, _ = fake
    with Daemon(args=["--jobs", "2"], masq=masq, env=env) as d:
        out = [None] * 10
        ts = [threading.Thread(target=job, args=(d, out, i)) for i in range(10)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for rep in out:
            r = parse_reply(rep)
            assert r["STAT"] == 0 and r["DOTO"] == b"OBJ"
        evs = events(state)
        assert len(evs) == 20
        assert max_concurrency(evs) <= 2
        assert max_concurrency(evs) == 2
        assert d.logtext().count("COMPILE_OK") == 10


def test_max_per_source(fake):
    masq, env, state, make = fake
    make(1.5)
    with Daemon(args=["--jobs", "4", "--max-per-source", "1"], masq=masq, env=env) as d:
        # the start-up probe connection counts until its child is reaped
        assert d.wait_log("CLI_DISCONN")
        time.sleep(0.3)
        out = [None, None]
        t = threading.Thread(target=job, args=(d, out, 0))
        t.start()
        end = time.monotonic() + 10
        while not pids(state) and time.monotonic() < end:
            time.sleep(0.05)
        job(d, out, 1)
        t.join()
        assert parse_reply(out[0])["STAT"] == 0
        assert out[1] == b""
        assert "(--max-per-source)" in d.logtext()


def test_job_lifetime_kills_group(fake):
    masq, env, state, make = fake
    make(30)
    with Daemon(args=["--job-lifetime", "1"], masq=masq, env=env) as d:
        out = [None]
        t0 = time.monotonic()
        job(d, out, 0)
        rep = parse_reply(out[0])
        assert rep["STAT"] == 118 << 8
        assert time.monotonic() - t0 < 10
        assert b"--job-lifetime" in rep["SERR"]
        assert d.wait_log("COMPILE_TIMEOUT")
        for pid in pids(state):
            assert gone(pid)


def test_client_hangup_kills_compiler(fake):
    masq, env, state, make = fake
    make(30)
    with Daemon(masq=masq, env=env) as d:
        s = connect(d)
        s.sendall(request(["fakecc", "-c", "t.c", "-o", "t.o"], PRE))
        end = time.monotonic() + 10
        while not pids(state) and time.monotonic() < end:
            time.sleep(0.05)
        assert pids(state)
        s.close()
        assert d.wait_log("CLI_DISCONN")
        for pid in pids(state):
            assert gone(pid)


def test_sigterm_stops_jobs_and_removes_pidfile(fake):
    masq, env, state, make = fake
    make(30)
    piddir = world_dir("distccd-pid-")
    pidfile = os.path.join(piddir, "d.pid")
    # like /run/distccd from tmpfiles.d: writable by the user distccd drops to
    pw = pwd.getpwnam("distccd")
    os.chown(piddir, pw.pw_uid, pw.pw_gid)
    d = Daemon(args=["-P", pidfile], masq=masq, env=env)
    try:
        assert int(open(pidfile).read()) == d.proc.pid
        s = connect(d)
        s.sendall(request(["fakecc", "-c", "t.c", "-o", "t.o"], PRE))
        end = time.monotonic() + 10
        while not pids(state) and time.monotonic() < end:
            time.sleep(0.05)
        d.proc.send_signal(signal.SIGTERM)
        assert d.proc.wait(10) == 0
        assert not os.path.exists(pidfile)
        for pid in pids(state):
            assert gone(pid)
        assert recv_all(s) == b""
        s.close()
    finally:
        d.stop()
        shutil.rmtree(d.dir, ignore_errors=True)
        shutil.rmtree(piddir, ignore_errors=True)
