# SPDX-License-Identifier: GPL-2.0-or-later
"""Toolchains: a client compiler name served by another local compiler
(distccd --toolchain-map), the refusal that names a missing compiler and the
offered ones, distccd --list-compilers, kernel-style cross builds with
Debian's real cross compilers, -march=native distributed with objects
identical to local ones, clang's --target/-target respected, and
distcc --check-hosts against ours, Debian's distccd 3.4, a server whose gcc
is gcc-11, a dead host and a refusing host."""
import os
import re
import shutil
import subprocess
import time

import pytest

from client_helpers import client_env, debian_distccd, run_distcc
from conftest import binary, free_port
from client_helpers import write
from daemon_helpers import Daemon, make_masq, world_dir

RPI = "armv6j-hardfloat-linux-gnueabi-gcc"
ARM = "/usr/bin/arm-linux-gnueabihf-gcc"
AARCH64 = "/usr/bin/aarch64-linux-gnu-gcc"
SERVER_PATH = "/usr/local/bin:/usr/bin:/bin"

# freestanding sources: the cross compilers come without a target libc
SOURCES = {
    "sq.c": "static int sq(int x) { return x * x; }\nint api_sq(int v) { return sq(v) + 1; }\n",
    "sum.c": "#include <stddef.h>\nlong sum(const int *p, size_t n)\n"
             "{ long s = 0; for (size_t i = 0; i < n; i++) s += p[i]; return s; }\n",
    "fp.c": "double mix(double a, float b) { return a * b + 0.5; }\n"
            "void saxpy(float *y, const float *x, float a, int n)\n"
            "{ for (int i = 0; i < n; i++) y[i] += a * x[i]; }\n",
}
OBJS = ["sq.o", "sum.o", "fp.o"]
MAKEFILE = ("CFLAGS = -O2 -g0 -Wall\nOBJS = " + " ".join(OBJS) + "\nall: $(OBJS)\n"
            "%.o: %.c\n\t$(CC) $(CFLAGS) -c $< -o $@\n")

for cc in (ARM, AARCH64):
    if not os.access(cc, os.X_OK):
        pytest.skip("Debian's cross compilers are not installed (build-aux/deps-check.txt)",
                    allow_module_level=True)


@pytest.fixture
def work():
    d = world_dir("distcc-toolchains-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def project(d, sub, makefile=MAKEFILE):
    p = os.path.join(d, sub)
    os.makedirs(p)
    for name, text in SOURCES.items():
        write(os.path.join(p, name), text.encode())
    write(os.path.join(p, "Makefile"), makefile.encode())
    return p


def make(cwd, env, *args):
    return subprocess.run(["make", "-j4"] + list(args), cwd=cwd, env=env, capture_output=True,
                          timeout=240)


def objects(d, names=OBJS):
    out = {}
    for n in names:
        with open(os.path.join(d, n), "rb") as f:
            out[n] = f.read()
    return out


def jobs_ok(d, want, timeout=10):
    """COMPILE_OK lines in @d's log, waiting for @want of them: the server
    logs a job after the client already has its reply."""
    end = time.monotonic() + timeout
    while True:
        n = d.logtext().count("COMPILE_OK")
        if n >= want or time.monotonic() > end:
            return n
        time.sleep(0.05)


def mapfile(d, text):
    return write(os.path.join(d, "toolchains"), text.encode())


def rpi_client_bin(d):
    """The client's Gentoo-style name: a symlink to Debian's armhf compiler."""
    b = os.path.join(d, "bin")
    os.makedirs(b)
    os.symlink(ARM, os.path.join(b, RPI))
    os.chmod(b, 0o755)
    return b


def env_for(d, hosts, path_first=None, **extra):
    e = client_env(d, hosts, **extra)
    e["PATH"] = ((path_first + ":") if path_first else "") + SERVER_PATH
    return e


# ---- the map -------------------------------------------------------------

@pytest.mark.sanitize
def test_rpi_name_mapped_to_debian_cross_compiler(work):
    bindir = rpi_client_bin(work)
    local = project(work, "local")
    remote = project(work, "remote")
    cc = RPI
    e = env_for(work, None, bindir)
    r = make(local, e, "CC=" + cc)
    assert r.returncode == 0, r.stderr
    masq = make_masq(names=["arm-linux-gnueabihf-gcc", "gcc"])
    amap = mapfile(work, "# Raspberry Pi clients (Gentoo's name)\n"
                         "armv6j-hardfloat-linux-gnueabi-*   arm-linux-gnueabihf-*\n")
    with Daemon(args=["--toolchain-map", amap], masq=masq, env={"PATH": SERVER_PATH}) as d:
        e = env_for(work, d.hostspec, bindir, DISTCC_FALLBACK="0")
        r = make(remote, e, "CC=%s %s" % (binary("distcc"), cc))
        assert r.returncode == 0, r.stderr
        assert jobs_ok(d, len(OBJS)) == len(OBJS)
        # what ran is the mapped compiler
        assert re.search(r"COMPILE_OK .* arm-linux-gnueabihf-gcc sq\.c", d.logtext())
    shutil.rmtree(masq)
    assert objects(remote) == objects(local)
    assert objects(local)["sq.o"][18] == 40      # e_machine EM_ARM


@pytest.mark.sanitize
def test_without_map_refusal_names_missing_and_offered(work):
    bindir = rpi_client_bin(work)
    src = project(work, "p")
    masq = make_masq(names=["arm-linux-gnueabihf-gcc", "gcc"])
    with Daemon(masq=masq, env={"PATH": SERVER_PATH}) as d:
        e = env_for(work, d.hostspec, bindir)
        r = run_distcc([RPI, "-O2", "-c", "sq.c", "-o", "sq.o"], e, cwd=src)
        # the build is not lost: refused remotely, compiled here
        assert r.returncode == 0, r.stderr
        err = r.stderr.decode()
        assert err.count("this server offers: ") == 1, err      # shown once
        line = [l for l in err.splitlines() if "this server offers" in l][0]
        assert "compiler '%s'" % RPI in line
        assert "looked up as '%s'" % RPI in line
        assert "PATH=" + SERVER_PATH in line
        assert "arm-linux-gnueabihf-gcc" in line.split("offers: ")[1]
        assert "retrying locally" in err
        assert "this server offers" in d.logtext()
    shutil.rmtree(masq)


@pytest.mark.sanitize
def test_mapped_compiler_must_be_whitelisted_and_on_path(work):
    """The map chooses a name; the whitelist and PATH still decide."""
    src = project(work, "p")
    masq = make_masq(names=["gcc", "nosuch-cc-9"])
    amap = mapfile(work, "x86_64-linux-gnu-gcc arm-linux-gnueabihf-gcc\n"
                         "gcc nosuch-cc-9\n")
    with Daemon(args=["--toolchain-map", amap], masq=masq, env={"PATH": SERVER_PATH}) as d:
        e = env_for(work, d.hostspec, DISTCC_SKIP_LOCAL_RETRY="1", DISTCC_NO_REWRITE_CROSS="1")
        r = run_distcc(["gcc", "-c", "sq.c", "-o", "sq.o"], e, cwd=src)
        assert r.returncode == 110, r.stderr
        assert b"compiler 'gcc' (looked up as 'nosuch-cc-9' through the toolchain map) " \
               b"was not found on PATH=" + SERVER_PATH.encode() in r.stderr
        r = run_distcc(["x86_64-linux-gnu-gcc", "-c", "sq.c", "-o", "sq.o"], e, cwd=src)
        assert r.returncode == 113, r.stderr
        assert b"looked up as 'arm-linux-gnueabihf-gcc' through the toolchain map" in r.stderr
        assert b"not in the whitelist" in r.stderr
    shutil.rmtree(masq)


def test_map_leading_arguments_pass_the_policy(work):
    """i686 chroot on an x86_64 host: i686-linux-gnu-gcc served by the host's
    gcc -m32 (same code; the .comment differs, it is another build of gcc)."""
    src = project(work, "p")
    masq = make_masq(names=["x86_64-linux-gnu-gcc"])
    amap = mapfile(work, "i686-linux-gnu-gcc  x86_64-linux-gnu-gcc  -m32\n"
                         "evil-gcc x86_64-linux-gnu-gcc -fplugin=/tmp/x.so\n")
    with Daemon(args=["--toolchain-map", amap], masq=masq, env={"PATH": SERVER_PATH}) as d:
        e = env_for(work, d.hostspec, DISTCC_FALLBACK="0")
        r = run_distcc(["i686-linux-gnu-gcc", "-O2", "-c", "fp.c", "-o", "fp.o"], e, cwd=src)
        assert r.returncode == 0, r.stderr
        with open(os.path.join(src, "fp.o"), "rb") as f:
            obj = f.read()
        assert obj[4] == 1 and obj[18] == 3          # ELFCLASS32, EM_386
        # the admin's arguments meet the same policy as the client's
        e = env_for(work, d.hostspec, DISTCC_SKIP_LOCAL_RETRY="1", DISTCC_NO_REWRITE_CROSS="1")
        os.symlink("/usr/bin/gcc", os.path.join(work, "evil-gcc"))
        e["PATH"] = work + ":" + e["PATH"]
        r = run_distcc(["evil-gcc", "-c", "sq.c", "-o", "sq.o"], e, cwd=src)
        assert r.returncode == 113 and b"-fplugin=" in r.stderr, r.stderr
    shutil.rmtree(masq)


@pytest.mark.sanitize
def test_bad_map_is_a_bad_option(work):
    amap = mapfile(work, "gcc gcc-11\narm-* /opt/x/arm-*\n")
    r = subprocess.run([binary("distccd"), "--toolchain-map", amap, "--list-compilers"],
                       capture_output=True)
    assert r.returncode == 101
    assert b"line 2" in r.stderr and amap.encode() in r.stderr
    r = subprocess.run([binary("distccd"), "--toolchain-map", "/nonexistent/map",
                        "--list-compilers"], capture_output=True)
    assert r.returncode == 101 and b"/nonexistent/map" in r.stderr


@pytest.mark.sanitize
def test_list_compilers(work):
    masq = make_masq(names=["gcc", "gcc-11", "arm-linux-gnueabihf-gcc", "nosuch-cc-9"])
    amap = mapfile(work, "armv6j-hardfloat-linux-gnueabi-* arm-linux-gnueabihf-*\n"
                         "i686-linux-gnu-gcc x86_64-linux-gnu-gcc -m32\n")
    r = subprocess.run([binary("distccd"), "--masquerade-dir", masq, "--toolchain-map", amap,
                        "--list-compilers"], capture_output=True, text=True,
                       env=dict(os.environ, PATH=SERVER_PATH))
    shutil.rmtree(masq)
    assert r.returncode == 0, r.stderr
    rows = {l.split()[0]: l for l in r.stdout.splitlines()[1:]}
    assert r.stdout.splitlines()[0].split() == ["NAME", "RUNS", "TARGET", "VERSION"]
    assert set(rows) == {"gcc", "gcc-11", "arm-linux-gnueabihf-gcc", RPI}
    assert re.match(RPI + r"\s+/usr/bin/arm-linux-gnueabihf-gcc\s+arm-linux-gnueabihf\s+"
                    r"arm-linux-gnueabihf-gcc \(Debian [^)]*\) 12\.", rows[RPI])
    assert re.search(r"x86_64-linux-gnu\s+gcc-11 \(Debian [^)]*\) 11\.", rows["gcc-11"])
    assert "'nosuch-cc-9' is not found on PATH" in r.stderr
    assert "'i686-linux-gnu-gcc' (mapped to 'x86_64-linux-gnu-gcc') is not in the whitelist" \
        in r.stderr
    # DISTCC_CMDLIST is the list when set: its names, the paths it gives
    cl = write(os.path.join(work, "cmdlist"), b"/usr/bin/gcc-11\n/usr/bin/clang\n/nonexistent/x-gcc\n")
    amap = mapfile(work, "gcc gcc-11\n")
    r = subprocess.run([binary("distccd"), "--toolchain-map", amap, "--list-compilers"],
                       capture_output=True, text=True,
                       env=dict(os.environ, PATH=SERVER_PATH, DISTCC_CMDLIST=cl))
    assert r.returncode == 0, r.stderr
    rows = {l.split()[0]: l.split()[1] for l in r.stdout.splitlines()[1:]}
    assert rows == {"clang": "/usr/bin/clang", "gcc": "/usr/bin/gcc-11", "gcc-11": "/usr/bin/gcc-11"}
    assert "'x-gcc' is listed in DISTCC_CMDLIST but not executable" in r.stderr
    # no whitelist: the compiler-shaped names on PATH, no other program is run
    r = subprocess.run([binary("distccd"), "--enable-tcp-insecure", "--list-compilers"],
                       capture_output=True, text=True, env=dict(os.environ, PATH=SERVER_PATH))
    assert r.returncode == 0, r.stderr
    names = {l.split()[0] for l in r.stdout.splitlines()[1:]}
    assert {"gcc", "cc", "gcc-11", "clang", "aarch64-linux-gnu-gcc"} <= names
    assert not names & {"gcc-ar", "gcc-nm-12", "clang-format", "ls", "sh"}, names


# ---- kernel-style cross build --------------------------------------------

KBUILD = """ARCH ?= arm64
CROSS_COMPILE ?=
CC = $(CROSS_COMPILE)gcc
KBUILD_CFLAGS = -nostdinc -isystem $(shell $(CC) -print-file-name=include) \\
	-D__KERNEL__ -Iinclude -include include/kconfig.h -std=gnu11 -fno-strict-aliasing \\
	-fno-common -fshort-wchar -fno-PIE -mgeneral-regs-only -O2 -fno-stack-protector \\
	-fno-asynchronous-unwind-tables -g0
OBJS = sq.o sum.o fp.o
all: $(OBJS)
%.o: %.c
	$(CC) -Wp,-MMD,$(@D)/.$(@F).d $(KBUILD_CFLAGS) -DKBUILD_BASENAME='"$(basename $(@F))"' \\
		-c -o $@ $<
"""


def test_kernel_style_arm64_cross_build(work):
    sources = dict(SOURCES)
    sources["fp.c"] = "int fold(int a, int b) { return a * 31 + b; }\n"   # no FP in-kernel
    local, remote = os.path.join(work, "local"), os.path.join(work, "remote")
    for p in (local, remote):
        for name, text in sources.items():
            write(os.path.join(p, name), text.encode())
        write(os.path.join(p, "include", "kconfig.h"), b"#define CONFIG_ARM64 1\n")
        write(os.path.join(p, "Makefile"), KBUILD.encode())
    e = env_for(work, None)
    r = make(local, e, "ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-")
    assert r.returncode == 0, r.stderr
    masq = make_masq(names=["aarch64-linux-gnu-gcc"])
    with Daemon(masq=masq, env={"PATH": SERVER_PATH}) as d:
        e = env_for(work, d.hostspec, DISTCC_FALLBACK="0")
        r = make(remote, e, "ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-",
                 "CC=%s aarch64-linux-gnu-gcc" % binary("distcc"))
        assert r.returncode == 0, r.stderr
        assert jobs_ok(d, len(OBJS)) == len(OBJS)
    shutil.rmtree(masq)
    assert objects(remote) == objects(local)
    assert objects(local)["sq.o"][18] == 183      # EM_AARCH64
    assert os.path.exists(os.path.join(remote, ".sq.o.d"))


# ---- -march=native ---------------------------------------------------------

NATIVE_C = ("void f(float *restrict a, const float *restrict b, int n)\n"
            "{ for (int i = 0; i < n; i++) a[i] = a[i] * b[i] + 3.0f; }\n"
            "double g(double x) { return __builtin_sqrt(x) * x; }\n")


def native_daemon():
    masq = make_masq(names=["gcc", "x86_64-linux-gnu-gcc", "clang"])
    return masq, Daemon(masq=masq, env={"PATH": SERVER_PATH})


def probe_counter(work):
    """x86_64-linux-gnu-gcc first on PATH: counts -### probes, runs gcc."""
    b = os.path.join(work, "counting")
    os.makedirs(b)
    log = os.path.join(work, "probes.log")
    write(os.path.join(b, "x86_64-linux-gnu-gcc"),
          ('#!/bin/sh\nfor a; do [ "$a" = "-###" ] && echo probe >> %s; done\n'
           'exec /usr/bin/x86_64-linux-gnu-gcc "$@"\n' % log).encode(), 0o755)
    return b, log


@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("flags", [["-march=native"], ["-mtune=native"],
                                   ["-march=native", "-mtune=native"]])
def test_native_distributed_identical(work, cc, flags):
    write(os.path.join(work, "v.c"), NATIVE_C.encode())
    args = ["-O2"] + flags + ["-c", "v.c", "-o"]
    r = subprocess.run([cc] + args + ["local.o"], cwd=work, capture_output=True)
    assert r.returncode == 0, r.stderr
    masq, d = native_daemon()
    with d:
        e = env_for(work, d.hostspec, DISTCC_FALLBACK="0")
        r = run_distcc([cc] + args + ["remote.o"], e, cwd=work)
        assert r.returncode == 0, r.stderr
        assert jobs_ok(d, 1) == 1
    shutil.rmtree(masq)
    assert objects(work, ["remote.o"])["remote.o"] == objects(work, ["local.o"])["local.o"]


def test_native_resolution_is_cached(work):
    write(os.path.join(work, "v.c"), NATIVE_C.encode())
    counting, log = probe_counter(work)
    masq, d = native_daemon()
    with d:
        e = env_for(work, d.hostspec, counting, DISTCC_FALLBACK="0")
        for i in range(3):
            r = run_distcc(["gcc", "-O2", "-march=native", "-c", "v.c", "-o", "v%d.o" % i], e,
                           cwd=work)
            assert r.returncode == 0, r.stderr
        assert jobs_ok(d, 3) == 3
    shutil.rmtree(masq)
    with open(log) as f:
        first = f.read().count("probe")
    # native, baseline, proof: once, then from $DISTCC_DIR/native
    assert first == 3
    assert len(os.listdir(os.path.join(work, "dcc", "native"))) == 1


def test_native_stays_local_when_not_exact_or_opted_out(work):
    """gcc -g records its switches in DW_AT_producer, where the order of the
    --param options would differ: such jobs stay local (3.4's behaviour),
    clang -g does not record them and is distributed; the opt-out works."""
    write(os.path.join(work, "v.c"), NATIVE_C.encode())
    masq, d = native_daemon()
    with d:
        e = env_for(work, d.hostspec)
        r = run_distcc(["gcc", "-O2", "-g", "-march=native", "-c", "v.c", "-o", "g.o"], e, cwd=work)
        assert r.returncode == 0, r.stderr
        r = run_distcc(["gcc", "-O2", "-march=native", "-c", "v.c", "-o", "n.o"],
                       dict(e, DISTCC_NO_RESOLVE_NATIVE="1"), cwd=work)
        assert r.returncode == 0, r.stderr
        r = run_distcc(["clang", "-O2", "-g", "-march=native", "-c", "v.c", "-o", "c.o"], e,
                       cwd=work)
        assert r.returncode == 0, r.stderr
        # the clang job is the only one the server saw (the gcc jobs ran before it)
        assert jobs_ok(d, 1) == 1
        assert re.search(r"COMPILE_OK .* clang v\.c", d.logtext())
    shutil.rmtree(masq)


# ---- clang --target / -target (3.4 bugs #416, #483) -------------------------

@pytest.mark.parametrize("target", [["--target=aarch64-linux-gnu"],
                                    ["-target", "aarch64-linux-gnu"]])
def test_clang_target_kept_and_respected(work, target):
    write(os.path.join(work, "sq.c"), SOURCES["sq.c"].encode())
    args = ["-O2"] + target + ["-c", "sq.c", "-o"]
    r = subprocess.run(["clang"] + args + ["local.o"], cwd=work, capture_output=True)
    assert r.returncode == 0, r.stderr
    masq = make_masq(names=["clang"])
    with Daemon(masq=masq, env={"PATH": SERVER_PATH}) as d:
        e = env_for(work, d.hostspec, DISTCC_FALLBACK="0")
        r = run_distcc(["clang"] + args + ["remote.o"], e, cwd=work)
        assert r.returncode == 0, r.stderr
        assert jobs_ok(d, 1) == 1
    shutil.rmtree(masq)
    objs = objects(work, ["local.o", "remote.o"])
    assert objs["remote.o"] == objs["local.o"]
    assert objs["remote.o"][18] == 183           # aarch64, not the client's x86_64


# ---- distcc --check-hosts --------------------------------------------------

class Debian34:
    """Debian's distccd 3.4 on a free port. Its compiler list is a
    DISTCC_CMDLIST file (3.4's own remap: the client's name, matched on its
    basename, runs the listed path), so the test does not depend on what
    /usr/lib/distcc holds on this machine."""

    def __init__(self, work, name, prefix="/usr/bin"):
        self.port = free_port()
        cmdlist = write(os.path.join(work, "cmdlist-" + name),
                        "".join("%s/%s\n" % (prefix, c)
                                for c in ("x86_64-linux-gnu-gcc", "clang")).encode())
        e = dict(os.environ, PATH=SERVER_PATH, DISTCC_CMDLIST=cmdlist)
        if prefix != "/usr/bin":
            # 3.4 retries a failed exec with the basename on its PATH
            e["DISTCCD_PATH"] = prefix
        self.proc = subprocess.Popen([debian_distccd(), "--daemon", "--no-detach", "--allow",
                                      "127.0.0.1", "--listen", "127.0.0.1", "--port",
                                      str(self.port), "--log-stderr"], env=e,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        from conftest import wait_port
        assert wait_port(self.port)
        self.hostspec = "127.0.0.1:%d" % self.port

    def close(self):
        from conftest import stop
        stop(self.proc)


def table(out):
    rows = {}
    for line in out.splitlines()[1:]:
        host, compiler, rest = line.split(None, 2)
        verdict = rest.split("  ")[0].strip()
        rows[(host, compiler)] = verdict
    return rows


def test_check_hosts(work):
    plain = make_masq(names=["gcc", "x86_64-linux-gnu-gcc"])           # no clang
    older = make_masq(names=["gcc-11", "clang"])
    amap = mapfile(work, "x86_64-linux-gnu-gcc gcc-11\n")
    servers, debs = [], []
    try:
        ours = Daemon(masq=plain, env={"PATH": SERVER_PATH})
        servers.append(ours)
        gcc11 = Daemon(args=["--toolchain-map", amap], masq=older, env={"PATH": SERVER_PATH})
        servers.append(gcc11)
        refusing = Daemon(args=["--allow", "10.253.0.1"], masq=plain, env={"PATH": SERVER_PATH})
        servers.append(refusing)
        deb = Debian34(work, "ok")
        debs.append(deb)
        deb_nopath = Debian34(work, "gone", prefix="/nonexistent")
        debs.append(deb_nopath)
        dead = "127.0.0.1:%d" % free_port()
        hosts = [ours.hostspec, gcc11.hostspec, deb.hostspec, deb_nopath.hostspec, dead,
                 refusing.hostspec]
        e = env_for(work, " ".join(hosts))
        r = run_distcc(["--check-hosts", "gcc", "clang"], e, cwd=work)
        out = r.stdout.decode()
        assert r.returncode == 1, out + r.stderr.decode()
        rows = table(out)
        want = {
            (ours.hostspec, "gcc"): "same", (ours.hostspec, "clang"): "missing",
            (gcc11.hostspec, "gcc"): "different version", (gcc11.hostspec, "clang"): "same",
            (deb.hostspec, "gcc"): "same", (deb.hostspec, "clang"): "same",
            (deb_nopath.hostspec, "gcc"): "missing", (deb_nopath.hostspec, "clang"): "missing",
            (dead, "gcc"): "unreachable", (dead, "clang"): "unreachable",
            (refusing.hostspec, "gcc"): "refused", (refusing.hostspec, "clang"): "refused",
        }
        assert rows == want, out
        line = [l for l in out.splitlines() if l.startswith(gcc11.hostspec + " ")][0]
        assert "there: GCC: (Debian 11." in line and "here: GCC: (Debian 12." in line
        # all good: exit 0
        e = env_for(work, " ".join([ours.hostspec, deb.hostspec]))
        r = run_distcc(["--check-hosts", "gcc"], e, cwd=work)
        assert r.returncode == 0, r.stdout + r.stderr
        assert set(table(r.stdout.decode()).values()) == {"same"}
        # default compilers: the masquerade names on PATH; the local probe
        # runs the real compiler, not the masquerade link back into distcc
        mdir = os.path.join(work, "distcc-masq")
        os.makedirs(mdir)
        for n in ("gcc", "cc"):
            os.symlink(binary("distcc"), os.path.join(mdir, n))
        before = jobs_ok(ours, 2)
        e = env_for(work, ours.hostspec, mdir)
        r = run_distcc(["--check-hosts"], e, cwd=work)
        assert r.returncode == 0, r.stdout + r.stderr
        assert sorted(c for _, c in table(r.stdout.decode())) == ["cc", "gcc"]
        assert jobs_ok(ours, before + 3, timeout=1) == before + 2
    finally:
        for s in servers:
            s.__exit__(None, None, None)
        for s in debs:
            s.close()
        shutil.rmtree(plain, ignore_errors=True)
        shutil.rmtree(older, ignore_errors=True)
    assert not [f for f in os.listdir(work) if f.startswith("distcc-check-")]


def test_check_hosts_bad_list(work):
    e = env_for(work, "127.0.0.1:notaport")
    r = run_distcc(["--check-hosts", "gcc"], e, cwd=work)
    assert r.returncode == 106
    e = env_for(work, "")
    r = run_distcc(["--check-hosts", "gcc"], e, cwd=work)
    assert r.returncode == 116
