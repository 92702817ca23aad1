# SPDX-License-Identifier: GPL-2.0-or-later
"""Pump mode from the client side: `pump make -j8` builds a multi-directory
C and C++ project (computed includes, include_next, -iquote, -include,
symlinked headers, __has_include) against Debian's distccd 3.4 and ours;
every object and .d file is byte-identical to a local build (with -g,
-gdwarf-4 and -gdwarf-5 against ours; without -g against Debian's, whose
server leaves its temp root in DW_AT_comp_dir), no preprocessor runs
locally, an edited header is used by the next build. Also: macros under -g
in C++, a -Werror=address case that only fails once preprocessed,
discrepancy demotion, pump without a ',cpp' host, --startup/--shutdown."""
import glob
import os
import shutil
import subprocess

import pytest

from client_helpers import Server, our_distccd, read, world_dir, write
from conftest import binary
from pump_helpers import (OBJS, local_build, make_cmd, preprocessor_runs, pump_env, run,
                          snapshot, wrapper_dir, write_project)

KINDS = ["debian"] + (["ours"] if our_distccd() else [])
# ours compiles under a prefix map: objects match with debug info too
DEBUG_FLAGS = {"debian": ["-O2"], "ours": ["-O2", "-O2 -g", "-O2 -gdwarf-4", "-O2 -gdwarf-5"]}
CASES = [(k, o) for k in KINDS for o in DEBUG_FLAGS[k]]


@pytest.fixture
def world(tmp_path):
    """A world-readable work dir (the servers run as their own user), the
    wrapper log, and nothing left in /tmp afterwards."""
    d = world_dir("distcc-pump-test-")
    log = os.path.join(d, "cpp.log")
    wrap = wrapper_dir(log)
    yield d, log, wrap
    shutil.rmtree(d, ignore_errors=True)
    shutil.rmtree(wrap, ignore_errors=True)


def no_pump_dirs_left(tmp):
    return glob.glob(os.path.join(tmp, "distcc-pump.*")) == []


@pytest.mark.parametrize("kind,opt", CASES)
def test_project_identical_to_local(world, kind, opt):
    d, log, wrap = world
    proj = write_project(os.path.join(d, "proj"))
    s = Server(kind, jobs=4)
    try:
        env = pump_env(d, s.hostspec + ",cpp,lzo", wrap)
        want = local_build(proj, env, "OPT=" + opt)
        run(["make", "clean"], proj, env)
        open(log, "w").close()
        p = run(make_cmd("OPT=" + opt), proj, env)
        err = p.stderr.decode()
        assert p.returncode == 0, err
        assert "locally" not in err and "plain mode" not in err, err
        assert preprocessor_runs(log, proj) == [], read(log)
        got = snapshot(proj)
        assert sorted(got) == sorted(want)
        for name in want:
            assert got[name] == want[name], "%s differs from the local build (%s, %s)" % (
                name, kind, opt)
        assert s.count("COMPILE_OK", len(OBJS)) == len(OBJS), s.text()
        assert no_pump_dirs_left(d)
    finally:
        s.close()


@pytest.mark.parametrize("kind", KINDS)
def test_edited_header_is_used(world, kind):
    d, log, wrap = world
    proj = write_project(os.path.join(d, "proj"))
    s = Server(kind, jobs=4)
    try:
        env = pump_env(d, s.hostspec + ",cpp,lzo", wrap)
        p = run(make_cmd(), proj, env)
        assert p.returncode == 0, p.stderr.decode()
        assert subprocess.run(["./prog"], cwd=proj, capture_output=True).stdout == \
            b"s=14\ntotal()=59\nFORCED=11\n"
        # a header reached through a symlinked directory and an include_next
        write(os.path.join(proj, "real/sub/deep.h"), "#pragma once\n#define DEEP 100\n")
        write(os.path.join(proj, "wrap/first/ext.h"),
              "#pragma once\n#include_next <ext.h>\n#define EXT_FIRST 1000\n")
        p = run(make_cmd(), proj, env)
        assert p.returncode == 0, p.stderr.decode()
        assert b"total()=1149\n" in subprocess.run(["./prog"], cwd=proj,
                                                   capture_output=True).stdout
        assert preprocessor_runs(log, proj) == [], read(log)
    finally:
        s.close()


CXX_MACROS = ('#include <cstdio>\n#define TWICE(x) ((x) + (x))\n'
              '#define SHOUT(s) std::printf("%s!\\n", s)\n'
              'template <typename T> T sum(T a, T b) { return TWICE(a) + TWICE(b); }\n'
              'int main() { SHOUT("hi"); return sum(1, 2) == 6 ? 0 : 1; }\n')


def test_cxx_macros_debug_identical(world):
    if "ours" not in KINDS:
        pytest.fail("our distccd is not built")
    d, log, wrap = world
    write(os.path.join(d, "m.cpp"), CXX_MACROS)
    s = Server("ours", jobs=2)
    try:
        env = pump_env(d, s.hostspec + ",cpp,lzo", wrap)
        assert run(["g++", "-g", "-O1", "-c", "m.cpp", "-o", "local.o"], d, env).returncode == 0
        p = run([binary("pump"), binary("distcc"), "g++", "-g", "-O1", "-c", "m.cpp"], d, env)
        assert p.returncode == 0, p.stderr.decode()
        with open(os.path.join(d, "m.o"), "rb") as a, open(os.path.join(d, "local.o"), "rb") as b:
            assert a.read() == b.read()
        assert s.count("COMPILE_OK") == 1
        assert preprocessor_runs(log, "m.cpp") == []
    finally:
        s.close()


WERROR_ADDRESS = ('struct s { char name[8]; };\n#define SHOW(p) ((p) ? (p) : "none")\n'
                  "const char *f(struct s *x) { return SHOW(x->name); }\n")


@pytest.mark.parametrize("kind", KINDS)
def test_werror_address_compiles_remotely(world, kind):
    """-Waddress is quiet inside macro expansions, which preprocessed text
    no longer has: pump mode compiles the source as written."""
    d, log, wrap = world
    write(os.path.join(d, "w.c"), WERROR_ADDRESS)
    s = Server(kind, jobs=2)
    try:
        env = pump_env(d, s.hostspec + ",cpp,lzo", wrap, DISTCC_SKIP_LOCAL_RETRY=1)
        p = run([binary("pump"), binary("distcc"), "gcc", "-Werror=address", "-c", "w.c"], d, env)
        assert p.returncode == 0, p.stderr.decode()
        assert s.count("COMPILE_OK") == 1, s.text()
        assert os.path.getsize(os.path.join(d, "w.o")) > 0
    finally:
        s.close()


FAIL_ON_PUMP = ('#!/bin/sh\n# fails the jobs that come in pump mode (the server adds -MF)\n'
                'case " $* " in *" -MF "*) echo "fake server failure" >&2; exit 1;; esac\n'
                'exec /usr/bin/%s "$@"\n')


@pytest.mark.parametrize("limit", [1, 2])
def test_discrepancy_demotes_to_plain(world, limit):
    d, log, wrap = world
    fake = world_dir("distcc-pump-fakecc-")
    for n in ("gcc", "x86_64-linux-gnu-gcc", "cc"):
        write(os.path.join(fake, n), FAIL_ON_PUMP % n, 0o755)
    srcs = ["a%d.c" % i for i in range(4)]
    for n in srcs:
        write(os.path.join(d, n), "int f_%s(void) { return 1; }\n" % n[:-2])
    write(os.path.join(d, "Makefile"), "all: %s\n%%.o: %%.c\n\t$(CC) -c $< -o $@\n"
          % " ".join(n[:-2] + ".o" for n in srcs))
    s = Server("debian", jobs=2, path_prefix=[fake])
    try:
        env = pump_env(d, s.hostspec + ",cpp,lzo", wrap, DISTCC_MAX_DISCREPANCY=limit)
        p = run(make_cmd(jobs=1), d, env)
        err = p.stderr.decode()
        assert p.returncode == 0, err
        assert "__________Warning: %d pump-mode compilation(s) failed on server, but " \
               "succeeded locally." % limit in err, err
        assert "__________Distcc-pump was demoted to plain mode." in err
        assert err.count("retried locally and got a different result") == limit
        assert "now using plain distcc" in err
        # after the demotion the jobs preprocess locally (plain mode) and succeed remotely
        assert len(preprocessor_runs(log, d)) == len(srcs) - limit, read(log)
        assert s.count("COMPILE_OK", len(srcs) - limit) == len(srcs) - limit
        assert no_pump_dirs_left(d)
    finally:
        s.close()
        shutil.rmtree(fake, ignore_errors=True)


def test_no_cpp_host_says_so_once(world):
    d, log, wrap = world
    proj = write_project(os.path.join(d, "proj"))
    s = Server("debian", jobs=4)
    try:
        env = pump_env(d, s.hostspec + ",lzo", wrap)
        p = run(make_cmd(), proj, env)
        err = p.stderr.decode()
        assert p.returncode == 0, err
        assert err.count("no ',cpp' host") == 1, err
        assert "INCLUDE_SERVER_PORT" not in err
        assert len(preprocessor_runs(log, proj)) == len(OBJS)  # plain mode
        assert s.count("COMPILE_OK", len(OBJS)) == len(OBJS)
        assert no_pump_dirs_left(d)
    finally:
        s.close()


def test_mixed_hosts_plain_for_others(world):
    """Only ',cpp' hosts get pump mode: a job whose pump host is down goes on
    to a ',lzo' host in plain mode. CPATH keeps a job in plain mode."""
    d, log, wrap = world
    write(os.path.join(d, "x.c"), '#include "h.h"\nint x = H;\n')
    write(os.path.join(d, "h.h"), "#define H 1\n")
    s = Server("debian", jobs=2)
    try:
        env = pump_env(d, "127.0.0.1:1/1,cpp,lzo " + s.hostspec + ",lzo", wrap,
                       DISTCC_BACKOFF_PERIOD=0, DISTCC_VERBOSE=1)
        p = run([binary("pump"), binary("distcc"), "gcc", "-c", "x.c"], d, env)
        assert p.returncode == 0, p.stderr.decode()
        assert b"'x.c' in pump mode" in p.stderr
        assert len(preprocessor_runs(log, "x.c")) == 1  # then plain on the ,lzo host
        env["DISTCC_HOSTS"] = s.hostspec + ",cpp,lzo"
        env["CPATH"] = d
        p = run([binary("pump"), binary("distcc"), "gcc", "-c", "x.c"], d, env)
        assert p.returncode == 0, p.stderr.decode()
        assert b"CPATH" in p.stderr and b"'x.c' in plain mode" in p.stderr
        assert len(preprocessor_runs(log, "x.c")) == 2
        assert s.count("COMPILE_OK", 2) == 2
    finally:
        s.close()


def test_startup_and_shutdown(world):
    d, log, wrap = world
    write(os.path.join(d, "x.c"), '#include "h.h"\nint x = H;\n')
    write(os.path.join(d, "h.h"), "#define H 1\n")
    s = Server("debian", jobs=2)
    try:
        env = pump_env(d, s.hostspec + ",cpp,lzo", wrap)
        script = ('eval "$(%s --startup)" || exit 9\n'
                  'test -S "$INCLUDE_SERVER_PORT" || exit 8\n'
                  'kill -0 "$INCLUDE_SERVER_PID" || exit 7\n'
                  'echo "dir=$INCLUDE_SERVER_DIR pid=$INCLUDE_SERVER_PID"\n'
                  'distcc gcc -c x.c || exit 6\n'
                  '%s --shutdown || exit 5\n'
                  '# gone (or a zombie of whoever adopted it)\n'
                  'readlink "/proc/$INCLUDE_SERVER_PID/exe" >/dev/null 2>&1 && exit 4\n'
                  'test -e "$INCLUDE_SERVER_DIR" && exit 3\nexit 0\n'
                  % (binary("pump"), binary("pump")))
        p = run(["sh", "-c", script], d, env)
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
        assert b"dir=" + d.encode() + b"/distcc-pump." in p.stdout
        assert preprocessor_runs(log, "x.c") == []
        assert s.count("COMPILE_OK") == 1
        assert no_pump_dirs_left(d)
        # --shutdown refuses what --startup did not make
        env2 = dict(env, INCLUDE_SERVER_DIR="/tmp", INCLUDE_SERVER_PID=str(os.getpid()))
        p = run([binary("pump"), "--shutdown"], d, env2)
        assert p.returncode == 1 and b"pump --startup" in p.stderr
    finally:
        s.close()


def test_exit_status_and_usage(world):
    d, log, wrap = world
    env = pump_env(d, "127.0.0.1:1,cpp,lzo", wrap)
    assert run([binary("pump"), "sh", "-c", "exit 7"], d, env).returncode == 7
    assert run([binary("pump"), "no-such-command-xyz"], d, env).returncode == 127
    p = run([binary("pump")], d, env)
    assert p.returncode == 101 and b"Usage" in p.stderr
    assert run([binary("pump"), "--help"], d, env).returncode == 0
    assert no_pump_dirs_left(d)


def test_scan_includes(world):
    """distcc --scan-includes lists what pump mode would send, as 3.4's does."""
    d, log, wrap = world
    proj = write_project(os.path.join(d, "proj"))
    env = pump_env(d, "127.0.0.1:1,cpp,lzo", wrap)
    flags = ["-Iinclude", "-Iwrap/first", "-Iwrap/second", "-iquote", "quoted", "-include",
             "include/force.h", "-Ireal", "-c", "src/core/area.c"]
    script = '%s --scan-includes gcc %s' % (binary("distcc"), " ".join(flags))
    p = run([binary("pump"), "sh", "-c", script], proj, env)
    assert p.returncode == 0, p.stderr.decode()
    lines = p.stdout.decode().splitlines()
    files = {l.split()[1]: l.split()[0] for l in lines if l.startswith(("FILE", "SYMLINK"))}
    for f in ("src/core/area.c", "include/force.h", "include/platform/linux.h",
              "include/platform/alt.h", "wrap/first/ext.h", "wrap/second/ext.h", "quoted/q.h",
              "real/alias_real.h", "include/optional.h"):
        assert files.get(os.path.join(proj, f)) == "FILE", (f, lines)
    assert files.get(os.path.join(proj, "include/alias.h")) == "SYMLINK", lines
    assert preprocessor_runs(log, proj) == []
    # outside pump: plain mode, and why
    p = run([binary("distcc"), "--scan-includes", "gcc"] + flags, proj, env)
    assert p.returncode == 1 and b"no include server" in p.stderr
    p = run([binary("distcc"), "--scan-includes", "gcc", "x.c"], proj, env)
    assert p.returncode == 101


def test_potential_hosts(world):
    """DISTCC_POTENTIAL_HOSTS becomes a ',cpp,lzo' host list, as with 3.4."""
    d, log, wrap = world
    write(os.path.join(d, "x.c"), '#include "h.h"\nint x = H;\n')
    write(os.path.join(d, "h.h"), "#define H 1\n")
    s = Server("debian", jobs=2)
    try:
        env = pump_env(d, None, wrap, DISTCC_POTENTIAL_HOSTS=s.hostspec)
        p = run([binary("pump"), "sh", "-c", 'echo "$DISTCC_HOSTS"; %s gcc -c x.c'
                 % binary("distcc")], d, env)
        assert p.returncode == 0, p.stderr.decode()
        assert p.stdout.decode().strip() == "--randomize %s,cpp,lzo" % s.hostspec
        assert preprocessor_runs(log, "x.c") == []
        assert s.count("COMPILE_OK") == 1
    finally:
        s.close()
