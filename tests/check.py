#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs every suite of `make check` and prints one closing line:
"N passed, N failed[, N skipped]". Exit status 1 on any failure.

Suites: the cmocka unit tests of the normal and the ASan+UBSan build (TAP
output), the pytest integration suite against the normal build, the pytest
tests marked `sanitize` against the ASan+UBSan build (each in parallel with
pytest-xdist, then the tests marked `serial` alone), and the fuzz targets
for a few seconds each when clang's libFuzzer is available.
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.failures = []

    def add(self, other):
        self.passed += other.passed
        self.failed += other.failed
        self.skipped += other.skipped
        self.failures += other.failures


def run_unit(build, label):
    t = Tally()
    tdir = os.path.join(TOP, build, "tests")
    if not os.path.isdir(tdir):
        return t
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP",
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=1",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    for name in sorted(os.listdir(tdir)):
        path = os.path.join(tdir, name)
        if not (name.startswith("test-") and os.access(path, os.X_OK)
                and os.path.isfile(path)):
            continue
        p = subprocess.run([path], cwd=TOP, env=env, capture_output=True,
                           text=True, timeout=300)
        out = p.stdout + p.stderr
        ok = len(re.findall(r"^ok \d+", out, re.M))
        skip = len(re.findall(r"^ok \d+.*# ?SKIP", out, re.M | re.I))
        bad = re.findall(r"^not ok \d+.*$", out, re.M)
        t.passed += ok - skip
        t.skipped += skip
        t.failed += len(bad)
        if p.returncode != 0 and not bad:
            t.failed += 1
            bad = ["%s exited %d" % (name, p.returncode)]
        if bad:
            t.failures.append("%s %s:\n%s" % (label, name, out[-4000:]))
        print("unit %-6s %-28s %3d passed %d failed" % (label, name, ok - skip, len(bad)),
              flush=True)
    return t


def xdist_workers():
    """Parallel pytest workers: $DISTCC_TEST_JOBS, else one more than the CPUs
    (the tests mostly wait on daemons and compilers; what asserts wall-clock
    bounds is marked serial); 0 without xdist."""
    if subprocess.run(["/usr/bin/python3", "-c", "import xdist"],
                      capture_output=True).returncode != 0:
        return 0
    n = os.environ.get("DISTCC_TEST_JOBS")
    return int(n) if n and n.isdigit() else (os.cpu_count() or 1) + 1


def run_pytest_passes(build, label, marks, extra):
    """Tests not marked `serial` in parallel (pytest-xdist, whole files per
    worker), then the `serial` ones alone; the tallies add up."""
    t = Tally()
    sel = "(%s) and " % marks if marks else ""
    n = xdist_workers()
    par = ["-n", str(n), "--dist", "loadfile"] if n > 1 else []
    t.add(run_pytest(build, label, par + ["-m", sel + "not serial"] + extra))
    t.add(run_pytest(build, label + "-serial", ["-m", sel + "serial"] + extra))
    return t


def run_pytest(build, label, extra):
    t = Tally()
    if not os.path.isdir(os.path.join(TOP, "tests/integration")):
        return t
    xml = os.path.join(TOP, build, "pytest-%s.xml" % label)
    env = dict(os.environ, DISTCC_TEST_BUILD=os.path.join(TOP, build),
               ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=" +
               os.path.join(TOP, build, "asan-log"),
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=" +
               os.path.join(TOP, build, "ubsan-log"))
    cmd = ["/usr/bin/python3", "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
           "--junitxml=" + xml, "tests/integration"] + extra
    print("running:", " ".join(cmd), flush=True)
    logs = [os.path.join(TOP, build, n) for n in os.listdir(os.path.join(TOP, build))
            if n.startswith(("asan-log", "ubsan-log"))] if os.path.isdir(os.path.join(TOP, build)) else []
    for f in logs:
        os.unlink(f)
    p = subprocess.run(cmd, cwd=TOP, env=env)
    for n in sorted(os.listdir(os.path.join(TOP, build))):
        if n.startswith(("asan-log", "ubsan-log")):
            with open(os.path.join(TOP, build, n), errors="replace") as fh:
                report = fh.read()
            t.failed += 1
            t.failures.append("sanitizer report from a program run by pytest %s (%s):\n%s"
                              % (label, n, report[-4000:]))
    if p.returncode == 5:       # nothing selected
        return t
    try:
        root = ET.parse(xml).getroot()
    except (OSError, ET.ParseError):
        t.failed += 1
        t.failures.append("pytest %s: no report (exit %d)" % (label, p.returncode))
        return t
    for suite in root.iter("testsuite"):
        n = int(suite.get("tests", 0))
        f = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        s = int(suite.get("skipped", 0))
        t.passed += n - f - s
        t.failed += f
        t.skipped += s
    if p.returncode not in (0, 1):
        t.failed += 1
        t.failures.append("pytest %s exited %d" % (label, p.returncode))
    return t


def run_fuzz():
    t = Tally()
    script = os.path.join(TOP, "tests/fuzz/run-brief.sh")
    if not os.path.exists(script):
        return t
    p = subprocess.run(["sh", script], cwd=TOP, capture_output=True, text=True)
    print(p.stdout, end="")
    for line in p.stdout.splitlines():
        m = re.match(r"^fuzz (\S+): (PASS|FAIL|SKIP)", line)
        if m:
            if m.group(2) == "PASS":
                t.passed += 1
            elif m.group(2) == "SKIP":
                t.skipped += 1
            else:
                t.failed += 1
                t.failures.append(line + "\n" + p.stderr[-4000:])
    if p.returncode != 0 and not t.failed:
        t.failed += 1
        t.failures.append("fuzz runner exited %d\n%s" % (p.returncode, p.stderr[-4000:]))
    return t


def untracked():
    """Files in the work tree that git neither tracks nor ignores (None
    outside a git checkout)."""
    p = subprocess.run(["git", "-C", TOP, "ls-files", "-z", "--others", "--exclude-standard"],
                       capture_output=True)
    return set(p.stdout.split(b"\0")) - {b""} if p.returncode == 0 else None


def check_tree_left_clean(before):
    """A test run writes only under build/ and temp dirs: a new file in the
    tree is a test or a program writing where it should not (it once was a
    pid file named by a dangling pointer)."""
    t = Tally()
    after = untracked()
    if before is None or after is None:
        return t
    new = sorted(f.decode(errors="backslashreplace") for f in after - before)
    if new:
        t.failed += 1
        t.failures.append("the test run left files in the source tree: %s" % ", ".join(new[:20]))
    else:
        t.passed += 1
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--asan-build", default="build/asan")
    ap.add_argument("pytest_args", nargs="*")
    a = ap.parse_args()
    total = Tally()
    before = untracked()
    total.add(run_unit(a.build, "normal"))
    total.add(run_unit(a.asan_build, "asan"))
    total.add(run_pytest_passes(a.build, "normal", None, a.pytest_args))
    total.add(run_pytest_passes(a.asan_build, "asan", "sanitize", a.pytest_args))
    total.add(run_fuzz())
    total.add(check_tree_left_clean(before))
    for f in total.failures:
        print("FAILED:", f, file=sys.stderr)
    line = "%d passed, %d failed" % (total.passed, total.failed)
    if total.skipped:
        line += ", %d skipped" % total.skipped
    print(line)
    sys.exit(1 if total.failed else 0)


if __name__ == "__main__":
    main()
