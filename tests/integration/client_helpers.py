# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the distcc client suites: servers to talk to (Server, from
distccd_fixture: Debian's distccd 3.4 or ours; small Python fakes here), a
client environment with a private DISTCC_DIR, fake compilers for the server
side, and a small multi-directory C/C++ project. Directories a server must read are made
world-readable: distccd started as root drops to its own user."""
import os
import socket
import subprocess
import threading
import time

from conftest import BUILD, binary
from distccd_fixture import Server, debian_distccd  # noqa: F401
from distccd_fixture import world_dir as fixture_world_dir

DEBIAN_MON = "/usr/bin/distccmon-text"

HELLO_C = b'#include <stdio.h>\nstatic int sq(int x) { return x * x; }\n' \
          b'int main(void) { printf("%d\\n", sq(7)); return 0; }\n'
BAD_C = b'int main(void)\n{\n    return undeclared_thing + 1;\n}\n'


def our_distccd():
    p = os.path.join(BUILD, "distccd")
    return p if os.access(p, os.X_OK) else None


def server_kinds():
    """Parameter list: Debian's distccd always, ours when it is built."""
    kinds = ["debian"]
    if our_distccd():
        kinds.append("ours")
    return kinds


def world_dir(prefix="distcc-client-test-"):
    return fixture_world_dir(prefix)


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(path, mode)
    return path


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


class FakeServer:
    """A TCP server on 127.0.0.1 that counts connections and misbehaves:
    mode "close" reads the request head and closes (a server that dies mid
    job); "refuse-silently" closes at once; "stall" reads and never answers."""

    def __init__(self, mode="close"):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.received = []
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def hostspec(self):
        return "127.0.0.1:%d" % self.port

    def _run(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        with c:
            if self.mode == "refuse-silently":
                return
            c.settimeout(10)
            data = b""
            try:
                while b"DOTI" not in data and len(data) < 1 << 20:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if self.mode == "stall":
                    time.sleep(30)
            except OSError:
                pass
            self.received.append(data)

    def close(self):
        self.stopping = True
        self.sock.close()


def client_env(tmp, hosts, **extra):
    """Environment for running our distcc: private DISTCC_DIR and HOME."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("DISTCC_")}
    e.pop("_DISTCC_SAFEGUARD", None)
    e["HOME"] = str(tmp)
    e["DISTCC_DIR"] = os.path.join(str(tmp), "dcc")
    if hosts is not None:
        e["DISTCC_HOSTS"] = hosts
    e["TMPDIR"] = str(tmp)
    e.update({k: str(v) for k, v in extra.items()})
    return e


def run_distcc(args, env, cwd=None, timeout=120, exe=None):
    return subprocess.run([exe or binary("distcc")] + list(args), env=env, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def fake_compiler_dir(kind, real="/usr/bin/gcc", sleep=0.0, record=None):
    """A world-readable dir holding "gcc"/"cc"/"g++" and the triple names as a
    script that optionally sleeps and records its concurrency, then execs the
    real compiler. @record: a world-writable dir for the counters."""
    d = world_dir("distcc-fakecc-")
    lines = ["#!/bin/sh"]
    if record:
        lines += ['touch "%s/run.$$"' % record,
                  'ls "%s" | grep -c "^run\\." >> "%s/counts"' % (record, record)]
    if sleep:
        lines.append("sleep %s" % sleep)
    if record:
        lines += ['"%s" "$@"; rc=$?' % real, 'rm -f "%s/run.$$"' % record, 'exit $rc']
    else:
        lines.append('exec "%s" "$@"' % real)
    script = "\n".join(lines) + "\n"
    names = ["cc", "gcc", "x86_64-linux-gnu-gcc"] if kind == "c" else \
        ["c++", "g++", "x86_64-linux-gnu-g++"]
    for n in names:
        write(os.path.join(d, n), script, 0o755)
    return d


def masquerade_dir(tmp, names=("gcc", "g++", "cc", "c++")):
    """A temp dir of symlinks named like compilers pointing at our distcc."""
    d = os.path.join(str(tmp), "masq")
    os.makedirs(d, exist_ok=True)
    for n in names:
        os.symlink(binary("distcc"), os.path.join(d, n))
    return d


PROJECT_FILES = {
    "include/shapes.h": "#pragma once\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
                        "struct shape { int w, h; };\nint area(const struct shape *s);\n"
                        "int perimeter(int w, int h);\n#ifdef __cplusplus\n}\n#endif\n",
    "lib/area.c": "#include \"shapes.h\"\nint area(const struct shape *s) { return s->w * s->h; }\n",
    "lib/perim.c": "#include <stdio.h>\n#include \"shapes.h\"\n"
                   "int perimeter(int w, int h) { return 2 * (w + h); }\n",
    "util/strings.c": "#include <string.h>\n#include <stdlib.h>\n"
                      "char *dup_upper(const char *s) { char *r = strdup(s);\n"
                      "  for (char *p = r; p && *p; p++) if (*p >= 'a' && *p <= 'z') *p -= 32;\n"
                      "  return r; }\n",
    "util/warn.c": "int unused_warning(void) { int x; return 0; }\n",
    "app/main.cc": "#include <iostream>\n#include <vector>\n#include \"shapes.h\"\n"
                   "int main() { std::vector<shape> v{{2, 3}, {4, 5}};\n"
                   "  for (auto &s : v) std::cout << area(&s) << ' ' << perimeter(s.w, s.h) << '\\n';\n"
                   "  return 0; }\n",
    "app/extra.cpp": "#include <string>\n#include \"shapes.h\"\n"
                     "std::string describe(int w) { return std::to_string(w); }\n",
    "Makefile": "OBJS = lib/area.o lib/perim.o util/strings.o util/warn.o app/main.o app/extra.o\n"
                "CFLAGS = -O2 -g0 -Wall -Iinclude -MD\n"
                "CXXFLAGS = -O2 -g0 -Wall -Iinclude -MD\n"
                "all: prog\n"
                "prog: $(OBJS)\n\t$(CXX) -o $@ $(OBJS)\n"
                "%.o: %.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n"
                "%.o: %.cc\n\t$(CXX) $(CXXFLAGS) -c $< -o $@\n"
                "%.o: %.cpp\n\t$(CXX) $(CXXFLAGS) -c $< -o $@\n"
                "clean:\n\trm -f prog $(OBJS) $(OBJS:.o=.d)\n",
}
PROJECT_OBJS = ["lib/area.o", "lib/perim.o", "util/strings.o", "util/warn.o", "app/main.o",
                "app/extra.o"]


def write_project(d):
    for name, text in PROJECT_FILES.items():
        write(os.path.join(str(d), name), text)
    return str(d)


def make(d, env, *args, timeout=240):
    return subprocess.run(["make", "-j8"] + list(args), cwd=str(d), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()
