# SPDX-License-Identifier: GPL-2.0-or-later
"""Slot locks: never more concurrent jobs at a server than its /LIMIT
(counted at the server by a recording compiler), lock files shared across
users (UPSTREAM-BUGS B3: mode 0666 under umask 022), and a busy client that
waits without spinning."""
import os
import shutil
import subprocess
import time

import pytest

from client_helpers import (HELLO_C, Server, client_env, fake_compiler_dir, read, world_dir,
                            write)
from conftest import binary


@pytest.fixture
def recording_server():
    rec = world_dir("distcc-client-rec-")
    os.chmod(rec, 0o777)
    fake = fake_compiler_dir("c", sleep=0.4, record=rec)
    s = Server("debian", jobs=8, path_prefix=[fake])
    yield s, rec
    s.close()
    shutil.rmtree(fake, ignore_errors=True)
    shutil.rmtree(rec, ignore_errors=True)


def test_limit_is_never_exceeded(tmp_path, recording_server):
    server, rec = recording_server
    for i in range(8):
        write(str(tmp_path / ("s%d.c" % i)), HELLO_C.replace(b"sq(7)", b"sq(%d)" % i))
    env = client_env(tmp_path, server.hostspec + "/2", DISTCC_PAUSE_TIME_MSEC=100)
    old = os.umask(0o022)
    try:
        procs = [subprocess.Popen([binary("distcc"), "gcc", "-c", "s%d.c" % i], cwd=tmp_path,
                                  env=env, stderr=subprocess.PIPE) for i in range(8)]
        results = [(p.wait(60), p.stderr.read()) for p in procs]
    finally:
        os.umask(old)
    for rc, err in results:
        assert rc == 0, err
        assert err == b"", err
    counts = [int(x) for x in read(os.path.join(rec, "counts")).split()]
    assert len(counts) == 8, server.text()       # all eight ran on the server
    assert max(counts) <= 2, counts
    assert max(counts) == 2, counts              # and the two slots were used in parallel
    lockdir = tmp_path / "dcc" / "lock"
    for n in ("cpu_tcp_127.0.0.1_%d_0" % server.port, "cpu_tcp_127.0.0.1_%d_1" % server.port):
        assert (os.stat(lockdir / n).st_mode & 0o777) == 0o666, n
    assert not (lockdir / ("cpu_tcp_127.0.0.1_%d_2" % server.port)).exists()


def test_waiting_client_does_not_spin(tmp_path, recording_server):
    """With the only slot held, a second client blocks (little CPU) and then
    runs as soon as the slot is free."""
    server, _ = recording_server
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, server.hostspec + "/1", DISTCC_PAUSE_TIME_MSEC=5000)
    lockdir = tmp_path / "dcc" / "lock"
    os.makedirs(lockdir)
    holder = subprocess.Popen(["python3", "-c", """
import fcntl, sys, time
f = open(sys.argv[1], "a+")
fcntl.lockf(f, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
""", str(lockdir / ("cpu_tcp_127.0.0.1_%d_0" % server.port)), "1.5"], stdout=subprocess.PIPE)
    assert holder.stdout.readline() == b"held\n"
    start = time.monotonic()
    p = subprocess.Popen([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                         stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.monotonic() - start
    holder.wait()
    assert os.waitstatus_to_exitcode(status) == 0, p.stderr.read()
    assert elapsed >= 1.0                       # it did wait for the holder
    assert usage.ru_utime + usage.ru_stime < 0.5  # without burning CPU meanwhile
    assert server.count("COMPILE_OK", 1) == 1
