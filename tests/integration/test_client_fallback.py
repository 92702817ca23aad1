# SPDX-License-Identifier: GPL-2.0-or-later
"""Transport failures (DISTCC-REFERENCE 3.5): a dead host is backed off and
skipped by the next job, a server that dies mid-job leads to one local
fallback line and a correct object, retries are bounded even with backoff
disabled, and DISTCC_FALLBACK=0 gives the documented exit codes."""
import os
import subprocess

import pytest

from client_helpers import (HELLO_C, FakeServer, Server, client_env, file_bytes, run_distcc,
                            write)
from conftest import free_port


def local_object(tmp):
    subprocess.run(["gcc", "-c", "x.c", "-o", "local.o"], cwd=tmp, check=True)
    return file_bytes(os.path.join(tmp, "local.o"))


@pytest.fixture
def server():
    s = Server("debian", jobs=2)
    yield s
    s.close()


@pytest.fixture
def fake():
    servers = []

    def make(mode):
        f = FakeServer(mode)
        servers.append(f)
        return f
    yield make
    for f in servers:
        f.close()


@pytest.mark.sanitize
def test_server_dies_mid_job_falls_back(tmp_path, fake):
    f = fake("close")
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, f.hostspec)
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert err.count("\n") == 1, err
    assert "failed to distribute 'x.c' to %s" % f.hostspec in err
    assert "running locally instead" in err
    assert file_bytes(tmp_path / "x.o") == local_object(tmp_path)
    # the request head and DOTI were sent as distcc 3.4 does
    assert f.received and f.received[0].startswith(b"DIST00000001ARGC")
    assert b"DOTI" in f.received[0]
    assert (tmp_path / ("dcc/lock/backoff_tcp_127.0.0.1_%d_0" % f.port)).exists()


def test_dead_host_first_is_backed_off_and_skipped(tmp_path, fake, server):
    f = fake("refuse-silently")
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, "%s %s" % (f.hostspec, server.hostspec))
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f.connections == 1
    assert (tmp_path / ("dcc/lock/backoff_tcp_127.0.0.1_%d_0" % f.port)).exists()
    assert file_bytes(tmp_path / "x.o") == local_object(tmp_path)
    # the next jobs do not touch the dead host at all
    for _ in range(3):
        r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    assert f.connections == 1
    assert server.count("COMPILE_OK", 4) == 4


def test_success_removes_backoff(tmp_path, server):
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, server.hostspec, DISTCC_BACKOFF_PERIOD=1)
    lock = tmp_path / "dcc" / "lock"
    os.makedirs(lock)
    bf = lock / ("backoff_tcp_127.0.0.1_%d_0" % server.port)
    bf.write_bytes(b"x")
    os.utime(bf, (1, 1))  # long expired
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert not bf.exists()


def test_connection_refused_with_backoff_disabled_is_bounded(tmp_path):
    write(str(tmp_path / "x.c"), HELLO_C)
    dead = "127.0.0.1:%d" % free_port()
    env = client_env(tmp_path, "%s %s" % (dead, dead + "/2"), DISTCC_BACKOFF_PERIOD=0)
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    assert b"running locally instead" in r.stderr
    assert not any(n.startswith("backoff") for n in os.listdir(tmp_path / "dcc" / "lock"))
    assert file_bytes(tmp_path / "x.o") == local_object(tmp_path)


def test_no_fallback_exit_codes(tmp_path, fake):
    write(str(tmp_path / "x.c"), HELLO_C)
    dead = "127.0.0.1:%d" % free_port()
    env = client_env(tmp_path, dead, DISTCC_FALLBACK=0)
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 103, r.stderr      # EXIT_CONNECT_FAILED
    assert not (tmp_path / "x.o").exists()
    # now the host is backed off: no usable host at all
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 116, r.stderr      # EXIT_NO_HOSTS
    env = client_env(tmp_path, "", DISTCC_FALLBACK=0)
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 116, r.stderr
    f = fake("close")
    env = client_env(tmp_path, f.hostspec, DISTCC_FALLBACK=0)
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 107, r.stderr      # EXIT_IO_ERROR: EOF before DONE
    assert not (tmp_path / "x.o").exists()


def test_io_timeout_falls_back(tmp_path, fake):
    f = fake("stall")
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, f.hostspec, DISTCC_IO_TIMEOUT=1)
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path, timeout=30)
    assert r.returncode == 0, r.stderr
    assert b"timed out" in r.stderr
    assert file_bytes(tmp_path / "x.o") == local_object(tmp_path)


def test_no_hosts_runs_locally(tmp_path):
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, "")
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert b"no hosts" in r.stderr
    assert file_bytes(tmp_path / "x.o") == local_object(tmp_path)


def test_local_failure_exit_status_and_signal(tmp_path):
    write(str(tmp_path / "bin" / "killer"), "#!/bin/sh\nkill -TERM $$\n", 0o755)
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, "")
    r = run_distcc([str(tmp_path / "bin" / "killer"), "-c", "x.c"], env, cwd=tmp_path)
    assert r.returncode in (-15, 143)
    r = run_distcc(["/nonexistent/cc", "-c", "x.c"], env, cwd=tmp_path)
    assert r.returncode == 110
