# SPDX-License-Identifier: GPL-2.0-or-later
"""SSH hosts through a real sshd on 127.0.0.1 (ssh_helpers.SshServer: its
own user, made and removed here): our client to our distccd and to Debian's,
Debian's client to our distccd, objects identical to a local compile;
DISTCC_SSH's words on every connection of a make -j8; one shared SSH
connection for consecutive jobs; ',daemon' jobs run under the server's own
distccd; a refused key, a missing command and a killed ssh fall back to a
local compile with a line saying what failed.
Serial: creates a user account and writes /run/sshd."""
import os
import re
import subprocess
import time

import pytest

from client_helpers import PROJECT_OBJS, client_env, file_bytes, make, run_distcc, write, \
    write_project
from conftest import DEBIAN_DISTCC, DEBIAN_DISTCCD, binary
from ssh_helpers import SshServer

pytestmark = pytest.mark.serial

SRC = "int twice(int x) { return 2 * x; }\nint main(void) { return twice(3) - 6; }\n"


@pytest.fixture
def sshd():
    with SshServer() as s:
        yield s


def env_for(tmp_path, s, hosts, **extra):
    e = client_env(tmp_path, hosts, DISTCC_SSH=s.distcc_ssh(), DISTCC_DIR=s.short_distcc_dir(),
                   **extra)
    return e


def local_object(tmp_path):
    write(str(tmp_path / "a.c"), SRC)
    subprocess.run(["gcc", "-O2", "-c", "a.c", "-o", "local.o"], cwd=str(tmp_path), check=True)
    return file_bytes(str(tmp_path / "local.o"))


def compile_remote(tmp_path, env, exe=None, out="a.o"):
    r = run_distcc(["gcc", "-O2", "-c", "a.c", "-o", out], env, cwd=str(tmp_path), exe=exe)
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.parametrize("server,lzo", [("ours", ""), ("ours", ",lzo"), ("debian", ""),
                                        ("debian", ",lzo")])
def test_our_client_over_ssh(tmp_path, sshd, server, lzo):
    want = local_object(tmp_path)
    cmd = binary("distccd") if server == "ours" else DEBIAN_DISTCCD
    env = env_for(tmp_path, sshd, "%s@127.0.0.1:%s%s" % (sshd.user, cmd, lzo),
                  DISTCC_FALLBACK=0)
    r = compile_remote(tmp_path, env)
    assert file_bytes(str(tmp_path / "a.o")) == want
    assert r.stderr == b"", r.stderr     # nothing from ssh or the daemon on success
    assert sshd.sessions() == 1


def test_debian_client_over_ssh_to_our_distccd(tmp_path, sshd):
    want = local_object(tmp_path)
    env = env_for(tmp_path, sshd, "%s@127.0.0.1:%s,lzo" % (sshd.user, binary("distccd")),
                  DISTCC_FALLBACK=0)
    compile_remote(tmp_path, env, exe=DEBIAN_DISTCC)
    assert file_bytes(str(tmp_path / "a.o")) == want


def test_whitelist_applies_over_ssh(tmp_path, sshd):
    """3.4's client passes --enable-tcp-insecure; the whitelist still holds."""
    write(str(tmp_path / "a.c"), SRC)
    os.symlink("/usr/bin/gcc", str(tmp_path / "notlisted"))
    env = env_for(tmp_path, sshd, "%s@127.0.0.1:%s" % (sshd.user, binary("distccd")),
                  DISTCC_FALLBACK=0, DISTCC_SKIP_LOCAL_RETRY=1)
    r = run_distcc([str(tmp_path / "notlisted"), "-c", "a.c"], env, cwd=str(tmp_path),
                   exe=DEBIAN_DISTCC)
    assert r.returncode != 0
    assert b"whitelist" in r.stderr or b"not allowed" in r.stderr, r.stderr


def test_reuse_one_connection_for_consecutive_jobs(tmp_path, sshd):
    want = local_object(tmp_path)
    env = env_for(tmp_path, sshd, "%s@127.0.0.1:%s,lzo" % (sshd.user, binary("distccd")),
                  DISTCC_FALLBACK=0)
    for i in range(4):
        compile_remote(tmp_path, env, out="o%d.o" % i)
        assert file_bytes(str(tmp_path / ("o%d.o" % i))) == want
    assert sshd.sessions() == 1
    # the user's own choice wins: no sharing asked, one connection per job
    env["DISTCC_SSH"] = sshd.distcc_ssh() + " -o ControlMaster=no -o ControlPath=none"
    for i in range(2):
        compile_remote(tmp_path, env, out="p%d.o" % i)
    assert sshd.sessions() == 3


def test_distcc_ssh_words_on_every_connection_of_make_j8(tmp_path, sshd):
    proj = tmp_path / "proj"
    write_project(proj)
    log = sshd.path("argv.log")
    wrap = sshd.script("sshwrap", '#!/bin/sh\necho "$*" >> %s\nexec ssh "$@"\n' % log)
    env = env_for(tmp_path, sshd, "%s@127.0.0.1/8:%s,lzo" % (sshd.user, binary("distccd")),
                  DISTCC_FALLBACK=0)
    env["DISTCC_SSH"] = sshd.distcc_ssh(program=wrap) + " -o ServerAliveInterval=17"
    env["CC"] = "%s gcc" % binary("distcc")
    env["CXX"] = "%s g++" % binary("distcc")
    r = make(proj, env)
    assert r.returncode == 0, r.stderr
    with open(log) as f:
        lines = f.read().splitlines()
    assert len(lines) == len(PROJECT_OBJS), lines
    for line in lines:
        assert "-p %d " % sshd.port in line and "-o ServerAliveInterval=17" in line, line
        assert line.endswith("127.0.0.1 %s --inetd" % binary("distccd")), line
    assert sshd.sessions() < len(PROJECT_OBJS)


def test_daemon_form_runs_jobs_in_the_servers_distccd(tmp_path, sshd, distccd):
    want = local_object(tmp_path)
    d = distccd(["--jobs", "1"])
    env = env_for(tmp_path, sshd, "%s@127.0.0.1/4,lzo,daemon=%d" % (sshd.user, d.port),
                  DISTCC_FALLBACK=0)
    for i in range(3):
        compile_remote(tmp_path, env, out="o%d.o" % i)
        assert file_bytes(str(tmp_path / ("o%d.o" % i))) == want
    ok = [l for l in d.logtext().splitlines() if "COMPILE_OK" in l]
    assert len(ok) == 3, d.logtext()
    assert all("127.0.0.1:" in l for l in ok), ok
    assert sshd.sessions() == 1


def fallback_ok(tmp_path, env):
    r = run_distcc(["gcc", "-O2", "-c", "a.c", "-o", "a.o"], env, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert file_bytes(str(tmp_path / "a.o")) == file_bytes(str(tmp_path / "local.o"))
    err = r.stderr.decode()
    assert "running locally instead" in err, err
    return err


def test_refused_key_falls_back(tmp_path, sshd):
    local_object(tmp_path)
    env = env_for(tmp_path, sshd, "%s@127.0.0.1" % sshd.user)
    env["DISTCC_SSH"] = sshd.distcc_ssh(key="otherkey")
    err = fallback_ok(tmp_path, env)
    assert "Permission denied (publickey)" in err, err
    assert err.count("Permission denied") == 1, err
    assert re.search(r"ssh to '%s@127.0.0.1' failed \(ssh exit status 255" % sshd.user, err), err


def test_missing_ssh_program_falls_back(tmp_path, sshd):
    local_object(tmp_path)
    env = env_for(tmp_path, sshd, "%s@127.0.0.1" % sshd.user)
    env["DISTCC_SSH"] = "/nonexistent/ssh -p 1"
    err = fallback_ok(tmp_path, env)
    assert "cannot run '/nonexistent/ssh'" in err, err


def test_missing_command_falls_back(tmp_path, sshd):
    local_object(tmp_path)
    env = env_for(tmp_path, sshd, "%s@127.0.0.1:/nonexistent/distccd" % sshd.user)
    err = fallback_ok(tmp_path, env)
    assert "command '/nonexistent/distccd' not found on the server" in err, err


def test_killed_ssh_falls_back(tmp_path, sshd):
    local_object(tmp_path)
    pidfile = sshd.path("ssh.pid")
    wrap = sshd.script("sshpid", '#!/bin/sh\necho $$ > %s\nexec ssh "$@"\n' % pidfile)
    slow = sshd.script("slowd", "#!/bin/sh\nsleep 3\nexec %s \"$@\"\n" % binary("distccd"))
    env = env_for(tmp_path, sshd, "%s@127.0.0.1:%s" % (sshd.user, slow))
    env["DISTCC_SSH"] = sshd.distcc_ssh(program=wrap)
    p = subprocess.Popen([binary("distcc"), "gcc", "-O2", "-c", "a.c", "-o", "a.o"], env=env,
                         cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(100):
        if os.path.exists(pidfile) and open(pidfile).read().strip():
            break
        time.sleep(0.05)
    time.sleep(1)
    os.kill(int(open(pidfile).read()), 9)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert file_bytes(str(tmp_path / "a.o")) == file_bytes(str(tmp_path / "local.o"))
    err = err.decode()
    assert "was killed by signal 9" in err and "running locally instead" in err, err


def test_pump_mode_over_ssh(sshd):
    """pump make -j8 with a ',cpp,lzo' SSH host: protocol 3 over ssh to our
    distccd running as the SSH user, no local preprocessor, objects and .d
    files identical to a local build."""
    import shutil
    from client_helpers import world_dir
    from pump_helpers import OBJS, local_build, make_cmd, preprocessor_runs, pump_env, run, \
        snapshot, wrapper_dir
    from pump_helpers import write_project as write_pump_project
    d = world_dir("distcc-ssh-pump-")
    log = os.path.join(d, "cpp.log")
    wrap = wrapper_dir(log)
    try:
        proj = write_pump_project(os.path.join(d, "proj"))
        env = pump_env(d, "%s@127.0.0.1/4:%s,cpp,lzo" % (sshd.user, binary("distccd")), wrap,
                       DISTCC_SSH=sshd.distcc_ssh(), DISTCC_DIR=sshd.short_distcc_dir())
        want = local_build(proj, env, "OPT=-O2")
        run(["make", "clean"], proj, env)
        open(log, "w").close()
        p = run(make_cmd("OPT=-O2"), proj, env)
        err = p.stderr.decode()
        assert p.returncode == 0, err
        assert "locally" not in err and "plain mode" not in err, err
        assert preprocessor_runs(log, proj) == [], open(log).read()
        got = snapshot(proj)
        assert sorted(got) == sorted(want)
        for name in want:
            assert got[name] == want[name], name
        assert sshd.sessions() < len(OBJS)
    finally:
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(wrap, ignore_errors=True)
