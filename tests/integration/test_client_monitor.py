# SPDX-License-Identifier: GPL-2.0-or-later
"""Monitor state files written by the client: distccmon-text (Debian's 3.4
and ours when built) shows a running job during a slow remote compile; state
files are always whole records (UPSTREAM-BUGS E1) and are gone afterwards."""
import os
import shutil
import subprocess
import time

import pytest

from client_helpers import (DEBIAN_MON, HELLO_C, Server, client_env, fake_compiler_dir, write)
from conftest import BUILD, binary


def monitors():
    mons = []
    if os.access(DEBIAN_MON, os.X_OK):
        mons.append(DEBIAN_MON)
    ours = os.path.join(BUILD, "distccmon-text")
    if os.access(ours, os.X_OK):
        mons.append(ours)
    return mons


@pytest.fixture
def slow_server():
    fake = fake_compiler_dir("c", sleep=2.5)
    s = Server("debian", jobs=2, path_prefix=[fake])
    yield s
    s.close()
    shutil.rmtree(fake, ignore_errors=True)


@pytest.mark.parametrize("mon", monitors())
def test_monitor_shows_running_job(tmp_path, slow_server, mon):
    write(str(tmp_path / "slowjob.c"), HELLO_C)
    env = client_env(tmp_path, slow_server.hostspec)
    job = subprocess.Popen([binary("distcc"), "gcc", "-c", "slowjob.c"], cwd=tmp_path, env=env,
                           stderr=subprocess.PIPE)
    seen = ""
    end = time.monotonic() + 10
    while time.monotonic() < end and job.poll() is None:
        out = subprocess.run([mon], env=env, stdout=subprocess.PIPE, timeout=10).stdout.decode()
        if "slowjob.c" in out:
            seen = out
            break
        time.sleep(0.1)
    assert job.wait(30) == 0, job.stderr.read()
    lines = [l for l in seen.splitlines() if "slowjob.c" in l]
    assert lines, "monitor never showed the job"
    fields = lines[0].split()
    assert fields[0] == str(job.pid)
    assert fields[1] in ("Compile", "Send", "Connect", "Preprocess")
    assert "127.0.0.1[0]" in fields[-1]
    state = tmp_path / "dcc" / "state"
    assert os.listdir(state) == []


def test_state_files_are_whole_records(tmp_path, slow_server):
    """E1: readers never see a short file; no temp siblings remain."""
    write(str(tmp_path / "a.c"), HELLO_C)
    env = client_env(tmp_path, slow_server.hostspec)
    job = subprocess.Popen([binary("distcc"), "gcc", "-c", "a.c"], cwd=tmp_path, env=env)
    state = tmp_path / "dcc" / "state"
    reads = 0
    while job.poll() is None:
        for n in os.listdir(state) if state.exists() else []:
            if not n.startswith("binstate_"):
                continue
            try:
                with open(state / n, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                continue
            assert len(data) == 296
            reads += 1
        time.sleep(0.01)
    assert job.returncode == 0
    assert reads > 0
    assert os.listdir(state) == []
