# SPDX-License-Identifier: GPL-2.0-or-later
"""Dependency files of distributed compiles are byte-identical to the ones
the same compiler writes locally: driver-level -MD/-MMD with and without
-o/-MF/-MT/-MQ, -S, Kbuild's -Wp,-MD,file, for gcc and clang (whose
drivers pick different default targets), and the job really went to the
server."""
import os
import shutil
import subprocess

import pytest

from client_helpers import Server, client_env, run_distcc, server_kinds, write

CASES = [
    "-MD -c x.c",
    "-MD -c x.c -o sub/y.o",
    "-MMD -MP -c x.c -o y.o",
    "-MD -MF sub/z.d -c x.c -o sub/y.o",
    "-MD -MT foo -c x.c -o sub/y.o",
    "-MD -S x.c",
    "-Wp,-MD,sub/.y.o.d -c x.c -o sub/y.o",
    "-Wp,-MMD,sub/.y.o.d -c x.c -o sub/y$.o",
    "-MD -c sub/../x.c -o a$b.o",
]


@pytest.fixture(scope="module", params=server_kinds())
def server(request):
    s = Server(request.param, jobs=2)
    yield s
    s.close()


def tree(root):
    os.makedirs(os.path.join(root, "sub"))
    write(os.path.join(root, "x.c"), '#include "h.h"\nint f(void) { return X; }\n')
    write(os.path.join(root, "h.h"), "#define X 3\n")


def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
@pytest.mark.parametrize("args", CASES)
def test_depfile_matches_local(tmp_path, server, compiler, args):
    if not shutil.which(compiler):
        pytest.skip(compiler + " not installed")
    argv = [compiler] + args.split()
    local, dist = str(tmp_path / "local"), str(tmp_path / "dist")
    tree(local)
    tree(dist)
    subprocess.run(argv, cwd=local, check=True)
    before = server.count("COMPILE_OK", 0, timeout=0)
    env = client_env(tmp_path, server.hostspec, DISTCC_FALLBACK=0)
    r = run_distcc(argv, env, cwd=dist)
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    assert files(dist) == files(local)
    assert server.count("COMPILE_OK", before + 1) == before + 1, server.text()
