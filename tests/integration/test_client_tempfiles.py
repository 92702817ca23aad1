# SPDX-License-Identifier: GPL-2.0-or-later
"""Client temp files (UPSTREAM-BUGS B1, B2): a burst of concurrent jobs
started in the same second gets distinct CSPRNG-named preprocessor files,
created 0600 even under umask 000, and nothing is left behind without
DISTCC_SAVE_TEMPS."""
import os
import re
import subprocess

from client_helpers import HELLO_C, Server, client_env, write
from conftest import binary

JOBS = 24


def burst(tmp_path, server, **extra):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(JOBS):
        write(str(src / ("f%d.c" % i)), HELLO_C.replace(b"sq(7)", b"sq(%d)" % i))
    env = client_env(tmp_path, server.hostspec + "/%d" % JOBS, **extra)
    old = os.umask(0)
    try:
        procs = [subprocess.Popen([binary("distcc"), "gcc", "-c", "f%d.c" % i], env=env,
                                  cwd=src, stderr=subprocess.PIPE) for i in range(JOBS)]
        errs = [p.communicate(timeout=120)[1] for p in procs]
    finally:
        os.umask(old)
    for p, e in zip(procs, errs):
        assert p.returncode == 0, e
        assert e == b"", e
    assert sorted(os.listdir(src)) == sorted(["f%d.c" % i for i in range(JOBS)] +
                                             ["f%d.o" % i for i in range(JOBS)])
    return [n for n in os.listdir(tmp_path) if n.startswith("distcc_")]


def test_burst_gets_distinct_private_temp_files(tmp_path):
    server = Server("debian", jobs=4)
    try:
        kept = burst(tmp_path, server, DISTCC_SAVE_TEMPS=1)
        assert server.count("COMPILE_OK", JOBS) == JOBS, server.text()
    finally:
        server.close()
    assert len(kept) == JOBS, kept
    for n in kept:
        assert re.fullmatch(r"distcc_[0-9a-f]{16}\.i", n), n
        assert os.stat(tmp_path / n).st_mode & 0o777 == 0o600, n


def test_no_temp_files_left(tmp_path):
    server = Server("debian", jobs=4)
    try:
        assert burst(tmp_path, server) == []
    finally:
        server.close()
    state = tmp_path / "dcc" / "state"
    assert not state.exists() or os.listdir(state) == []
