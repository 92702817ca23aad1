# SPDX-License-Identifier: GPL-2.0-or-later
"""Zeroconf between emulated hosts (zeroconf_helpers.ZcNet: each host its
own network namespace, system bus and avahi-daemon): our distccd
--zeroconf and Debian's are found by our client's +zeroconf, ours by
Debian's client, and a socket-activated distccd that has exited for
idleness stays discoverable (distccd --zeroconf-publish) and is started
again by the next job. Every remote compile is checked in the server's
log (a silent local fallback cannot pass)."""
import os
import re
import subprocess
import sys

import pytest

from conftest import BUILD, DEBIAN_DISTCC, DEBIAN_DISTCCD
from zeroconf_helpers import ZcNet, wait_for

pytestmark = [pytest.mark.serial, pytest.mark.slow]

SRC = "int sq(int x) { return x * x; }\n"
OURS_D = os.path.join(BUILD, "distccd")
OURS_C = os.path.join(BUILD, "distcc")
HERE = os.path.dirname(os.path.abspath(__file__))


def log_of(net, name):
    try:
        return open(net.path(name + ".log"), errors="replace").read()
    except FileNotFoundError:
        return ""


def start_ours(net, host, extra=()):
    return net.start(host, [OURS_D, "--no-detach", "--log-stderr", "--log-level", "info",
                            "--allow", "10.203.0.0/24", "--zeroconf"] + list(extra),
                     log=net.path(host + ".log"))


def start_debian(net, host):
    os.makedirs(net.path(host + "-run"), mode=0o777)
    os.chmod(net.path(host + "-run"), 0o777)
    return net.start(host, [DEBIAN_DISTCCD, "--no-detach", "--daemon", "--zeroconf",
                            "--allow", "10.203.0.0/24", "--log-level", "info", "--log-stderr",
                            "--pid-file", net.path(host + "-run", "pid")],
                     log=net.path(host + ".log"))


def client_env(net, hosts="+zeroconf", ddir="dd"):
    return dict(os.environ, DISTCC_HOSTS=hosts, DISTCC_DIR=net.path(ddir),
                DISTCC_BACKOFF_PERIOD="0", DISTCC_SKIP_LOCAL_RETRY="1")


def show_hosts(net, host, env):
    r = net.run(host, [OURS_C, "--show-hosts"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def compile_on(net, host, client, env, name="t"):
    src = net.path(name + ".c")
    with open(src, "w") as f:
        f.write(SRC)
    obj = net.path(name + ".o")
    r = net.run(host, [client, "gcc", "-c", src, "-o", obj], env=env, capture_output=True,
                text=True)
    assert r.returncode == 0, r.stderr
    assert open(obj, "rb").read(4) == b"\x7fELF"
    os.unlink(obj)
    return r


@pytest.fixture
def net3():
    with ZcNet(["srv", "cli", "deb"]) as net:
        yield net


def test_our_client_finds_ours_and_debians_and_compiles_through_both(net3):
    net = net3
    start_ours(net, "srv")
    start_debian(net, "deb")
    env = client_env(net)
    ours = "%s:3632/" % net.addr("srv")
    debs = "%s:3632/" % net.addr("deb")

    def both():
        hosts = show_hosts(net, "cli", env)
        return hosts if any(h.startswith(ours) for h in hosts) and \
            any(h.startswith(debs) for h in hosts) else None

    hosts = wait_for(both, timeout=30)
    assert hosts, (show_hosts(net, "cli", env), log_of(net, "srv"), log_of(net, "deb"))
    # ours says which options it speaks (3.4 issue #59); Debian's says nothing
    mine = [h for h in hosts if h.startswith(ours)][0]
    theirs = [h for h in hosts if h.startswith(debs)][0]
    assert mine.endswith(",lzo,cpp"), hosts
    assert re.fullmatch(r"[\d.]+:3632/\d+", theirs), hosts
    # both also answered over IPv6, link-local only here: skipped, not listed
    assert not any("fe80" in h for h in hosts), hosts
    # the kept list is 3.4's file, with 3.4's lock next to it
    assert set(open(net.path("dd", "zeroconf", "hosts")).read().split()) == set(hosts)
    assert os.path.exists(net.path("dd", "zeroconf", "lock"))
    # compile through each: one host at a time, the other as a plain list
    for target, other, name in ((ours, theirs, "srv"), (debs, mine, "deb")):
        hostlist = "+zeroconf"
        env_one = client_env(net, hostlist, "dd")
        env_one["DISTCC_HOSTS"] = " ".join(h for h in hosts if h.startswith(target))
        env_one["DISTCC_FALLBACK"] = "0"
        before = log_of(net, name).count("COMPILE_OK")
        compile_on(net, "cli", OURS_C, env_one, "t_" + name)
        assert wait_for(lambda: log_of(net, name).count("COMPILE_OK") > before), \
            log_of(net, name)
    # and through +zeroconf itself, mixed with a plain host after it
    env_mix = client_env(net, "+zeroconf 127.0.0.1:1/2")
    before = sum(log_of(net, n).count("COMPILE_OK") for n in ("srv", "deb"))
    compile_on(net, "cli", OURS_C, env_mix, "t_mix")
    assert wait_for(lambda: sum(log_of(net, n).count("COMPILE_OK")
                                for n in ("srv", "deb")) > before)


def test_debian_client_finds_ours(net3):
    net = net3
    start_ours(net, "srv")
    env = client_env(net, ddir="deb-dd")
    os.makedirs(net.path("deb-dd"))

    def served():
        # 3.4's client waits 1 s for its browser's first list: retry
        compile_on(net, "cli", DEBIAN_DISTCC, env, "t_deb")
        return log_of(net, "srv").count("COMPILE_OK") > 0

    assert wait_for(served, timeout=30, step=1), log_of(net, "srv")
    # it browsed the subtype 3.4 uses for gcc's machine and version
    hosts = open(net.path("deb-dd", "zeroconf", "hosts")).read()
    assert "%s:3632/" % net.addr("srv") in hosts


def unit_publish_argv():
    """ExecStart= of the built distccd-zeroconf.service, with our build's
    distccd and no $DISTCC_ARGS (the conf.d file sets none by default)."""
    unit = open(os.path.join(BUILD, "units", "distccd-zeroconf.service")).read()
    line = [l for l in unit.splitlines() if l.startswith("ExecStart=")][0]
    words = line[len("ExecStart="):].split()
    assert os.path.basename(words[0]) == "distccd"
    return [OURS_D] + [w for w in words[1:] if w != "$DISTCC_ARGS"]


def test_socket_activated_server_found_after_idle_exit(net3):
    net = net3
    srv = net.addr("srv")
    act = net.start("srv", [sys.executable, os.path.join(HERE, "zc_activator.py"), srv, "3632",
                            OURS_D, "--log-stderr", "--log-level", "info", "--allow",
                            "10.203.0.0/24", "--idle-exit", "1"],
                    log=net.path("srv.log"))
    # what the shipped distccd-zeroconf.service runs next to distccd.socket
    net.start("srv", unit_publish_argv() + ["--log-stderr", "--log-level", "info"],
              log=net.path("pub.log"))
    env = client_env(net)
    env["DISTCC_FALLBACK"] = "0"
    compile_on(net, "cli", OURS_C, env, "t1")
    # the daemon that served it exits for idleness ...
    assert wait_for(lambda: log_of(net, "srv").count("exit 0") >= 1), log_of(net, "srv")
    assert act.poll() is None
    # ... and the host is still found, and started again by the next job
    assert "%s:3632/" % srv in " ".join(show_hosts(net, "cli", env))
    compile_on(net, "cli", OURS_C, env, "t2")
    assert wait_for(lambda: log_of(net, "srv").count("COMPILE_OK") >= 2), log_of(net, "srv")
    assert log_of(net, "srv").count("start") >= 2, log_of(net, "srv")


def lock_free(path):
    """Whether nobody holds 3.4's fcntl write lock on @path (a browser)."""
    import fcntl
    with open(path, "r+") as f:
        try:
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.lockf(f, fcntl.LOCK_UN)
        return True


def test_browser_lock_shared_with_debian_client_and_idle_exit(net3):
    net = net3
    start_ours(net, "srv")
    env = client_env(net)
    assert wait_for(lambda: any(h.startswith(net.addr("srv") + ":")
                                for h in show_hosts(net, "cli", env)), timeout=30)
    lock = net.path("dd", "zeroconf", "lock")
    assert not lock_free(lock)
    # Debian's client in the same DISTCC_DIR sees our browser: it starts none
    denv = dict(env, DISTCC_VERBOSE="1", DISTCC_FALLBACK="0")
    r = compile_on(net, "cli", DEBIAN_DISTCC, denv, "t_shared")
    assert "Spawning zeroconf daemon" not in r.stderr, r.stderr
    assert wait_for(lambda: log_of(net, "srv").count("COMPILE_OK") >= 1), log_of(net, "srv")
    # 3.4's lifetime: 20 s without a client, and the browser is gone
    assert wait_for(lambda: lock_free(lock), timeout=40, step=1)


def test_empty_discovery_compiles_locally_with_one_line():
    with ZcNet(["cli"]) as net:
        env = client_env(net)
        r = compile_on(net, "cli", OURS_C, env)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        assert len(lines) == 1, r.stderr
        assert "+zeroconf found no distcc servers on the network; compiling locally" in lines[0]


def test_without_avahi_says_so():
    with ZcNet(["cli"], avahi={"cli": False}) as net:
        env = client_env(net)
        r = compile_on(net, "cli", OURS_C, env)
        assert "avahi-daemon running" in r.stderr, r.stderr


@pytest.mark.parametrize("exe", ["distcc", "pump", "distcc-build", "distccmon-text"])
def test_client_programs_do_not_link_avahi(exe):
    """Avahi is dlopen()ed by the +zeroconf browser alone: a compile job maps
    no libavahi, libdbus or libsystemd (about 4 ms of CPU per job)."""
    out = subprocess.run(["readelf", "-d", os.path.join(BUILD, exe)], capture_output=True,
                         text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    assert needed, out
    assert not [n for n in needed if re.match(r"lib(avahi|dbus|systemd)", n)], needed
