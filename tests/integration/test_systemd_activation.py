# SPDX-License-Identifier: GPL-2.0-or-later
"""Socket activation without a booted systemd: systemd-socket-activate in
the three styles systemd itself uses (Accept=no: listening fd 3; Accept=yes:
connected fd 3 with LISTEN_FDS=1; inetd: the connection on stdin/stdout),
compiling with Debian's distcc 3.4 client and ours. The daemon's log must
show the job (so a silent local fallback cannot pass)."""
import os
import socket
import subprocess
import time

import pytest

from conftest import BUILD, DEBIAN_DISTCC, binary, free_port, stop, wait_port

HELLO = "int sq(int x) { return x * x; }\n"


def clients():
    ours = os.path.join(BUILD, "distcc")
    return [pytest.param(DEBIAN_DISTCC, id="debian-distcc"),
            pytest.param(ours, id="our-distcc", marks=pytest.mark.skipif(
                not os.access(ours, os.X_OK), reason="our client not built yet"))]


@pytest.fixture
def work(tmp_path):
    os.chmod(tmp_path, 0o755)
    (tmp_path / "hello.c").write_text(HELLO)
    (tmp_path / "state").mkdir()
    return tmp_path


def activate(work, style, extra=(), idle=None):
    """Start systemd-socket-activate in @style; returns (proc, port, logpath)."""
    port = free_port()
    log = work / ("distccd-%s.log" % style)
    cmd = ["systemd-socket-activate", "--listen=127.0.0.1:%d" % port]
    if style in ("accept", "inetd"):
        cmd.append("--accept")
    if style == "inetd":
        cmd.append("--inetd")
    cmd += [binary("distccd"), "--log-stderr", "--log-level", "info", "--allow", "127.0.0.1"]
    if idle is not None:
        cmd += ["--idle-exit", str(idle)]
    cmd += list(extra)
    errf = open(log, "w")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errf)
    errf.close()
    assert wait_port_listening(port), log.read_text()
    return proc, port, log


def wait_port_listening(port, timeout=10):
    """Like wait_port, but without connecting (a connection would start a job)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = subprocess.run(["ss", "-Hltn", "sport = :%d" % port], capture_output=True,
                             text=True).stdout
        if out.strip():
            return True
        time.sleep(0.02)
    return False


def compile_remote(client, work, port, name="hello"):
    env = dict(os.environ, DISTCC_HOSTS="127.0.0.1:%d" % port, DISTCC_DIR=str(work / "state"),
               DISTCC_FALLBACK="0", DISTCC_SKIP_LOCAL_RETRY="1", DISTCC_BACKOFF_PERIOD="0")
    obj = work / (name + ".o")
    p = subprocess.run([client, "gcc", "-c", str(work / "hello.c"), "-o", str(obj)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert obj.read_bytes()[:4] == b"\x7fELF"
    return p


def closed_without_reply(sock):
    """A refusal is silent (like 3.4): EOF, or a reset for the unread request."""
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:
        return True


def ok_jobs(log):
    return log.read_text().count("COMPILE_OK")


@pytest.mark.sanitize
@pytest.mark.parametrize("client", clients())
def test_listening_socket_is_served_then_idle_exit(work, client):
    proc, port, log = activate(work, "listen", idle=2)
    try:
        compile_remote(client, work, port, "one")
        compile_remote(client, work, port, "two")
        assert ok_jobs(log) == 2, log.read_text()
        # one daemon served both (it took over the listening socket) ...
        assert proc.poll() is None
        # ... and leaves on its own once idle, with success
        assert proc.wait(timeout=15) == 0, log.read_text()
    finally:
        stop(proc)


@pytest.mark.sanitize
@pytest.mark.parametrize("client", clients())
def test_accept_yes_connected_fd3(work, client):
    proc, port, log = activate(work, "accept")
    try:
        compile_remote(client, work, port, "one")
        compile_remote(client, work, port, "two")
        text = log.read_text()
        assert ok_jobs(log) == 2, text
        # a fresh process per connection: two different pids logged the jobs
        pids = {l.split("]")[0] for l in text.splitlines() if "COMPILE_OK" in l}
        assert len(pids) == 2, text
    finally:
        stop(proc)


@pytest.mark.sanitize
@pytest.mark.parametrize("client", clients())
def test_inetd_stdin(work, client):
    proc, port, log = activate(work, "inetd")
    try:
        compile_remote(client, work, port)
        assert ok_jobs(log) == 1, log.read_text()
    finally:
        stop(proc)


@pytest.mark.sanitize
def test_accept_yes_checks_the_allow_list(work):
    """A connected socket from systemd is still subject to --allow."""
    port = free_port()
    log = work / "deny.log"
    errf = open(log, "w")
    proc = subprocess.Popen(["systemd-socket-activate", "--listen=127.0.0.1:%d" % port, "--accept",
                             binary("distccd"), "--log-stderr", "--allow", "10.9.9.9"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errf)
    errf.close()
    try:
        assert wait_port_listening(port)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"DIST00000001ARGC00000001ARGV00000003gcc")
            assert closed_without_reply(s)
        end = time.monotonic() + 5
        while "denied" not in log.read_text() and time.monotonic() < end:
            time.sleep(0.05)
        assert "denied" in log.read_text() and "127.0.0.1" in log.read_text()
    finally:
        stop(proc)


def test_idle_exit_zero_means_never(work):
    proc, port, log = activate(work, "listen", idle=0)
    try:
        compile_remote(DEBIAN_DISTCC, work, port)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=3)
    finally:
        stop(proc)
