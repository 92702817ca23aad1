# SPDX-License-Identifier: GPL-2.0-or-later
"""CMake with CMAKE_C_COMPILER_LAUNCHER / CMAKE_CXX_COMPILER_LAUNCHER set to
distcc: a C library plus a C++ program, built with make -j; every object is
compiled by the daemon, the program runs and prints the right answer."""
import os
import shutil

import pytest

from ecosystem_helpers import (needs_client, c_library, client, client_env, compiled_inputs, ecosystem_daemon,
                               run, world_dir, write_files)

pytestmark = [needs_client,
              pytest.mark.skipif(not shutil.which("cmake"), reason="cmake not installed")]


def test_cmake_compiler_launcher():
    work = world_dir("eco-cmake-")
    lib, expected = c_library(6)
    files = {"src/" + k: v for k, v in lib.items() if k != "main.c"}
    files["src/app.cpp"] = ('#include <iostream>\n#include <numeric>\n#include <vector>\n'
                            'extern "C" {\n#include "mods.h"\n}\n'
                            "int main() { std::vector<long> v{%s};\n"
                            "  std::cout << std::accumulate(v.begin(), v.end(), 0L) << '\\n'; }\n"
                            % ", ".join("mod%d()" % i for i in range(6)))
    files["CMakeLists.txt"] = (
        "cmake_minimum_required(VERSION 3.13)\n"
        "project(eco C CXX)\n"
        "add_library(mods STATIC %s)\n"
        "add_executable(app src/app.cpp)\n"
        "target_include_directories(app PRIVATE src)\n"
        "target_link_libraries(app mods)\n"
        % " ".join("src/mod%d.c" % i for i in range(6)))
    write_files(work, files)
    try:
        with ecosystem_daemon() as d:
            env = client_env(work, "127.0.0.1:%d/4" % d.port)
            build = os.path.join(work, "build")
            run(["cmake", "-S", work, "-B", build, "-G", "Unix Makefiles",
                 "-DCMAKE_BUILD_TYPE=Release",
                 "-DCMAKE_C_COMPILER_LAUNCHER=" + client(),
                 "-DCMAKE_CXX_COMPILER_LAUNCHER=" + client()], work, env)
            run(["cmake", "--build", build, "--", "-j4"], work, env)
            out = run([os.path.join(build, "app")], work, env).stdout
            assert out.strip() == str(expected)
            assert compiled_inputs(d) == sorted(["app.cpp"] + ["mod%d.c" % i for i in range(6)])
            assert " COMPILE_ERROR " not in d.logtext()
    finally:
        shutil.rmtree(work, ignore_errors=True)
