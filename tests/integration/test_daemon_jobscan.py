# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd reads the client's argv once (daemon/jobscan.c): what its policy
allows, it runs. `-x LANG` with any input name and a job without -o are
served; an option the compiler reads with the next word (clang's
-isystem-after) is refused before anything runs, so the server never
links."""
import shutil

import pytest

from daemon_helpers import Daemon, connect, make_masq, parse_reply, recv_all, request

PRE = b'# 1 "t.c"\nint f(void) { return 3; }\n'


def raw_job(d, argv, version=1):
    with connect(d) as s:
        s.sendall(request(argv, PRE, version))
        return parse_reply(recv_all(s))


@pytest.mark.sanitize
def test_explicit_language_and_missing_output_are_served():
    with Daemon() as d:
        for argv in (["gcc", "-x", "c", "-c", "a.src", "-o", "a.o"],
                     ["gcc", "-xc", "-O2", "-c", "weird.name", "-o", "a.o"],
                     ["gcc", "-c", "a.c"],
                     ["gcc", "-MD", "-MF", "/home/u/a.d", "-c", "a.c", "-o", "a.o"]):
            rep = raw_job(d, argv)
            assert rep["STAT"] == 0, (argv, rep["SERR"])
            assert rep["DOTO"][:4] == b"\x7fELF", argv
        assert d.logtext().count("COMPILE_OK") == 4
        assert "refusing job" not in d.logtext()


@pytest.mark.sanitize
def test_next_word_options_refused_and_nothing_runs():
    masq = make_masq(names=["clang", "gcc"], target="/usr/bin/clang")
    try:
        with Daemon(masq=masq) as d:
            for opt in ("-isystem-after", "-mthread-model", "-meabi", "-filelist",
                        "-fdebug-compilation-dir", "-module-dependency-dir"):
                rep = raw_job(d, ["clang", opt, "-c", "x.c", "-o", "x.o"])
                assert rep["STAT"] == 113 << 8, (opt, rep)
                assert b"next argument" in rep["SERR"] or b"modules" in rep["SERR"], rep["SERR"]
                assert rep["DOTO"] == b""
            log = d.logtext()
            assert log.count("refusing job") == 6
            assert "COMPILE_OK" not in log and "COMPILE_ERROR" not in log
            assert d.alive()
    finally:
        shutil.rmtree(masq, ignore_errors=True)


def test_input_that_is_no_source_refused():
    with Daemon() as d:
        rep = raw_job(d, ["gcc", "-c", "lib.o", "-o", "a.o"])
        assert rep["STAT"] == 113 << 8
        assert b"not a C, C++" in rep["SERR"], rep["SERR"]
