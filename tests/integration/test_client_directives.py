# SPDX-License-Identifier: GPL-2.0-or-later
"""Plain mode that compiles like a local build (issue 11 item 6): for gcc
the client preprocesses with -fdirectives-only (macros stay unexpanded) and
the server compiles with -fpreprocessed -fdirectives-only, against our
distccd and Debian's distccd 3.4 alike (it is only argv). Checked: a C++
file whose code expands macros, built with -g, has the local build's debug
line table and DIEs (columns included; only DW_AT_producer differs); a
macro test of an array member that -Werror=address accepts in the source
but rejects once expanded compiles remotely; the preprocessor's own
messages are shown once; what directives-only cannot do right is compiled
locally. DISTCC_DIRECTIVES_ONLY=0 brings back full preprocessing (and the
differences, which shows these tests can fail)."""
import os
import re
import subprocess

import pytest

from client_helpers import FakeServer, Server, client_env, server_kinds, write
from conftest import binary

MACROS_CC = b"""#include <cstdio>
#define SQUARE(x) ((x) * (x))
#define CLAMP(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))
struct P { int a, b; };
static int f(P p) { return SQUARE(p.a) + CLAMP(p.b, 0, 10); }
int main() { P p{3, 4}; std::printf("%d\\n", f(p)); return SQUARE(f(p)) - 4; }
"""

# -Werror=address: "the comparison will always evaluate as 'true'" fires on
# the expanded text only (gcc does not warn inside a macro's expansion)
ADDRESS_C = b"""#define NAME_OR(p) ((p) ? (p) : "none")
struct item { char name[16]; int n; };
const char *label(struct item *it)
{
    return NAME_OR(it->name);
}
"""


@pytest.fixture(params=server_kinds())
def server(request):
    s = Server(request.param)
    yield s
    s.close()


def run(tmp_path, env, args):
    return subprocess.run([binary("distcc")] + args, cwd=tmp_path, env=env, capture_output=True,
                          timeout=120)


def dump(obj):
    """What must equal a local build's: code, the raw line program (with
    columns), and every DIE except DW_AT_producer, string offsets left out
    (a longer producer string moves them)."""
    info = subprocess.run(["readelf", "--debug-dump=info", obj], capture_output=True,
                          check=True).stdout.decode()
    info = re.sub(r"\(indirect (line )?string, offset: 0x[0-9a-f]+\)", "(string)", info)
    info = "\n".join(l for l in info.splitlines()[3:] if "DW_AT_producer" not in l)
    lines = subprocess.run(["readelf", "--debug-dump=rawline", obj], capture_output=True,
                           check=True).stdout.decode().splitlines()[3:]
    code = subprocess.run(["objdump", "-d", obj], capture_output=True,
                          check=True).stdout.decode().splitlines()[3:]
    return {"info": info, "line": "\n".join(lines), "code": "\n".join(code)}


def test_debug_columns_match_a_local_build(tmp_path, server):
    write(str(tmp_path / "mac.cc"), MACROS_CC)
    flags = ["-g", "-O0", "-c", "mac.cc"]
    subprocess.run(["g++"] + flags + ["-o", "local.o"], cwd=tmp_path, check=True)
    r = run(tmp_path, client_env(tmp_path, server.hostspec), ["g++"] + flags + ["-o", "remote.o"])
    assert r.returncode == 0 and r.stderr == b"", r.stderr
    assert server.count("COMPILE_OK", 1) == 1, server.text()
    local, remote = dump(str(tmp_path / "local.o")), dump(str(tmp_path / "remote.o"))
    assert remote == local
    producer = subprocess.run(["readelf", "--debug-dump=info", str(tmp_path / "remote.o")],
                              capture_output=True, check=True).stdout
    assert b"-fdirectives-only" in producer      # the one documented difference

    env = client_env(tmp_path, server.hostspec, DISTCC_DIRECTIVES_ONLY=0)
    r = run(tmp_path, env, ["g++"] + flags + ["-o", "full.o"])
    assert r.returncode == 0, r.stderr
    assert server.count("COMPILE_OK", 2) == 2
    full = dump(str(tmp_path / "full.o"))
    assert full["code"] == local["code"]
    assert full["line"] != local["line"], "full preprocessing should move the columns"


def test_werror_address_compiles_remotely(tmp_path, server):
    write(str(tmp_path / "w.c"), ADDRESS_C)
    args = ["gcc", "-Werror=address", "-c", "w.c", "-o", "w.o"]
    subprocess.run(args[:-1] + ["local.o"], cwd=tmp_path, check=True)     # fine locally
    r = run(tmp_path, client_env(tmp_path, server.hostspec), args)
    assert r.returncode == 0 and r.stderr == b"", r.stderr
    assert server.count("COMPILE_OK", 1) == 1, server.text()
    assert (tmp_path / "w.o").exists()

    os.unlink(str(tmp_path / "w.o"))
    r = run(tmp_path, client_env(tmp_path, server.hostspec, DISTCC_DIRECTIVES_ONLY=0), args)
    assert r.returncode == 0
    assert b"retried locally and got a different result" in r.stderr, r.stderr
    assert (tmp_path / "w.o").exists()


def test_server_gets_the_flags_and_unexpanded_text(tmp_path):
    f = FakeServer("close")
    try:
        write(str(tmp_path / "x.c"), b"#define TWICE(x) (2 * (x))\nint v = TWICE(21);\n")
        r = run(tmp_path, client_env(tmp_path, f.hostspec, DISTCC_BACKOFF_PERIOD=0),
                ["gcc", "-DEXTRA=1", "-c", "x.c", "-o", "x.o"])
        assert r.returncode == 0, r.stderr        # the fake server fails: local fallback
        sent = f.received[0]
    finally:
        f.close()
    argv, doti = sent.split(b"DOTI", 1)
    assert b"-fpreprocessed" in argv and b"-fdirectives-only" in argv
    assert b"-DEXTRA" not in argv
    assert b"int v = TWICE(21);" in doti
    assert b"#define EXTRA 1" in doti


def test_clang_keeps_full_preprocessing(tmp_path):
    f = FakeServer("close")
    try:
        write(str(tmp_path / "x.c"), b"#define TWICE(x) (2 * (x))\nint v = TWICE(21);\n")
        r = run(tmp_path, client_env(tmp_path, f.hostspec), ["clang", "-c", "x.c", "-o", "x.o"])
        assert r.returncode == 0, r.stderr
        sent = f.received[0]
    finally:
        f.close()
    assert b"-fdirectives-only" not in sent
    assert b"int v = (2 * (21));" in sent


def test_preprocessor_messages_are_shown_once(tmp_path, server):
    write(str(tmp_path / "x.c"), b'#warning "from the preprocessor"\nint x;\n')
    r = run(tmp_path, client_env(tmp_path, server.hostspec), ["gcc", "-c", "x.c"])
    local = subprocess.run(["gcc", "-c", "x.c", "-o", "local.o"], cwd=tmp_path,
                           capture_output=True)
    assert r.returncode == 0
    assert r.stderr == local.stderr and r.stderr.count(b"warning: #warning") == 1
    assert server.count("COMPILE_OK", 1) == 1


def test_what_directives_only_refuses_is_compiled_locally(tmp_path, server):
    """gcc -fdirectives-only rejects __COUNTER__ in #if; a local build does
    not: the job is compiled locally, with no message at all."""
    write(str(tmp_path / "c.c"), b"#if __COUNTER__ == 0\nint a;\n#endif\nint b;\n")
    r = run(tmp_path, client_env(tmp_path, server.hostspec), ["gcc", "-c", "c.c"])
    assert r.returncode == 0 and r.stderr == b"", r.stderr
    assert (tmp_path / "c.o").exists()
    assert server.count("COMPILE_", 1, timeout=1) == 0


def test_real_errors_are_reported_once(tmp_path, server):
    write(str(tmp_path / "e.c"), b'#include "missing.h"\nint x;\n')
    r = run(tmp_path, client_env(tmp_path, server.hostspec), ["gcc", "-c", "e.c"])
    local = subprocess.run(["gcc", "-c", "e.c"], cwd=tmp_path, capture_output=True)
    assert r.returncode == local.returncode == 1
    assert r.stderr == local.stderr


def test_base_file_is_compiled_locally(tmp_path, server):
    """__BASE_FILE__ would name the server's temp file: compiled here."""
    write(str(tmp_path / "b.c"), b"const char *b = __BASE_FILE__;\n")
    r = run(tmp_path, client_env(tmp_path, server.hostspec), ["gcc", "-c", "b.c"])
    assert r.returncode == 0 and r.stderr == b"", r.stderr
    obj = (tmp_path / "b.o").read_bytes()
    assert b"b.c\0" in obj and b"distccd" not in obj
    assert server.count("COMPILE_", 1, timeout=1) == 0


def test_date_with_source_date_epoch_is_compiled_locally(tmp_path, server):
    """__DATE__ follows SOURCE_DATE_EPOCH, which only the client has."""
    write(str(tmp_path / "d.c"), b"const char *d = __DATE__;\n")
    env = client_env(tmp_path, server.hostspec, SOURCE_DATE_EPOCH=0)
    r = run(tmp_path, env, ["gcc", "-c", "d.c"])
    assert r.returncode == 0 and r.stderr == b"", r.stderr
    assert b"Jan  1 1970" in (tmp_path / "d.o").read_bytes()
    assert server.count("COMPILE_", 1, timeout=1) == 0


def test_unused_macros_keeps_full_preprocessing(tmp_path, server):
    """gcc refuses -fdirectives-only with -Wunused-macros: such jobs are
    preprocessed fully and still distributed."""
    write(str(tmp_path / "u.c"), b"#define UNUSED_ONE 1\nint x;\n")
    r = run(tmp_path, client_env(tmp_path, server.hostspec), ["gcc", "-Wunused-macros", "-c", "u.c"])
    assert r.returncode == 0, r.stderr
    assert b"incompatible" not in r.stderr
    assert server.count("COMPILE_OK", 1) == 1, server.text()
