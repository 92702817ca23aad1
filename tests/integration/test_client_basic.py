# SPDX-License-Identifier: GPL-2.0-or-later
"""distcc gcc -c x.c against Debian's distccd 3.4 (and ours when built), plain
and LZO, byte-identical to a local compile; the client-only options and the
documented exit codes for misuse."""
import os
import subprocess

import pytest

from client_helpers import (BAD_C, HELLO_C, Server, client_env, file_bytes, run_distcc,
                            server_kinds, write)
from conftest import binary


@pytest.fixture(params=server_kinds())
def server(request):
    s = Server(request.param, jobs=2)
    yield s
    s.close()


def local_object(tmp, src="x.c", flags=()):
    subprocess.run(["gcc"] + list(flags) + ["-c", src, "-o", "local.o"], cwd=tmp, check=True)
    return file_bytes(os.path.join(tmp, "local.o"))


@pytest.mark.sanitize
@pytest.mark.parametrize("opts", ["", ",lzo"])
def test_compile_matches_local(tmp_path, server, opts):
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, server.hostspec + opts)
    r = run_distcc(["gcc", "-O2", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    assert file_bytes(tmp_path / "x.o") == local_object(tmp_path, flags=["-O2"])
    assert server.count("COMPILE_OK", 1) == 1, server.text()
    # nothing left behind: no temp files, no state file, no partial output
    left = [n for n in os.listdir(tmp_path) if n.startswith("distcc_") or n.startswith(".distcc")]
    assert left == []
    state = tmp_path / "dcc" / "state"
    assert not state.exists() or os.listdir(state) == []


def test_implicit_compiler_and_default_output(tmp_path, server):
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, server.hostspec)
    r = run_distcc(["-c", "x.c"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.o").exists()
    subprocess.run(["cc", "-c", "x.c", "-o", "local.o"], cwd=tmp_path, check=True)
    assert file_bytes(tmp_path / "x.o") == file_bytes(tmp_path / "local.o")


def test_output_mode_follows_umask(tmp_path, server):
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, server.hostspec)
    old = os.umask(0o027)
    try:
        r = run_distcc(["gcc", "-c", "x.c", "-o", "sub/dir/x.o"], env, cwd=tmp_path)
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    assert (os.stat(tmp_path / "sub/dir/x.o").st_mode & 0o777) == 0o640


def test_remote_error_is_retried_locally(tmp_path, server):
    write(str(tmp_path / "bad.c"), BAD_C)
    env = client_env(tmp_path, server.hostspec)
    r = run_distcc(["gcc", "-c", "bad.c", "-o", "bad.o"], env, cwd=tmp_path)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.count("undeclared_thing") >= 1
    assert "retrying locally" in err
    assert not (tmp_path / "bad.o").exists()


def test_skip_local_retry_shows_remote_stderr(tmp_path, server):
    write(str(tmp_path / "bad.c"), BAD_C)
    env = client_env(tmp_path, server.hostspec, DISTCC_SKIP_LOCAL_RETRY=1)
    r = run_distcc(["gcc", "-c", "bad.c", "-o", "bad.o"], env, cwd=tmp_path)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert "undeclared_thing" in err
    assert "retrying locally" not in err


def test_warnings_and_stdout_come_back(tmp_path, server):
    write(str(tmp_path / "w.c"), b"int f(void) { int x; return 0; }\n")
    env = client_env(tmp_path, server.hostspec)
    r = run_distcc(["gcc", "-Wall", "-c", "w.c", "-o", "w.o"], env, cwd=tmp_path)
    assert r.returncode == 0
    assert b"unused variable" in r.stderr
    assert b"retrying" not in r.stderr


@pytest.mark.sanitize
def test_exit_codes_for_misuse(tmp_path):
    env = client_env(tmp_path, "127.0.0.1:1")
    r = run_distcc([], env)
    assert r.returncode == 101
    assert b"missing" in r.stderr
    write(str(tmp_path / "x.c"), HELLO_C)
    r = run_distcc(["gcc", "-c", "x.c"], client_env(tmp_path, "127.0.0.1/0"), cwd=tmp_path)
    assert r.returncode == 106
    assert b"127.0.0.1/0" in r.stderr
    r = run_distcc(["gcc", "-c", "x.c"], client_env(tmp_path, "127.0.0.1:1",
                                                    _DISTCC_SAFEGUARD=1), cwd=tmp_path)
    assert r.returncode == 111
    assert b"recursively" in r.stderr


def test_recursion_through_a_wrapper(tmp_path):
    """A "compiler" that itself calls distcc is stopped with 111."""
    wrapper = write(str(tmp_path / "bin" / "mycc"),
                    "#!/bin/sh\nexec %s gcc \"$@\"\n" % binary("distcc"), 0o755)
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, "", PATH=str(tmp_path / "bin") + ":" + os.environ["PATH"])
    r = run_distcc([wrapper, "-c", "x.c"], env, cwd=tmp_path)
    assert r.returncode == 111, r.stderr


def test_client_options(tmp_path):
    env = client_env(tmp_path, "a/3 b c:4000/10,lzo localhost")
    r = run_distcc(["--version"], env)
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("distcc 3.4 ")
    assert lines[1] == "  (protocols 1, 2 and 3) (default port 3632)"
    r = run_distcc(["-j"], env)
    assert r.returncode == 0
    assert r.stdout.decode().strip() == str(3 + 4 + 10 + 2)
    r = run_distcc(["--show-hosts"], env)
    assert r.stdout.decode().split() == ["a/3", "b", "c:4000/10,lzo", "localhost"]
    r = run_distcc(["--help"], env)
    assert r.returncode == 0 and b"Usage" in r.stdout


def test_hosts_file_lookup_and_empty_list(tmp_path):
    env = client_env(tmp_path, None)
    os.makedirs(env["DISTCC_DIR"], exist_ok=True)
    write(os.path.join(env["DISTCC_DIR"], "hosts"), "# comment\nfilehost/5\n")
    r = run_distcc(["--show-hosts"], env)
    assert r.stdout.decode().split() == ["filehost/5"]
    # DISTCC_HOSTS set but empty: no hosts, no fall-through to the file
    env["DISTCC_HOSTS"] = ""
    r = run_distcc(["--show-hosts"], env)
    assert r.stdout == b""
    assert r.returncode == 0
    assert b"$DISTCC_HOSTS contained no hosts; can't distribute work" in r.stderr
    r = run_distcc(["-j"], env)
    assert (r.returncode, r.stdout) == (0, b"0\n")


def test_missing_home_dir_is_created(tmp_path, server):
    """UPSTREAM-BUGS B4: DISTCC_DIR under a missing HOME is made with mkdir -p."""
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, server.hostspec)
    del env["DISTCC_DIR"]
    env["HOME"] = str(tmp_path / "no" / "such" / "home")
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    assert (tmp_path / "no/such/home/.distcc/lock").is_dir()


def test_pump_host_is_served_with_protocol_2(tmp_path, server):
    """A ',cpp,lzo' host without an include server (no pump, so no
    INCLUDE_SERVER_PORT): as distcc 3.4, preprocess locally and speak
    protocol 2, silently; DISTCC_VERBOSE says why."""
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, server.hostspec + ",cpp,lzo", DISTCC_FALLBACK=0)
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr == b""
    env["DISTCC_VERBOSE"] = "1"
    r = run_distcc(["gcc", "-c", "x.c", "-o", "x.o"], env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert b"'x.c' in plain mode: no include server" in r.stderr
    assert file_bytes(tmp_path / "x.o") == local_object(tmp_path)
    assert server.count("COMPILE_OK", 2) == 2, server.text()
