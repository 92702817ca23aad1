# SPDX-License-Identifier: GPL-2.0-or-later
"""Gentoo portage's way (FEATURES=distcc): PATH starts with the masquerade
dir, DISTCC_DIR=${PORTAGE_TMPDIR}/portage/.distcc, MAKEOPTS=-j3; while the
package builds, distccmon-text run with the same DISTCC_DIR shows its jobs
(the way users watch an emerge)."""
import os
import re
import shutil
import subprocess
import time

from ecosystem_helpers import (needs_client, client_env, compiled_inputs, ecosystem_daemon, heavy_source,
                               masq_dir, monitor, run, world_dir, write_files)

pytestmark = needs_client

# distccmon-text: "%6ld  %-10.10s  %-30.30s %24.24s[%d]"
MON_LINE = re.compile(r"^ *(\d+)  (Startup|Blocked|Connect|Preprocess|Send|Compile|Receive)"
                      r" +(heavy\d\.c) +127\.0\.0\.1\[(\d+)\]$", re.M)


def test_portage_distcc_dir_and_monitor():
    work = world_dir("eco-portage-")
    srcs = ["heavy%d.c" % i for i in range(3)]
    files = {s: heavy_source(s[:-2]) for s in srcs}
    files["Makefile"] = "all: %s\n%%.o: %%.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n" % \
        " ".join(s[:-2] + ".o" for s in srcs)
    write_files(work, files)
    distcc_dir = os.path.join(work, "var/tmp/portage/.distcc")
    try:
        masq = masq_dir(os.path.join(work, "usr/lib/distcc/bin"))
        with ecosystem_daemon(3) as d:
            env = client_env(work, "127.0.0.1:%d/3" % d.port, path_prefix=[masq], extra={
                "DISTCC_DIR": distcc_dir, "CFLAGS": "-O2 -pipe", "CC": "x86_64-linux-gnu-gcc"})
            os.makedirs(distcc_dir, exist_ok=True)
            build = subprocess.Popen(["make", "-j3"], cwd=work, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
            seen = set()
            try:
                while build.poll() is None:
                    out = subprocess.run([monitor()], env={"DISTCC_DIR": distcc_dir,
                                                           "PATH": env["PATH"]},
                                         capture_output=True, text=True, timeout=10).stdout
                    seen.update(m.group(3) for m in MON_LINE.finditer(out))
                    time.sleep(0.1)
            finally:
                log = build.communicate(timeout=120)[0]
            assert build.returncode == 0, log
            assert compiled_inputs(d) == srcs
            assert seen, "distccmon-text never showed a job of the build"
            assert seen <= set(srcs)
            assert os.path.isdir(os.path.join(distcc_dir, "state"))
            # once the build is over the monitor is empty again
            out = subprocess.run([monitor()], env={"DISTCC_DIR": distcc_dir}, capture_output=True,
                                 text=True, timeout=10).stdout
            assert not MON_LINE.search(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
