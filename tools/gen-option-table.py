#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate daemon/jobscan-options.inc: every option that makes gcc's or
clang's driver consume the following word(s), found by asking the drivers.

Option names come from the compilers' own tables: `clang --autocomplete=-`
and the option spellings stored in clang's driver library (its OptTable:
autocomplete skips options without help text, such as -target), and gcc's
--help=... listings (driver, common, target, every C-family language,
joined, separate, undocumented, params). Every name of either compiler is
then tried on both drivers:

  CC -### -c x.c NAME          -> "missing argument" / "argument to 'NAME'
                                  is missing (expected N values)"
  gcc -### -c x.c NAME zz.c    -> one cc1 job instead of two: NAME ate zz.c
                                  (--param: no message when it comes last)
  clang -### -c x.c NAMEzz     -> still missing: NAME is a prefix that takes
                                  the next word (-Xarch_<arch> <arg>)

Usage: tools/gen-option-table.py [-o daemon/jobscan-options.inc] [--gcc gcc]
       [--clang clang] [-j 2]
Rerun it when the supported compilers change and commit the result.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

GCC_HELP = ["--help", "--help=common", "--help=target", "--help=c", "--help=c++",
            "--help=objc", "--help=obj-c++", "--help=undocumented", "--help=joined",
            "--help=separate", "--help=warnings", "--help=optimizers", "--help=params"]
# Driver options that gcc's --help does not list (gcc/common.opt, gcc.cc specs).
GCC_EXTRA = ["-Xlinker", "-Xassembler", "-Xpreprocessor", "-wrapper", "-specs", "-T",
             "-z", "-u", "-l", "-L", "-B", "-e", "-G", "-V", "-b", "-aux-info",
             "-auxbase", "-auxbase-strip", "-dumpbase", "-dumpdir", "-dumpbase-ext",
             "-imultilib", "-imultiarch", "-iplugindir", "--param", "--sysroot",
             "-isysroot", "-Xf", "-Hd", "-Hf", "-F", "-J", "-A", "-MF", "-MT", "-MQ"]


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, text=True, errors="replace")
    return p.stdout


def clang_names(clang):
    out = subprocess.run([clang, "--autocomplete=-"], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    return {line.split("\t")[0] for line in out.splitlines() if line.startswith("-")}


def clang_table_names(clang):
    """The spellings in clang's own OptTable, as stored in the driver's
    library (libclang-cpp): --autocomplete leaves out options without help
    text or group (-target, -sectalign, -Xarch_). Includes cc1-only ones,
    which the driver then calls unknown."""
    exe = os.path.realpath(shutil.which(clang))
    libs = subprocess.run(["ldd", exe], stdout=subprocess.PIPE, text=True).stdout
    paths = [exe] + re.findall(r"=> (\S*libclang-cpp\S*)", libs)
    names = set()
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        for m in re.finditer(rb"\0(--?[A-Za-z_#][A-Za-z0-9_.,=+#-]*)\0", data):
            names.add(m.group(1).decode())
    return names


def gcc_names(gcc):
    names = set(GCC_EXTRA)
    for h in GCC_HELP:
        out = subprocess.run([gcc, h], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, errors="replace").stdout
        for line in out.splitlines():
            m = re.match(r"^  (-[^\s<\[{]+)", line)
            if m:
                names.add(m.group(1))
    return names


def clang_probe(clang, name, cwd):
    """Number of following words clang's driver takes after NAME, 'P' + count
    for a prefix (joined-and-separate) option, 0 otherwise."""
    out = run([clang, "-###", "-c", "x.c", name], cwd)
    m = re.search(r"argument to '%s' is missing \(expected (\d+) value" % re.escape(name), out)
    if not m:
        return 0
    n = int(m.group(1))
    out = run([clang, "-###", "-c", "x.c", name + "zz"], cwd)
    if re.search(r"argument to '%s' is missing" % re.escape(name + "zz"), out):
        return "P%d" % n
    return n


def gcc_jobs(out):
    return len(re.findall(r'^ "?[^" ]*/cc1(plus|obj|objplus)?"? ', out, re.M))


def gcc_probe(gcc, name, cwd):
    """1 if gcc's driver takes the word after NAME as its value: it says the
    value is missing when NAME comes last, or with a second source after
    NAME there is one cc1 job instead of two, or an error quotes the second
    source as NAME's value (--param=zzprobe.c, spec file 'zzprobe.c')."""
    out = run([gcc, "-###", "-c", "x.c", name], cwd)
    if not name.endswith("=") and \
       re.search(r"error: .*missing.* .%s.\s*$" % re.escape(name), out, re.M):
        return 1
    out = run([gcc, "-###", "-c", "x.c", name, "zzprobe.c"], cwd)
    if gcc_jobs(out) == 1 or re.search(r"error: .*.[^ ]*zzprobe\.c.", out):
        return 1
    return 0


def unknown(cc, name, cwd):
    """True if the driver refuses NAME as an unknown option."""
    out = run([cc, "-###", "-c", "x.c", name], cwd)
    return bool(re.search(r"(unknown argument|unrecognized command[- ]line option)", out))


def mark_unknown(rows, gcc, clang, cwd):
    """Where one driver takes a value and the other does not, say whether
    the other does not know the option at all (then it refuses the command,
    which is safe) or reads it as a flag (then the two disagree)."""
    out = []
    for n, cw, g, prefix in rows:
        if cw == 0 and unknown(clang, n, cwd):
            cw = "NW_UNKNOWN"
        if g == 0 and unknown(gcc, n, cwd):
            g = "NW_UNKNOWN"
        out.append((n, cw, g, prefix))
    return out


def version(cc):
    return subprocess.run([cc, "--version"], stdout=subprocess.PIPE, text=True,
                          check=True).stdout.splitlines()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", default="daemon/jobscan-options.inc")
    ap.add_argument("--gcc", default="gcc")
    ap.add_argument("--clang", default="clang")
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()

    names = sorted(clang_names(a.clang) | clang_table_names(a.clang) | gcc_names(a.gcc))
    names = [n for n in names if n not in ("-", "--", "-###")]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "x.c"), "w") as f:
            f.write("int x;\n")
        with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
            cl = list(ex.map(lambda n: clang_probe(a.clang, n, d), names))
            gc = list(ex.map(lambda n: gcc_probe(a.gcc, n, d), names))
        rows = []
        for n, c, g in zip(names, cl, gc):
            if not c and not g:
                continue
            prefix = isinstance(c, str)
            cw = int(c[1:]) if prefix else c
            rows.append((n, cw, g, prefix))
        rows = mark_unknown(rows, a.gcc, a.clang, d)
    write_table(a.o, rows, version(a.clang), version(a.gcc), len(names))


def write_table(path, rows, clang_version, gcc_version, n_names):
    """rows: (name, clang words, gcc words, clang prefix). Sorted by name
    (strcmp order: the scanner bsearches it); the prefix rows again in a
    second section, selected with NEXT_WORD_PREFIXES."""
    rows = sorted(rows)
    with open(path + ".tmp", "w") as f:
        f.write("/* SPDX-License-Identifier: GPL-2.0-or-later */\n")
        f.write("/* Generated by tools/gen-option-table.py; do not edit by hand.\n")
        f.write(" * Options after which the drivers take the next word(s) as a value.\n")
        f.write(" *   clang: %s (%d option names tried)\n" % (clang_version, n_names))
        f.write(" *   gcc:   %s\n" % gcc_version)
        f.write(" * Columns: name, words clang takes, words gcc takes (NW_UNKNOWN: the\n")
        f.write(" * driver does not know the option and refuses the command), and\n")
        f.write(" * whether clang reads the name as a prefix (-Xarch_<arch> <arg>). Included\n")
        f.write(" * twice: all rows, then with NEXT_WORD_PREFIXES the prefix rows. */\n")
        f.write("#ifndef NEXT_WORD_PREFIXES\n")
        for n, cw, g, prefix in rows:
            f.write('\t{ "%s", %s, %s, %s },\n' % (n, cw, g, "true" if prefix else "false"))
        f.write("#else\n")
        for n, cw, g, prefix in rows:
            if prefix:
                f.write('\t{ "%s", %s, %s, true },\n' % (n, cw, g))
        f.write("#endif\n")
    os.replace(path + ".tmp", path)
    print("%s: %d options (%d clang, %d gcc) of %d names" %
          (path, len(rows), sum(1 for r in rows if isinstance(r[1], int) and r[1]),
           sum(1 for r in rows if isinstance(r[2], int) and r[2]), n_names), file=sys.stderr)


if __name__ == "__main__":
    main()
