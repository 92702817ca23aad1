# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the UPSTREAM-BUGS regression suite (test_upstream_bugs.py):
a recording server that speaks distcc protocol 1, logs every job's argv
and answers with a real object file, so client-side argument bugs are
judged by what actually goes on the wire; plus a v3 (pump) request
encoder for the path-traversal attacks."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from daemon_helpers import tok, tstr

# A valid ELF object for the DOTO reply (the client writes it unchanged).
_OBJ = None


def _object():
    global _OBJ
    if _OBJ is None:
        d = tempfile.mkdtemp(prefix="distcc-upstream-obj-")
        try:
            src = os.path.join(d, "o.c")
            with open(src, "w") as f:
                f.write("int recorded_object(void) { return 7; }\n")
            subprocess.run(["gcc", "-c", src, "-o", os.path.join(d, "o.o")], check=True)
            with open(os.path.join(d, "o.o"), "rb") as f:
                _OBJ = f.read()
        finally:
            shutil.rmtree(d, ignore_errors=True)
    return _OBJ


def _recv_exact(c, n):
    out = b""
    while len(out) < n:
        chunk = c.recv(n - len(out))
        if not chunk:
            raise EOFError("peer closed after %d of %d bytes" % (len(out), n))
        out += chunk
    return out


def _token(c, name):
    t = _recv_exact(c, 12)
    if t[:4] != name.encode():
        raise ValueError("expected %s, got %r" % (name, t))
    return int(t[4:], 16)


class RecordingServer:
    """A protocol-1 distcc server on 127.0.0.1: jobs[i] is (argv, preprocessed
    source) of the i-th request; each gets STAT 0 and a real object after
    @delay seconds. Only plain (not ,lzo) host specs may point at it."""

    def __init__(self, delay=0.0):
        self.obj = _object()
        self.delay = delay
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.jobs = []
        self.errors = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @property
    def hostspec(self):
        return "127.0.0.1:%d" % self.port

    def argvs(self):
        with self.lock:
            return [a for a, _ in self.jobs]

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        with c:
            c.settimeout(30)
            try:
                version = _token(c, "DIST")
                argc = _token(c, "ARGC")
                argv = [_recv_exact(c, _token(c, "ARGV")).decode() for _ in range(argc)]
                doti = _recv_exact(c, _token(c, "DOTI"))
                with self.lock:
                    self.jobs.append((argv, doti))
                time.sleep(self.delay)
                c.sendall(tok("DONE", version) + tok("STAT", 0) + tstr("SERR", b"") +
                          tstr("SOUT", b"") + tstr("DOTO", self.obj))
            except (OSError, EOFError, ValueError) as e:
                with self.lock:
                    self.errors.append(repr(e))

    def close(self):
        self.sock.close()


def v3_request(cdir, argv, files):
    """A protocol-3 (pump) request: @files is a list of (NAME, kind, payload)
    with kind "FILE" (payload sent as is) or "LINK"."""
    out = tok("DIST", 3) + tstr("CDIR", cdir) + tok("ARGC", len(argv))
    out += b"".join(tstr("ARGV", a) for a in argv)
    out += tok("NFIL", len(files))
    for name, kind, payload in files:
        out += tstr("NAME", name) + tstr(kind, payload)
    return out


def autogroup_nice(pid):
    """The nice value of @pid's autogroup, or None without autogroup."""
    try:
        with open("/proc/%d/autogroup" % pid) as f:
            text = f.read()
    except OSError:
        return None
    parts = text.split()
    return int(parts[-1]) if len(parts) >= 3 and parts[-2] == "nice" else None
