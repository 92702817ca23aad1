# SPDX-License-Identifier: GPL-2.0-or-later
"""update-distcc-symlinks against a fake root: which links it creates (only
for compilers that are installed and executable), that it removes its own
stale links and nothing else, that a second run changes nothing, and that the
links lead to the distcc binary."""
import os
import stat
import subprocess

import pytest

from conftest import BUILD

TOOL = os.path.join(BUILD, "update-distcc-symlinks")


def exe(path, mode=0o755):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(mode)


@pytest.fixture
def world(tmp_path):
    """A root with gcc 13 (native + aarch64 cross), clang 15, a crosstool-NG
    toolchain outside /usr/bin, and a fake distcc binary."""
    root = tmp_path / "root"
    usrbin = root / "usr/bin"
    for name in ("cc", "gcc", "g++", "gcc-13", "g++-13", "x86_64-linux-gnu-gcc",
                 "x86_64-linux-gnu-gcc-13", "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-gcc-13",
                 "clang", "clang-15", "x86_64-linux-gnu-gcc-ar-13", "gcc-ar", "cpp"):
        exe(usrbin / name)
    exe(usrbin / "c++", 0o644)                       # present but not executable
    (usrbin / "clang++-15").mkdir()                  # a directory is not a compiler
    (root / "usr/lib/gcc/x86_64-linux-gnu/13").mkdir(parents=True)
    (root / "usr/lib/gcc-cross/aarch64-linux-gnu/13").mkdir(parents=True)
    (root / "usr/lib/llvm-15").mkdir(parents=True)
    (root / "usr/lib/llvm-16").mkdir(parents=True)   # no clang-16 in bin: no link
    xtools = tmp_path / "x-tools/armv7-rpi-linux-gnueabihf/bin"
    exe(xtools / "armv7-rpi-linux-gnueabihf-gcc")
    exe(xtools / "armv7-rpi-linux-gnueabihf-gcc-ar")
    distcc = tmp_path / "bin/distcc"
    exe(distcc)
    masq = tmp_path / "lib/distcc"
    return {"tmp": tmp_path, "root": root, "usrbin": usrbin, "xtools": xtools,
            "distcc": distcc, "dirs": [masq, masq / "bin"]}


def run(w, *extra, path=None, check=True):
    if not os.access(TOOL, os.X_OK):
        pytest.fail("%s not built (run make)" % TOOL)
    cmd = [TOOL, "--root", str(w["root"]), "--distcc", str(w["distcc"])]
    for d in w["dirs"]:
        cmd += ["--dir", str(d)]
    if path is not None:
        cmd += ["--path", path]
    p = subprocess.run(cmd + list(extra), capture_output=True, text=True, timeout=30)
    if check:
        assert p.returncode == 0, p.stdout + p.stderr
    return p


def links(d):
    return sorted(e.name for e in d.iterdir() if e.is_symlink())


NATIVE = ["aarch64-linux-gnu-gcc", "aarch64-linux-gnu-gcc-13", "cc", "clang", "clang-15",
          "g++", "g++-13", "gcc", "gcc-13", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-gcc-13"]


@pytest.mark.sanitize
def test_creates_links_for_installed_compilers(world):
    run(world)
    for d in world["dirs"]:
        assert links(d) == NATIVE
        for name in NATIVE:
            link = d / name
            assert not os.path.isabs(os.readlink(link))
            assert os.path.samefile(link, world["distcc"]), name


def test_second_run_changes_nothing(world):
    run(world)
    before = {(d / n): os.lstat(d / n) for d in world["dirs"] for n in links(d)}
    p = run(world, "--verbose")
    assert p.stdout == "" and p.stderr == ""
    after = {(d / n): os.lstat(d / n) for d in world["dirs"] for n in links(d)}
    assert before.keys() == after.keys()
    for k in before:
        assert (before[k].st_ino, before[k].st_mtime_ns) == (after[k].st_ino, after[k].st_mtime_ns)


def test_removes_stale_links_only(world):
    masq = world["dirs"][0]
    run(world)
    (world["usrbin"] / "gcc-13").unlink()
    (world["usrbin"] / "clang-15").chmod(0o644)
    (masq / "notes.txt").write_text("mine\n")
    os.symlink("/bin/true", masq / "mycc")
    os.symlink("../../other/distcc-wrapper", masq / "wrapped")
    p = run(world, "-v")
    assert "remove" in p.stdout
    expect = sorted(set(NATIVE) - {"gcc-13", "clang-15"})
    assert links(world["dirs"][1]) == expect
    assert links(masq) == sorted(expect + ["mycc", "wrapped"])
    assert (masq / "notes.txt").read_text() == "mine\n"


def test_cross_toolchain_on_given_path(world):
    path = "%s:%s" % (world["xtools"], world["usrbin"])
    p = run(world, "--list", path=path)
    names = p.stdout.split()
    assert "armv7-rpi-linux-gnueabihf-gcc" in names
    assert "armv7-rpi-linux-gnueabihf-gcc-ar" not in names
    run(world, path=path)
    assert "armv7-rpi-linux-gnueabihf-gcc" in links(world["dirs"][0])
    # without the toolchain's directory the link goes away again
    run(world)
    assert links(world["dirs"][0]) == NATIVE


def test_foreign_file_in_the_way_is_kept(world):
    masq = world["dirs"][0]
    masq.mkdir(parents=True)
    (masq / "gcc").write_text("not a link\n")
    p = run(world, check=False)
    assert p.returncode == 1
    assert "gcc" in p.stderr
    assert not (masq / "gcc").is_symlink()
    assert (masq / "gcc").read_text() == "not a link\n"
    assert "g++" in links(masq)


def test_replaces_link_to_another_distcc(world):
    masq = world["dirs"][0]
    masq.mkdir(parents=True)
    os.symlink("../../bin/distcc", masq / "gcc")        # e.g. Debian's package
    run(world)
    assert os.path.samefile(masq / "gcc", world["distcc"])


def test_dry_run_and_remove_all(world):
    p = run(world, "--dry-run")
    assert "gcc" in p.stdout
    assert not world["dirs"][0].exists()
    run(world)
    masq = world["dirs"][0]
    (masq / "keep").write_text("x")
    run(world, "--remove-all")
    assert links(masq) == [] and links(world["dirs"][1]) == []
    assert (masq / "keep").exists()


def test_distcc_itself_is_not_a_compiler(world):
    """A compiler name on the path that is really distcc gets no link (no loop)."""
    os.unlink(world["usrbin"] / "clang")
    os.symlink(world["distcc"], world["usrbin"] / "clang")
    p = run(world, "--list")
    assert "clang" not in p.stdout.split()


def test_created_dirs_are_world_readable(world):
    """distccd reads the whitelist as nobody: a root umask of 077 must not hide it."""
    if not os.access(TOOL, os.X_OK):
        pytest.fail("%s not built (run make)" % TOOL)
    cmd = [TOOL, "--root", str(world["root"]), "--distcc", str(world["distcc"])]
    for d in world["dirs"]:
        cmd += ["--dir", str(d)]
    p = subprocess.run(["sh", "-c", 'umask 077; exec "$@"', "sh"] + cmd,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    for d in world["dirs"]:
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o755


def masquerade_clients():
    from conftest import DEBIAN_DISTCC
    return [pytest.param(DEBIAN_DISTCC, id="debian-distcc"),
            pytest.param(os.path.join(BUILD, "distcc"), id="our-distcc")]


@pytest.mark.parametrize("client", masquerade_clients())
def test_links_work_as_masquerade_dir(tmp_path, client):
    """The real tool on this machine's /usr/bin: `gcc` found first on PATH in
    the generated directory is distcc, which finds the real gcc behind it
    and compiles (locally: the only host is localhost)."""
    if not os.access(client, os.X_OK):
        pytest.skip("%s not built yet" % client)
    masq = tmp_path / "masq"
    p = subprocess.run([TOOL, "--dir", str(masq), "--distcc", client],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert (masq / "gcc").is_symlink()
    (tmp_path / "hello.c").write_text("int main(void) { return 0; }\n")
    env = dict(os.environ, PATH="%s:/usr/bin:/bin" % masq, DISTCC_HOSTS="localhost",
               DISTCC_DIR=str(tmp_path / "state"), DISTCC_VERBOSE="1")
    p = subprocess.run(["gcc", "-c", "hello.c", "-o", "hello.o"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "hello.o").stat().st_size > 0
    assert "distcc" in p.stderr          # it really went through distcc
