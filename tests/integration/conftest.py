# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared fixtures for the black-box suites: where the binaries under test
are, free loopback ports, and a few process helpers. Suite-specific helpers
live in their own modules (tests/integration/*_helpers.py)."""
import os
import socket
import subprocess
import time

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("DISTCC_TEST_BUILD", os.path.join(TOP, "build"))

DEBIAN_DISTCC = "/usr/bin/distcc"
DEBIAN_DISTCCD = "/usr/bin/distccd"   # Debian 12 installs it in /usr/bin
DEBIAN_MON = "/usr/bin/distccmon-text"


def binary(name):
    """Path of one of our programs in the build under test."""
    p = os.path.join(BUILD, name)
    if not os.access(p, os.X_OK):
        pytest.fail("%s not built (run make)" % p)
    return p


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_port(port, host="127.0.0.1", timeout=10.0, family=socket.AF_INET):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(0.5)
                s.connect((host, port))
                return True
        except OSError:
            time.sleep(0.02)
    return False


def stop(proc, timeout=5):
    """Stop a process we started, by its pid only."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def build_dir():
    return BUILD


@pytest.fixture
def procs():
    """Processes a test starts; all stopped at teardown."""
    started = []
    yield started
    for p in reversed(started):
        stop(p)


@pytest.fixture
def distccd():
    """Start distccds with distccd_fixture.Distccd(...)'s arguments; every one
    is stopped and its files removed at teardown."""
    from distccd_fixture import Distccd
    started = []

    def start(*args, **kw):
        d = Distccd(*args, **kw)
        started.append(d)
        return d

    yield start
    for d in reversed(started):
        d.close()


def pytest_sessionfinish(session, exitstatus):
    """Nothing a test made stays behind in /tmp, also when it failed half-way
    (each xdist worker runs this for its own tests)."""
    import distccd_fixture
    distccd_fixture.remove_made_dirs()
