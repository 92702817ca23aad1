# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the pump-mode client suites: a multi-directory C and C++
project whose headers take every road the include analysis must follow
(computed includes, include_next, -iquote, -include, symlinked headers and
directories, __has_include), compiler wrappers that log every local
preprocessor run, and runners for `pump make`."""
import filecmp
import os
import subprocess

from client_helpers import client_env, world_dir, write
from conftest import binary

# Names a client may run (the triplet names are what gcc/g++ are rewritten to).
WRAPPED = ["cc", "c++", "gcc", "g++", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++",
           "gcc-12", "g++-12", "x86_64-linux-gnu-gcc-12", "x86_64-linux-gnu-g++-12",
           "clang", "clang++"]

PROJECT = {
    # computed include, resolved over both definitions of the macro
    "include/config.h": '#pragma once\n#ifdef USE_ALT\n#define PLATFORM "platform/alt.h"\n'
                        '#else\n#define PLATFORM "platform/linux.h"\n#endif\n#include PLATFORM\n',
    "include/platform/linux.h": "#pragma once\n#define PLATFORM_NAME \"linux\"\n",
    "include/platform/alt.h": "#pragma once\n#define PLATFORM_NAME \"alt\"\n",
    # include_next through two directories of the same header
    "wrap/first/ext.h": "#pragma once\n#include_next <ext.h>\n#define EXT_FIRST 1\n",
    "wrap/second/ext.h": "#pragma once\n#define EXT_SECOND 2\n",
    # -iquote only for "..." includes
    "quoted/q.h": "#pragma once\n#define QUOTED 7\n",
    # forced with -include
    "include/force.h": "#pragma once\n#define FORCED 11\n",
    # symlinked header and symlinked directory (made in write_project)
    "real/alias_real.h": "#pragma once\n#define ALIAS 5\n",
    "real/sub/deep.h": "#pragma once\n#define DEEP 9\n",
    # __has_include of a header that exists and of one that does not
    "include/optional.h": "#pragma once\n#define OPTIONAL 13\n",
    "include/shapes.h": '#pragma once\n#ifdef __cplusplus\nextern "C" {\n#endif\n'
                        "int area(int w, int h);\nint total(void);\n#ifdef __cplusplus\n}\n#endif\n",
    "src/core/area.c": '#include "config.h"\n#include <ext.h>\n#include "q.h"\n#include "alias.h"\n'
                       '#include "linked/deep.h"\n#include "shapes.h"\n'
                       '#if __has_include("optional.h")\n#include "optional.h"\n#endif\n'
                       '#if __has_include("missing.h")\n#include "missing.h"\n#endif\n'
                       "int area(int w, int h) { return w * h + EXT_FIRST + EXT_SECOND + QUOTED"
                       " + FORCED + ALIAS + DEEP + OPTIONAL; }\n",
    "src/core/total.c": '#include <stdio.h>\n#include <string.h>\n#include "shapes.h"\n'
                        '#include "config.h"\n'
                        "int total(void) { return (int)strlen(PLATFORM_NAME) + area(2, 3); }\n",
    "src/app/main.cpp": '#include <iostream>\n#include <vector>\n#include <ext.h>\n#include "shapes.h"\n'
                        '#include "q.h"\n#define SQUARE(x) ((x) * (x))\n#define LOG(v) std::cout << #v'
                        ' << "=" << (v) << "\\n"\n'
                        "int main() { std::vector<int> v{1, 2, 3}; int s = 0;\n"
                        "  for (int x : v) s += SQUARE(x);\n  LOG(s); LOG(total()); LOG(FORCED);\n"
                        "  return 0; }\n",
    "src/app/util.cc": '#include <string>\n#include <map>\n#include "config.h"\n'
                       '#define KEY(n) std::string("k") + std::to_string(n)\n'
                       "std::map<std::string, int> table() { std::map<std::string, int> m;\n"
                       "  for (int i = 0; i < 4; i++)\n    m[KEY(i)] = i;\n  m[PLATFORM_NAME] = 1;\n"
                       "  return m; }\n",
    "Makefile": "OBJS = src/core/area.o src/core/total.o src/app/main.o src/app/util.o\n"
                "FLAGS = -Iinclude -Iwrap/first -Iwrap/second -iquote quoted -include"
                " include/force.h -Ireal\n"
                "OPT ?= -O2\n"
                "CFLAGS = $(OPT) -Wall $(FLAGS) -MD\n"
                "CXXFLAGS = $(OPT) -Wall $(FLAGS) -MMD -MP\n"
                "all: prog\n"
                "prog: $(OBJS)\n\t$(CXX) -o $@ $(OBJS)\n"
                "%.o: %.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n"
                "%.o: %.cc\n\t$(CXX) $(CXXFLAGS) -c $< -o $@\n"
                "%.o: %.cpp\n\t$(CXX) $(CXXFLAGS) -c $< -o $@\n"
                "clean:\n\trm -f prog $(OBJS) $(OBJS:.o=.d)\n"
                "-include $(OBJS:.o=.d)\n",
}
OBJS = ["src/core/area.o", "src/core/total.o", "src/app/main.o", "src/app/util.o"]
SOURCES = ["src/core/area.c", "src/core/total.c", "src/app/main.cpp", "src/app/util.cc"]


def write_project(d):
    for name, text in PROJECT.items():
        write(os.path.join(d, name), text)
    os.symlink("../real/alias_real.h", os.path.join(d, "include", "alias.h"))
    os.symlink("../real/sub", os.path.join(d, "include", "linked"))
    return d


def wrapper_dir(log):
    """A directory of compiler wrappers that append every command line with
    -E (a local preprocessor run) to @log, then run the real compiler."""
    d = world_dir("distcc-pump-wrap-")
    for name in WRAPPED:
        real = "/usr/bin/" + name
        if not os.path.exists(real):
            continue
        write(os.path.join(d, name),
              '#!/bin/sh\nfor a; do [ "$a" = -E ] && { echo "%s $*" >> "%s"; break; }; done\n'
              'exec "%s" "$@"\n' % (name, log, real), 0o755)
    return d


def pump_env(tmp, hosts, wrap, **extra):
    """Client environment for `pump make`: wrappers first on PATH."""
    e = client_env(tmp, hosts, **extra)
    e["PATH"] = wrap + ":" + os.path.dirname(binary("distcc")) + ":/usr/local/bin:/usr/bin:/bin"
    return e


def make_cmd(*args, jobs=8, pump=True):
    dcc = binary("distcc")
    cmd = ["make", "-j%d" % jobs, "CC=%s gcc" % dcc, "CXX=%s g++" % dcc] + list(args)
    return [binary("pump")] + cmd if pump else cmd


def run(cmd, cwd, env, timeout=300):
    return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def local_build(d, env, *args):
    """The reference: the same Makefile with the compilers run directly."""
    p = run(["make", "-j4", "CC=gcc", "CXX=g++"] + list(args), d, env)
    assert p.returncode == 0, p.stderr.decode()
    return snapshot(d)


def snapshot(d, exts=(".o", ".d")):
    out = {}
    for root, _, names in os.walk(d):
        for n in names:
            if n.endswith(exts):
                p = os.path.join(root, n)
                with open(p, "rb") as f:
                    out[os.path.relpath(p, d)] = f.read()
    return out


def preprocessor_runs(log, project):
    """Local -E runs that named a file of @project (the include server's
    one-off probe of the compiler's default directories names none)."""
    try:
        with open(log) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return []
    return [l for l in lines if project in l or any(s in l.split() for s in SOURCES)]


def same_files(a, b):
    return filecmp.cmp(a, b, shallow=False)
