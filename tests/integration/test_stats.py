# SPDX-License-Identifier: GPL-2.0-or-later
"""distccd --stats: distcc 3.4's page line by line, its counters moving as
real jobs run (Debian's distcc 3.4 client as the peer), the OpenMetrics page
at /metrics under a strict grammar, and the access list on the stats port."""
import os
import shutil
import time

import pytest

from conftest import free_port, wait_port
from daemon_helpers import BAD_C, HELLO_C, Daemon, Distccd, distcc, world_dir, write
from stats_helpers import (check_openmetrics, distcc_page, fetch, parse_distcc_page, sample,
                           split_http, wait_page)


def stats_daemon(extra=(), allow="127.0.0.1", denied=False):
    sport = free_port()
    d = Daemon(["--stats", "--stats-port", str(sport), "--allow", allow, "--jobs", "3"]
               + list(extra))
    d.sport = sport
    assert wait_port(sport), "stats port not listening"
    d.base = None if denied else settled(sport)
    return d


def settled(sport, timeout=10):
    """The 3.4 page once every accepted connection (the helper's start-up
    probe included) has finished: the baseline the tests count from."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        _, _, body = split_http(fetch(sport, b"GET /metrics HTTP/1.0\r\n\r\n"))
        fams = check_openmetrics(body.decode())
        done = sum(fams["distccd_jobs"]["samples"].values())
        if sample(fams, "distccd_running_jobs") == 0 and \
                done == sample(fams, "distccd_connections", "distccd_connections_total"):
            return distcc_page(sport)
        time.sleep(0.05)
    raise AssertionError("stats never settled")


@pytest.fixture
def work():
    d = world_dir("distccd-stats-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_initial_page_matches_34_line_by_line():
    with stats_daemon() as d:
        # no request at all (like `nc host 3633`), a plain GET, and some junk
        for send in (b"", b"GET / HTTP/1.0\r\n\r\n", b"\x00\xffjunk\n"):
            f = parse_distcc_page(fetch(d.sport, send))
            assert f["dcc_tcp_accept"] == d.base["dcc_tcp_accept"]
            assert f["dcc_compile_ok"] == 0
            assert f["dcc_longest_job"] == "none"
            assert f["dcc_longest_job_compiler"] == "none"
            assert f["dcc_longest_job_time_msecs"] == -1
            assert f["dcc_max_kids"] == 3
            assert f["dcc_num_compiles1"] == d.base["dcc_num_compiles1"]
            assert f["dcc_free_space"] > 0
            assert f["dcc_max_RSS_name"].startswith("(")


@pytest.mark.sanitize
def test_counters_follow_real_jobs(work):
    write(os.path.join(work, "a.c"), HELLO_C)
    write(os.path.join(work, "slow_b.c"), HELLO_C + b"int big[] = {" + b"1," * 20000 + b"};\n")
    write(os.path.join(work, "bad.c"), BAD_C)
    with stats_daemon() as d:
        for src in ("a.c", "slow_b.c"):
            r = distcc(d.hostspec, ["gcc", "-c", src, "-o", src + ".o"], work)
            assert r.returncode == 0, r.stderr
        r = distcc(d.hostspec, ["gcc", "-c", "bad.c", "-o", "bad.o"], work,
                   env={"DISTCC_SKIP_LOCAL_RETRY": "1"})
        assert r.returncode != 0
        f = wait_page(d.sport, lambda f: f["dcc_compile_ok"] == 2 and f["dcc_compile_error"] == 1
                      and f["dcc_longest_job"] != "none")
        assert f["dcc_tcp_accept"] == d.base["dcc_tcp_accept"] + 3
        assert f["dcc_compile_ok"] == 2
        assert f["dcc_compile_error"] == 1
        assert f["dcc_other"] == d.base["dcc_other"]
        assert f["dcc_rej_bad_req"] == d.base["dcc_rej_bad_req"]
        assert f["dcc_longest_job"] in ("a.c", "slow_b.c")
        assert f["dcc_longest_job_compiler"] == "x86_64-linux-gnu-gcc"
        assert f["dcc_longest_job_time_msecs"] >= 0
        assert f["dcc_num_compiles1"] == d.base["dcc_num_compiles1"] + 3
        assert f["dcc_num_compiles3"] == d.base["dcc_num_compiles3"] + 3
        log = d.logtext()
        assert log.count(" COMPILE_OK ") == 2 and log.count(" COMPILE_ERROR ") == 1


def test_metrics_is_strict_openmetrics(work):
    write(os.path.join(work, "a.c"), HELLO_C)
    with stats_daemon() as d:
        r = distcc(d.hostspec, ["gcc", "-c", "a.c", "-o", "a.o"], work)
        assert r.returncode == 0, r.stderr
        wait_page(d.sport, lambda f: f["dcc_compile_ok"] == 1 and f["dcc_longest_job"] != "none")
        status, headers, body = split_http(fetch(d.sport, b"GET /metrics HTTP/1.1\r\n"
                                                 b"Host: x\r\nAccept: application/"
                                                 b"openmetrics-text; version=1.0.0\r\n\r\n"))
        assert status == "HTTP/1.0 200 OK"
        assert headers["content-type"] == \
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        fams = check_openmetrics(body.decode("utf-8"))
        assert fams["distccd_jobs"]["type"] == "counter"
        assert sample(fams, "distccd_jobs", "distccd_jobs_total", result="COMPILE_OK") == 1
        assert sample(fams, "distccd_jobs", "distccd_jobs_total", result="COMPILE_ERROR") == 0
        assert sample(fams, "distccd_connections", "distccd_connections_total") == \
            d.base["dcc_tcp_accept"] + 1
        assert sample(fams, "distccd_max_jobs") == 3
        assert sample(fams, "distccd_running_jobs") == 0
        assert sample(fams, "distccd_recent_compiles", window="1m") == \
            d.base["dcc_num_compiles1"] + 1
        assert fams["distccd_longest_job_seconds"]["unit"] == "seconds"
        assert sample(fams, "distccd_longest_job_seconds", input="a.c",
                      compiler="x86_64-linux-gnu-gcc") >= 0
        for fam in fams.values():
            assert fam["help"], "every family has HELP"
        # the 3.4 page agrees with /metrics
        assert distcc_page(d.sport)["dcc_compile_ok"] == 1


def test_openmetrics_checker_rejects_bad_text():
    good = "# TYPE a counter\n# HELP a x\na_total 1\n# EOF\n"
    check_openmetrics(good)
    for bad in ("# TYPE a counter\na_total 1\n",                 # no EOF
                "# TYPE a counter\na 1\n# EOF\n",                # counter without _total
                "# TYPE a gauge\na 1\n\n# EOF\n",                # empty line
                "# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n# EOF\n",  # duplicate label
                "# TYPE a gauge\na 1\na 2\n# EOF\n",             # duplicate sample
                "# TYPE a_bytes gauge\n# UNIT a_bytes seconds\na_bytes 1\n# EOF\n",
                "# TYPE a gauge\na one\n# EOF\n",
                "# TYPE a gauge\n# TYPE b gauge\nb 1\n# TYPE a gauge\n# EOF\n"):
        with pytest.raises(AssertionError):
            check_openmetrics(bad)


def test_stats_port_honours_allow():
    # loopback is not in the list: the stats port closes without a byte,
    # like the compile port does
    with stats_daemon(allow="10.9.9.9/32", denied=True) as d:
        assert fetch(d.sport, b"GET / HTTP/1.0\r\n\r\n") == b""
        assert fetch(d.sport, b"GET /metrics HTTP/1.0\r\n\r\n") == b""
        assert fetch(d.sport) == b""
        assert d.wait_log("stats connection from client '127.0.0.1' denied by access list")
    with stats_daemon(allow="127.0.0.0/8") as d:
        assert distcc_page(d.sport)["dcc_max_kids"] == 3


def test_socket_activated_stats_port(work):
    """systemd-socket-activate passes both listening sockets, the stats one
    named "stats" (FileDescriptorName=stats); the first connection, to the
    stats port, starts the daemon, and it also honours --allow there."""
    sport = free_port()
    with Distccd(["--no-detach", "--allow", "127.0.0.1", "--jobs", "2"], how="listen",
                 listen_extra=["127.0.0.1:%d" % sport], fdnames="distcc:stats",
                 log_level="info", wait=None) as d:
        assert wait_port(sport)
        f = parse_distcc_page(fetch(sport))       # starts distccd
        assert f["dcc_max_kids"] == 2 and f["dcc_tcp_accept"] == 0
        write(os.path.join(work, "a.c"), HELLO_C)
        r = distcc(d.hostspec, ["gcc", "-c", "a.c", "-o", "a.o"], work)
        assert r.returncode == 0, r.stderr
        f = wait_page(sport, lambda f: f["dcc_compile_ok"] == 1 and f["dcc_longest_job"] == "a.c")
        assert f["dcc_tcp_accept"] == 1 and f["dcc_longest_job"] == "a.c"
        _, headers, body = split_http(fetch(sport, b"GET /metrics HTTP/1.0\r\n\r\n"))
        assert sample(check_openmetrics(body.decode()), "distccd_connections",
                      "distccd_connections_total") == 1
