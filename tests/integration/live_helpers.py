# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the ",auto" host tests (test_live_balance.py) and the
balancing benchmark: our distccd with its stats port and an optionally slow
compiler, Debian's distccd 3.4 with --stats, a memory cgroup (v1 or v2) to
give a server little free memory, and reading a server's /metrics."""
import os
import re
import shutil
import subprocess
import time
import uuid

import pytest

from conftest import free_port, wait_port
from distccd_fixture import COMPILERS, Distccd, make_masq, world_dir
from stats_helpers import fetch, split_http

SLOW_CC = """#!/bin/sh
# a whitelisted compiler that takes a while: jobs overlap visibly
sleep %s
exec /usr/bin/gcc "$@"
"""


def live_server(jobs, slow=0.0, debian=False):
    """A distccd with --stats on a port of its own (.sport) and --jobs @jobs.
    @slow: seconds every compile sleeps first. The caller close()s it."""
    sport = free_port()
    args = ["--stats", "--stats-port", str(sport), "--allow", "127.0.0.1", "--jobs", str(jobs)]
    if not debian:
        # every test client is 127.0.0.1: let one address use all the slots
        args += ["--max-per-source", str(jobs)]
    if debian:
        d = Distccd(args, exe="debian", masq=None, log="stderr", log_level=None,
                    env={"PATH": "/usr/bin:/bin", "TMPDIR": "/tmp"})
        d.extra_dirs = []
    elif slow:
        bindir = world_dir("distcc-live-cc-")
        for n in COMPILERS:
            path = os.path.join(bindir, n)
            with open(path, "w") as f:
                f.write(SLOW_CC % slow)
            os.chmod(path, 0o755)
        masq = make_masq(names=[], extra={n: os.path.join(bindir, n) for n in COMPILERS})
        d = Distccd(args, masq=masq, env={"DISTCCD_PATH": bindir + ":/usr/bin:/bin"})
        d.extra_dirs = [bindir, masq]
    else:
        d = Distccd(args)
        d.extra_dirs = []
    d.sport = sport
    assert wait_port(sport), "stats port not listening"
    return d


def close_server(d):
    d.close()
    for x in d.extra_dirs:
        shutil.rmtree(x, ignore_errors=True)


def auto_spec(d):
    return "127.0.0.1:%d,auto=%d" % (d.port, d.sport)


def dead_spec():
    """A host nobody listens on (neither the compile nor the stats port)."""
    return "127.0.0.1:%d,auto=%d" % (free_port(), free_port())


def metrics(d):
    """Our distccd's /metrics as {name-with-labels: float}."""
    _, _, body = split_http(fetch(d.sport, b"GET /metrics HTTP/1.0\r\n\r\n"))
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, val = line.rsplit(" ", 1)
            out[name] = float(val)
    return out


def wait_metric(d, name, pred, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = metrics(d).get(name)
        if v is not None and pred(v):
            return v
        time.sleep(0.05)
    raise AssertionError("%s never matched on port %d" % (name, d.sport))


class MemCgroup:
    """A memory cgroup limited to @limit bytes (cgroup v2 if its memory
    controller is there, else v1); add(pid) moves a process in; close()
    removes it once its processes are gone."""

    def __init__(self, limit):
        name = "distcc-test-%s" % uuid.uuid4().hex[:8]
        v2 = "/sys/fs/cgroup/cgroup.controllers"
        if os.path.exists(v2) and "memory" in open(v2).read().split():
            self.path, limit_file = os.path.join("/sys/fs/cgroup", name), "memory.max"
        elif os.path.isdir("/sys/fs/cgroup/memory"):
            self.path = os.path.join("/sys/fs/cgroup/memory", name)
            limit_file = "memory.limit_in_bytes"
        else:
            pytest.skip("no memory cgroup controller on this machine")
        try:
            os.mkdir(self.path)
        except OSError as e:
            pytest.skip("cannot create a memory cgroup: %s" % e)
        with open(os.path.join(self.path, limit_file), "w") as f:
            f.write(str(limit))

    def add(self, pid):
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(pid))

    def close(self):
        end = time.monotonic() + 10
        while True:
            try:
                os.rmdir(self.path)
                return
            except FileNotFoundError:
                return
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)


HOST_LINE = re.compile(r"'(?P<file>[^']+)': host (?P<host>\S+), slot (?P<slot>\d+)")


def hosts_used(stderr):
    """{file: host spec} from DISTCC_VERBOSE=1 output."""
    return {m.group("file"): m.group("host") for m in HOST_LINE.finditer(stderr)}


def run_quiet(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
