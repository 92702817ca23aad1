# SPDX-License-Identifier: GPL-2.0-or-later
"""ccache in front of distcc, both ways users set it up: CCACHE_PREFIX=distcc
with CC="ccache gcc", and PATH with ccache's masquerade dir before distcc's.
The first build's misses are compiled by the daemon; after `make clean` the
second build is all cache hits and the daemon sees no new job."""
import os
import shutil
import subprocess

import pytest

from ecosystem_helpers import (needs_client, c_library, client, client_env, compiled_inputs, ecosystem_daemon,
                               makefile_for, masq_dir, run, world_dir, write_files)

CCACHE = shutil.which("ccache")
pytestmark = [needs_client, pytest.mark.skipif(not CCACHE, reason="ccache not installed")]
N = 5


def ccache_stats(env):
    out = subprocess.run([CCACHE, "--print-stats"], env=env, capture_output=True, text=True,
                         check=True).stdout
    return {k: int(v) for k, v in (l.split("\t") for l in out.splitlines() if "\t" in l)}


def project(prefix):
    work = world_dir(prefix)
    files, expected = c_library(N)
    srcs = sorted(files.keys() - {"mods.h"})
    files["Makefile"] = makefile_for(srcs)
    write_files(work, files)
    return work, srcs, expected


def build_twice(work, srcs, expected, d, env, make_args):
    run(["make", "-j4"] + make_args, work, env)
    assert run(["./prog"], work, env).stdout.strip() == str(expected)
    assert compiled_inputs(d) == srcs
    st = ccache_stats(env)
    assert st["cache_miss"] == len(srcs), st
    run(["make", "clean"], work, env)
    run(["make", "-j4"] + make_args, work, env)
    assert run(["./prog"], work, env).stdout.strip() == str(expected)
    st = ccache_stats(env)
    assert st["direct_cache_hit"] + st["preprocessed_cache_hit"] == len(srcs), st
    assert compiled_inputs(d) == srcs, "cache hits must not reach the daemon"


def test_ccache_prefix_distcc():
    work, srcs, expected = project("eco-ccache-prefix-")
    try:
        with ecosystem_daemon() as d:
            env = client_env(work, "127.0.0.1:%d/4" % d.port, extra={
                "CCACHE_DIR": os.path.join(work, ".ccache"),
                "CCACHE_PREFIX": client(),
            })
            build_twice(work, srcs, expected, d, env, ["CC=ccache gcc"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_ccache_masquerade_dir_before_distcc():
    work, srcs, expected = project("eco-ccache-path-")
    try:
        ccache_dir = os.path.join(work, "ccache-bin")
        os.makedirs(ccache_dir)
        for n in ("cc", "gcc"):
            os.symlink(CCACHE, os.path.join(ccache_dir, n))
        distcc_dir = masq_dir(os.path.join(work, "distcc-bin"))
        with ecosystem_daemon() as d:
            env = client_env(work, "127.0.0.1:%d/4" % d.port, path_prefix=[ccache_dir, distcc_dir],
                             extra={"CCACHE_DIR": os.path.join(work, ".ccache")})
            build_twice(work, srcs, expected, d, env, ["CC=gcc"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
