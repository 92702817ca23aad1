# SPDX-License-Identifier: GPL-2.0-or-later
"""The shipped units: generated from the .in templates with the configured
paths, silent under `systemd-analyze verify` (stderr checked, since verify
returns 0 on unknown keys), sandboxed to a low exposure score, and installed
by `make install` into DESTDIR-clean Debian and Arch layouts."""
import os
import re

import pytest

from conftest import TOP
import systemd_helpers as sh


@pytest.fixture
def units(tmp_path):
    return sh.make_units(str(tmp_path / "gen"), sh.unit_sbindir(tmp_path), "/etc/conf.d")


def test_units_generated_with_configured_paths(units, tmp_path):
    svc = open(os.path.join(units, "distccd.service")).read()
    sbindir = sh.unit_sbindir(tmp_path)
    assert re.search(r"^ExecStart=%s/distccd --no-detach \$DISTCC_ARGS$" % re.escape(sbindir),
                     svc, re.M)
    assert "EnvironmentFile=-/etc/conf.d/distccd" in svc
    assert "@" not in re.sub(r"distccd@|%i|@system-service|@mount|@swap|@reboot|@raw-io"
                             r"|@module|@obsolete|@debug|@cpu-emulation|@clock", "", svc)
    inst = open(os.path.join(units, "distccd@.service")).read()
    # both services carry the same sandbox block
    for key in ("\nCapabilityBoundingSet=\n", "\nUser=distccd\n", "\nDynamicUser=yes\n",
                "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                "MemoryDenyWriteExecute=yes", "SyslogIdentifier=distccd",
                "\nMemoryMax=75%\n", "\nOOMPolicy=continue\n"):
        assert key in svc and key in inst, key
    assert "\nTasksMax=4096\n" in svc and "\nTasksMax=256\n" in inst
    assert not re.search(r"^ExecStart=.*--user", svc + inst, re.M)
    # Accept=yes instances must not use StandardInput=socket: it drops LISTEN_FDS
    assert "StandardInput=socket" not in inst


@pytest.mark.parametrize("name", sh.UNIT_NAMES)
def test_verify_is_silent(units, name):
    p = sh.analyze_verify([os.path.join(units, name)])
    assert p.returncode == 0
    assert p.stderr == "" and p.stdout == "", p.stderr + p.stdout


def test_verify_catches_a_bad_key(units, tmp_path):
    """The check above can fail: an unknown key is reported on stderr."""
    bad = tmp_path / "distccd.service"
    bad.write_text(open(os.path.join(units, "distccd.service")).read()
                   + "\n[Service]\nNoSuchKey=1\n")
    p = sh.analyze_verify([str(bad)])
    assert "NoSuchKey" in p.stderr


def test_accept_yes_dropin_verifies(units, tmp_path):
    """The documented Accept=yes drop-in, applied to the socket."""
    d = tmp_path / "sys"
    (d / "distccd.socket.d").mkdir(parents=True)
    for n in sh.UNIT_NAMES:
        (d / n).write_text(open(os.path.join(units, n)).read())
    (d / "distccd.socket.d" / "accept-yes.conf").write_text(
        open(os.path.join(TOP, "units", "accept-yes.conf")).read())
    p = sh.analyze_verify([str(d / "distccd.socket")])
    assert p.stderr == "" and p.stdout == "", p.stderr


@pytest.mark.parametrize("name", ["distccd.service", "distccd@.service"])
def test_exposure_is_low(units, name):
    # README documents the score; a regression in the sandbox raises it
    assert sh.exposure(os.path.join(units, name)) <= 2.0


@pytest.mark.parametrize("layout", ["debian", "arch"])
def test_make_install_layout(tmp_path, layout):
    dest = str(tmp_path / "dest")
    if layout == "debian":
        args = ["PREFIX=/usr", "SYSTEMDUNITDIR=/lib/systemd/system", "CONFDDIR=/etc/default"]
        unitdir, confd = "/lib/systemd/system", "/etc/default"
    else:
        args = ["PREFIX=/usr", "SBINDIR=/usr/bin", "SYSTEMDUNITDIR=/usr/lib/systemd/system"]
        unitdir, confd = "/usr/lib/systemd/system", "/etc/conf.d"
    sh.run(["make", "-s", "-C", TOP, "BUILD=" + sh.BUILD, "DESTDIR=" + dest, "install"] + args,
           timeout=300)
    files = sorted(os.path.relpath(os.path.join(d, f), dest)
                   for d, _, fs in os.walk(dest) for f in fs)
    for want in (unitdir + "/distccd.socket", unitdir + "/distccd-stats.socket",
                 unitdir + "/distccd.service",
                 unitdir + "/distccd@.service", confd + "/distccd",
                 "/usr/lib/tmpfiles.d/distccd.conf", "/usr/share/user-tmpfiles.d/distcc.conf"):
        assert want.lstrip("/") in files, (want, files)
    assert all(not f.startswith(dest.lstrip("/")) for f in files)
    svc = open(os.path.join(dest + unitdir, "distccd.service")).read()
    sbin = "/usr/sbin" if layout == "debian" else "/usr/bin"
    assert "ExecStart=%s/distccd " % sbin in svc
    assert "EnvironmentFile=-%s/distccd" % confd in svc
    # a second install keeps the administrator's configuration
    conf = os.path.join(dest + confd, "distccd")
    open(conf, "w").write("DISTCC_ARGS=--mine\n")
    sh.run(["make", "-s", "-C", TOP, "BUILD=" + sh.BUILD, "DESTDIR=" + dest, "install"] + args,
           timeout=300)
    assert open(conf).read() == "DISTCC_ARGS=--mine\n"
