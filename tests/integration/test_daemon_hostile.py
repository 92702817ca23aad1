# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile raw protocol against distccd (UPSTREAM-BUGS A4, A5): every bad
request is dropped without a crash or unbounded memory, and the daemon
serves the next client normally."""
import socket
import time

import pytest

from daemon_helpers import (Daemon, connect, lzo_compress, lzo_zeros, parse_reply, recv_all,
                            request, tok, tstr)

pytestmark = pytest.mark.sanitize

PRE = b'# 1 "t.c"\nint f(void) { return 3; }\n'
ARGV = ["gcc", "-c", "t.c", "-o", "t.o"]


def healthy(d, version=1):
    doti = lzo_compress(PRE) if version == 2 else PRE
    with connect(d) as s:
        s.sendall(request(ARGV, doti, version))
        rep = recv_all(s)
    if version == 2:
        assert rep.startswith(b"DONE00000002STAT00000000")
        return
    rep = parse_reply(rep)
    assert rep["STAT"] == 0 and rep["DOTO"][:4] == b"\x7fELF"


def send_and_close(d, data, stall=0.0):
    """Send @data; return what the daemon sent back before closing."""
    with connect(d, timeout=15) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return b""
        time.sleep(stall)
        return recv_all(s)


@pytest.fixture(scope="module")
def d():
    with Daemon(args=["--io-timeout", "2", "-j", "2"]) as dd:
        yield dd


CASES = {
    "huge-argc": tok("DIST", 1) + tok("ARGC", 0x05f5e100),
    "argc-max": tok("DIST", 1) + tok("ARGC", 0xffffffff),
    "argc-zero": tok("DIST", 1) + tok("ARGC", 0),
    "argv-ffffffff": tok("DIST", 1) + tok("ARGC", 1) + tok("ARGV", 0xffffffff),
    "argv-overcap": tok("DIST", 1) + tok("ARGC", 1) + tok("ARGV", (1 << 20) + 1),
    "doti-ffffffff": tok("DIST", 1) + tok("ARGC", 5) + b"".join(tstr("ARGV", a) for a in ARGV)
                     + tok("DOTI", 0xffffffff),
    "truncated-header": b"DIST0000",
    "non-hex": b"DIST0000000gARGC00000001",
    "lower-token": b"dist00000001",
    "wrong-token": tok("DIST", 1) + tok("ARGV", 5) + b"hello",
    "nul-in-argv": tok("DIST", 1) + tok("ARGC", 1) + tstr("ARGV", b"gc\0c"),
    "dist-0": tok("DIST", 0) + tok("ARGC", 1) + tstr("ARGV", "gcc"),
    "dist-4": tok("DIST", 4) + tok("ARGC", 1) + tstr("ARGV", "gcc"),
    "dist-ffffffff": tok("DIST", 0xffffffff),
    "bad-lzo": request(ARGV, b"\xff" * 64, 2),
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_request_dropped(d, name):
    rep = send_and_close(d, CASES[name])
    assert not rep.startswith(b"DONE"), rep[:40]
    assert d.alive()
    healthy(d)


def test_versions_logged(d):
    send_and_close(d, CASES["dist-4"])
    assert d.wait_log("unsupported protocol version")


def test_pump_v3_without_files_is_answered(d):
    # protocol 3 is served: with no files shipped the source is missing in
    # the job root, and the compiler's failure is the answer
    data = tok("DIST", 3) + tstr("CDIR", "/src") + tok("ARGC", 5) + \
        b"".join(tstr("ARGV", a) for a in ARGV) + tok("NFIL", 0)
    rep = send_and_close(d, data)
    assert rep.startswith(b"DONE00000003STAT"), rep[:40]
    assert rep[16:24] != b"00000000", rep[:40]
    healthy(d, 2)


def test_lzo_bomb(d):
    bomb = lzo_zeros(300 << 20)       # > MAX_BULK_PLAIN (256 MiB) once inflated
    assert len(bomb) < 4 << 20
    rep = send_and_close(d, request(ARGV, bomb, 2))
    assert not rep.startswith(b"DONE")
    assert d.wait_log("protocol error or over-size request")
    assert d.rss_kb() < 32 * 1024
    healthy(d, 2)


@pytest.mark.serial      # asserts a wall-clock bound
def test_stalls_dropped_by_deadline(d):
    """Announce huge sizes, then stall or trickle: dropped at --io-timeout
    (2 s), the parent's memory stays flat."""
    socks = []
    for data in (CASES["doti-ffffffff"][:-8], tok("DIST", 1) + tok("ARGC", 1) + tok("ARGV", 1 << 20)):
        s = connect(d)
        s.sendall(data)
        socks.append(s)
    t0 = time.monotonic()
    trickle = connect(d)
    trickle.sendall(tok("DIST", 1) + tok("ARGC", 1) + tok("ARGV", 100000))
    closed = False
    while time.monotonic() - t0 < 8:
        try:
            trickle.sendall(b"x")
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        time.sleep(0.2)
    assert closed, "trickling client was not dropped"
    assert time.monotonic() - t0 < 6
    for s in socks:
        s.settimeout(5)
        assert recv_all(s) == b""
        s.close()
    trickle.close()
    assert d.wait_log("not complete within the I/O timeout")
    assert d.rss_kb() < 32 * 1024
    healthy(d)


def test_large_real_source_still_compiles(d):
    body = b"".join(b"int v%d = %d;\n" % (i, i) for i in range(150000))    # ~2.5 MB
    pre = b'# 1 "big.c"\n' + body
    with connect(d, timeout=60) as s:
        s.sendall(request(ARGV, lzo_compress(pre), 2))
        rep = recv_all(s)
    assert rep.startswith(b"DONE00000002STAT00000000")
