# SPDX-License-Identifier: GPL-2.0-or-later
"""A real project in pump mode: this project's own tree (every program's
objects, ~80 C files with -MMD -MP) built with `pump make -j8` against our
distccd (-O2 -g) and Debian's distccd 3.4 (-O2: its server leaves its temp
root in the debug info), every object and .d file byte-identical to a local
build in the same directory, and no local preprocessor run."""
import glob
import os
import shutil
import subprocess

import pytest

from client_helpers import Server, read, world_dir
from conftest import TOP
from pump_helpers import make_cmd, preprocessor_runs, pump_env, run, snapshot, wrapper_dir

KINDS = [("debian", "-O2")]
if os.access(os.path.join(os.environ.get("DISTCC_TEST_BUILD", os.path.join(TOP, "build")),
                          "distccd"), os.X_OK):
    KINDS.append(("ours", "-O2 -g"))


def copy_tree(dst):
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z"], check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in files:
        if not f or not os.path.isfile(os.path.join(TOP, f)):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
        shutil.copy2(os.path.join(TOP, f), os.path.join(dst, f), follow_symlinks=False)
    return dst


def programs(src):
    mains = glob.glob(os.path.join(src, "client", "*-main.c")) + \
        glob.glob(os.path.join(src, "daemon", "*-main.c"))
    return ["b/" + os.path.basename(m)[:-len("-main.c")] for m in mains]


@pytest.mark.parametrize("kind,cflags", KINDS)
def test_own_tree_identical_to_local(kind, cflags):
    d = world_dir("distcc-pump-real-")
    log = os.path.join(d, "cpp.log")
    wrap = wrapper_dir(log)
    s = Server(kind, jobs=4)
    try:
        src = copy_tree(os.path.join(d, "src"))
        env = pump_env(d, s.hostspec + "/4,cpp,lzo", wrap)
        targets = ["-s", "BUILD=b", "CFLAGS=" + cflags, "WERROR=1"] + programs(src)
        p = run(["make", "-j4", "CC=gcc"] + targets, src, env, timeout=900)
        assert p.returncode == 0, p.stderr.decode()[-3000:]
        want = snapshot(os.path.join(src, "b"))
        shutil.rmtree(os.path.join(src, "b"))
        open(log, "w").close()
        p = run(make_cmd(*targets), src, env, timeout=900)
        err = p.stderr.decode()
        assert p.returncode == 0, err[-3000:]
        assert "locally" not in err, err[-3000:]
        assert preprocessor_runs(log, src) == [], read(log)[-3000:]
        got = snapshot(os.path.join(src, "b"))
        assert len(want) > 100 and sorted(got) == sorted(want)
        bad = [n for n in want if got[n] != want[n]]
        assert bad == [], "differ from the local build: %s" % bad
        n_obj = len([n for n in want if n.endswith(".o")])
        assert s.count("COMPILE_OK", n_obj, timeout=10) == n_obj
    finally:
        s.close()
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(wrap, ignore_errors=True)
