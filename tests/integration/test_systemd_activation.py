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

from conftest import BUILD, DEBIAN_DISTCC
from distccd_fixture import Distccd

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


def activate(style, extra=(), idle=None):
    """Our distccd behind systemd-socket-activate in @style, logging to stderr."""
    args = ["--allow", "127.0.0.1"] + (["--idle-exit", str(idle)] if idle is not None else [])
    return Distccd(args + list(extra), how=style, masq=None, log="stderr", log_level="info",
                   wait="listen")


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


def ok_jobs(d, want=1):
    """Jobs logged COMPILE_OK, waiting a little for @want: the server logs
    a job after the client already has its reply."""
    return d.count("COMPILE_OK", at_least=want)


@pytest.mark.sanitize
@pytest.mark.parametrize("client", clients())
def test_listening_socket_is_served_then_idle_exit(work, client):
    with activate("listen", idle=2) as d:
        compile_remote(client, work, d.port, "one")
        compile_remote(client, work, d.port, "two")
        assert ok_jobs(d, 2) == 2, d.logtext()
        # one daemon served both (it took over the listening socket) ...
        assert d.proc.poll() is None
        # ... and leaves on its own once idle, with success
        assert d.proc.wait(timeout=15) == 0, d.logtext()


@pytest.mark.sanitize
@pytest.mark.parametrize("client", clients())
def test_accept_yes_connected_fd3(work, client):
    with activate("accept") as d:
        compile_remote(client, work, d.port, "one")
        compile_remote(client, work, d.port, "two")
        assert ok_jobs(d, 2) == 2, d.logtext()
        text = d.logtext()
        # a fresh process per connection: two different pids logged the jobs
        pids = {l.split("]")[0] for l in text.splitlines() if "COMPILE_OK" in l}
        assert len(pids) == 2, text


@pytest.mark.sanitize
@pytest.mark.parametrize("client", clients())
def test_inetd_stdin(work, client):
    with activate("inetd") as d:
        compile_remote(client, work, d.port)
        assert ok_jobs(d) == 1, d.logtext()


@pytest.mark.sanitize
def test_accept_yes_checks_the_allow_list(work):
    """A connected socket from systemd is still subject to --allow."""
    with Distccd(["--allow", "10.9.9.9"], how="accept", masq=None, log="stderr",
                 log_level=None) as d:
        with socket.create_connection(("127.0.0.1", d.port), timeout=10) as s:
            s.sendall(b"DIST00000001ARGC00000001ARGV00000003gcc")
            assert closed_without_reply(s)
        end = time.monotonic() + 5
        while "denied" not in d.logtext() and time.monotonic() < end:
            time.sleep(0.05)
        assert "denied" in d.logtext() and "127.0.0.1" in d.logtext()


def test_idle_exit_zero_means_never(work):
    with activate("listen", idle=0) as d:
        compile_remote(DEBIAN_DISTCC, work, d.port)
        with pytest.raises(subprocess.TimeoutExpired):
            d.proc.wait(timeout=3)
