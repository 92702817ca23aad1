# SPDX-License-Identifier: GPL-2.0-or-later
"""A small multi-directory C and C++ project with -MD built with make -j8,
through CC="distcc gcc" and through a masquerade directory on PATH: every
object and every .d byte-identical to a local build of the same tree."""
import os
import shutil

import pytest

from client_helpers import (PROJECT_OBJS, Server, client_env, file_bytes, make, masquerade_dir,
                            server_kinds, write_project)


@pytest.fixture(params=server_kinds())
def server(request):
    s = Server(request.param, jobs=4)
    yield s
    s.close()


def build(root, env, *make_args):
    r = make(root, env, *make_args)
    assert r.returncode == 0, r.stderr.decode()
    return r


def outputs(root):
    out = {}
    for o in PROJECT_OBJS:
        out[o] = file_bytes(os.path.join(root, o))
        out[o[:-2] + ".d"] = file_bytes(os.path.join(root, o[:-2] + ".d"))
    return out


def reference(tmp_path):
    ref = write_project(tmp_path / "ref")
    env = dict(os.environ)
    build(ref, env)
    return outputs(ref)


@pytest.mark.sanitize
def test_make_with_distcc_prefix(tmp_path, server):
    want = reference(tmp_path)
    # build in the same relative layout so .d contents are comparable
    root = write_project(tmp_path / "dist")
    env = client_env(tmp_path, server.hostspec + "/4")
    build(root, env, "CC=%s gcc" % env_distcc(), "CXX=%s g++" % env_distcc())
    got = outputs(root)
    for name in want:
        assert got[name] == want[name], name
    assert server.count("COMPILE_OK", len(PROJECT_OBJS)) >= len(PROJECT_OBJS), server.text()
    assert os.path.exists(os.path.join(root, "prog"))


def test_make_through_masquerade_dir(tmp_path, server):
    want = reference(tmp_path)
    root = write_project(tmp_path / "masqbuild")
    masq = masquerade_dir(tmp_path)
    env = client_env(tmp_path, server.hostspec + ",lzo")
    env["PATH"] = masq + ":" + os.environ["PATH"]
    build(root, env, "CC=gcc", "CXX=g++")
    got = outputs(root)
    for name in want:
        assert got[name] == want[name], name
    assert server.count("COMPILE_OK", len(PROJECT_OBJS)) >= len(PROJECT_OBJS), server.text()


def env_distcc():
    from conftest import binary
    return binary("distcc")
