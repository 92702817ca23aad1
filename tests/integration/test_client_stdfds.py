# SPDX-License-Identifier: GPL-2.0-or-later
"""Started with fds 0-2 closed (as some build tools and daemons do), distcc
must not let the files it opens land there: its own log lines would go into
them, and the compiler it runs would inherit them as stdout/stderr. The
dead host forces a warning and a local fallback."""
import os
import stat
import subprocess

from conftest import binary, free_port


def test_closed_std_fds_stay_closed_to_our_files(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "gcc"
    fake.write_text('#!/bin/sh\n'
                    'echo "$(readlink /proc/$$/fd/1) $(readlink /proc/$$/fd/2)" > "$FDLOG"\n'
                    'exec /usr/bin/gcc "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    src = tmp_path / "g.c"
    src.write_text("int g(void) { return 3; }\n")
    fdlog = tmp_path / "fds"
    env = dict(os.environ, DISTCC_HOSTS="127.0.0.1:%d" % free_port(),
               DISTCC_DIR=str(tmp_path / "dd"), DISTCC_VERBOSE="1",
               DISTCC_NO_REWRITE_CROSS="1", FDLOG=str(fdlog),
               PATH="%s:%s" % (bindir, os.environ["PATH"]))

    def close_std():
        for fd in (0, 1, 2):
            os.close(fd)

    r = subprocess.run([binary("distcc"), "gcc", "-c", str(src), "-o", str(tmp_path / "g.o")],
                       env=env, preexec_fn=close_std, cwd=tmp_path)
    assert r.returncode == 0
    assert fdlog.read_text().split() == ["/dev/null", "/dev/null"]
    subprocess.run(["/usr/bin/gcc", "-c", str(src), "-o", str(tmp_path / "local.o")],
                   check=True, cwd=tmp_path)
    assert (tmp_path / "g.o").read_bytes() == (tmp_path / "local.o").read_bytes()
