# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd serving protocol 3 (pump mode). The client's tree lives in a
directory distccd cannot read, so every job can only compile from the files
it was sent, under its private root. Objects (with -g, DWARF 4 and 5) and
.d files must be byte-identical to a local build in the same directory.
Hostile requests (escaping NAMEs and LINKs, a FILE through a LINK, a huge
NFIL, an LZO bomb, truncations) are refused or dropped, logged, leave no
file behind, and the daemon keeps serving. Interop: Debian's own pump
client (made to work by tests/debian-pump.sh) against our distccd."""
import os
import shutil
import socket
import subprocess
import time
import uuid

import lzo
import pytest

from daemon_helpers import COMPILERS, Daemon, connect, make_masq, recv_all, tok, tstr, world_dir
from hostile_helpers import Scratch
from pump_wire_helpers import (PrivateTree, debian_pump, file_entry, link_entry, parse_pump_reply,
                          pump_request, tree_entries)

ACCESS_DENIED = 113

SOURCES = {
    "proj/src/main.c":
        b'#include "config.h"\n#include "util/sq.h"\n#include "linked.h"\n#include <stdio.h>\n'
        b'#define SHOW(x) printf("%s:%d %d %d\\n", __FILE__, __LINE__, (x), FORCED)\n'
        b'int main(void)\n{\n\tSHOW(SQ(VALUE));\n\tSHOW(LINKED);\n\treturn 0;\n}\n',
    "proj/src/widget.cc":
        b'#include <vector>\n#include "util/sq.h"\n#include "config.h"\n'
        b'#define EACH(v, f) for (auto &x : v) x = f(x)\n'
        b'template <class T> T twice(T t) { return SQ(t) + VALUE; }\n'
        b'int widget() { std::vector<int> v{1, 2, 3}; EACH(v, twice<int>); return v[2]; }\n',
    "proj/include/config.h": b"#pragma once\n#define VALUE 7\n",
    "proj/include/util/sq.h": b"#define SQ(x) ((x) * (x))\n",
    "proj/include/real_linked.h": b"#define LINKED 3\n",
    "proj/build/pre/force.h": b"#define FORCED 1\n",
}
LINKS = [("proj/include/linked.h", "real_linked.h")]


@pytest.fixture(scope="module")
def jobtmp():
    d = world_dir("distccd-pump-tmp-")
    os.chmod(d, 0o1777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def d(jobtmp):
    masq = make_masq(extra={"clang": "/usr/bin/clang-14", "clang++": "/usr/bin/clang++-14"})
    with Daemon(args=["--io-timeout", "30", "-j", "2"], masq=masq, env={"TMPDIR": jobtmp}) as dd:
        yield dd
    shutil.rmtree(masq, ignore_errors=True)


@pytest.fixture
def tree():
    with PrivateTree(SOURCES, LINKS) as t:
        yield t


def job_dirs_gone(jobtmp, timeout=10):
    """The job directories are removed once the worker is done."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not os.listdir(jobtmp):
            return True
        time.sleep(0.05)
    return False


def send(d, data, half_close=False, timeout=30):
    with connect(d, timeout=timeout) as s:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return recv_all(s)


def pump_job(d, cdir, argv, entries, **kw):
    data = send(d, pump_request(cdir, argv, entries, **kw))
    return parse_pump_reply(data) if data else None


def compile_args(t, g, lang="c", absolute=True):
    """A build like CMake's (absolute source, -I, -include) or like a
    Makefile's (relative ones); -MD; run in proj/build."""
    src = "proj/src/main.c" if lang == "c" else "proj/src/widget.cc"
    out = "main.o" if lang == "c" else "widget.o"
    if absolute:
        paths = [t.path(src), "-I" + t.path("proj/include"), "-include",
                 t.path("proj/build/pre/force.h")]
    else:
        paths = ["../" + src[5:], "-I", "../include", "-include", "pre/force.h"]
    return [g, "-O1"] + paths[1:] + ["-MD", "-c", paths[0], "-o", out], out


def local_build(t, compiler, args, out):
    subprocess.run([compiler] + args, cwd=t.path("proj/build"), check=True)
    with open(t.path("proj/build/" + out), "rb") as f:
        obj = f.read()
    with open(t.path("proj/build/" + out[:-2] + ".d"), "rb") as f:
        dep = f.read()
    return obj, dep


def healthy(d):
    with PrivateTree({"w/t.c": b"int f(void) { return 3; }\n"}) as t:
        rep = pump_job(d, t.path("w"), ["gcc", "-c", "t.c", "-o", "t.o"], tree_entries(t.top))
    assert rep is not None and rep["STAT"] == 0, rep
    assert rep["DOTO"][:4] == b"\x7fELF"


# ---- objects and .d identical to a local build ------------------------------

def identical_cases():
    for compiler, lang in (("gcc", "c"), ("g++", "c++"), ("clang", "c"), ("clang++", "c++")):
        for g in ("-g", "-gdwarf-4", "-gdwarf-5"):
            for absolute in (True, False):
                # gcc 12, DWARF 4, absolute input: see test_gcc_dwarf4_absolute_input
                if not (compiler.startswith("g") and g == "-gdwarf-4" and absolute):
                    yield compiler, lang, g, absolute


@pytest.mark.parametrize("compiler,lang,g,absolute", list(identical_cases()))
def test_identical_to_local(d, jobtmp, tree, compiler, lang, g, absolute):
    args, out = compile_args(tree, g, lang, absolute)
    entries = tree_entries(tree.path("proj"))
    rep = pump_job(d, tree.path("proj/build"), [compiler] + args, entries)
    assert rep is not None, d.logtext()[-2000:]
    assert rep["STAT"] == 0, rep["SERR"].decode(errors="replace")
    obj, dep = local_build(tree, compiler, args, out)
    assert rep["DOTO"] == obj, "object differs from a local build"
    assert b"distccd_" not in rep["DOTO"]
    assert rep["DOTD"] == dep, (rep["DOTD"], dep)
    assert job_dirs_gone(jobtmp)


def file_table(obj, tmp):
    """The names in the DWARF 4 line table's file table of @obj."""
    p = os.path.join(tmp, "o.o")
    with open(p, "wb") as f:
        f.write(obj)
    text = subprocess.run(["readelf", "--debug-dump=rawline", p], capture_output=True,
                          text=True, check=True).stdout
    table = text.split("The File Name Table")[1].split("Line Number Statements")[0]
    return [line.split()[-1] for line in table.splitlines() if line.strip()[:1].isdigit()]


def test_gcc_dwarf4_absolute_input(d, tree, tmp_path):
    # gcc 12 with DWARF 4 lists the main file twice in the line table
    # whenever a prefix map rewrites an absolute input name (a gcc bug: a
    # local build with any matching -fdebug-prefix-map does the same). This
    # is the one known difference from a local build; it stays confined to
    # the line table's file numbering, the code is identical.
    args, out = compile_args(tree, "-gdwarf-4")
    rep = pump_job(d, tree.path("proj/build"), ["gcc"] + args, tree_entries(tree.path("proj")))
    assert rep["STAT"] == 0, rep["SERR"]
    obj, dep = local_build(tree, "gcc", args, out)
    assert rep["DOTD"] == dep
    local, remote = file_table(obj, str(tmp_path)), file_table(rep["DOTO"], str(tmp_path))
    assert remote == local[:1] + local, (local, remote)
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", tree.path("proj/build/" + out)],
                          capture_output=True, text=True, check=True).stdout
    p = str(tmp_path / "remote.o")
    with open(p, "wb") as f:
        f.write(rep["DOTO"])
    rtext = subprocess.run(["objdump", "-d", "--no-show-raw-insn", p], capture_output=True,
                           text=True, check=True).stdout
    assert text.split("Disassembly", 1)[1] == rtext.split("Disassembly", 1)[1]


def test_target_named_like_local_without_mt(d, tree):
    # no -MT from the client: the .d names the client's -o, as gcc would
    args, out = compile_args(tree, "-g")
    rep = pump_job(d, tree.path("proj/build"), ["gcc"] + args, tree_entries(tree.path("proj")))
    obj, dep = local_build(tree, "gcc", args, out)
    assert rep["STAT"] == 0 and rep["DOTO"] == obj
    assert rep["DOTD"] == dep and dep.startswith(b"main.o:")


@pytest.mark.parametrize("opt", ["--sysroot=", "-isysroot"])
def test_sysroot_moved_under_root(d, jobtmp, opt):
    files = {"sr/usr/include/foo.h": b"#define FOO 41\n",
             "w/a.c": b"#include <foo.h>\nint a(void) { return FOO + 1; }\n"}
    with PrivateTree(files) as t:
        sysroot = [opt + t.path("sr")] if opt.endswith("=") else [opt, t.path("sr")]
        args = ["-g", "-MD"] + sysroot + ["-c", t.path("w/a.c"), "-o", "a.o"]
        rep = pump_job(d, t.path("w"), ["gcc"] + args, tree_entries(t.top))
        assert rep["STAT"] == 0, rep["SERR"]
        subprocess.run(["gcc"] + args, cwd=t.path("w"), check=True)
        with open(t.path("w/a.o"), "rb") as f:
            assert rep["DOTO"] == f.read()
        with open(t.path("w/a.d"), "rb") as f:
            assert rep["DOTD"] == f.read()
    assert job_dirs_gone(jobtmp)


def test_compile_error_has_client_paths_and_no_dotd(d, tree):
    entries = [file_entry(tree.path("proj/src/bad.c"), b"int f(void) { return nope; }\n")]
    rep = pump_job(d, tree.path("proj/src"), ["gcc", "-c", tree.path("proj/src/bad.c"), "-o",
                                              "bad.o"], entries)
    assert rep["STAT"] == 1 << 8
    assert "DOTD" not in rep and rep["DOTO"] == b""
    # the message names the file as the client knows it, not the job root
    assert (tree.path("proj/src/bad.c") + ":1:").encode() in rep["SERR"], rep["SERR"]
    assert b"distccd_" not in rep["SERR"]


def test_files_come_from_the_request(d):
    # a client path that exists nowhere on this machine: only the root has it
    top = "/distcc-pump-nowhere-%s" % uuid.uuid4().hex
    entries = [file_entry(top + "/src/a.c", b'#include "inc/h.h"\nint a(void) { return H; }\n'),
               file_entry(top + "/src/inc/h.h", b"#define H 5\n")]
    rep = pump_job(d, top + "/src", ["gcc", "-c", "a.c", "-o", "a.o"], entries)
    assert rep["STAT"] == 0, rep["SERR"]
    assert rep["DOTO"][:4] == b"\x7fELF"
    assert not os.path.exists(top)


def test_system_include_dir_link_is_followed(d):
    # distcc 3.4's include server maps the client's system dirs back to the
    # server's own with "../" x (20 + depth) links; -I/usr/include/linux is
    # then rewritten under the root and still finds the server's headers
    top = "/distcc-pump-nowhere-%s" % uuid.uuid4().hex
    entries = [link_entry("/usr/include", "../" * 22 + "usr/include"),
               file_entry(top + "/a.c", b'#include <version.h>\nint v = LINUX_VERSION_CODE;\n')]
    rep = pump_job(d, top, ["gcc", "-I/usr/include/linux", "-c", "a.c", "-o", "a.o"], entries)
    assert rep["STAT"] == 0, rep["SERR"]


# ---- hostile requests ------------------------------------------------------

def assert_refused(d, jobtmp, data, reason):
    raw = send(d, data)
    assert raw, "dropped instead of refused"
    rep = parse_pump_reply(raw)
    assert rep["STAT"] == ACCESS_DENIED << 8, rep
    assert rep["DOTO"] == b""
    assert reason.encode() in rep["SERR"], rep["SERR"]
    assert d.wait_log(reason)
    assert d.wait_log("refusing job from")
    assert job_dirs_gone(jobtmp)
    assert d.alive()
    healthy(d)
    return rep


ARGV = ["gcc", "-c", "a.c", "-o", "a.o"]
SRC = b"int a(void) { return 1; }\n"


@pytest.fixture
def bait():
    s = Scratch()
    yield s
    s.cleanup()


@pytest.mark.sanitize
def test_name_with_dotdot_refused(d, jobtmp, bait):
    evil = "/w/" + "../" * 12 + bait.path("planted").lstrip("/")
    data = pump_request("/w", ARGV, [file_entry("/w/a.c", SRC), file_entry(evil, b"x")])
    assert_refused(d, jobtmp, data, "a path with '.' or '..' components")
    assert bait.files() == []


@pytest.mark.sanitize
def test_relative_name_refused(d, jobtmp):
    data = pump_request("/w", ARGV, [file_entry("w/a.c", SRC)])
    assert_refused(d, jobtmp, data, "not an absolute path")


@pytest.mark.sanitize
def test_cdir_escaping_refused(d, jobtmp, bait):
    data = pump_request("/w/" + "../" * 12 + bait.dir.lstrip("/"), ARGV, [])
    assert_refused(d, jobtmp, data, "a path with '.' or '..' components")


@pytest.mark.sanitize
def test_relative_link_out_of_root_refused(d, jobtmp, bait):
    data = pump_request("/w", ARGV, [file_entry("/w/a.c", SRC),
                                     link_entry("/w/out", "../../../" + bait.dir.lstrip("/"))])
    assert_refused(d, jobtmp, data, "a LINK target that leaves the job root")


@pytest.mark.sanitize
def test_absolute_link_with_dotdot_refused(d, jobtmp, bait):
    data = pump_request("/w", ARGV, [link_entry("/w/out", "/w/../../../../../../" +
                                                bait.dir.lstrip("/"))])
    assert_refused(d, jobtmp, data, "an absolute LINK target with '.' or '..' components")


@pytest.mark.sanitize
def test_link_then_file_through_it_refused(d, jobtmp, bait):
    # the link itself is inside the root; writing through it is refused
    data = pump_request("/w", ARGV, [file_entry("/w/a.c", SRC), link_entry("/w/d", "/x"),
                                     file_entry("/x/keep.h", b"x"), file_entry("/w/d/new.h", b"x")])
    assert_refused(d, jobtmp, data, "a path through a file or link the client sent")


@pytest.mark.sanitize
def test_file_over_link_refused(d, jobtmp):
    data = pump_request("/w", ARGV, [link_entry("/w/a.c", "b.c"), file_entry("/w/a.c", SRC)])
    assert_refused(d, jobtmp, data, "a NAME sent twice")


@pytest.mark.sanitize
def test_absolute_link_stays_in_the_root(d, jobtmp, bait):
    # 3.4's rule: an absolute target is a client path, so it lands in the
    # root; the server's file of that name is never read
    secret, text = bait.secret()
    data = pump_request("/w", ARGV[:2] + ["a.c"] + ARGV[3:],
                        [file_entry("/w/a.c", b'#include "s.h"\n'), link_entry("/w/s.h", secret)])
    rep = parse_pump_reply(send(d, data))
    assert rep["STAT"] != 0
    assert text.encode() not in rep["SERR"] + rep["DOTO"]
    assert b"No such file" in rep["SERR"], rep["SERR"]
    assert job_dirs_gone(jobtmp)


@pytest.mark.sanitize
def test_link_to_servers_own_path_reaches_only_what_landlock_allows(d, jobtmp, bait):
    # the "system dir" shape may name any server path, but the compiler can
    # read through it only what it could read anyway: not a file in /tmp
    secret, text = bait.secret()
    name = os.path.dirname(secret)
    data = pump_request("/w", ARGV, [
        file_entry("/w/a.c", ('#include "%s/secret.txt"\n' % name).encode()),
        link_entry(name, "../" * 40 + name.lstrip("/"))])
    rep = parse_pump_reply(send(d, data))
    assert rep["STAT"] != 0
    assert text.encode() not in rep["SERR"] + rep["DOTO"]
    assert job_dirs_gone(jobtmp)


@pytest.mark.sanitize
@pytest.mark.parametrize("nfil", [0xffffffff, 0x10001])
def test_huge_nfil_dropped(d, jobtmp, nfil):
    raw = send(d, pump_request("/w", ARGV, [], nfil=nfil), half_close=True)
    assert raw == b""
    assert d.wait_log("protocol error or over-size request")
    assert job_dirs_gone(jobtmp)
    healthy(d)


@pytest.mark.sanitize
def test_lzo_bomb_in_file_dropped(d, jobtmp):
    bomb = lzo.compress(bytes(100 << 20), 1, False)       # 100 MiB > MAX_PUMP_FILE
    assert len(bomb) < 1 << 20
    data = pump_request("/w", ARGV, [tstr("NAME", "/w/a.c") + tok("FILE", len(bomb)) + bomb])
    rss0 = d.rss_kb()
    assert send(d, data, half_close=True) == b""
    assert d.wait_log("protocol error or over-size request")
    assert d.rss_kb() < max(32 * 1024, rss0 * 2)
    assert job_dirs_gone(jobtmp)
    healthy(d)


def _valid_request():
    return pump_request("/w", ARGV, [file_entry("/w/a.c", SRC), link_entry("/w/l.h", "a.c"),
                                     file_entry("/w/inc/h.h", b"#define H 1\n" * 40)])


@pytest.mark.sanitize
@pytest.mark.parametrize("where", ["cdir", "argv", "nfil", "name", "file-body", "link"])
def test_truncated_request_dropped(d, jobtmp, where):
    data = _valid_request()
    cut = {
        "cdir": data.index(b"CDIR") + 14,
        "argv": data.index(b"ARGV") + 15,
        "nfil": data.index(b"NFIL") + 12,
        "name": data.index(b"NAME") + 14,
        "file-body": data.index(b"FILE") + 14,
        "link": data.index(b"LINK") + 13,
    }[where]
    assert send(d, data[:cut], half_close=True) == b""
    assert d.wait_log("disconnected while sending the request")
    assert job_dirs_gone(jobtmp)
    assert d.alive()
    healthy(d)


# ---- interop: Debian's pump client against our distccd -----------------------

@pytest.mark.slow
@pytest.mark.parametrize("g,absolute", [("-g", True), ("-gdwarf-5", True), ("-g", False),
                                        ("-gdwarf-4", False), ("-gdwarf-5", False)])
def test_debian_pump_client(d, jobtmp, tree, g, absolute):
    pump = debian_pump()
    args, out = compile_args(tree, g, absolute=absolute)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISTCC_", "INCLUDE_SERVER"))}
    env.update(DISTCC_HOSTS="127.0.0.1:%d,cpp,lzo" % d.port, DISTCC_VERBOSE="1",
               DISTCC_FALLBACK="0", DISTCC_DIR=tree.path(".distcc"))
    os.makedirs(env["DISTCC_DIR"])
    r = subprocess.run([pump, "/usr/bin/distcc", "gcc"] + args, cwd=tree.path("proj/build"),
                       env=env, capture_output=True, timeout=300)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 0, err[-3000:]
    assert "send NFIL" in err, "the job did not go out in pump mode:\n" + err[-3000:]
    assert "completed ok" in err
    with open(tree.path("proj/build/" + out), "rb") as f:
        remote_obj = f.read()
    with open(tree.path("proj/build/main.d"), "rb") as f:
        remote_dep = f.read()
    obj, dep = local_build(tree, "gcc", args, out)
    assert remote_obj == obj, "object from Debian's pump client differs from a local build"
    assert remote_dep == dep, (remote_dep, dep)
    assert job_dirs_gone(jobtmp)
