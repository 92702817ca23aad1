# SPDX-License-Identifier: GPL-2.0-or-later
"""tmpfiles.d rules: the per-user rule puts ~/.distcc on $XDG_RUNTIME_DIR,
the system rule creates /run/distccd; both applied twice (idempotent) with
the real systemd-tmpfiles against throwaway roots."""
import os
import stat

from conftest import TOP
import systemd_helpers as sh

USER_RULE = os.path.join(TOP, "tmpfiles.d", "distcc-user.conf")
SYSTEM_RULE = os.path.join(TOP, "tmpfiles.d", "distccd.conf")


def user_env(tmp_path):
    home, rt = tmp_path / "home", tmp_path / "run-user"
    home.mkdir()
    rt.mkdir(mode=0o700)
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(rt))
    return env, home, rt


def test_user_rule_links_distcc_dir_to_runtime_dir(tmp_path):
    env, home, rt = user_env(tmp_path)
    for _ in range(2):
        p = sh.tmpfiles(["--user", "--create", USER_RULE], env=env)
        assert p.returncode == 0 and p.stderr == "", p.stderr
        link = home / ".distcc"
        assert os.readlink(link) == str(rt / "distcc")
        st = os.stat(rt / "distcc")
        assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o700
    # the client's state lands on the runtime dir through the link
    (home / ".distcc" / "lock").mkdir()
    assert (rt / "distcc" / "lock").is_dir()


def test_user_rule_leaves_existing_distcc_dir_alone(tmp_path):
    env, home, rt = user_env(tmp_path)
    (home / ".distcc").mkdir()
    (home / ".distcc" / "hosts").write_text("10.0.0.2\n")
    sh.tmpfiles(["--user", "--create", USER_RULE], env=env)
    assert not os.path.islink(home / ".distcc")
    assert (home / ".distcc" / "hosts").read_text() == "10.0.0.2\n"


def test_user_rule_found_by_name_and_masked_by_user(tmp_path):
    """Installed like a package does (a user-tmpfiles.d search dir), the rule
    applies without naming the file; README's undo masks it per user with a
    /dev/null link in ~/.config/user-tmpfiles.d."""
    env, home, rt = user_env(tmp_path)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["XDG_DATA_HOME"] = str(home / ".local/share")
    vendor = home / ".local/share/user-tmpfiles.d"
    vendor.mkdir(parents=True)
    (vendor / "distcc.conf").write_text(open(USER_RULE).read())
    p = sh.tmpfiles(["--user", "--create"], env=env)
    assert p.returncode == 0, p.stderr
    assert os.readlink(home / ".distcc") == str(rt / "distcc")
    # undo: mask, remove the link and the runtime dir; nothing comes back
    mask = home / ".config/user-tmpfiles.d"
    mask.mkdir(parents=True)
    os.symlink("/dev/null", mask / "distcc.conf")
    os.unlink(home / ".distcc")
    os.rmdir(rt / "distcc")
    p = sh.tmpfiles(["--user", "--create"], env=env)
    assert p.returncode == 0, p.stderr
    assert not os.path.lexists(home / ".distcc") and not (rt / "distcc").exists()


def test_system_rule_in_fresh_root(tmp_path):
    root = sh.fake_root(str(tmp_path / "root"))
    outs = []
    for _ in range(2):
        p = sh.tmpfiles(["--create", "--root=" + root, SYSTEM_RULE])
        assert p.returncode == 0 and p.stderr == "", p.stderr
        st = os.stat(os.path.join(root, "run/distccd"))
        assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o755
        assert st.st_uid == 0
        outs.append(sorted(os.listdir(os.path.join(root, "run"))))
    assert outs[0] == outs[1] == ["distccd"]
