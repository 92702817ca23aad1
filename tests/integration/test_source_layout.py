# SPDX-License-Identifier: GPL-2.0-or-later
"""The one layout rule of the tree (STYLE.md), checked on every tracked C
file: tabs indent (a space may only continue a block comment's ' *'), no
trailing blanks, no carriage returns, and no line wider than 120 columns
(tabs at 8) unless it holds a string literal, which is never split so that
messages stay greppable. STYLE.md aims at ~100; 120 is the hard edge.
The code is laid out by hand (aligned tables and initialisers); there is no
.clang-format because clang-format 14 rewrites those for the worse."""
import os
import re
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAX_COLUMNS = 120


def c_files():
    p = subprocess.run(["git", "-C", TOP, "ls-files", "-z", "--", "*.c", "*.h", "*.inc"],
                       capture_output=True)
    if p.returncode != 0:
        pytest.skip("not a git checkout: %s" % p.stderr.decode(errors="replace").strip())
    return [f.decode() for f in p.stdout.split(b"\0") if f]


def layout_errors(name, text):
    errors = []
    for n, line in enumerate(text.split("\n"), 1):
        where = "%s:%d" % (name, n)
        if line.endswith((" ", "\t")):
            errors.append(where + ": trailing blank")
        if "\r" in line:
            errors.append(where + ": carriage return")
        if re.match(r" +(?!\*)\S", line):
            errors.append(where + ": indented with spaces")
        if len(line.expandtabs(8)) > MAX_COLUMNS and '"' not in line:
            errors.append(where + ": %d columns" % len(line.expandtabs(8)))
    return errors


def test_layout_rule_catches_each_kind():
    bad = "int a; \n  int b;\n\tint c;\r\n" + "\t" * 15 + "x;\n"
    kinds = [e.split(": ", 1)[1] for e in layout_errors("x.c", bad)]
    assert kinds == ["trailing blank", "indented with spaces", "carriage return", "122 columns"]
    assert layout_errors("y.c", '/*\n * comment\n */\n\tputs("%s");\n') == []


def test_c_sources_follow_the_layout_rule():
    errors = []
    for f in c_files():
        with open(os.path.join(TOP, f), encoding="utf-8", errors="replace") as fh:
            errors += layout_errors(f, fh.read())
    assert not errors, "\n".join(errors[:50])
