# SPDX-License-Identifier: GPL-2.0-or-later
"""Upstream bug F1 (UPSTREAM-BUGS.md; distcc #585): 3.4's stats pruning
dereferenced NULL when the clock jumped or processing stalled past its
window, killing the daemon. Here the daemon runs under an LD_PRELOAD shim
that shifts CLOCK_MONOTONIC by a number of seconds read from a file; after
jumps of 3 minutes, 2 days, and back, it keeps serving, and the windows say
what they should (the job leaves the 1-minute window, then all of them)."""
import os
import shutil
import subprocess

import pytest

from daemon_helpers import HELLO_C, Daemon, distcc, world_dir, write
from conftest import free_port, wait_port
from stats_helpers import distcc_page, wait_page

SHIM = r'''
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
/* CLOCK_MONOTONIC + the seconds in $TIMESHIFT_FILE (re-read on every call) */
int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	const char *path = getenv("TIMESHIFT_FILE");
	long long shift = 0;
	FILE *f;
	int r;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	r = real(id, ts);
	if (r == 0 && id == CLOCK_MONOTONIC && path && (f = fopen(path, "re"))) {
		if (fscanf(f, "%lld", &shift) == 1)
			ts->tv_sec += shift;
		fclose(f);
	}
	return r;
}
'''


@pytest.fixture
def shim():
    d = world_dir("stats-timeshift-")
    src = os.path.join(d, "shim.c")
    with open(src, "w") as f:
        f.write(SHIM)
    so = os.path.join(d, "timeshift.so")
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", so, src, "-ldl"], check=True)
    shift = write(os.path.join(d, "shift"), b"0\n")
    yield so, shift
    shutil.rmtree(d, ignore_errors=True)


def jump(path, seconds):
    write(path, b"%d\n" % seconds)


def test_clock_jumps_do_not_kill_stats(shim):
    so, shift = shim
    work = world_dir("stats-timejump-")
    sport = free_port()
    try:
        write(os.path.join(work, "a.c"), HELLO_C)
        env = {"LD_PRELOAD": so, "TIMESHIFT_FILE": shift}
        with Daemon(["--stats", "--stats-port", str(sport), "--allow", "127.0.0.1"],
                    env=env) as d:
            assert wait_port(sport)
            r = distcc(d.hostspec, ["gcc", "-c", "a.c", "-o", "a.o"], work)
            assert r.returncode == 0, r.stderr
            f = wait_page(sport, lambda f: f["dcc_compile_ok"] == 1)
            assert f["dcc_compile_ok"] == 1
            base1 = f["dcc_num_compiles1"]
            assert base1 >= 1
            jump(shift, 180)                       # 3 minutes later
            f = distcc_page(sport)
            assert f["dcc_num_compiles1"] == 0
            assert f["dcc_num_compiles2"] == f["dcc_num_compiles3"] == base1
            jump(shift, 2 * 86400)                 # 2 days later
            f = distcc_page(sport)
            assert f["dcc_num_compiles1"] == f["dcc_num_compiles2"] == 0
            assert f["dcc_num_compiles3"] == 0 and f["dcc_compile_ok"] == 1
            jump(shift, 0)                         # and back: ignored, no crash
            f = distcc_page(sport)
            assert f["dcc_compile_ok"] == 1
            r = distcc(d.hostspec, ["gcc", "-c", "a.c", "-o", "a.o"], work)
            assert r.returncode == 0, r.stderr
            f = wait_page(sport, lambda f: f["dcc_compile_ok"] == 2)
            assert f["dcc_compile_ok"] == 2
            assert d.alive()
    finally:
        shutil.rmtree(work, ignore_errors=True)
