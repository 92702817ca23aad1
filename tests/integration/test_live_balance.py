# SPDX-License-Identifier: GPL-2.0-or-later
"""",auto" hosts (distcc-hosts(5)): limits from the servers' live state.
Real daemons on 127.0.0.1: ours with different --jobs, one kept busy by
another client, one in a small memory cgroup, one dead, and Debian's
distccd 3.4 --stats; `distcc -j`, a build whose jobs go where there is
room, two builds at once from two DISTCC_DIRs, distcc-build with every host
down, and the cluster view. DISTCC_AUTO_LOAD=0 keeps the limits exact on a
machine whose load the tests do not control (the load rule has unit tests)."""
import os
import shutil
import subprocess
import threading
import time

import pytest

from client_helpers import client_env, world_dir
from conftest import binary
from live_helpers import (MemCgroup, auto_spec, close_server, dead_spec, hosts_used,
                          live_server, metrics, run_quiet, wait_metric)

SRC = "int f%d(int x) { return x * %d; }\n"


@pytest.fixture
def tmp():
    d = world_dir("distcc-live-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def servers():
    started = []

    def start(*a, **kw):
        d = live_server(*a, **kw)
        started.append(d)
        return d
    yield start
    for d in reversed(started):
        close_server(d)


def env_for(tmp, name, hosts, **extra):
    e = client_env(tmp, hosts, DISTCC_AUTO_LOAD=0, **extra)
    e["DISTCC_DIR"] = os.path.join(tmp, name)
    return e


def sources(tmp, n, sub="src"):
    d = os.path.join(tmp, sub)
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        with open(os.path.join(d, "f%d.c" % i), "w") as f:
            f.write(SRC % (i, i))
    return d


def compile_all(d, env, n, verbose=True):
    """Compile f0..f(n-1).c at once with distcc; (returncodes, stderr text)."""
    e = dict(env, DISTCC_VERBOSE="1") if verbose else env
    procs = [subprocess.Popen([binary("distcc"), "gcc", "-c", "f%d.c" % i, "-o", "f%d.o" % i],
                              cwd=d, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(n)]
    outs = [p.communicate(timeout=300) for p in procs]
    return [p.returncode for p in procs], "".join(err for _, err in outs)


def busy_client(tmp, server, n):
    """Another user's build keeping @n of @server's slots busy (its compiler
    is slow): returns the Popen list, once the server compiles them."""
    d = sources(tmp, n, "other")
    env = client_env(tmp, "127.0.0.1:%d/%d" % (server.port, n))
    env["DISTCC_DIR"] = os.path.join(tmp, "other-dcc")
    procs = [subprocess.Popen([binary("distcc"), "gcc", "-c", "f%d.c" % i, "-o", "f%d.o" % i],
                              cwd=d, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for i in range(n)]
    wait_metric(server, "distccd_compiling_jobs", lambda v: v >= n)
    return procs


def test_limits_j_and_build_go_where_capacity_is(tmp, servers):
    a = servers(4)                      # idle, 4 slots
    b = servers(2, slow=30)             # 2 slots, both taken by another client
    c = servers(3)                      # 3 slots, little free memory
    e = servers(2, debian=True)         # distcc 3.4's --stats page
    dead = dead_spec()
    cg = MemCgroup(64 * 1024 * 1024)
    try:
        cg.add(c.proc.pid)
        free = wait_metric(c, "distccd_host_memory_available_bytes", lambda v: v < 64 << 20)
        assert free > 8 << 20
        other = busy_client(tmp, b, 2)
        hosts = " ".join([auto_spec(a), auto_spec(b), auto_spec(c), dead, auto_spec(e)])
        env = env_for(tmp, "dcc", hosts)

        # distcc -j: 4 (a) + 2 (b: its slots, busy or not) + 0 (c: 256 MB a job
        # does not fit) + 0 (dead) + 2 (3.4's dcc_max_kids) + 4 local slots
        p = run_quiet([binary("distcc"), "-j"], env=env, timeout=60)
        assert p.returncode == 0, p.stderr
        assert p.stdout.strip() == "12", p.stdout + p.stderr
        down = [l for l in p.stderr.splitlines() if "does not answer" in l]
        assert len(down) == 1 and dead in down[0], p.stderr
        # a smaller per-job memory estimate lets c take all its 3 slots
        p = run_quiet([binary("distcc"), "-j"], timeout=60,
                      env=dict(env, DISTCC_AUTO_COMPILER_MEMORY="8"))
        assert p.stdout.strip() == "15", p.stdout + p.stderr

        # the build: b is full with the other client's jobs, c has no memory,
        # the dead host is skipped without a word more: a and 3.4 take them all
        d = sources(tmp, 6)
        before = metrics(a)['distccd_jobs_total{result="COMPILE_OK"}']
        codes, err = compile_all(d, env, 6)
        assert codes == [0] * 6, err
        used = hosts_used(err)
        assert len(used) == 6, err
        assert set(used.values()) <= {auto_spec(a), auto_spec(e)}, used
        assert auto_spec(a) in used.values(), used
        assert "does not answer" not in err
        assert all(os.path.getsize(os.path.join(d, "f%d.o" % i)) > 0 for i in range(6))
        after = wait_metric(a, 'distccd_jobs_total{result="COMPILE_OK"}',
                            lambda v: v >= before + list(used.values()).count(auto_spec(a)))
        assert after - before == list(used.values()).count(auto_spec(a))
        assert metrics(c)['distccd_jobs_total{result="COMPILE_OK"}'] == 0
        for q in other:
            q.kill()
            q.wait()
    finally:
        close_server(c)
        cg.close()


def test_debian_34_stats_page_is_read(tmp, servers):
    e = servers(3, debian=True)
    env = env_for(tmp, "dcc", auto_spec(e))
    p = run_quiet([binary("distcc"), "-j"], env=env, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == "%d" % (3 + 4), p.stdout + p.stderr
    d = sources(tmp, 1)
    codes, err = compile_all(d, env, 1)
    assert codes == [0] and hosts_used(err) == {"f0.c": auto_spec(e)}, err


def test_two_builds_at_once_share_both_servers(tmp, servers):
    a = servers(2, slow=1.5)
    b = servers(2, slow=1.5)
    hosts = "%s %s" % (auto_spec(a), auto_spec(b))
    peak = {a.sport: 0, b.sport: 0}
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            for s in (a, b):
                m = metrics(s)
                peak[s.sport] = max(peak[s.sport], m["distccd_compiling_jobs"])
            time.sleep(0.05)
    w = threading.Thread(target=watch)
    w.start()
    results = {}

    def build(name):
        env = env_for(tmp, name, hosts)
        assert run_quiet([binary("distcc"), "-j"], env=env, timeout=60).returncode == 0
        results[name] = compile_all(sources(tmp, 6, name + "-src"), env, 6)
    try:
        ts = [threading.Thread(target=build, args=(n,)) for n in ("one", "two")]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=300)
    finally:
        stop.set()
        w.join()
    for name in ("one", "two"):
        codes, err = results[name]
        assert codes == [0] * 6, err
        used = set(hosts_used(err).values())
        assert used == {auto_spec(a), auto_spec(b)}, (name, used, err)
    assert peak[a.sport] <= 2 and peak[b.sport] <= 2, peak
    assert peak[a.sport] >= 1 and peak[b.sport] >= 1, peak


def test_jobs_follow_cpus(tmp, servers):
    """A server with twice the usable CPUs takes twice the jobs: its live
    limit follows its CPUs (here its affinity), and a job goes where jobs
    per slot are fewest, each host's slots before the next host's."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs 2 CPUs")
    one = servers(4, slow=2)            # listed first, but pinned to 1 CPU: limit 2
    two = servers(4, slow=2)            # 2 CPUs: limit 4
    os.sched_setaffinity(one.proc.pid, {min(os.sched_getaffinity(0))})
    wait_metric(one, "distccd_host_cpus", lambda v: v == 1)
    wait_metric(two, "distccd_host_cpus", lambda v: v >= 2)
    env = env_for(tmp, "dcc", "%s %s" % (auto_spec(one), auto_spec(two)))
    p = run_quiet([binary("distcc"), "-j"], env=env, timeout=60)
    assert p.stdout.strip() == "10", p.stdout + p.stderr   # 2 + 4 + 4 local slots
    codes, err = compile_all(sources(tmp, 6), env, 6)
    assert codes == [0] * 6, err
    used = list(hosts_used(err).values())
    assert used.count(auto_spec(two)) == 4 and used.count(auto_spec(one)) == 2, err


def fake_build(tmp):
    path = os.path.join(tmp, "fakebuild")
    with open(path, "w") as f:
        f.write("#!/bin/sh\necho \"args: $*\"\n")
    os.chmod(path, 0o755)
    return path


def test_wrapper_with_every_host_down(tmp):
    env = env_for(tmp, "dcc", "%s %s" % (dead_spec(), dead_spec()))
    fb = fake_build(tmp)
    p = run_quiet([binary("distcc-build"), fb, "all"], env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "args: -j%d all\n" % os.cpu_count(), p.stdout
    assert "building locally with -j%d" % os.cpu_count() in p.stderr
    assert p.stderr.count("does not answer") == 2, p.stderr
    p = run_quiet([binary("distcc-build"), "--no-local", fb, "all"], env=env, timeout=60)
    assert p.returncode == 116 and p.stdout == "", p.stdout + p.stderr
    assert "no remote host is usable" in p.stderr


def test_wrapper_runs_a_real_build_with_live_jobs(tmp, servers):
    a = servers(3)
    env = env_for(tmp, "dcc", auto_spec(a))
    d = sources(tmp, 4)
    with open(os.path.join(d, "Makefile"), "w") as f:
        f.write("CC = %s gcc\nall: %s\n" % (binary("distcc"),
                                            " ".join("f%d.o" % i for i in range(4))))
    p = run_quiet([binary("distcc-build"), "make", "-C", d], env=env, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert all(os.path.exists(os.path.join(d, "f%d.o" % i)) for i in range(4))
    fb = fake_build(tmp)
    p = run_quiet([binary("distcc-build"), fb], env=env, timeout=60)
    assert p.stdout == "args: -j7\n", p.stdout + p.stderr   # 3 live + 4 local slots


def test_cluster_view_shows_running_job_and_dead_host(tmp, servers):
    a = servers(2, slow=20)
    dead = dead_spec()
    env = env_for(tmp, "dcc", "%s %s 127.0.0.1:%d/3" % (auto_spec(a), dead, a.port))
    d = sources(tmp, 1)
    job = subprocess.Popen([binary("distcc"), "gcc", "-c", "f0.c", "-o", "f0.o"], cwd=d,
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_metric(a, "distccd_compiling_jobs", lambda v: v >= 1)
        p = run_quiet([binary("distccmon-text"), "--hosts"], env=env, timeout=60)
        assert p.returncode == 0, p.stderr
        rows = {l.split()[0]: l.split() for l in p.stdout.splitlines() if l.strip()}
        assert rows["HOST"][:3] == ["HOST", "STATE", "RUN+Q/MAX"], p.stdout
        assert rows[auto_spec(a)][1] == "up" and rows[auto_spec(a)][2] == "1+0/2", p.stdout
        assert rows[auto_spec(a)][-1] == "no"
        assert rows[dead][1:3] == ["down", "-"], p.stdout
        assert rows["127.0.0.1:%d/3" % a.port][1] == "no-stats", p.stdout
        # and below the table, the job itself (distcc 3.4's monitor line)
        assert any("f0.c" in l and "Compile" in l for l in p.stdout.splitlines()), p.stdout
    finally:
        job.kill()
        job.wait()
