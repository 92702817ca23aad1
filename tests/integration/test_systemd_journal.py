# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd's structured journal entries, read back from a journald started by
hand: the per-job fields journalctl can match on, PRIORITY following
--log-level, SYSLOG_IDENTIFIER, and the refusal of a client outside --allow."""
import os
import socket
import time

import pytest

from conftest import DEBIAN_DISTCC, free_port
import systemd_helpers as sh
from distccd_fixture import distccd_shell, wait_listening
from test_systemd_activation import closed_without_reply, compile_remote

pytestmark = pytest.mark.serial     # journald in a mount namespace

BAD = "int f(void) { return undeclared_thing; }\n"


def start(tmp_path, extra=""):
    os.chmod(tmp_path, 0o755)
    (tmp_path / "hello.c").write_text("int sq(int x) { return x * x; }\n")
    (tmp_path / "bad.c").write_text(BAD)
    (tmp_path / "state").mkdir()
    port = free_port()
    cmd = "exec " + distccd_shell("listen", port=port, args=["--allow", "127.0.0.1", "--idle-exit",
                                                             "0", "--user", "nobody"]
                                  + extra.split())
    j = sh.HandJournal(tmp_path, cmd)
    assert wait_listening(port), j.cmd_output()
    return j, port


def jobs(entries):
    return [e for e in entries if "DISTCC_RESULT" in e]


def test_job_fields(tmp_path):
    j, port = start(tmp_path, "--log-level notice")
    compile_remote(DEBIAN_DISTCC, tmp_path, port)
    env = dict(os.environ, DISTCC_HOSTS="127.0.0.1:%d" % port, DISTCC_DIR=str(tmp_path / "state"),
               DISTCC_FALLBACK="0", DISTCC_SKIP_LOCAL_RETRY="1", DISTCC_BACKOFF_PERIOD="0")
    p = sh.run([DEBIAN_DISTCC, "gcc", "-c", str(tmp_path / "bad.c"), "-o", str(tmp_path / "bad.o")],
               check=False, env=env)
    assert p.returncode == 1 and "undeclared_thing" in p.stderr
    entries = j.finish()
    js = jobs(entries)
    assert len(js) == 2, j.cmd_output()
    ok, err = js
    for e in js:
        assert e["SYSLOG_IDENTIFIER"] == "distccd"
        assert e["PRIORITY"] == "5"
        assert e["DISTCC_CLIENT"].startswith("127.0.0.1:")
        assert e["DISTCC_COMPILER"] in ("gcc", "x86_64-linux-gnu-gcc")  # 3.4 rewrites
        assert int(e["DISTCC_DURATION_MS"]) >= 0
        assert e["MESSAGE"].startswith("client: 127.0.0.1:")
        assert e["_UID"] == "65534"
    assert ok["DISTCC_RESULT"] == "COMPILE_OK" and ok["DISTCC_EXIT_STATUS"] == "0"
    assert ok["DISTCC_INPUT"].endswith("hello.c")
    assert err["DISTCC_RESULT"] == "COMPILE_ERROR" and err["DISTCC_EXIT_STATUS"] == "1"
    assert err["DISTCC_INPUT"].endswith("bad.c")


def test_journalctl_matches_on_fields(tmp_path):
    """The documented query: journalctl DISTCC_RESULT=COMPILE_ERROR."""
    j, port = start(tmp_path, "--log-level info")
    compile_remote(DEBIAN_DISTCC, tmp_path, port)
    j.finish()
    # the journal directory is gone with the namespace; the dump is what we have
    entries = sh.journal_json(open(tmp_path / "journal.json").read())
    assert [e["DISTCC_RESULT"] for e in jobs(entries)] == ["COMPILE_OK"]
    # info-level lines come through the same sink with their priority
    assert any(e.get("PRIORITY") == "6" and e.get("SYSLOG_IDENTIFIER") == "distccd"
               for e in entries)


def test_log_level_filters_and_refusal_is_logged(tmp_path):
    j, port = start(tmp_path, "--log-level warning")
    compile_remote(DEBIAN_DISTCC, tmp_path, port)
    # a connection from an address outside --allow (127.0.0.2 is loopback too)
    with socket.socket() as s:
        s.bind(("127.0.0.2", 0))
        s.settimeout(10)
        s.connect(("127.0.0.1", port))
        s.sendall(b"DIST00000001")
        assert closed_without_reply(s)
    time.sleep(0.3)
    entries = j.finish()
    assert jobs(entries) == []                  # notice-level summaries filtered out
    denied = [e for e in entries if "denied" in e.get("MESSAGE", "")]
    assert denied and "127.0.0.2" in denied[0]["MESSAGE"]
    assert denied[0]["PRIORITY"] == "4"
