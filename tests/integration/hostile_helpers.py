# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the hostile-client suites: raw protocol jobs against a running
build/distccd (daemon_helpers.Daemon), attack scaffolding (marker files,
fake toolchain programs, secrets outside the job), and the checks every
refusal must pass."""
import os
import shutil
import stat

from daemon_helpers import (Daemon, connect, make_masq, parse_reply, recv_all,  # noqa: F401
                            request, world_dir)

# Preprocessed input, as a v1/v2 client sends it.
PRE = b'# 1 "t.c"\nint f(void) { return 3; }\n'
NORMAL = ["gcc", "-O2", "-c", "t.c", "-o", "t.o"]
ACCESS_DENIED = 113


class Scratch:
    """A world-writable directory outside any job, for markers and bait."""

    def __init__(self):
        self.dir = world_dir("distccd-hostile-")
        os.chmod(self.dir, 0o1777)

    def path(self, name):
        return os.path.join(self.dir, name)

    def script(self, name, body):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(body)
        os.chmod(p, 0o755)
        return p

    def secret(self, name="secret.txt", text="TOPSECRET-4f1d9c"):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text + "\n")
        os.chmod(p, 0o644)
        return p, text

    def files(self):
        return sorted(os.listdir(self.dir))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def raw_job(d, argv, doti=PRE, version=1):
    """Send one job; returns the parsed reply (dict) or None if dropped."""
    with connect(d) as s:
        s.sendall(request(argv, doti, version))
        data = recv_all(s)
    return parse_reply(data) if data else None


def assert_refused(d, argv, reason, version=1):
    """The job is answered with exit 113 and the reason on SERR, and the
    daemon logged the refusal with the same reason."""
    rep = raw_job(d, argv, version=version)
    assert rep is not None, "daemon dropped the connection instead of refusing"
    assert rep["STAT"] == ACCESS_DENIED << 8, (argv, rep["STAT"], rep["SERR"])
    assert rep["DOTO"] == b""
    assert reason.encode() in rep["SERR"], (argv, rep["SERR"])
    assert d.wait_log(reason), d.logtext()[-2000:]
    return rep


def assert_normal_compile_works(d):
    rep = raw_job(d, NORMAL)
    assert rep is not None and rep["STAT"] == 0, rep
    assert rep["DOTO"][:4] == b"\x7fELF"


def tmp_snapshot(dirs=("/tmp", "/var/tmp")):
    """Names directly under the shared temp dirs (to spot stray writes)."""
    out = set()
    for d in dirs:
        try:
            out |= {os.path.join(d, n) for n in os.listdir(d)}
        except OSError:
            pass
    return out


__all__ = ["Daemon", "Scratch", "connect", "make_masq", "raw_job", "assert_refused",
           "assert_normal_compile_works", "tmp_snapshot", "PRE", "NORMAL", "ACCESS_DENIED",
           "stat"]
