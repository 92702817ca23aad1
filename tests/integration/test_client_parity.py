# SPDX-License-Identifier: GPL-2.0-or-later
"""What scripts and users see of the client, as distcc 3.4 shows it
(Debian's /usr/bin/distcc is the reference, run side by side with ours):
the first two lines of --version; the severity words of log lines ("ERROR:",
"Warning:", nothing for info) on the client's stderr and in the daemon's log
file; and, when the compiler fails on the server, the same lines in the same
order as 3.4 with DISTCC_FALLBACK=0 and with DISTCC_SKIP_LOCAL_RETRY."""
import os
import re
import subprocess

import pytest

from client_helpers import BAD_C, HELLO_C, Server, client_env, fake_compiler_dir, server_kinds, \
    write
from conftest import DEBIAN_DISTCC, binary
from daemon_helpers import Daemon

PID = re.compile(rb"^(distccd?)\[\d+\] (\(\w+\) )?", re.M)


def debian_client():
    if not os.access(DEBIAN_DISTCC, os.X_OK):
        pytest.fail("Debian's distcc is not installed (build-aux/deps-check.txt)")
    return DEBIAN_DISTCC


def normalise(err):
    """3.4 names the C function in some lines, "distcc[PID] (fn) ERROR: ...";
    the pid and that name differ, the rest must not."""
    return PID.sub(rb"\1[N] ", err)


def run_both(tmp_path, hosts, args, files, **extra):
    """Run ours and Debian's client with the same command in two copies of
    the same directory; returns (ours, theirs) CompletedProcess."""
    out = []
    for who, exe in (("ours", binary("distcc")), ("theirs", debian_client())):
        d = tmp_path / who
        d.mkdir()
        for name, data in files.items():
            write(str(d / name), data)
        env = client_env(d, hosts, **extra)
        os.makedirs(env["DISTCC_DIR"], exist_ok=True)    # 3.4 does not create it
        out.append(subprocess.run([exe] + args, cwd=d, env=env, capture_output=True, timeout=120))
    return out


def test_version_first_two_lines_are_34s():
    ours = subprocess.run([binary("distcc"), "--version"], capture_output=True, check=True)
    theirs = subprocess.run([debian_client(), "--version"], capture_output=True, check=True)
    assert ours.stdout.splitlines()[:2] == theirs.stdout.splitlines()[:2]
    assert ours.stdout.splitlines()[1] == b"  (protocols 1, 2 and 3) (default port 3632)"
    assert re.fullmatch(rb"distcc 3\.4 [\w.-]+-linux-gnu\w*", ours.stdout.splitlines()[0])


@pytest.fixture(params=server_kinds())
def server(request):
    s = Server(request.param)
    yield s
    s.close()


@pytest.mark.parametrize("knob", ["DISTCC_FALLBACK=0", "DISTCC_SKIP_LOCAL_RETRY=1"])
def test_remote_compile_error_says_what_34_says(tmp_path, server, knob):
    name, value = knob.split("=")
    ours, theirs = run_both(tmp_path, server.hostspec, ["gcc", "-c", "m.c", "-o", "m.o"],
                            {"m.c": BAD_C}, **{name: value})
    assert ours.returncode == theirs.returncode == 1, (ours.stderr, theirs.stderr)
    assert normalise(ours.stderr) == normalise(theirs.stderr)
    lines = normalise(ours.stderr).splitlines()
    assert lines[0] == b"distcc[N] ERROR: compile m.c on %s failed" % server.hostspec.encode()
    if name == "DISTCC_FALLBACK":
        assert lines[1:3] == [
            b"distcc[N] Warning: remote compilation of 'm.c' failed, retrying locally",
            b"distcc[N] ERROR: failed to distribute and fallbacks are disabled"]
    assert b"undeclared_thing" in ours.stderr
    assert not (tmp_path / "ours" / "m.o").exists()


def test_remote_failure_then_local_success_is_reported(tmp_path):
    """A server whose compiler fails: the local rerun succeeds, and both
    clients say the remote and the local results differed."""
    failing = fake_compiler_dir("c", real="/bin/false")
    s = Server("ours", path_prefix=[failing])
    try:
        ours, theirs = run_both(tmp_path, s.hostspec, ["gcc", "-c", "m.c", "-o", "m.o"],
                                {"m.c": HELLO_C})
    finally:
        s.close()
        subprocess.run(["rm", "-rf", failing], check=True)
    assert ours.returncode == theirs.returncode == 0
    want = [b"distcc[N] ERROR: compile m.c on %s failed" % s.hostspec.encode(),
            b"distcc[N] Warning: remote compilation of 'm.c' failed, retrying locally",
            b"distcc[N] Warning: remote compilation of 'm.c' failed, retried locally and got "
            b"a different result."]
    for line in want:
        assert line in normalise(theirs.stderr).splitlines(), theirs.stderr
    assert [l for l in normalise(ours.stderr).splitlines() if l.startswith(b"distcc[")] == want
    assert (tmp_path / "ours" / "m.o").exists()


def test_client_severity_words(tmp_path):
    write(str(tmp_path / "x.c"), HELLO_C)
    env = client_env(tmp_path, "127.0.0.1:1")
    r = subprocess.run([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                       capture_output=True, timeout=60)
    assert r.returncode == 0
    assert re.match(rb"distcc\[\d+\] Warning: failed to distribute 'x.c' to 127.0.0.1:1 "
                    rb"\(Connection refused\), running locally instead\n$", r.stderr), r.stderr
    env = client_env(tmp_path, "host:notaport")
    r = subprocess.run([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                       capture_output=True, timeout=60)
    assert re.match(rb"distcc\[\d+\] ERROR: bad host specification 'host:notaport'", r.stderr), \
        r.stderr
    env = client_env(tmp_path, "localhost", DISTCC_VERBOSE=1)
    r = subprocess.run([binary("distcc"), "gcc", "-c", "x.c"], cwd=tmp_path, env=env,
                       capture_output=True, timeout=60)
    debug = [l for l in r.stderr.splitlines() if b"running 'gcc' locally" in l or
             b"running 'x86_64-linux-gnu-gcc' locally" in l]
    assert debug and re.match(rb"distcc\[\d+\] running '", debug[0]), r.stderr


def test_daemon_log_file_severity_words(tmp_path):
    """--log-file lines: "<date> <time> distccd[PID] <word><message>"."""
    bindir = tmp_path / "bin"
    write(str(bindir / "notwhitelisted"), '#!/bin/sh\nexec gcc "$@"\n', 0o755)
    write(str(tmp_path / "x.c"), HELLO_C)
    with Daemon() as d:
        for cc in ("gcc", "notwhitelisted"):
            env = client_env(tmp_path, d.hostspec, PATH="%s:%s" % (bindir, os.environ["PATH"]))
            r = subprocess.run([binary("distcc"), cc, "-c", "x.c"], cwd=tmp_path, env=env,
                               capture_output=True, timeout=60)
            assert r.returncode == 0, r.stderr
        assert d.wait_log("COMPILE_OK") and d.wait_log("refusing job")
        lines = d.logtext().splitlines()
    stamp = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d distccd\[\d+\] "
    ok = [l for l in lines if "COMPILE_OK" in l]
    refused = [l for l in lines if "refusing job" in l]
    assert re.match(stamp + "client: 127.0.0.1:\\d+ COMPILE_OK ", ok[0]), ok
    assert re.match(stamp + "Warning: refusing job from 127.0.0.1:", refused[0]), refused
    assert not [l for l in lines if re.search(r"\] (WARNING|INFO|NOTICE|DEBUG): ", l)], lines
