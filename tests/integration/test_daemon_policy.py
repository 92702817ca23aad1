# SPDX-License-Identifier: GPL-2.0-or-later
"""Policy refusals: a compiler outside the whitelist, -fplugin=/-specs=,
absolute paths, a denied address. Each is refused and logged; the Debian
3.4 client then builds the object locally. Plus UPSTREAM-BUGS A7 (no
basename retry on PATH) and a whitelist that cannot be read (fail closed)."""
import os
import shutil
import subprocess

import pytest

from conftest import binary
from daemon_helpers import (HELLO_C, Daemon, connect, distcc, make_masq, parse_reply,
                            recv_all, request, world_dir, write)

PRE = b'# 1 "t.c"\nint f(void) { return 3; }\n'


@pytest.fixture
def src():
    d = world_dir("distccd-src-")
    write(os.path.join(d, "hello.c"), HELLO_C)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def local_obj(src, args):
    subprocess.run(["gcc"] + args + ["-c", "hello.c", "-o", "local.o"], cwd=src, check=True)
    with open(os.path.join(src, "local.o"), "rb") as f:
        return f.read()


def built(src, name="out.o"):
    with open(os.path.join(src, name), "rb") as f:
        return f.read()


def raw_job(d, argv, version=1):
    with connect(d) as s:
        s.sendall(request(argv, PRE, version))
        return recv_all(s)


def test_not_whitelisted_falls_back(src):
    with Daemon(masq=make_masq(names=["clang"])) as d:
        r = distcc(d.hostspec, ["gcc", "-O2", "-g0", "-c", "hello.c", "-o", "out.o"], src)
        assert r.returncode == 0, r.stderr
        assert built(src) == local_obj(src, ["-O2", "-g0"])
        assert d.wait_log("not in the whitelist")
        assert "OTHER exit:0 sig:0 core:0 ret:113" in d.logtext()
        # 3.4 treats a distcc exit code (113) as "failed to distribute" and
        # builds locally even with DISTCC_SKIP_LOCAL_RETRY
        r = distcc(d.hostspec, ["gcc", "-c", "hello.c", "-o", "out2.o"], src,
                   {"DISTCC_SKIP_LOCAL_RETRY": "1"})
        assert r.returncode == 0
        assert b"failed to distribute" in r.stderr


@pytest.mark.sanitize
def test_refusal_reply_raw():
    with Daemon() as d:
        for argv, why in [(["gcc", "-fplugin=/tmp/evil.so", "-c", "t.c", "-o", "t.o"], b"-fplugin="),
                          (["gcc", "-specs=/tmp/evil", "-c", "t.c", "-o", "t.o"], b"-specs="),
                          (["/usr/local/bin/gcc", "-c", "t.c", "-o", "t.o"], b"absolute"),
                          (["/bin/sh", "-c", "t.c", "-o", "t.o"], b"whitelist"),
                          (["sh", "-c", "t.c", "-o", "t.o"], b"whitelist")]:
            rep = parse_reply(raw_job(d, argv))
            assert rep["DONE"] == 1
            assert rep["STAT"] == 113 << 8, argv
            assert why in rep["SERR"], rep["SERR"]
            assert rep["DOTO"] == b""
        # /usr/bin/NAME is the whitelisted NAME (QtCreator style)
        rep = parse_reply(raw_job(d, ["/usr/bin/gcc", "-c", "t.c", "-o", "t.o"]))
        assert rep["STAT"] == 0 and rep["DOTO"][:4] == b"\x7fELF"
        assert d.logtext().count("refusing job") == 5
        assert d.alive()


def have_plugin_headers():
    p = subprocess.run(["gcc", "-print-file-name=plugin"], capture_output=True, text=True)
    return os.path.isdir(os.path.join(p.stdout.strip(), "include"))


@pytest.mark.skipif(not have_plugin_headers(), reason="gcc-12-plugin-dev not installed")
def test_fplugin_refused_client_builds_locally(src):
    plugdir = subprocess.run(["gcc", "-print-file-name=plugin"], capture_output=True,
                             text=True).stdout.strip()
    write(os.path.join(src, "noop.cc"),
          b'#include "gcc-plugin.h"\nint plugin_is_GPL_compatible;\n'
          b'int plugin_init(struct plugin_name_args *, struct plugin_gcc_version *) '
          b'{ return 0; }\n')
    so = os.path.join(src, "noop.so")
    subprocess.run(["g++", "-shared", "-fPIC", "-fno-rtti", "-I", plugdir + "/include",
                    "-o", so, "noop.cc"], cwd=src, check=True)
    args = ["-fplugin=" + so, "-O2", "-g0"]
    with Daemon() as d:
        r = distcc(d.hostspec + ",lzo", ["gcc"] + args + ["-c", "hello.c", "-o", "out.o"], src)
        assert r.returncode == 0, r.stderr
        assert built(src) == local_obj(src, args)
        assert d.wait_log("-fplugin= is insecure")


def test_denied_address_falls_back(src):
    with Daemon(args=["--allow", "10.9.9.9/32"]) as d:
        r = distcc(d.hostspec, ["gcc", "-O2", "-g0", "-c", "hello.c", "-o", "out.o"], src)
        assert r.returncode == 0, r.stderr
        assert built(src) == local_obj(src, ["-O2", "-g0"])
        assert d.wait_log("connection from client '127.0.0.1:")
        assert "denied by access list" in d.logtext()
        assert "COMPILE_OK" not in d.logtext()


def test_ipv6_denied_by_v4_rule(src):
    with Daemon(host="::1", args=["--allow", "127.0.0.0/8"]) as d:
        with connect(d) as s:
            assert recv_all(s) == b""
        assert d.wait_log("client '[::1]:")


def test_no_allow_means_private_not_everyone():
    # 3.4 accepted everyone without --allow; we default to --allow-private,
    # which includes ::1 (missing in 3.4)
    with Daemon(host="::1") as d:
        rep = parse_reply(raw_job(d, ["gcc", "-c", "t.c", "-o", "t.o"]))
        assert rep["STAT"] == 0
        assert d.logtext().count("defaulting to --allow-private") == 1


def test_unreadable_whitelist_fails_closed():
    with Daemon(masq="/nonexistent/distcc-masq") as d:
        rep = parse_reply(raw_job(d, ["gcc", "-c", "t.c", "-o", "t.o"]))
        assert rep["STAT"] == 113 << 8
        assert b"no compiler whitelist directory could be read" in rep["SERR"]


def test_a7_no_basename_retry(src):
    """UPSTREAM-BUGS A7: a path-qualified compiler that does not exist fails
    with 110; the same-named program on PATH never runs. (The compiler is
    confined to its job dir, so the marker travels on its stderr.)"""
    bindir = world_dir("distccd-bin-")
    write(os.path.join(bindir, "gccmark"),
          b"#!/bin/sh\necho GCCMARK-RAN >&2\nexec gcc \"$@\"\n", 0o755)
    try:
        with Daemon(args=["--enable-tcp-insecure"],
                    env={"DISTCCD_PATH": bindir + ":/usr/bin:/bin"}) as d:
            rep = parse_reply(raw_job(d, ["/nonexistent/dir/gccmark", "-c", "t.c", "-o", "t.o"]))
            assert rep["STAT"] == 110 << 8
            assert b"failed to exec '/nonexistent/dir/gccmark'" in rep["SERR"]
            assert b"GCCMARK-RAN" not in rep["SERR"]
            # the bare name is found on DISTCCD_PATH (insecure mode)
            rep = parse_reply(raw_job(d, ["gccmark", "-c", "t.c", "-o", "t.o"]))
            assert rep["STAT"] == 0 and b"GCCMARK-RAN" in rep["SERR"]
    finally:
        shutil.rmtree(bindir, ignore_errors=True)


def test_compiler_missing_110(src):
    with Daemon(masq=make_masq(names=["nosuchcc-42"])) as d:
        rep = parse_reply(raw_job(d, ["nosuchcc-42", "-c", "t.c", "-o", "t.o"]))
        assert rep["STAT"] == 110 << 8
        # found missing before anything is spawned: the reply names the
        # name, the PATH searched and what this server offers instead
        assert b"compiler 'nosuchcc-42'" in rep["SERR"]
        assert b"was not found on PATH=" in rep["SERR"]
        assert b"this server offers: " in rep["SERR"]
        assert d.wait_log("OTHER exit:0 sig:0 core:0 ret:110")


def test_split_dwarf_refused_so_a_34_client_keeps_its_dwo(src):
    """UPSTREAM-BUGS D8 seen from the server: a 3.4 client sends -gsplit-dwarf
    jobs, but protocol 1/2 has no slot for the .dwo. Refused, the client
    builds locally and gets both files."""
    with Daemon() as d:
        r = distcc(d.hostspec, ["gcc", "-g", "-gsplit-dwarf", "-c", "hello.c", "-o", "out.o"],
                   src)
        assert r.returncode == 0, r.stderr
        assert os.path.exists(os.path.join(src, "out.dwo"))
        assert d.wait_log("cannot return the .dwo")


def test_cmdlist_remaps_to_the_listed_path(src):
    """DISTCC_CMDLIST as distcc 3.4 reads it: the client's compiler matches
    an entry on its last DISTCC_CMDLIST_NUMWORDS path components, and the
    entry's path runs (here a marked compiler that is on no PATH); anything
    not listed is refused, masquerade dir or not. Debian's 3.4 client builds
    through it."""
    tools = world_dir("distccd-cmdlist-")
    marked = os.path.join(tools, "toolchain", "bin", "gcc")
    os.makedirs(os.path.dirname(marked))
    os.chmod(os.path.dirname(marked), 0o755)
    os.chmod(os.path.dirname(os.path.dirname(marked)), 0o755)
    write(marked, b"#!/bin/sh\necho CMDLIST-GCC-RAN >&2\nexec /usr/bin/gcc \"$@\"\n", 0o755)
    # 3.4's client sends x86_64-linux-gnu-gcc for gcc (its cross rewrite)
    lst = write(os.path.join(tools, "cmdlist"),
                marked.encode() + b"\n/usr/bin/x86_64-linux-gnu-gcc\n")
    try:
        with Daemon(env={"DISTCC_CMDLIST": lst, "DISTCC_CMDLIST_NUMWORDS": "2"}) as d:
            # two words: "bin/gcc" matches, the client's directory does not matter
            rep = parse_reply(raw_job(d, ["/elsewhere/bin/gcc", "-c", "t.c", "-o", "t.o"]))
            assert rep["STAT"] == 0 and b"CMDLIST-GCC-RAN" in rep["SERR"], rep
            assert rep["DOTO"][:4] == b"\x7fELF"
            # one word only: no match (gcc is in the masquerade dir, no matter)
            rep = parse_reply(raw_job(d, ["gcc", "-c", "t.c", "-o", "t.o"]))
            assert rep["STAT"] == 113 << 8
            assert b"not in DISTCC_CMDLIST" in rep["SERR"]
        with Daemon(env={"DISTCC_CMDLIST": lst}) as d:
            r = distcc(d.hostspec, ["gcc", "-O2", "-g0", "-c", "hello.c", "-o", "out.o"], src,
                       {"DISTCC_SKIP_LOCAL_RETRY": "1"})
            assert r.returncode == 0, r.stderr
            assert built(src) == local_obj(src, ["-O2", "-g0"])
            assert d.wait_log("COMPILE_OK")
    finally:
        shutil.rmtree(tools, ignore_errors=True)


def test_unreadable_cmdlist_is_a_bad_setting():
    """A DISTCC_CMDLIST that cannot be read stops distccd (exit 101) rather
    than serving with no list or an open one."""
    r = subprocess.run([binary("distccd"), "--daemon", "--no-detach", "--log-stderr",
                        "--listen", "127.0.0.1", "-p", "1"],
                       env=dict(os.environ, DISTCC_CMDLIST="/nonexistent/cmdlist"),
                       capture_output=True, timeout=20)
    assert r.returncode == 101
    assert b"cannot read DISTCC_CMDLIST '/nonexistent/cmdlist'" in r.stderr
