# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the systemd suites: generating the units with test paths,
`systemd-analyze verify` with stderr checked, and (further down) booting a
real systemd as PID 1 in fresh namespaces and a hand-started journald.
Nothing here needs anything outside this source tree."""
import os
import shutil
import subprocess

from conftest import BUILD, TOP

UNIT_NAMES = ("distccd.socket", "distccd.service", "distccd@.service")


def run(cmd, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 60)
    p = subprocess.run(cmd, **kw)
    if check and p.returncode != 0:
        raise AssertionError("%s: rc=%d\nstdout:%s\nstderr:%s"
                             % (cmd, p.returncode, p.stdout, p.stderr))
    return p


def make_units(outdir, sbindir, confddir="/etc/conf.d"):
    """Generate the units into outdir/units with ExecStart= under sbindir."""
    run(["make", "-s", "-C", TOP, "BUILD=" + outdir, "SBINDIR=" + sbindir,
         "CONFDDIR=" + confddir, "units"])
    return os.path.join(outdir, "units")


def daemon_binary():
    """Our distccd; verify needs ExecStart= to name an existing binary."""
    p = os.path.join(BUILD, "distccd")
    assert os.access(p, os.X_OK), "%s not built (run make)" % p
    return p


def unit_sbindir(tmp_path):
    """Directory for ExecStart=: the build dir once distccd is built there;
    before that, an executable placeholder (verify only checks the path)."""
    if os.access(os.path.join(BUILD, "distccd"), os.X_OK):
        return BUILD
    d = os.path.join(str(tmp_path), "sbin")
    os.makedirs(d, exist_ok=True)
    shutil.copy("/bin/true", os.path.join(d, "distccd"))
    return d


def analyze_verify(paths):
    """systemd-analyze verify returns 0 even on unknown keys: callers
    assert on the output, which must be empty."""
    return run(["systemd-analyze", "verify", "--man=no"] + list(paths), check=False)


def exposure(unit_path):
    """Overall exposure score from `systemd-analyze security --offline=true`."""
    p = run(["systemd-analyze", "security", "--offline=true", "--no-pager", unit_path],
            check=False)
    for line in p.stdout.splitlines():
        if "Overall exposure level" in line:
            return float(line.split(":")[1].split()[0])
    raise AssertionError("no exposure line:\n" + p.stdout + p.stderr)


def tmpfiles(args, env=None):
    return run(["systemd-tmpfiles"] + list(args), check=False, env=env)


def fake_root(root):
    """A --root= tree in which users and groups resolve like on this host."""
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    for f in ("passwd", "group"):
        shutil.copy("/etc/" + f, os.path.join(root, "etc", f))
    return root
