# SPDX-License-Identifier: GPL-2.0-or-later
"""distccmon-text as a reader: state files laid out by hand (distcc 3.4's
296-byte LP64 record, DISTCC-REFERENCE 5) are listed by our monitor exactly
as Debian's /usr/bin/distccmon-text lists them: selection by name, magic and
size checks, dead pids dropped, phase clamping, sort order, line format,
stale-file removal, DELAY mode and arguments."""
import os
import struct
import subprocess
import time

import pytest

from conftest import DEBIAN_MON, binary

PHASES = ["Startup", "Blocked", "Connect", "Preprocess", "Send", "Compile", "Receive", "Done"]


def record(pid, file, host, slot, phase, size=296, magic=0x44494800):
    return struct.pack("<QQQ128s128sii8s", size, magic, pid, file.encode(), host.encode(),
                       slot, phase, b"\xde\xad\xbe\xef\0\0\0\0")


def put(state, name, data, age=0):
    p = os.path.join(state, name)
    with open(p, "wb") as f:
        f.write(data)
    if age:
        t = time.time() - age
        os.utime(p, (t, t))
    return p


def run_mon(prog, distcc_dir, *args, timeout=10):
    env = dict(os.environ, DISTCC_DIR=str(distcc_dir))
    return subprocess.run([prog, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


@pytest.fixture
def alive():
    """A process that outlives the test's monitor runs: a live pid for records."""
    p = subprocess.Popen(["sleep", "60"])
    yield p.pid
    p.kill()
    p.wait()


@pytest.fixture
def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def populate(state, live, dead, bad_headers=True):
    me = os.getpid()
    put(state, "binstate_%d" % me, record(me, "/src/deep/dir/hello.c", "127.0.0.1", 0, 5))
    put(state, "binstate_2", record(live, "zeta.cc", "build-b.example.org", 1, 4))
    put(state, "binstate_3", record(live, "alpha.c", "build-b.example.org", 0, 3))
    put(state, "binstate_4", record(live, "local.c", "localhost", 1, 2))
    put(state, "binstate_5", record(live, "clamped.c", "[::1]", 3, 42))
    put(state, "binstate_6", record(live, "finished.c", "127.0.0.1", 2, 7))
    put(state, "binstate_7", record(dead, "orphan.c", "127.0.0.1", 1, 5))
    if bad_headers:
        # Debian's 3.4 monitor segfaults on these two (after its "wrong magic
        # number" / "wrong structure size" warning); ours skips them
        put(state, "binstate_8", record(live, "badmagic.c", "127.0.0.1", 1, 5, magic=0x1234))
        put(state, "binstate_9", record(live, "badsize.c", "127.0.0.1", 1, 5, size=300))
    put(state, "binstate_10", record(live, "short.c", "127.0.0.1", 1, 5)[:200])
    put(state, "other_11", record(live, "ignored.c", "127.0.0.1", 1, 5))
    put(state, ".tmp-binstate_12.99", record(live, "tempfile.c", "127.0.0.1", 1, 5))
    long_name = "a-very-long-source-file-name-beyond-thirty-chars.cpp"
    put(state, "binstate_13", record(live, long_name, "a.host.name.longer.than.24.chars", 9, 6))


def expected_lines(me, live):
    fmt = "%6d  %-10.10s  %-30.30s %24.24s[%d]"
    rows = [
        (me, "Compile", "/src/deep/dir/hello.c", "127.0.0.1", 0),
        (live, "Compile", "clamped.c", "[::1]", 3),
        (live, "Receive", "a-very-long-source-file-name-beyond-thirty-chars.cpp",
         "a.host.name.longer.than.24.chars", 9),
        (live, "Preprocess", "alpha.c", "build-b.example.org", 0),
        (live, "Send", "zeta.cc", "build-b.example.org", 1),
        (live, "Connect", "local.c", "localhost", 1),
    ]
    return [fmt % r for r in rows]


@pytest.mark.sanitize
def test_lists_records_like_34(tmp_path, alive, dead_pid):
    state = tmp_path / "state"
    state.mkdir()
    populate(str(state), alive, dead_pid)
    res = run_mon(binary("distccmon-text"), tmp_path)
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert out.endswith("\n\n")
    assert out.splitlines()[:-1] == expected_lines(os.getpid(), alive)
    # nothing of ours was removed: only stale files are
    assert len(os.listdir(state)) == 13


@pytest.mark.skipif(not os.access(DEBIAN_MON, os.X_OK), reason="Debian distcc not installed")
def test_identical_to_debian(tmp_path, alive, dead_pid):
    state = tmp_path / "state"
    state.mkdir()
    populate(str(state), alive, dead_pid, bad_headers=False)
    ours = run_mon(binary("distccmon-text"), tmp_path)
    theirs = run_mon(DEBIAN_MON, tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert ours.stdout.decode().splitlines()[:-1] == expected_lines(os.getpid(), alive)


@pytest.mark.parametrize("which", ["ours", "debian"])
def test_stale_files_are_unlinked(tmp_path, alive, which):
    prog = binary("distccmon-text") if which == "ours" else DEBIAN_MON
    if not os.access(prog, os.X_OK):
        pytest.skip("Debian distcc not installed")
    state = tmp_path / "state"
    state.mkdir()
    old = put(str(state), "binstate_1", record(alive, "old.c", "h", 0, 5), age=120)
    fresh = put(str(state), "binstate_2", record(alive, "fresh.c", "h", 1, 5), age=30)
    out = run_mon(prog, tmp_path).stdout.decode()
    assert "old.c" not in out and "fresh.c" in out
    assert not os.path.exists(old)
    assert os.path.exists(fresh)


def test_empty_and_missing_state_dir(tmp_path):
    (tmp_path / "state").mkdir()
    res = run_mon(binary("distccmon-text"), tmp_path)
    assert (res.returncode, res.stdout) == (0, b"\n")
    res = run_mon(binary("distccmon-text"), tmp_path / "nonexistent")
    assert (res.returncode, res.stdout) == (0, b"\n")


def test_delay_repeats(tmp_path, alive):
    state = tmp_path / "state"
    state.mkdir()
    put(str(state), "binstate_1", record(alive, "loop.c", "h", 0, 5))
    env = dict(os.environ, DISTCC_DIR=str(tmp_path))
    p = subprocess.Popen([binary("distccmon-text"), "0.1"], env=env, stdout=subprocess.PIPE)
    try:
        seen = b""
        end = time.monotonic() + 10
        while seen.count(b"loop.c") < 3 and time.monotonic() < end:
            seen += os.read(p.stdout.fileno(), 4096)
        # line-buffered output arrives while the monitor keeps running
        assert seen.count(b"loop.c") >= 3
        assert p.poll() is None
    finally:
        p.kill()
        p.wait()


@pytest.mark.parametrize("args,rc", [(["--help"], 0), (["--version"], 0), (["abc"], 1),
                                      (["-1"], 1), (["1", "2"], 1), (["--bogus"], 1)])
def test_arguments(tmp_path, args, rc):
    res = run_mon(binary("distccmon-text"), tmp_path, *args)
    assert res.returncode == rc
    if args == ["--help"]:
        assert res.stdout.startswith(b"usage: distccmon-text [DELAY]")
    elif args == ["--version"]:
        assert res.stdout.startswith(b"distccmon-text 3.4 ")
    else:
        assert b"usage: distccmon-text [DELAY]" in res.stderr
