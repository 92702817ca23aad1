# SPDX-License-Identifier: GPL-2.0-or-later
"""The daemon's argv scanner (daemon/jobscan.c) against the compilers' own
reading of the same argv. For every argv the scanner allows, rewritten as
the session rewrites it (input.EXT, output.o), the compiler's own plan
(`gcc -###`, `clang -###`) must be exactly one compile job (one front end,
at most one assembler) producing the job's output, and no link. The argv
come from the compilers' option tables (every option name of
`clang --autocomplete=-`, of clang's OptTable as stored in its driver
library, and of gcc's --help listings; each alone, the ones that take a
value with one) and from real command lines (Kbuild,
CMake, autotools, Meson); the real ones are also compiled for real (the
property "every argv the policy allows can be run")."""
import concurrent.futures
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import tempfile

import pytest

from conftest import BUILD, TOP

CLI = os.path.join(BUILD, "tests", "jobscan-cli")
COMPILERS = [c for c in ("gcc", "clang") if shutil.which(c)]
LINKERS = {"collect2", "ld", "ld.bfd", "ld.gold", "ld.lld", "lto-wrapper"}
FRONT_ENDS = {"cc1", "cc1plus", "cc1obj", "cc1objplus"}

# Real command lines as distcc clients send them (the client strips nothing
# that matters here). Each must be allowed, plan one job and compile.
REAL = [
    # Kbuild, Linux 6.1 x86_64 (gcc), with its dependency and include flags
    "gcc -Wp,-MMD,kernel/.fork.o.d -nostdinc -I./arch/x86/include "
    "-I./arch/x86/include/generated -I./include -I./arch/x86/include/uapi "
    "-I./include/uapi -D__KERNEL__ -fmacro-prefix-map=./= -Wall -Wundef "
    "-Werror=strict-prototypes -Wno-trigraphs -fno-strict-aliasing -fno-common "
    "-fshort-wchar -fno-PIE -Werror=implicit-function-declaration -Werror=implicit-int "
    "-Werror=return-type -Wno-format-security -std=gnu11 -mno-sse -mno-mmx -mno-sse2 "
    "-mno-3dnow -mno-avx -fcf-protection=none -m64 -falign-jumps=1 -falign-loops=1 "
    "-mno-80387 -mno-fp-ret-in-387 -mpreferred-stack-boundary=3 -mskip-rax-setup "
    "-mtune=generic -mno-red-zone -mcmodel=kernel -Wno-sign-compare "
    "-fno-asynchronous-unwind-tables -mindirect-branch=thunk-extern "
    "-mindirect-branch-register -mindirect-branch-cs-prefix -mfunction-return=thunk-extern "
    "-fno-jump-tables -mharden-sls=all -fpatchable-function-entry=16,16 "
    "-fno-delete-null-pointer-checks -O2 -fno-allow-store-data-races "
    "-fstack-protector-strong -ftrivial-auto-var-init=zero "
    "-fzero-call-used-regs=used-gpr -pg -mrecord-mcount -mfentry -DCC_USING_FENTRY "
    "-g -gdwarf-5 -DKBUILD_MODFILE=\"kernel/fork\" -DKBUILD_BASENAME=\"fork\" "
    "-DKBUILD_MODNAME=\"fork\" -D__KBUILD_MODNAME=kmod_fork -c -o kernel/fork.o "
    "kernel/fork.c",
    # Kbuild with LLVM=1
    "clang -Wp,-MMD,fs/.open.o.d -nostdinc -I./include -Qunused-arguments "
    "-fmacro-prefix-map=./= -Wall -Wundef -fno-strict-aliasing -fno-common -fshort-wchar "
    "-fno-PIE -std=gnu11 --target=x86_64-linux-gnu -fintegrated-as "
    "-Werror=unknown-warning-option -Werror=ignored-optimization-argument -mno-sse "
    "-mno-mmx -mno-sse2 -mno-3dnow -mno-avx -fcf-protection=branch -fno-jump-tables -m64 "
    "-falign-loops=1 -mno-80387 -mstack-alignment=8 -mtune=generic -mno-red-zone "
    "-mcmodel=kernel -mretpoline-external-thunk -fpatchable-function-entry=16,16 -O2 "
    "-fstack-protector-strong -ftrivial-auto-var-init=zero "
    "-enable-trivial-auto-var-init-zero-knowing-it-will-be-removed-from-clang "
    "-fno-stack-clash-protection -pg -mfentry -DCC_USING_NOP_MCOUNT -fno-lto "
    "-fvisibility=hidden -g -gdwarf-5 -mllvm -x86-asm-syntax=intel -c -o fs/open.o fs/open.c",
    # autotools: libtool PIC object with Debian's hardening flags, automake deps
    "gcc -DHAVE_CONFIG_H -I. -I.. -Wdate-time -D_FORTIFY_SOURCE=2 -g -O2 "
    "-ffile-prefix-map=/build/pkg-1.0=. -fstack-protector-strong -Wformat "
    "-Werror=format-security -MT libfoo.lo -MD -MP -MF .deps/libfoo.Tpo -c libfoo.c "
    "-fPIC -DPIC -o .libs/libfoo.o",
    "cc -g -O2 -Wall -pthread -MD -MP -MT foo.o -c foo.c",
    "gcc -DHAVE_CONFIG_H -I. -g -O2 -MT src/main.o -MD -MP -MF src/.deps/main.Tpo -c "
    "-o src/main.o src/main.c",
    # CMake, Ninja generator
    "/usr/bin/c++ -DFOO_EXPORTS -I/home/u/foo/include -isystem /home/u/foo/third_party "
    "-O3 -DNDEBUG -std=gnu++17 -fPIC -Wall -Wextra -Wpedantic -fvisibility=hidden "
    "-fvisibility-inlines-hidden -MD -MT CMakeFiles/foo.dir/src/a.cpp.o -MF "
    "CMakeFiles/foo.dir/src/a.cpp.o.d -o CMakeFiles/foo.dir/src/a.cpp.o -c /home/u/foo/src/a.cpp",
    "/usr/bin/cc -DBAR=1 -I/home/u/bar -O2 -g -DNDEBUG -fPIE -std=gnu99 -MD -MT "
    "CMakeFiles/bar.dir/bar.c.o -MF CMakeFiles/bar.dir/bar.c.o.d -o CMakeFiles/bar.dir/bar.c.o "
    "-c /home/u/bar/bar.c",
    # Meson
    "cc -Ilibfoo.so.p -I. -I.. -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64 -Wall "
    "-Winvalid-pch -Wextra -std=c11 -O0 -g -fPIC -MD -MQ libfoo.so.p/foo.c.o -MF "
    "libfoo.so.p/foo.c.o.d -o libfoo.so.p/foo.c.o -c ../foo.c",
    "c++ -Ifoo.p -I. -I.. -fdiagnostics-color=always -D_GLIBCXX_ASSERTIONS=1 "
    "-D_FILE_OFFSET_BITS=64 -Wall -Winvalid-pch -Wnon-virtual-dtor -std=c++17 -O2 -g "
    "-MD -MQ foo.p/main.cpp.o -MF foo.p/main.cpp.o.d -o foo.p/main.cpp.o -c ../main.cpp",
    # explicit languages, assembler, -S, clang spellings
    "gcc -x c -c a.src -o a.o",
    "gcc -x cpp-output -O2 -S hello.i -o hello.s",
    "gcc -xc -c hello.i -o hello.o",
    "gcc -c start.S -o start.o",
    "gcc -Wa,--noexecstack -c lowlevel.s -o lowlevel.o",
    "clang -target x86_64-pc-linux-gnu -c hello.c -o hello.o",
    "clang++ -std=c++20 -fcolor-diagnostics -c x.cc -o x.o",
    "clang -Xclang -fno-pch-timestamp -fno-integrated-as -c a.c -o a.o",
    "gcc -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer "
    "-flto=auto -ffat-lto-objects -gz=zlib -ggdb3 -c t.c -o t.o",
    "gcc -S -c a.c",
]

SOURCE = {".i": "int x;\n", ".ii": "int x;\n", ".mi": "int x;\n", ".mii": "int x;\n",
          ".s": "\t.text\n"}


def scan(argvs, protover=2):
    """The scanner's verdict for each argv: ('deny', index, reason) or
    ('allow', in_ext, out_ext, run_argv)."""
    if not os.access(CLI, os.X_OK):
        pytest.fail("%s not built (run make unit-tests)" % CLI)
    data = b"".join(b"".join(w.encode() + b"\0" for w in a) + b"\0" for a in argvs)
    p = subprocess.run([CLI, str(protover)], input=data, stdout=subprocess.PIPE, check=True)
    out = []
    for line in p.stdout.decode().splitlines():
        if line.startswith("deny "):
            _, idx, why = line.split(" ", 2)
            out.append(("deny", int(idx), why))
        else:
            head, run = line.split("\t", 1)
            _, in_ext, out_ext, _lang, _paths = (head.split(" ") + [""])[:5]
            out.append(("allow", in_ext, out_ext, run.split("\x1f")))
    assert len(out) == len(argvs)
    return out


def jobs(cc, argv, cwd):
    """The driver's plan: (error text or None, [argv of each job])."""
    p = subprocess.run([cc, "-###"] + argv, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    err = [ln for ln in p.stdout.splitlines() if re.search(r"\b(error|fatal error):", ln)]
    if err or p.returncode:
        return "\n".join(err) or "exit %d" % p.returncode, []
    # clang marks its integrated tools " (in-process)" before their line
    return None, [shlex.split(ln) for ln in p.stdout.splitlines()
                  if ln.startswith(" ") and not ln.startswith("  ")
                  and ln.strip() != "(in-process)"]


def kind(job):
    name = os.path.basename(job[0])
    if name in FRONT_ENDS or (len(job) > 1 and job[1] == "-cc1"):
        return "front"
    if len(job) > 1 and job[1] == "-cc1as":
        return "as"
    if name == "as" or name.endswith("-as"):
        return "as"
    if name in LINKERS or name.endswith("-ld"):
        return "link"
    return name


def check_plan(plan, inputs):
    """Exactly one compile job per input: one job reads it (a front end or
    an assembler), one writes its object (or .s); stages in between (clang's
    -fembed-bitcode compiles via bitcode) read and write only temporaries;
    nothing links."""
    kinds = [kind(j) for j in plan]
    assert "link" not in kinds, plan
    assert set(kinds) <= {"front", "as"}, plan
    for src, obj in inputs:
        readers = [j for j in plan if src in j]
        assert len(readers) == 1, (src, plan)
        writers = [j for j in plan if "-o" in j and j[j.index("-o") + 1] == obj]
        assert len(writers) == 1, (obj, plan)


def gen_module():
    spec = importlib.util.spec_from_file_location(
        "gen", os.path.join(TOP, "tools", "gen-option-table.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def table_names():
    """Every option name both compilers list, and which take a value."""
    gen = gen_module()
    names = set()
    if shutil.which("clang"):
        names |= gen.clang_names("clang") | gen.clang_table_names("clang")
    if shutil.which("gcc"):
        names |= gen.gcc_names("gcc")
    with open(os.path.join(TOP, "daemon", "jobscan-options.inc")) as f:
        valued = set(re.findall(r'^\t\{ "([^"]+)", ', f.read(), re.M))
    return sorted(n for n in names if n not in ("-", "--")), valued


def generated_argvs():
    names, valued = table_names()
    out = []
    for n in names:
        if n in valued:
            out.append([n, "x"])
        elif n.endswith("="):
            out.append([n + "1"])
        else:
            out.append([n])
    return out


@pytest.fixture(scope="module")
def workdir():
    d = tempfile.mkdtemp(prefix="distcc-argv-plan-")
    yield d
    shutil.rmtree(d)


def kept_options(run, n_base=4):
    """The option words the scanner kept: the run argv minus compiler and
    the trailing -c input -o output."""
    return run[1:len(run) - n_base]


def plan_chunk(cc, chunk, cwd, bad):
    """Plan many allowed options at once: each followed by its own input
    (inK.i), so an option that takes the next word swallows an input and
    is caught. When the driver refuses the chunk or its plan is wrong, the
    chunk is split until single options remain: refused by the driver
    alone is fine (no job runs), a wrong plan goes to @bad. Returns how
    many the driver refused."""
    argv, inputs = [], []
    for k, opts in enumerate(chunk):
        src = "in%d.i" % k
        with open(os.path.join(cwd, src), "w") as f:
            f.write("int x;\n")
        argv += opts + [src]
        inputs.append((src, "in%d.o" % k))
    err, plan = jobs(cc, argv + ["-c"], cwd)
    if err is None:
        try:
            check_plan(plan, inputs)
            return 0
        except AssertionError as e:
            if len(chunk) == 1:
                bad.append((chunk[0], str(e)[:300]))
                return 0
    if len(chunk) == 1:
        return 1
    # the driver names every option it does not know: set those aside at once
    named = set(re.findall(r"(?:unknown argument|unrecognized command[- ]line option)"
                           r":? ['\u2018]([^'\u2019]+)['\u2019]", err or ""))
    rest = [o for o in chunk if not named & set(o)]
    if named and len(rest) < len(chunk):
        return len(chunk) - len(rest) + (plan_chunk(cc, rest, cwd, bad) if rest else 0)
    half = len(chunk) // 2
    return plan_chunk(cc, chunk[:half], cwd, bad) + plan_chunk(cc, chunk[half:], cwd, bad)


@pytest.mark.slow
@pytest.mark.parametrize("cc", COMPILERS)
def test_generated_argv_plan_one_compile_job(cc, workdir):
    argvs = [[cc] + opts + ["-c", "a.c", "-o", "a.o"] for opts in generated_argvs()]
    verdicts = scan(argvs)
    allowed = [v for v in verdicts if v[0] == "allow"]
    assert len(allowed) > 300, len(allowed)      # the sweep covers the reviewed families
    # what the scanner kept of each option; -c/-S (the job's mode) are the
    # real command lines' business
    opts = [kept_options(v[3]) for v in allowed]
    opts = [o for o in opts if o and o not in (["-c"], ["-S"])]
    chunks = [opts[i:i + 64] for i in range(0, len(opts), 64)]
    bad = []
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        refused = sum(ex.map(lambda c: plan_chunk(cc, c, tempfile.mkdtemp(dir=workdir), bad),
                             chunks))
    # the driver itself refuses some options we allow (the other compiler's,
    # values such as -std=1): no job runs, no harm
    print("%s: %d argv, %d allowed, %d planned, %d refused by the driver" %
          (cc, len(argvs), len(allowed), len(opts) - refused, refused))
    assert not bad, "\n".join("%s: %s" % (" ".join(o), e) for o, e in bad)


def test_value_options_never_swallow_c():
    """Every option the drivers read with the next word, followed by -c:
    the scanner refuses it (at the option, because "-c" would be its value,
    or because what remains is no compile), so no allowed argv loses its
    -c to an option."""
    _, valued = table_names()
    argvs = [["gcc", n, "-c", "a.c", "-o", "a.o"] for n in sorted(valued)]
    for argv, v in zip(argvs, scan(argvs)):
        assert v[0] == "deny", (argv, v)


def test_found_clang_options_never_link(workdir):
    """The campaign's clang options: refused, so the server never links."""
    found = ["-isystem-after", "-module-dependency-dir", "-ftrapv-handler",
             "-fdebug-compilation-dir", "-filelist", "-fxray-instruction-threshold", "-meabi",
             "-mthread-model"]
    verdicts = scan([["clang", o, "-c", "x.c", "-o", "x.o"] for o in found])
    for o, v in zip(found, verdicts):
        assert v[0] == "deny" and v[1] == 1, (o, v)
        assert "next argument" in v[2] or (o.startswith("-module") and "modules" in v[2]), v
    if shutil.which("clang"):
        # what clang would have done with it: a link
        err, plan = jobs("clang", ["-isystem-after", "-c", "x.c", "-o", "x.o"], workdir)
        assert err or "link" in [kind(j) for j in plan]


def compiler_for(argv0):
    base = os.path.basename(argv0)
    if "clang" in base:
        return "clang++" if base.endswith("++") else "clang"
    return "g++" if base.endswith("++") else "gcc"


@pytest.mark.parametrize("line", REAL, ids=[ln[:48] for ln in REAL])
def test_real_command_line_plans_and_compiles(line, workdir):
    argv = line.split(" ")
    (v,) = scan([argv])
    assert v[0] == "allow", v
    _, in_ext, out_ext, run = v
    cc = compiler_for(argv[0])
    if not shutil.which(cc):
        pytest.skip("%s not installed" % cc)
    d = tempfile.mkdtemp(dir=workdir)
    for sub in ("include", "arch/x86/include", "libfoo.so.p", "foo.p"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "input" + in_ext), "w") as f:
        f.write(SOURCE[in_ext])
    run = [cc] + run[1:]
    err, plan = jobs(run[0], run[1:], d)
    assert err is None, (run, err)
    check_plan(plan, [("input" + in_ext, "output" + out_ext)])
    # and it really runs: the job's output appears, nothing is linked
    p = subprocess.run(run, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, (run, p.stdout)
    assert os.path.exists(os.path.join(d, "output" + out_ext))
    assert not os.path.exists(os.path.join(d, "a.out"))
