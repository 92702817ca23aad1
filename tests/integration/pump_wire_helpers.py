# SPDX-License-Identifier: GPL-2.0-or-later
"""Protocol 3 (pump) from Python, for the suites that test distccd's pump
server: requests with their file lists (FILE always LZO, LINK verbatim, as
distcc 3.4's client sends them), the v3 reply with DOTD, a client source
tree distccd cannot read (so every byte it compiles must come from the
request), and Debian's pump client made to work (tests/debian-pump.sh)."""
import os
import shutil
import subprocess
import tempfile

import lzo
import pytest

from conftest import TOP
from daemon_helpers import tok, tstr

MAX_REPLY_PLAIN = 64 << 20


def file_entry(name, data):
    return tstr("NAME", name) + tstr("FILE", lzo.compress(data, 1, False))


def link_entry(name, target):
    return tstr("NAME", name) + tstr("LINK", target)


def pump_request(cdir, argv, entries, nfil=None):
    """DIST 3, CDIR, ARGC/ARGV, NFIL and the encoded @entries (bytes each)."""
    out = tok("DIST", 3) + tstr("CDIR", cdir) + tok("ARGC", len(argv))
    out += b"".join(tstr("ARGV", a) for a in argv)
    return out + tok("NFIL", len(entries) if nfil is None else nfil) + b"".join(entries)


def parse_pump_reply(data):
    """DONE STAT SERR SOUT DOTO [DOTD] of a v3 reply, bulk bodies inflated."""
    out, pos = {}, 0
    for name in ("DONE", "STAT", "SERR", "SOUT", "DOTO", "DOTD"):
        if name == "DOTD" and (out["STAT"] != 0 or pos == len(data)):
            break
        assert data[pos:pos + 4] == name.encode(), (name, data[pos:pos + 40])
        v = int(data[pos + 4:pos + 12], 16)
        pos += 12
        if name in ("DONE", "STAT"):
            out[name] = v
            continue
        body = data[pos:pos + v]
        pos += v
        out[name] = lzo.decompress(body, False, MAX_REPLY_PLAIN) if body else b""
    assert pos == len(data), "trailing bytes after the reply: %r" % data[pos:pos + 40]
    return out


def tree_entries(top):
    """Every file and symlink under @top as NAME + FILE/LINK entries with
    their absolute paths, directories implied (what a pump client ships)."""
    entries = []
    for d, dirs, files in os.walk(top):
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            if os.path.islink(p):
                entries.append(link_entry(p, os.readlink(p)))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    entries.append(file_entry(p, f.read()))
    return entries


class PrivateTree:
    """A source tree in a 0700 root-owned directory: the client (these
    tests, as root) reads it, distccd (dropped to its own user) cannot, so
    a pump job can only succeed from the files it was sent."""

    def __init__(self, files, links=()):
        self.top = tempfile.mkdtemp(prefix="distcc-pump-client-")
        os.chmod(self.top, 0o700)
        for rel, data in files.items():
            p = os.path.join(self.top, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        for rel, target in links:
            os.symlink(target, os.path.join(self.top, rel))

    def path(self, rel=""):
        return os.path.join(self.top, rel) if rel else self.top

    def cleanup(self):
        shutil.rmtree(self.top, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def debian_pump():
    """Path of a working Debian pump script, built once into build/ (so
    `make clean` removes it and nothing is left outside the tree); the test
    is skipped (visibly) only when Debian's source cannot be fetched."""
    script = os.path.join(TOP, "tests", "debian-pump.sh")
    out = os.path.join(TOP, "build", "debian-pump")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    r = subprocess.run([script, out], capture_output=True, text=True, timeout=1200)
    if r.returncode == 77:
        pytest.skip("Debian's pump client cannot be rebuilt: " + r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()
