# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd stays available under hostile clients (issue 10): connections
being read take no compile slot, so idle or trickling sockets from one
address (127.0.0.1) do not delay a job from another (127.0.0.2...); an idle
or trickling head is cut at --head-timeout, a body that stops coming soon
after; one address compiles at most --max-per-source jobs at once while
another compiles beside it; a client that half-closes after a complete
request gets its object. Standalone and socket-activated (Accept=no, the
same accept loop behind systemd-socket-activate)."""
import os
import socket
import threading
import time

import pytest

from daemon_helpers import (Distccd, connect, lzo_compress, parse_reply, recv_all, request,
                            tok, tstr)
from hostile_helpers import NORMAL, PRE
from test_daemon_limits import fake, job, pids, wait_running  # noqa: F401  (fixture)

pytestmark = pytest.mark.sanitize

IDLE = b"DIST0000000"       # 11 bytes: not even a whole token
MODES = ["standalone", "listen"]


def daemon(how, args=(), **kw):
    wait = "connect" if how == "standalone" else "listen"
    d = Distccd(list(args), how=how, wait=wait, **kw)
    if how == "standalone":
        # the start-up probe connection holds a place until its child is reaped
        assert d.wait_log("CLI_DISCONN")
    return d


def still_open(s):
    """The daemon has neither closed nor reset @s (nothing to read either)."""
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except (ConnectionResetError, BrokenPipeError):
        return False
    finally:
        s.settimeout(10)


def closed_by_peer(s, timeout=5):
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def idle_sockets(d, n):
    socks = []
    for _ in range(n):
        s = connect(d, source="127.0.0.1")
        s.sendall(IDLE)
        socks.append(s)
    return socks


@pytest.mark.parametrize("how", MODES)
@pytest.mark.parametrize("n_idle", [4, 40])
def test_idle_sockets_do_not_delay_another_address(how, n_idle):
    """With a 30 s head deadline, the job from 127.0.0.2 is answered while
    the idle sockets from 127.0.0.1 are all still open: it never waited for
    their deadline (nor for a slot they might hold)."""
    with daemon(how, ["--jobs", "4", "--head-timeout", "30"]) as d:
        socks = idle_sockets(d, n_idle)
        time.sleep(0.3)
        t0 = time.monotonic()
        with connect(d, timeout=60, source="127.0.0.2") as s:
            s.sendall(request(NORMAL, PRE))
            rep = parse_reply(recv_all(s))
        took = time.monotonic() - t0
        assert rep["STAT"] == 0 and rep["DOTO"][:4] == b"\x7fELF", rep
        held = [s for s in socks if still_open(s)]
        # --jobs 4: --max-per-source 2, so 127.0.0.1 may hold 4 connections
        # and park 4 more; the rest are closed at once
        assert len(held) == min(n_idle, 8), len(held)
        assert took < 30, took          # the idle ones' deadline never came into it
        if n_idle > 8:
            assert d.wait_log("(twice --max-per-source each)")
        for s in socks:
            s.close()


@pytest.mark.parametrize("how", MODES)
def test_idle_head_cut_at_head_deadline(how):
    with daemon(how, ["--head-timeout", "2"]) as d:
        t0 = time.monotonic()
        socks = idle_sockets(d, 2)
        for s in socks:
            assert closed_by_peer(s, timeout=10)
        assert time.monotonic() - t0 < 2 + 3
        assert d.wait_log("request head not complete within 2 s (--head-timeout)")
        for s in socks:
            s.close()


@pytest.mark.parametrize("how", MODES)
def test_trickling_head_cut_at_head_deadline(how):
    """One byte every 0.3 s: the head's deadline is for the whole head."""
    with daemon(how, ["--head-timeout", "2"]) as d:
        data = request(NORMAL, PRE)
        s = connect(d)
        t0, cut = time.monotonic(), None
        for i in range(len(data)):
            try:
                s.send(data[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                cut = time.monotonic()
                break
            if closed_by_peer(s, timeout=0.3):
                cut = time.monotonic()
                break
            if time.monotonic() - t0 > 10:
                break
        s.close()
        assert cut is not None, "trickling client was never cut"
        assert cut - t0 < 2 + 3, cut - t0
        assert d.wait_log("request head not complete within 2 s")


def test_trickling_body_cut_soon():
    """A whole head, then a body announced at 1 MB arriving 10 bytes a
    second: cut about --head-timeout later, long before --io-timeout."""
    with daemon("standalone", ["--head-timeout", "2", "--io-timeout", "60"]) as d:
        head = tok("DIST", 1) + tok("ARGC", len(NORMAL)) + b"".join(tstr("ARGV", a) for a in NORMAL)
        s = connect(d)
        s.sendall(head + tok("DOTI", 1 << 20))
        t0, cut = time.monotonic(), None
        while time.monotonic() - t0 < 20:
            try:
                s.send(b"x" * 5)
            except (BrokenPipeError, ConnectionResetError):
                cut = time.monotonic()
                break
            if closed_by_peer(s, timeout=0.5):
                cut = time.monotonic()
                break
        s.close()
        assert cut is not None and cut - t0 < 2 + 4, cut and cut - t0
        assert d.wait_log("arriving slower than 16 KiB/s")


def test_steady_body_is_not_cut():
    """Progress buys time: a 256 KiB body sent at ~128 KiB/s takes longer
    than --head-timeout 1 and still compiles."""
    with daemon("standalone", ["--head-timeout", "1"]) as d:
        pad = b"/*" + b"x" * (256 * 1024) + b"*/\n"
        data = request(NORMAL, PRE + pad)
        split = data.index(b"DOTI") + 12
        with connect(d, timeout=60) as s:
            s.sendall(data[:split])
            body = data[split:]
            for i in range(0, len(body), 16 * 1024):
                s.sendall(body[i:i + 16 * 1024])
                time.sleep(0.125)
            rep = parse_reply(recv_all(s))
        assert rep["STAT"] == 0 and rep["DOTO"][:4] == b"\x7fELF", rep


def test_one_address_compiles_its_share(fake):
    """--jobs 4 (--max-per-source 2): 127.0.0.1 sends four long jobs; two
    compile, two wait holding no slot; 127.0.0.2's job compiles at once,
    while the first two are still running."""
    masq, env, state, make = fake
    make(30)
    with daemon("standalone", ["--jobs", "4"], masq=masq, env=env) as d:
        out = [None] * 5
        ts = [threading.Thread(target=job, args=(d, out, i), kwargs={"source": "127.0.0.1"})
              for i in range(4)]
        for t in ts:
            t.start()
        wait_running(state)
        time.sleep(1)
        running = pids(state)
        assert len(running) == 2, running               # the fake compilers' sleeps
        make(0.3)
        job(d, out, 4, source="127.0.0.2")
        assert parse_reply(out[4])["STAT"] == 0
        assert len([p for p in running if os.path.exists("/proc/%d" % p)]) == 2
        for t in ts:                                    # stopping the daemon ends them
            t.join(timeout=0)


@pytest.mark.parametrize("how", ["standalone", "inetd"])
@pytest.mark.parametrize("version", [1, 2])
def test_half_closed_client_gets_object(how, version):
    with Distccd(how=how) as d:
        doti = lzo_compress(PRE) if version == 2 else PRE
        with connect(d, timeout=60) as s:
            s.sendall(request(NORMAL, doti, version))
            s.shutdown(socket.SHUT_WR)
            data = recv_all(s)
        assert data.startswith(b"DONE%08xSTAT00000000" % version), data[:60]
        if version == 1:
            assert parse_reply(data)["DOTO"][:4] == b"\x7fELF"
        assert d.count("COMPILE_OK") == 1, d.logtext()
