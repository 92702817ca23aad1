# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the ecosystem suites (CMake, ccache, autotools, makepkg,
portage): small real projects generated on the fly, masquerade dirs pointing
at our distcc, a clean client environment, and counting what the daemons
really compiled from their per-job log lines."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, binary
from daemon_helpers import Daemon, world_dir

MASQ_NAMES = ["cc", "gcc", "c++", "g++", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++"]

# One notice line per job (DISTCC-REFERENCE 4.5):
# client: IP:PORT RESULT exit:N sig:N core:N ret:N time:Nms [COMPILER INPUT]
JOB_LINE = re.compile(r"client: \S+ (?P<result>[A-Z_]+) exit:-?\d+ sig:\d+ core:\d+ ret:-?\d+ "
                      r"time:\d+ms(?: \[?(?P<compiler>\S+) (?P<input>[^\]\s]+)\]?)?")


def client_built():
    return bool(os.environ.get("DISTCC_TEST_CLIENT")) or os.access(os.path.join(BUILD, "distcc"),
                                                                   os.X_OK)


# Until the client lands in the tree there is no build/distcc to test with.
needs_client = pytest.mark.skipif(not client_built(), reason="our distcc client is not in this "
                                  "tree yet (set DISTCC_TEST_CLIENT=/usr/bin/distcc to try)")


def client():
    """The distcc client under test: ours, or $DISTCC_TEST_CLIENT (e.g.
    /usr/bin/distcc to compare with Debian's 3.4)."""
    return os.environ.get("DISTCC_TEST_CLIENT") or binary("distcc")


def monitor():
    """distccmon-text under test: ours, or $DISTCC_TEST_MON."""
    return os.environ.get("DISTCC_TEST_MON") or binary("distccmon-text")


def heavy_source(name, n=300):
    """A C file that takes about a second at -O2: long enough to be seen
    by the monitor while it compiles."""
    return "".join("double %s_f%d(double *a, int n) { double s = 0; for (int k = 0; k < n; k++) "
                   "s += a[k] * %d.5 / (a[(k * 7) %% n] + 1.0); return s; }\n" % (name, i, i)
                   for i in range(n))


def masq_dir(path, names=MASQ_NAMES, target=None):
    """A client masquerade dir: symlinks named like compilers -> our distcc."""
    os.makedirs(path, exist_ok=True)
    target = target or client()
    for n in names:
        os.symlink(target, os.path.join(path, n))
    return path


def client_env(work, hosts, path_prefix=(), extra=None):
    """Environment for a build through distcc: no DISTCC_* from outside, a
    private DISTCC_DIR, failed remote jobs fail (no silent local fallback)."""
    os.makedirs(os.path.join(work, ".distcc"), exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DISTCC_", "CCACHE_", "MAKEFLAGS", "MFLAGS", "CC", "CXX"))}
    env.update({
        "DISTCC_HOSTS": hosts,
        "DISTCC_DIR": os.path.join(work, ".distcc"),
        "DISTCC_FALLBACK": "0",
        "DISTCC_BACKOFF_PERIOD": "0",
        "PATH": os.pathsep.join(list(path_prefix) + ["/usr/local/bin", "/usr/bin", "/bin"]),
        "LC_ALL": "C",
    })
    env.update(extra or {})
    return env


def run(cmd, cwd, env, timeout=120):
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, "%s failed (%d):\n%s\n%s" % (cmd, p.returncode, p.stdout[-3000:],
                                                          p.stderr[-3000:])
    return p


def jobs(daemon, result=None):
    """[(result, compiler, input)] for every job line in the daemon's log."""
    out = []
    for m in JOB_LINE.finditer(daemon.logtext()):
        if result is None or m.group("result") == result:
            out.append((m.group("result"), m.group("compiler"), m.group("input")))
    return out


def compiled_inputs(daemon):
    """Basenames of the inputs the daemon compiled successfully."""
    return sorted(os.path.basename(j[2]) for j in jobs(daemon, "COMPILE_OK") if j[2])


def ecosystem_daemon(jobs_n=4):
    return Daemon(["--allow", "127.0.0.1", "--jobs", str(jobs_n)])


def write_files(root, files):
    for name, text in files.items():
        p = os.path.join(root, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    os.chmod(root, 0o755)


def c_library(n, prefix="mod"):
    """@n small C modules mod0.c..mod{n-1}.c plus main.c summing their values;
    the program prints the sum (checked against the expected value)."""
    files = {}
    for i in range(n):
        files["%s%d.c" % (prefix, i)] = (
            '#include "mods.h"\n'
            "static int helper(int x) { return x * %d + %d; }\n"
            "int %s%d(void) { int s = 0; for (int k = 0; k < 10; k++) s += helper(k); "
            "return s; }\n" % (i + 1, i, prefix, i))
    files["mods.h"] = "".join("int %s%d(void);\n" % (prefix, i) for i in range(n))
    files["main.c"] = ('#include <stdio.h>\n#include "mods.h"\nint main(void) { long s = 0;\n'
                       + "".join("  s += %s%d();\n" % (prefix, i) for i in range(n))
                       + '  printf("%ld\\n", s); return 0; }\n')
    expected = sum(sum(k * (i + 1) + i for k in range(10)) for i in range(n))
    return files, expected


def makefile_for(sources, program="prog", cc_var="CC"):
    objs = " ".join(s[:-2] + ".o" for s in sources)
    return ("OBJS = %s\n"
            "all: %s\n"
            "%s: $(OBJS)\n\t$(%s) -o $@ $(OBJS)\n"
            "%%.o: %%.c mods.h\n\t$(%s) $(CFLAGS) -c $< -o $@\n"
            "clean:\n\trm -f $(OBJS) %s\n" % (objs, program, program, cc_var, cc_var, program))


def cleanup(*paths):
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)


__all__ = ["needs_client", "client", "monitor", "heavy_source", "masq_dir", "client_env", "run", "jobs", "compiled_inputs", "ecosystem_daemon",
           "write_files", "c_library", "makefile_for", "cleanup", "world_dir", "Daemon"]
