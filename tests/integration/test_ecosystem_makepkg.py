# SPDX-License-Identifier: GPL-2.0-or-later
"""Arch makepkg's way (BUILDENV=(distcc), makepkg.conf): PATH starts with a
masquerade dir's bin/ subdir (like /usr/lib/distcc/bin), DISTCC_HOSTS lists
two servers with slot limits ("host/5 host/3"), MAKEFLAGS=-j8, CFLAGS
exported, and the project's Makefile relies on make's built-in rules with
CC=cc. Both daemons get work; together they compiled every object."""
import os
import shutil

from ecosystem_helpers import (needs_client, c_library, client_env, compiled_inputs, ecosystem_daemon,
                               masq_dir, run, world_dir, write_files)

pytestmark = needs_client
N = 16
MAKEPKG_CFLAGS = "-march=x86-64 -mtune=generic -O2 -pipe -fno-plt"


def test_makepkg_style_two_hosts():
    work = world_dir("eco-makepkg-")
    files, expected = c_library(N)
    srcs = sorted(k for k in files if k.endswith(".c"))
    # implicit rules only: $(CC) $(CFLAGS) $(CPPFLAGS) -c -o x.o x.c with CC=cc
    files["Makefile"] = "OBJS = %s\nprog: $(OBJS)\n\t$(CC) $(LDFLAGS) -o $@ $(OBJS)\n" \
        "$(OBJS): mods.h\n" % " ".join(s[:-2] + ".o" for s in srcs)
    write_files(work, files)
    try:
        masq = masq_dir(os.path.join(work, "usr/lib/distcc/bin"))
        with ecosystem_daemon(5) as d1, ecosystem_daemon(3) as d2:
            env = client_env(work, "127.0.0.1:%d/5 127.0.0.1:%d/3" % (d1.port, d2.port),
                             path_prefix=[masq], extra={
                                 "MAKEFLAGS": "-j8", "CFLAGS": MAKEPKG_CFLAGS,
                                 "CXXFLAGS": MAKEPKG_CFLAGS, "LDFLAGS": "-Wl,-O1,--sort-common",
                             })
            run(["make"], work, env)
            assert run(["./prog"], work, env).stdout.strip() == str(expected)
            one, two = compiled_inputs(d1), compiled_inputs(d2)
            assert sorted(one + two) == srcs
            assert one and two, "both hosts get jobs with -j8 (got %d and %d)" % (len(one),
                                                                                  len(two))
    finally:
        shutil.rmtree(work, ignore_errors=True)
