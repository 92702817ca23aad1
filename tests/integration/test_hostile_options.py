# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile client against a running distccd: for each refused option class
the attack a security researcher would try, sent as raw protocol. Nothing
executes (markers stay absent), no file appears outside the job, the refusal
is logged with its reason, the client gets the reason on SERR with exit 113,
and a normal compile still works afterwards. Stock distccd 3.4 runs several
of these (docs/argument-policy.md)."""
import os

import pytest

from hostile_helpers import (Daemon, Scratch, assert_normal_compile_works, assert_refused,
                             make_masq, raw_job, tmp_snapshot)

MASQ_NAMES = ["cc", "gcc", "g++", "clang", "x86_64-linux-gnu-gcc"]


@pytest.fixture(scope="module")
def daemon():
    masq = make_masq(names=["cc", "gcc", "g++", "x86_64-linux-gnu-gcc"],
                     extra={"clang": "/usr/bin/clang"})
    with Daemon(masq=masq) as d:
        yield d


@pytest.fixture
def scratch():
    s = Scratch()
    yield s
    s.cleanup()


def job(*args, cc="gcc"):
    return [cc] + list(args) + ["-c", "t.c", "-o", "t.o"]


# ---- code execution --------------------------------------------------------

@pytest.mark.sanitize
def test_wrapper_shell_command(daemon, scratch):
    marker = scratch.path("wrapper-ran")
    assert_refused(daemon, job("-wrapper", "/bin/sh,-c,touch %s" % marker),
                   "argument '-wrapper': would make the compiler run or load")
    assert not os.path.exists(marker)
    assert_normal_compile_works(daemon)


@pytest.mark.sanitize
def test_B_fake_assembler(daemon, scratch):
    marker = scratch.path("as-ran")
    os.mkdir(scratch.path("tc"), 0o755)
    body = "#!/bin/sh\ntouch %s\nexec /usr/bin/as \"$@\"\n" % marker
    for prog in ("as", "cc1"):
        scratch.script(os.path.join("tc", prog), body)
    for argv in (job("-B", scratch.path("tc") + "/"), job("-B" + scratch.path("tc") + "/")):
        assert_refused(daemon, argv, "would make the compiler run or load another program")
    assert not os.path.exists(marker)
    assert_normal_compile_works(daemon)


def test_specs_runs_command(daemon, scratch):
    # This specs file makes stock gcc run `touch MARKER` instead of as.
    marker = scratch.path("specs-ran")
    specs = scratch.path("evil.specs")
    with open(specs, "w") as f:
        f.write("*invoke_as:\n%%{!S:-o %%|.s |\n touch %s }\n\n" % marker)
    os.chmod(specs, 0o644)
    assert_refused(daemon, job("-specs=" + specs), "-specs=")
    assert_refused(daemon, job("--specs=" + specs), "-specs=")
    assert_refused(daemon, job("--specs", specs), "not in distccd's reviewed list")
    assert not os.path.exists(marker)


def test_plugins(daemon, scratch):
    so = scratch.path("evil.so")
    open(so, "wb").close()
    assert_refused(daemon, job("-fplugin=" + so), "-fplugin=")
    assert_refused(daemon, job("-fplugin-arg-evil-x=1"), "would make the compiler run or load")
    assert_refused(daemon, job("-Xclang", "-load", "-Xclang", so, cc="clang"),
                   "argument '-Xclang': passes options past the driver")
    assert_refused(daemon, job("-fpass-plugin=" + so, cc="clang"), "run or load")
    assert_refused(daemon, job("-Xpreprocessor", "-imacros", "-Xpreprocessor", so), "past the driver")
    assert_refused(daemon, job("-Wp,-fplugin=" + so), "past the driver")
    assert_refused(daemon, job("-fcompare-debug=-fplugin=" + so), "run or load")
    assert_normal_compile_works(daemon)


# ---- reading server files ---------------------------------------------------

@pytest.mark.sanitize
def test_response_file_reads_secret(daemon, scratch):
    secret, text = scratch.secret()
    for argv in (job("@" + secret), job("-D", "@" + secret)):
        rep = assert_refused(daemon, argv, "response files (@file) read arbitrary server files")
        assert text.encode() not in rep["SERR"]
    assert text not in daemon.logtext()


def test_include_reads_secret(daemon, scratch):
    secret, text = scratch.secret()
    for argv in (job("-include", secret), job("-include" + secret), job("-imacros", secret),
                 job("--include=" + secret)):
        rep = assert_refused(daemon, argv, "refusing job")
        assert text.encode() not in rep["SERR"] + rep["SOUT"]
    assert_refused(daemon, job("-fsanitize-blacklist=" + secret, cc="clang"),
                   "would read a file on the server outside the job")
    assert_refused(daemon, job("-fprofile-use=" + scratch.dir), "profile data")
    assert_refused(daemon, job("-fmodules", "-fmodules-cache-path=" + scratch.dir, cc="clang"),
                   "modules read and write caches")
    assert text not in daemon.logtext()


# ---- writing outside the job ------------------------------------------------

@pytest.mark.sanitize
@pytest.mark.serial      # compares listings of /tmp before and after
def test_writers_refused(daemon, scratch):
    before = tmp_snapshot()
    for argv, why in [
            (job("-save-temps"), "would write files outside the job directory"),
            (job("-save-temps=obj"), "would write files outside the job directory"),
            (job("-dumpdir", scratch.dir + "/"), "compiler dumps"),
            (job("-dumpbase", scratch.path("db")), "compiler dumps"),
            (job("-fdump-tree-all=" + scratch.path("dump")), "compiler dumps"),
            (job("-aux-info", scratch.path("aux")), "would write files"),
            (job("-MJ", scratch.path("cdb.json"), cc="clang"), "would write files"),
            (job("-Wa,-adhln=" + scratch.path("listing")), "past the driver"),
            (job("-Wa,--MD," + scratch.path("asdeps")), "past the driver"),
            (job("-fopt-info-all=" + scratch.path("opt")), "would write files"),
            (job("--serialize-diagnostics", scratch.path("dia"), cc="clang"), "reviewed list")]:
        assert_refused(daemon, argv, why)
    assert scratch.files() == []
    assert tmp_snapshot() - before <= {p for p in tmp_snapshot() - before
                                       if os.path.basename(p).startswith("distcc")}


def test_MF_outside_is_rewritten_not_written(daemon, scratch):
    dfile = scratch.path("deps.d")
    rep = raw_job(daemon, job("-MD", "-MF", dfile, "-MT", "t.o"))
    assert rep["STAT"] == 0 and rep["DOTO"][:4] == b"\x7fELF", rep["SERR"]
    rep = raw_job(daemon, job("-Wp,-MMD," + scratch.path("kbuild.d")))
    assert rep["STAT"] == 0, rep["SERR"]
    assert scratch.files() == []


# ---- job shape and smuggling -----------------------------------------------

def test_shape_and_smuggling(daemon, scratch):
    marker = scratch.path("smuggled")
    assert_refused(daemon, ["gcc", "t.c", "-o", "t"], "not a compile")
    assert_refused(daemon, job("-E"), "not a compile")
    assert_refused(daemon, job("-D", "-wrapper"), "looks like an option")
    assert_refused(daemon, job("-mllvm", "-info-output-file=" + marker, cc="clang"),
                   "past the driver")
    assert_refused(daemon, job("--pref=" + scratch.dir + "/"), "reviewed list")
    assert_refused(daemon, job("-march=native"), "CPU")
    # control characters in the argument do not reach the log verbatim
    assert_refused(daemon, job("-fevil\nFAKE LOG LINE"), "reviewed list")
    assert "\nFAKE LOG LINE" not in daemon.logtext()
    assert not os.path.exists(marker)
    assert_normal_compile_works(daemon)
    assert daemon.alive()


def test_refusal_reaches_debian_client(daemon, scratch, tmp_path):
    """Debian's distcc 3.4 client shows the reason and, with fallback, builds
    locally."""
    from daemon_helpers import distcc
    os.chmod(tmp_path, 0o755)
    (tmp_path / "a.c").write_text("int a(void) { return 1; }\n")
    r = distcc(daemon.hostspec, ["gcc", "-save-temps", "-c", "a.c", "-o", "a.o"], str(tmp_path),
               {"DISTCC_SKIP_LOCAL_RETRY": "1"})
    assert r.returncode == 113, r.stderr
    assert b"argument '-save-temps': would write files outside the job directory" in r.stderr
