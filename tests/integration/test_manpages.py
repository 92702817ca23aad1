# SPDX-License-Identifier: GPL-2.0-or-later
"""The man pages: every page lints clean (mandoc, and groff when present),
and the documentation cannot drift from the programs: every long option a
built program lists in --help appears in its page, and every option a page
documents in its OPTIONS section is one the program lists."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, TOP

MANDIR = os.path.join(TOP, "man")
PAGES = sorted(f for f in os.listdir(MANDIR) if re.search(r"\.[158]$", f))

# program in the build dir -> its page
PROGRAMS = {
    "distcc": "distcc.1",
    "distcc-build": "distcc-build.1",
    "distccd": "distccd.8",
    "distccmon-text": "distccmon-text.1",
    "pump": "pump.1",
    "update-distcc-symlinks": "update-distcc-symlinks.8",
}

LONG_OPT = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")


def render(page):
    """The page as plain text (overstrike bold/underline removed)."""
    out = subprocess.run(["mandoc", "-T", "ascii", os.path.join(MANDIR, page)],
                         capture_output=True, text=True, check=True).stdout
    return re.sub(r".\x08", "", out)


def option_tags(page):
    """The tag lines of the .TP entries in the page's OPTIONS section, as
    plain text (font escapes dropped, \\- made a hyphen)."""
    with open(os.path.join(MANDIR, page)) as f:
        lines = f.read().splitlines()
    tags, inside = [], False
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            inside = line.split(None, 1)[1:] == ["OPTIONS"]
        elif inside and line.startswith(".TP") and i + 1 < len(lines):
            tag = re.sub(r"\\f[BIRP]", "", lines[i + 1]).replace("\\-", "-")
            tags.append(re.sub(r"^\.[A-Z]+ ", "", tag))
    return tags


def help_text(prog):
    path = os.path.join(BUILD, prog)
    if not os.access(path, os.X_OK):
        pytest.skip("%s not built yet" % prog)
    p = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=20,
                       env=dict(os.environ, DISTCC_HOSTS=""))
    text = p.stdout + p.stderr
    assert p.returncode == 0, "%s --help exited %d:\n%s" % (prog, p.returncode, text)
    return text


def test_every_page_is_known():
    """Each program has a page and every page is installed by make."""
    for page in PROGRAMS.values():
        assert page in PAGES
    for page in ("distcc-hosts.5", "distccd.conf.5", "distcc-units.5"):
        assert page in PAGES


@pytest.mark.parametrize("page", PAGES)
def test_mandoc_lint_clean(page):
    p = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", os.path.join(MANDIR, page)],
                       capture_output=True, text=True)
    assert p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip(), \
        p.stdout + p.stderr


@pytest.mark.parametrize("page", PAGES)
def test_groff_clean(page):
    if not shutil.which("groff"):
        pytest.skip("groff not installed")
    p = subprocess.run(["groff", "-man", "-ww", "-z", os.path.join(MANDIR, page)],
                       capture_output=True, text=True)
    assert p.returncode == 0 and not p.stderr.strip(), p.stderr


@pytest.mark.parametrize("page", PAGES)
def test_see_also_pages_exist(page):
    """Cross references to our own pages point at pages we ship."""
    ours = {os.path.splitext(p)[0] for p in PAGES}
    text = render(page)
    for name, sec in re.findall(r"\b((?:distcc|distccd|distccmon|update-distcc)[\w.-]*)\((\d)\)",
                                text):
        assert "%s.%s" % (name, sec) in PAGES, "%s refers to %s(%s)" % (page, name, sec)
        assert name in ours


@pytest.mark.parametrize("prog", sorted(PROGRAMS))
def test_help_options_are_documented(prog):
    opts = set(LONG_OPT.findall(help_text(prog)))
    assert opts, "%s --help lists no long options" % prog
    page = render(PROGRAMS[prog])
    missing = sorted(o for o in opts if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(o), page))
    assert not missing, "%s lists options its man page lacks: %s" % (prog, missing)


@pytest.mark.parametrize("prog", sorted(PROGRAMS))
def test_documented_options_exist(prog):
    """Options the page lists as entries of OPTIONS are accepted (listed by --help)."""
    helps = set(LONG_OPT.findall(help_text(prog)))
    documented = {o for tag in option_tags(PROGRAMS[prog]) for o in LONG_OPT.findall(tag)}
    assert documented, "no options found in the OPTIONS section of " + PROGRAMS[prog]
    extra = sorted(documented - helps)
    assert not extra, "%s(%s) documents options the program does not list: %s" % (
        prog, PROGRAMS[prog], extra)


def test_install_man(tmp_path):
    """make install-man puts each page in its section, with the unit aliases."""
    dest = tmp_path / "root"
    p = subprocess.run(["make", "-s", "-C", TOP, "install-man", "DESTDIR=%s" % dest,
                        "PREFIX=/usr"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    for page in PAGES:
        assert (dest / "usr/share/man" / ("man" + page[-1]) / page).is_file(), page
    if os.path.exists(os.path.join(TOP, "docs/argument-policy.md")):
        assert (dest / "usr/share/doc/distcc/argument-policy.md").is_file()
    alias = dest / "usr/share/man/man5/distccd.socket.5"
    assert alias.is_symlink() and os.readlink(alias) == "distcc-units.5"
    assert alias.resolve().is_file()


def test_units_point_at_shipped_pages():
    """Documentation=man:PAGE(N) in our units names pages we ship."""
    udir = os.path.join(TOP, "units")
    for name in sorted(os.listdir(udir)):
        with open(os.path.join(udir, name)) as f:
            for line in f:
                if line.startswith("Documentation="):
                    for page, sec in re.findall(r"man:([\w.@-]+)\((\d)\)", line):
                        assert "%s.%s" % (page, sec) in PAGES, "%s: man:%s(%s)" % (name, page, sec)
