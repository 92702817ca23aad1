# SPDX-License-Identifier: GPL-2.0-or-later
"""Signals and where messages go: SIGHUP/SIGINT ignored by the parent
(nohup, background jobs of scripts) stay ignored for distcc and for the
compiler it runs; a SIGHUP that is not ignored removes distcc's temp files
and state and re-raises; UNCACHED_ERR_FD (set by ccache) receives distcc's
own messages instead of stderr, which stays the compiler's."""
import os
import signal
import subprocess
import time

import pytest

from client_helpers import HELLO_C, FakeServer, client_env, write
from conftest import binary

SIGIGN_PROBE = "#!/bin/sh\ngrep '^SigIgn:' /proc/$$/status > \"$PROBE_OUT\"\n"


def ignore(*sigs):
    """preexec_fn: @sigs ignored, the others as a login shell has them (the
    test runner itself may run under nohup, which ignores SIGHUP)."""
    def pre():
        for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_DFL)
        for s in sigs:
            signal.signal(s, signal.SIG_IGN)
    return pre


def sigign_mask(tmp_path, preexec):
    probe = tmp_path / "probe"
    write(str(probe), SIGIGN_PROBE, 0o755)
    out = tmp_path / "sigign"
    env = client_env(tmp_path, "", PROBE_OUT=str(out))
    # no -c: a link, always run locally in place of distcc
    r = subprocess.run([binary("distcc"), str(probe), "x.o"], env=env, cwd=tmp_path,
                       preexec_fn=preexec, capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return int(out.read_text().split()[1], 16)


def bit(sig):
    return 1 << (sig - 1)


def test_ignored_signals_stay_ignored_for_the_compiler(tmp_path):
    mask = sigign_mask(tmp_path, ignore(signal.SIGHUP, signal.SIGINT, signal.SIGPIPE))
    assert mask & bit(signal.SIGHUP) and mask & bit(signal.SIGINT)
    assert mask & bit(signal.SIGPIPE)
    mask = sigign_mask(tmp_path, ignore())
    assert not mask & (bit(signal.SIGHUP) | bit(signal.SIGINT) | bit(signal.SIGPIPE))


def stalled_job(tmp_path, preexec, **env_extra):
    """distcc waiting on a server that never answers; returns (proc, env)."""
    f = FakeServer("stall")
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, f.hostspec, **env_extra)
    p = subprocess.Popen([binary("distcc"), "gcc", "-c", "x.c", "-o", "x.o"], env=env,
                         cwd=tmp_path, preexec_fn=preexec, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    state = tmp_path / "dcc" / "state" / ("binstate_%d" % p.pid)
    end = time.monotonic() + 20
    while phase(state) != PHASE_COMPILE and time.monotonic() < end:
        time.sleep(0.02)
    assert phase(state) == PHASE_COMPILE, "distcc never sent the job"
    return p, f, state


PHASE_COMPILE = 5


def phase(state):
    """The phase field of a 296-byte monitor record (offset 284), or None."""
    try:
        data = state.read_bytes()
    except FileNotFoundError:
        return None
    return int.from_bytes(data[284:288], "little") if len(data) == 296 else None


def test_nohup_job_survives_sighup(tmp_path):
    p, f, _ = stalled_job(tmp_path, ignore(signal.SIGHUP), DISTCC_IO_TIMEOUT=2)
    try:
        p.send_signal(signal.SIGHUP)
        _, err = p.communicate(timeout=30)
    finally:
        f.close()
    assert p.returncode == 0, err
    assert b"running locally instead" in err
    assert (tmp_path / "x.o").exists()


def test_sighup_cleans_up_and_reraises(tmp_path):
    p, f, state = stalled_job(tmp_path, ignore(), DISTCC_IO_TIMEOUT=30)
    try:
        temps = [n for n in os.listdir(tmp_path) if n.startswith("distcc_")]
        assert temps, "no preprocessor temp file while the job runs"
        assert state.exists()
        p.send_signal(signal.SIGHUP)
        p.communicate(timeout=30)
    finally:
        f.close()
    assert p.returncode == -signal.SIGHUP
    assert [n for n in os.listdir(tmp_path) if n.startswith("distcc_")] == []
    assert not state.exists()
    assert not (tmp_path / "x.o").exists()


@pytest.mark.sanitize
def test_uncached_err_fd_gets_distcc_messages(tmp_path):
    f = FakeServer("close")
    write(str(tmp_path / "x.c"), HELLO_C + b"#warning from the compiler\n")
    rfd, wfd = os.pipe()
    env = client_env(tmp_path, f.hostspec, UNCACHED_ERR_FD=wfd)
    try:
        r = subprocess.run([binary("distcc"), "gcc", "-c", "x.c", "-o", "x.o"], env=env,
                           cwd=tmp_path, pass_fds=(wfd,), capture_output=True, timeout=60)
    finally:
        os.close(wfd)
        f.close()
    with os.fdopen(rfd, "rb") as fd:
        side = fd.read()
    assert r.returncode == 0, r.stderr
    assert b"failed to distribute 'x.c'" in side, side
    assert b"running locally instead" in side
    # stderr carries the compiler's output only (ccache caches it)
    assert b"from the compiler" in r.stderr
    assert b"distcc" not in r.stderr, r.stderr
    # an fd that is not open: messages stay on stderr
    env["UNCACHED_ERR_FD"] = "250"
    f = FakeServer("close")
    env["DISTCC_HOSTS"] = f.hostspec
    try:
        r = subprocess.run([binary("distcc"), "gcc", "-c", "x.c", "-o", "x.o"], env=env,
                           cwd=tmp_path, capture_output=True, timeout=60)
    finally:
        f.close()
    assert r.returncode == 0
    assert b"failed to distribute 'x.c'" in r.stderr
