# SPDX-License-Identifier: GPL-2.0-or-later
"""An autoconf project (configure.ac -> configure, Makefile.in, config.h)
built the classic way: the masquerade dir first in PATH, ./configure, make
-j. configure's conftest programs stay local (the daemon never sees a
conftest job); the project's own objects are all compiled remotely."""
import os
import shutil

import pytest

from ecosystem_helpers import (needs_client, c_library, client_env, compiled_inputs, ecosystem_daemon, jobs,
                               masq_dir, run, world_dir, write_files)

pytestmark = [needs_client,
              pytest.mark.skipif(not shutil.which("autoconf"), reason="autoconf not installed")]

CONFIGURE_AC = """\
AC_INIT([eco], [1.0])
AC_CONFIG_SRCDIR([main.c])
AC_CONFIG_HEADERS([config.h])
AC_PROG_CC
AC_CHECK_HEADERS([stdint.h unistd.h])
AC_CHECK_FUNCS([strdup])
AC_CHECK_SIZEOF([long])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
"""

MAKEFILE_IN = """\
CC = @CC@
CFLAGS = @CFLAGS@
DEFS = @DEFS@
OBJS = %s
all: prog
prog: $(OBJS)
\t$(CC) $(CFLAGS) -o $@ $(OBJS)
%%.o: %%.c mods.h config.h
\t$(CC) $(DEFS) -I. $(CFLAGS) -c $< -o $@
"""


def test_configure_and_make_with_masquerade_path():
    work = world_dir("eco-autotools-")
    files, expected = c_library(6)
    files["main.c"] = '#include "config.h"\n' + files["main.c"].replace(
        "int main(void) {", "int main(void) { if (SIZEOF_LONG < 4) return 1;")
    srcs = sorted(k for k in files if k.endswith(".c"))
    files["configure.ac"] = CONFIGURE_AC
    files["Makefile.in"] = MAKEFILE_IN % " ".join(s[:-2] + ".o" for s in srcs)
    write_files(work, files)
    try:
        run(["autoconf"], work, dict(os.environ))
        run(["autoheader"], work, dict(os.environ))
        masq = masq_dir(os.path.join(work, "masq"))
        with ecosystem_daemon() as d:
            env = client_env(work, "127.0.0.1:%d/4" % d.port, path_prefix=[masq])
            cfg = run(["./configure"], work, env)
            assert "checking for gcc... gcc" in cfg.stdout
            with open(os.path.join(work, "config.h")) as f:
                assert "#define HAVE_STRDUP 1" in f.read()
            # (the only connection so far is the test helper's start-up probe)
            assert [j for j in jobs(d) if j[2]] == [], "conftest compiles must stay local"
            run(["make", "-j4"], work, env)
            assert run(["./prog"], work, env).stdout.strip() == str(expected)
            assert compiled_inputs(d) == srcs
            assert not any("conftest" in (j[2] or "") for j in jobs(d))
    finally:
        shutil.rmtree(work, ignore_errors=True)
