# SPDX-License-Identifier: GPL-2.0-or-later
"""Resource limits against hostile clients: a client that trickles its
request one byte at a time is cut off at the deadline (the head's deadline
is for the whole head, not per byte), and --max-per-source caps the
connections one address can hold open (twice --max-per-source)."""
import socket
import time

import pytest

from hostile_helpers import Daemon, assert_normal_compile_works, connect, raw_job, NORMAL
from daemon_helpers import request
from hostile_helpers import PRE

IO_TIMEOUT = 2


def closed_by_peer(s):
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


@pytest.mark.sanitize
def test_slow_client_cut_at_io_deadline():
    with Daemon(args=["--io-timeout", str(IO_TIMEOUT)]) as d:
        data = request(NORMAL, PRE)
        s = connect(d)
        s.settimeout(0.3)
        start = time.monotonic()
        cut = None
        for i in range(len(data)):       # 0.3 s per byte: far slower than the deadline
            try:
                s.send(data[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                cut = time.monotonic()
                break
            if closed_by_peer(s):
                cut = time.monotonic()
                break
            if time.monotonic() - start > IO_TIMEOUT + 8:
                break
        s.close()
        assert cut is not None, "slow client was never disconnected"
        assert cut - start < IO_TIMEOUT + 3, cut - start
        assert d.wait_log("request head not complete within 2 s")
        assert_normal_compile_works(d)


def test_per_source_connection_limit():
    with Daemon(args=["--max-per-source", "2", "--io-timeout", "30", "--head-timeout", "30"]) as d:
        # the startup probe's connection must be gone before we count
        assert d.wait_log("CLI_DISCONN")
        # twice --max-per-source held, as many parked (not read yet)
        held = [connect(d) for _ in range(8)]
        for s in held:
            s.sendall(b"DIST00000001")          # a request that never completes
        time.sleep(0.3)
        extra = connect(d)
        extra.settimeout(5)
        extra.sendall(request(NORMAL, PRE))
        assert closed_by_peer(extra), "ninth connection from one address was served"
        extra.close()
        assert d.wait_log("--max-per-source")
        for s in held:
            s.close()
        # the slots free up once the held connections are gone
        deadline = time.monotonic() + 10
        while True:
            rep = raw_job(d, NORMAL)
            if rep is not None or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert rep is not None and rep["STAT"] == 0, rep
