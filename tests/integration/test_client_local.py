# SPDX-License-Identifier: GPL-2.0-or-later
"""Local compiles run as a child distcc waits for, as in distcc 3.4: the job
shows in distccmon-text (Debian's and ours) as "localhost" while it runs, and
to the user nothing else changes from when the compiler was exec'd in
distcc's place: the exit status (a code, or death by the compiler's signal),
stdin/stdout/stderr, and a SIGTERM sent to distcc alone reaches the
compiler, which is gone when distcc is."""
import os
import signal
import subprocess
import time

import pytest

from client_helpers import DEBIAN_MON, HELLO_C, client_env, write
from conftest import BUILD, binary


def monitors():
    mons = [m for m in (DEBIAN_MON, os.path.join(BUILD, "distccmon-text"))
            if os.access(m, os.X_OK)]
    assert mons, "no distccmon-text to test with"
    return mons


def fake_cc(tmp_path, body):
    """A compiler named gcc (and the triple name distcc rewrites gcc to)
    first on PATH; it records its pid in $CC_PID_FILE, then runs @body."""
    d = tmp_path / "bin"
    d.mkdir(exist_ok=True)
    script = '#!/bin/sh\necho $$ > "$CC_PID_FILE"\n' + body + "\n"
    for n in ("gcc", "x86_64-linux-gnu-gcc"):
        write(str(d / n), script, 0o755)
    return str(d)


def env_with(tmp_path, hosts, bindir, **extra):
    return client_env(tmp_path, hosts, PATH=bindir + ":" + os.environ["PATH"],
                      CC_PID_FILE=str(tmp_path / "cc.pid"), **extra)


def wait_file(path, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path) and open(path).read().strip():
            return open(path).read().strip()
        time.sleep(0.02)
    raise AssertionError("%s never appeared" % path)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def monitor_lines(mon, env, job):
    """The monitor's lines for @job once it shows a localhost slot (by pid:
    a command distcc 3.4 keeps local may have no input name to show)."""
    end = time.monotonic() + 15
    while time.monotonic() < end and job.poll() is None:
        out = subprocess.run([mon], env=env, stdout=subprocess.PIPE, timeout=10).stdout.decode()
        lines = [l for l in out.splitlines() if l.split()[:1] == [str(job.pid)]]
        if lines and "localhost[" in lines[0]:
            return lines
        time.sleep(0.05)
    return []


@pytest.mark.parametrize("mon", monitors())
@pytest.mark.parametrize("how", ["localhost-host", "local-only-command"])
def test_monitor_shows_local_compile_as_localhost(tmp_path, mon, how):
    bindir = fake_cc(tmp_path, 'sleep 2; exec /usr/bin/gcc "$@"')
    write(str(tmp_path / "slowlocal.c"), HELLO_C)
    if how == "localhost-host":
        env = env_with(tmp_path, "localhost", bindir)
        args = ["gcc", "-c", "slowlocal.c", "-o", "slowlocal.o"]
    else:   # profiling is never distributed, whatever the host list says
        env = env_with(tmp_path, "127.0.0.1:1", bindir)
        args = ["gcc", "-fprofile-arcs", "-c", "slowlocal.c", "-o", "slowlocal.o"]
    job = subprocess.Popen([binary("distcc")] + args, cwd=tmp_path, env=env,
                           stderr=subprocess.PIPE)
    lines = monitor_lines(mon, env, job)
    assert job.wait(30) == 0, job.stderr.read()
    assert lines, "the monitor never showed the local job"
    fields = lines[0].split()
    assert fields[1] == "Compile"
    if how == "localhost-host":
        assert fields[2] == "slowlocal.c"
    assert fields[-1].startswith("localhost["), lines
    assert (tmp_path / "slowlocal.o").exists()
    assert os.listdir(tmp_path / "dcc" / "state") == []


def test_exit_code_passes_through(tmp_path):
    bindir = fake_cc(tmp_path, "exit 3")
    env = env_with(tmp_path, "localhost", bindir)
    write(str(tmp_path / "x.c"), HELLO_C)
    r = subprocess.run([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                       capture_output=True, timeout=60)
    assert r.returncode == 3, r.stderr
    assert r.stderr == b""


def test_compiler_killed_by_a_signal_kills_distcc_alike(tmp_path):
    """As when exec'd: distcc's own wait status is death by SIGSEGV."""
    bindir = fake_cc(tmp_path, "kill -SEGV $$")
    env = env_with(tmp_path, "localhost", bindir)
    write(str(tmp_path / "x.c"), HELLO_C)
    r = subprocess.run([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                       capture_output=True, timeout=60)
    assert r.returncode == -signal.SIGSEGV, r
    assert not list((tmp_path).glob("core*"))


def test_std_fds_are_the_compilers(tmp_path):
    """stdin, stdout and stderr reach the compiler as distcc got them."""
    bindir = fake_cc(tmp_path, 'read line; echo "out:$line"; echo "err:$line" >&2')
    env = env_with(tmp_path, "localhost", bindir)
    r = subprocess.run([binary("distcc"), "gcc", "-o", "a", "x.o"], cwd=tmp_path, env=env,
                       input=b"hello\n", capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"out:hello\n"
    assert r.stderr == b"err:hello\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signal_to_distcc_alone_reaches_the_compiler(tmp_path, sig):
    bindir = fake_cc(tmp_path, "exec sleep 60")
    env = env_with(tmp_path, "localhost", bindir)
    write(str(tmp_path / "x.c"), HELLO_C)
    # @sig as a login shell has it, even when the test runner runs under nohup
    p = subprocess.Popen([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                         stderr=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(sig, signal.SIG_DFL))
    cc = int(wait_file(str(tmp_path / "cc.pid")))
    assert alive(cc)
    p.send_signal(sig)
    p.communicate(timeout=30)
    assert p.returncode == -sig
    assert not alive(cc), "the compiler outlived distcc"
    assert os.listdir(tmp_path / "dcc" / "state") == []


def test_ctrl_c_to_the_process_group(tmp_path):
    """A terminal's ^C reaches distcc and the compiler alike; both end."""
    bindir = fake_cc(tmp_path, "exec sleep 60")
    env = env_with(tmp_path, "localhost", bindir)
    write(str(tmp_path / "x.c"), HELLO_C)
    p = subprocess.Popen([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                         stderr=subprocess.PIPE, start_new_session=True)
    cc = int(wait_file(str(tmp_path / "cc.pid")))
    os.killpg(p.pid, signal.SIGINT)
    p.communicate(timeout=30)
    assert p.returncode == -signal.SIGINT
    assert not alive(cc)


def test_compiler_that_handles_the_signal_decides_the_status(tmp_path):
    """A compiler that traps SIGTERM and exits 7 makes distcc exit 7, as
    when it ran in distcc's place."""
    bindir = fake_cc(tmp_path, "trap 'kill $!; exit 7' TERM\nsleep 60 & wait $!")
    env = env_with(tmp_path, "localhost", bindir)
    write(str(tmp_path / "x.c"), HELLO_C)
    p = subprocess.Popen([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                         stderr=subprocess.PIPE)
    cc = int(wait_file(str(tmp_path / "cc.pid")))
    time.sleep(0.2)     # let the shell install its trap
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=30)
    assert p.returncode == 7
    assert not alive(cc)
