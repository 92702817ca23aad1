# SPDX-License-Identifier: GPL-2.0-or-later
"""Confinement of the compiler process, seen from inside: the whitelisted
name `gcc` resolves (through DISTCCD_PATH) to a probe program that reports
its cwd, environment, rlimits, process group and no_new_privs on stdout
(SOUT), tries to write and read outside the job, and then writes the
object file so the job succeeds."""
import json
import os
import resource
import shutil
import subprocess

import pytest

from conftest import binary
from hostile_helpers import Daemon, Scratch, make_masq, raw_job


def asan_build():
    """An ASan daemon refuses to start with a foreign LD_PRELOAD."""
    out = subprocess.run(["ldd", binary("distccd")], capture_output=True, text=True).stdout
    return "libasan" in out

PROBE = r'''#!/usr/bin/python3 -I
import ctypes, json, os, resource, sys
out = sys.argv[sys.argv.index("-o") + 1]
libc = ctypes.CDLL(None, use_errno=True)
PR_GET_NO_NEW_PRIVS = 39

def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as e:
        return e.errno

def write_outside():
    with open(os.path.join(SCRATCH, "escaped"), "w") as f:
        f.write("x")

def read_outside():
    with open(SECRET) as f:
        f.read()

def read_etc():
    with open("/etc/hostname") as f:
        f.read()

def write_job():
    with open("inside.txt", "w") as f:
        f.write("x")

report = {
    "cwd": os.getcwd(),
    "env": dict(os.environ),
    "rlimits": {n: resource.getrlimit(getattr(resource, n))
                for n in ("RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_FSIZE",
                          "RLIMIT_NPROC")},
    "pid": os.getpid(), "pgid": os.getpgid(0), "sid": os.getsid(0),
    "nnp": libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
    "write_outside": attempt(write_outside),
    "read_outside": attempt(read_outside),
    "read_etc": attempt(read_etc),
    "write_job": attempt(write_job),
    "argv": sys.argv,
}
print(json.dumps(report))
with open(out, "wb") as f:
    f.write(b"\x7fELF-not-really")
'''


def probe(args):
    """Run one job whose compiler is the probe; (report, scratch, log)."""
    s = Scratch()
    secret, _ = s.secret()
    bindir = os.path.join(s.dir, "bin")
    os.mkdir(bindir, 0o755)
    s.script(os.path.join("bin", "gcc"),
             PROBE.replace("SCRATCH", repr(s.dir)).replace("SECRET", repr(secret)))
    env = {"DISTCCD_PATH": bindir + ":/usr/bin:/bin",
           "LD_PRELOAD": "" if asan_build() else "libm.so.6", "GCC_EXEC_PREFIX": s.dir + "/", "CPATH": s.dir,
           "COMPILER_PATH": s.dir, "DEPENDENCIES_OUTPUT": s.path("deps"),
           "LANG": "C.UTF-8", "LC_MESSAGES": "C"}
    masq = make_masq(names=["gcc"])
    try:
        with Daemon(masq=masq, env=env, args=args) as d:
            rep = raw_job(d, ["gcc", "-O2", "-c", "t.c", "-o", "t.o"])
            log = d.logtext()
    finally:
        shutil.rmtree(masq, ignore_errors=True)
    assert rep is not None and rep["STAT"] == 0, (rep, log[-2000:])
    assert rep["DOTO"] == b"\x7fELF-not-really"
    return json.loads(rep["SOUT"]), s, log


@pytest.fixture(scope="module")
def probe_run():
    run = probe(["--job-lifetime", "30"])
    yield run
    run[1].cleanup()


@pytest.mark.sanitize
def test_cwd_is_job_dir(probe_run):
    r, s, _ = probe_run
    assert os.path.basename(r["cwd"]).startswith("distccd")
    assert r["env"]["TMPDIR"] == r["cwd"]
    # the rewritten argv names files inside the job dir
    assert "/" not in r["argv"][r["argv"].index("-o") + 1]
    assert not os.path.exists(r["cwd"])       # removed after the job


@pytest.mark.sanitize
def test_environment_minimal(probe_run):
    r, s, _ = probe_run
    env = r["env"]
    assert set(env) <= {"PATH", "TMPDIR", "LANG", "LANGUAGE", "LC_MESSAGES", "LC_ALL",
                        "LC_CTYPE", "PWD"}, env
    assert env["PATH"].startswith(os.path.join(s.dir, "bin") + ":")
    assert env["LANG"] == "C.UTF-8"
    for bad in ("LD_PRELOAD", "GCC_EXEC_PREFIX", "CPATH", "COMPILER_PATH",
                "DEPENDENCIES_OUTPUT"):
        assert bad not in env


def test_rlimits(probe_run):
    r, _, _ = probe_run
    lim = r["rlimits"]
    assert lim["RLIMIT_CORE"] == [0, 0]
    assert lim["RLIMIT_CPU"] == [31, 31]          # --job-lifetime 30
    assert lim["RLIMIT_AS"] == [8 << 30, 8 << 30]
    assert lim["RLIMIT_FSIZE"] == [1 << 30, 1 << 30]
    assert lim["RLIMIT_NPROC"][0] != resource.RLIM_INFINITY
    assert 64 <= lim["RLIMIT_NPROC"][0] < 1 << 20


@pytest.mark.parametrize("as_opt, fsize_opt, want_as, want_fsize", [
    ("3G", "256M", 3 << 30, 256 << 20),
    ("infinity", "infinity", resource.RLIM_INFINITY, resource.RLIM_INFINITY)])
def test_rlimits_from_options(as_opt, fsize_opt, want_as, want_fsize):
    """--job-address-space and --job-file-size set the compiler's limits."""
    r, s, _ = probe(["--job-address-space", as_opt, "--job-file-size", fsize_opt])
    s.cleanup()
    lim = r["rlimits"]
    assert lim["RLIMIT_AS"] == [want_as, want_as]
    assert lim["RLIMIT_FSIZE"] == [want_fsize, want_fsize]
    assert lim["RLIMIT_CPU"] == [301, 301]        # untouched: the default --job-lifetime + 1


def test_process_group_and_no_new_privs(probe_run):
    r, _, _ = probe_run
    assert r["pgid"] == r["pid"]      # its own group: the daemon kills cc1/as with it
    assert r["nnp"] == 1


def test_landlock_confines_files(probe_run):
    r, s, log = probe_run
    if "landlock is not available" in log:
        pytest.skip("kernel without landlock")
    assert r["write_job"] == "ok"
    assert r["write_outside"] == 13, r       # EACCES
    assert r["read_outside"] == 13, r
    assert r["read_etc"] == 13, r            # /etc is not the toolchain
    assert "escaped" not in s.files()
