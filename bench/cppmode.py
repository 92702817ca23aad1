#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Plain mode's two ways to preprocess, side by side on the same sources:
full (gcc -E, distcc 3.4's) and directives-only (gcc -E -fdirectives-only,
our default). For each: the client's CPU for the preprocessor (user+sys of
the child, best of --reps), the bytes sent (raw, and LZO1X-1 as for ,lzo
hosts) and the server's CPU to compile what was sent. Run from the source
tree: `python3 bench/cppmode.py [--reps N]`. Not part of make check."""
import argparse
import ctypes
import os
import resource
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CXX_STL = """#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>
#define CHECK(c) do { if (!(c)) throw std::runtime_error(#c); } while (0)
int main() {
  std::map<std::string, std::vector<int>> m{{"a", {1, 2}}};
  std::regex re("[a-z]+");
  CHECK(std::regex_match("abc", re));
  std::ostringstream o; o << m.size(); std::cout << o.str() << std::endl;
}
"""


def lzo():
    lib = ctypes.CDLL("liblzo2.so.2")
    assert lib.__lzo_init_v2(2, -1, -1, -1, -1, -1, -1, -1, -1, -1) == 0
    wrk = ctypes.create_string_buffer(16384 * 8)

    def compress(data):
        out = ctypes.create_string_buffer(len(data) + len(data) // 16 + 64 + 3)
        n = ctypes.c_ulong(0)
        assert lib.lzo1x_1_compress(data, ctypes.c_ulong(len(data)), out, ctypes.byref(n), wrk) == 0
        return n.value
    return compress


def cpu_of(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def jobs(tmp):
    """(name, compiler, flags, source path, cwd) for every measured file."""
    out = []
    inc = ["-I" + os.path.join(ROOT, d) for d in ("common", "client", "daemon")]
    for d in ("common", "client", "daemon"):
        for f in sorted(os.listdir(os.path.join(ROOT, d))):
            if f.endswith(".c") and not f.endswith("-main.c"):
                out.append((d + "/" + f, "gcc", ["-O2", "-g", "-D_GNU_SOURCE"] + inc,
                            os.path.join(ROOT, d, f), ROOT))
    stl = os.path.join(tmp, "stl.cc")
    with open(stl, "w") as f:
        f.write(CXX_STL)
    out.append(("stl.cc (10 STL headers)", "g++", ["-O2", "-g", "-std=c++17"], stl, tmp))
    return out


def measure(job, mode, reps, tmp, compress):
    name, cc, flags, src, cwd = job
    ext = ".ii" if cc == "g++" else ".i"
    pre = os.path.join(tmp, "out" + ext)
    extra_cpp = ["-fdirectives-only"] if mode == "directives-only" else []
    extra_cc = ["-fpreprocessed", "-fdirectives-only"] if mode == "directives-only" else []
    cpp = [cc, "-E"] + flags + extra_cpp + [src, "-o", pre]
    cpu = min(cpu_of(cpp, cwd) for _ in range(reps))
    with open(pre, "rb") as f:
        data = f.read()
    srv = [cc] + [a for a in flags if not a.startswith(("-I", "-D"))] + extra_cc + \
        ["-c", pre, "-o", os.path.join(tmp, "out.o")]
    srv_cpu = min(cpu_of(srv, tmp) for _ in range(reps))
    return cpu, len(data), compress(data), srv_cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    compress = lzo()
    tmp = tempfile.mkdtemp(prefix="distcc-cppmode-")
    try:
        tot = {"full": [0, 0, 0, 0], "directives-only": [0, 0, 0, 0]}
        rows = []
        for job in jobs(tmp):
            r = {m: measure(job, m, args.reps, tmp, compress) for m in tot}
            for m in tot:
                tot[m] = [a + b for a, b in zip(tot[m], r[m])]
            rows.append((job[0], r))
        print("| file | mode | client cpp CPU ms | bytes | LZO bytes | server compile CPU ms |")
        print("|---|---|---:|---:|---:|---:|")
        for name, r in [(n, r) for n, r in rows if n.startswith("stl")] + \
                [("all %d C files of this tree + stl.cc" % (len(rows) - 1), tot)]:
            for m in ("full", "directives-only"):
                cpu, raw, packed, srv = r[m]
                print("| %s | %s | %.0f | %d | %d | %.0f |" % (name, m, cpu * 1000, raw, packed,
                                                            srv * 1000))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
