# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd limits: --jobs is a real global limit (excess clients wait, none
refused), --max-per-source, --job-lifetime (exit 118), a client hanging up
mid-compile kills the compiler's process group, SIGTERM stops jobs."""
import os
import random
import pwd
import shutil
import signal
import threading
import time

import pytest

from daemon_helpers import Daemon, connect, make_masq, parse_reply, recv_all, request, world_dir, write

PRE = b'# 1 "t.c"\nint f(void) { return 3; }\n'

# The compiler runs confined (Landlock: it can write only in its job dir),
# so it reports through its stderr (SERR) and is found through /proc.
FAKE = b"""#!/bin/sh
# whitelisted fake compiler: reports start/end times, sleeps, writes its output
echo "start $(date +%%s%%N)" >&2
sleep %(sleep)s
echo "end $(date +%%s%%N)" >&2
while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; esac; shift; done
printf 'OBJ' > "$out"
"""


@pytest.fixture
def fake():
    """(masq dir, env, tag, make(sleep)) for a fake compiler 'fakecc'; its
    sleep argument carries a unique tag to find its processes."""
    bindir = world_dir("distccd-fake-")
    masq = make_masq(names=[], extra={"fakecc": os.path.join(bindir, "fakecc")})
    tag = "%d.%06d" % (os.getpid() % 1000, random.randrange(10 ** 6))
    state = {}

    def make(sleep):
        arg = tag if sleep >= 10 else str(sleep)
        state["tag"] = arg
        write(os.path.join(bindir, "fakecc"), FAKE % {b"sleep": arg.encode()}, 0o755)
    make(0.3)
    env = {"DISTCCD_PATH": bindir + ":/usr/bin:/bin"}
    yield masq, env, state, make
    for d in (bindir, masq):
        shutil.rmtree(d, ignore_errors=True)


def job(d, out, i, argv=("fakecc", "-c", "t.c", "-o", "t.o"), timeout=60, source=None):
    with connect(d, timeout=timeout, source=source) as s:
        s.sendall(request(list(argv), PRE))
        out[i] = recv_all(s)


def intervals(replies):
    out = []
    for rep in replies:
        times = dict(l.split() for l in parse_reply(rep)["SERR"].decode().splitlines()
                     if l.startswith(("start ", "end ")))
        out.append((int(times["start"]), int(times["end"])))
    return out


def max_concurrency(ivs):
    evs = sorted([(a, 1) for a, _ in ivs] + [(b, -1) for _, b in ivs],
                 key=lambda e: (e[0], e[1]))
    cur = peak = 0
    for _, delta in evs:
        cur += delta
        peak = max(peak, cur)
    return peak


def pids(state):
    """Live processes running the fake compiler's tagged sleep."""
    found = []
    for n in os.listdir("/proc"):
        if not n.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % n, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if state["tag"].encode() in argv:
            found.append(int(n))
    return found


def wait_running(state, timeout=10):
    """The fake compiler's processes, once it has started (asserts it does)."""
    end = time.monotonic() + timeout
    while not pids(state) and time.monotonic() < end:
        time.sleep(0.05)
    running = pids(state)
    assert running, "the compiler never started"
    return running


def gone(pid, timeout=5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.05)
    return False


def test_jobs_is_a_global_limit(fake):
    """Ten clients (ten addresses: one address gets only its share) at
    once: never more than --jobs compile, the rest wait, none is refused."""
    masq, env, state, _ = fake
    with Daemon(args=["--jobs", "2"], masq=masq, env=env) as d:
        out = [None] * 10
        ts = [threading.Thread(target=job, args=(d, out, i),
                               kwargs={"source": "127.0.0.%d" % (i + 10)}) for i in range(10)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for rep in out:
            r = parse_reply(rep)
            assert r["STAT"] == 0 and r["DOTO"] == b"OBJ"
        ivs = intervals(out)
        assert len(ivs) == 10
        assert max_concurrency(ivs) <= 2
        assert max_concurrency(ivs) == 2
        assert d.logtext().count("COMPILE_OK") == 10


def test_max_per_source(fake):
    """--max-per-source 1: one address compiles one job at a time (the
    others wait: two held, one parked), while another address compiles
    beside it."""
    masq, env, state, make = fake
    make(1)
    with Daemon(args=["--jobs", "4", "--max-per-source", "1"], masq=masq, env=env) as d:
        # the start-up probe connection counts until its child is reaped
        assert d.wait_log("CLI_DISCONN")
        time.sleep(0.3)
        out = [None] * 4
        ts = [threading.Thread(target=job, args=(d, out, i)) for i in range(3)]
        ts.append(threading.Thread(target=job, args=(d, out, 3), kwargs={"source": "127.0.0.2"}))
        for t in ts:
            t.start()
            time.sleep(0.1)
        for t in ts:
            t.join()
        for i in range(4):
            assert parse_reply(out[i])["STAT"] == 0
        assert max_concurrency(intervals(out[:3])) == 1
        assert max_concurrency(intervals(out)) == 2


@pytest.mark.serial      # asserts a wall-clock bound
def test_job_lifetime_kills_group(fake):
    masq, env, state, make = fake
    make(30)
    with Daemon(args=["--job-lifetime", "1"], masq=masq, env=env) as d:
        out = [None]
        t0 = time.monotonic()
        t = threading.Thread(target=job, args=(d, out, 0))
        t.start()
        running = wait_running(state)
        t.join()
        rep = parse_reply(out[0])
        assert rep["STAT"] == 118 << 8
        assert time.monotonic() - t0 < 10
        assert b"--job-lifetime" in rep["SERR"]
        assert d.wait_log("COMPILE_TIMEOUT")
        for pid in running:
            assert gone(pid)


def test_client_hangup_kills_compiler(fake):
    masq, env, state, make = fake
    make(30)
    with Daemon(masq=masq, env=env) as d:
        s = connect(d)
        s.sendall(request(["fakecc", "-c", "t.c", "-o", "t.o"], PRE))
        running = wait_running(state)
        s.close()
        assert d.wait_log("disconnected during the compile")
        for pid in running:
            assert gone(pid)


def test_sigterm_stops_jobs_and_removes_pidfile(fake):
    masq, env, state, make = fake
    make(30)
    piddir = world_dir("distccd-pid-")
    pidfile = os.path.join(piddir, "d.pid")
    # like /run/distccd from tmpfiles.d: writable by the user distccd drops to
    pw = pwd.getpwnam("distccd")
    os.chown(piddir, pw.pw_uid, pw.pw_gid)
    jobtmp = world_dir("distccd-jobtmp-")
    os.chmod(jobtmp, 0o1777)
    d = Daemon(args=["-P", pidfile], masq=masq, env=dict(env, TMPDIR=jobtmp))
    try:
        end = time.monotonic() + 5
        while not os.path.exists(pidfile) and time.monotonic() < end:
            time.sleep(0.02)    # --no-detach: written right after listen()
        assert int(open(pidfile).read()) == d.proc.pid
        s = connect(d)
        s.sendall(request(["fakecc", "-c", "t.c", "-o", "t.o"], PRE))
        running = wait_running(state)
        assert len(os.listdir(jobtmp)) == 1          # the job's directory
        d.proc.send_signal(signal.SIGTERM)
        assert d.proc.wait(10) == 0
        assert not os.path.exists(pidfile)
        for pid in running:
            assert gone(pid)
        assert recv_all(s) == b""
        s.close()
        # the worker stopped mid-job removed its job directory on the way out
        end = time.monotonic() + 5
        while os.listdir(jobtmp) and time.monotonic() < end:
            time.sleep(0.05)
        assert os.listdir(jobtmp) == []
    finally:
        d.stop()
        shutil.rmtree(d.dir, ignore_errors=True)
        shutil.rmtree(piddir, ignore_errors=True)
        shutil.rmtree(jobtmp, ignore_errors=True)
