# SPDX-License-Identifier: GPL-2.0-or-later
"""The one way the integration tests start a distccd: `Distccd`, and the
`distccd` pytest fixture (conftest.py) that stops whatever a test started.

    how="standalone"  distccd --daemon --no-detach (or detached, detach=True)
    how="listen"      systemd-socket-activate, fd 3 the listening socket (Accept=no)
    how="accept"      systemd-socket-activate --accept, fd 3 the connection (Accept=yes)
    how="inetd"       systemd-socket-activate --accept --inetd, the connection on stdin

exe: our build/distccd (default), "debian" for Debian's distccd 3.4, or a path.
masq: a masquerade (whitelist) directory of its own (default), None for none
(the daemon's built-in default), or a path the test owns.
log: "file" (--log-file) or "stderr" (--log-stderr into the same file).
Every directory a daemon must read is world-readable: started as root,
distccd drops to its own user before serving. Everything it creates is
removed by close()."""
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import binary, free_port, stop, wait_port

COMPILERS = ["cc", "gcc", "c++", "g++", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++",
             "x86_64-linux-gnu-gcc-12", "x86_64-linux-gnu-g++-12"]
DEBIAN_DISTCCD_CANDIDATES = ["/usr/sbin/distccd", "/usr/bin/distccd"]
OWN = object()      # masq=OWN: make a masquerade directory for this daemon


_made = []      # every directory world_dir() made in this test process


def world_dir(prefix="distccd-test-"):
    """A world-readable temp dir. Tests remove their own; whatever is left
    goes at the end of the session (remove_made_dirs, from conftest)."""
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    _made.append(d)
    return d


def remove_made_dirs():
    while _made:
        shutil.rmtree(_made.pop(), ignore_errors=True)


def make_masq(names=COMPILERS, target="/usr/bin/gcc", extra=None):
    """A whitelist dir with executable symlinks named like the compilers."""
    d = world_dir("distccd-masq-")
    for n in names:
        os.symlink(target, os.path.join(d, n))
    for n, path in (extra or {}).items():
        os.symlink(path, os.path.join(d, n))
    return d


def read_log(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def debian_distccd():
    for p in DEBIAN_DISTCCD_CANDIDATES:
        if os.access(p, os.X_OK):
            return p
    pytest.skip("Debian's distccd is not installed")


def wait_listening(port, timeout=10):
    """Like wait_port, but without connecting (a connection would start a job)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = subprocess.run(["ss", "-Hltn", "sport = :%d" % port], capture_output=True,
                             text=True).stdout
        if out.strip():
            return True
        time.sleep(0.02)
    return False


def distccd_argv(how="standalone", exe=None, port=None, host="127.0.0.1", args=(), env=None,
                 listen_extra=(), fdnames=None, detach=False):
    """The command line that starts distccd @how on @host:@port. For the
    socket-activated forms @env goes through -E (systemd-socket-activate
    does not pass its own environment on)."""
    exe = debian_distccd() if exe == "debian" else (exe or binary("distccd"))
    if how == "standalone":
        cmd = [exe, "--daemon", "-p", str(port), "--listen", host]
        return cmd + ([] if detach else ["--no-detach"]) + list(args)
    assert how in ("listen", "accept", "inetd"), how
    addr = "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)
    cmd = ["systemd-socket-activate", "--listen=" + addr]
    cmd += ["--listen=" + a for a in listen_extra]
    if how in ("accept", "inetd"):
        cmd.append("--accept")
    if how == "inetd":
        cmd.append("--inetd")
    if fdnames:
        cmd.append("--fdname=" + fdnames)
    for k, v in (env or {}).items():
        cmd += ["-E", "%s=%s" % (k, v)]
    cmd.append(exe)
    if how == "inetd":
        cmd.append("--inetd")
    return cmd + list(args)


def distccd_shell(*a, **kw):
    """distccd_argv() as one shell word list (for a command run in a namespace)."""
    return " ".join(shlex.quote(w) for w in distccd_argv(*a, **kw))


class Distccd:
    """A running distccd on loopback, its log in self.log (see the module
    docstring for @how, @exe, @masq, @log). @log_level None passes none
    (Debian's distccd has fewer levels). @wait: "connect" (a probe
    connection, the default for standalone and inetd), "listen" (without
    connecting, the default for listen/accept) or None. detach=True: the
    daemon forks away; this returns once the parent has exited and the daemon
    closed its stdio (proc is the parent; stop the daemon by its --pid-file)."""

    def __init__(self, args=(), how="standalone", exe=None, host="127.0.0.1", masq=OWN,
                 env=None, log="file", log_level="debug", detach=False, listen_extra=(),
                 fdnames=None, wait="default"):
        self.how = how
        self.host = host
        self.family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.dir = world_dir("distccd-run-")
        self.port = free_port(self.family, host)
        self.log = os.path.join(self.dir, "distccd.log")
        self.own_masq = masq is OWN
        self.masq = make_masq() if masq is OWN else masq
        opts = ["--log-file", self.log] if log == "file" else ["--log-stderr"]
        if log_level:
            opts += ["--log-level", log_level]
        if self.masq:
            opts += ["--masquerade-dir", self.masq]
        activated = how != "standalone"
        self.cmd = distccd_argv(how, exe, self.port, host, opts + list(args),
                                env if activated else None, listen_extra, fdnames, detach)
        e = dict(os.environ)
        if not activated:
            e.update(env or {})
        # --log-stderr: the log file; --log-file: stray output kept apart from the log
        out = open(self.log if log == "stderr" else os.path.join(self.dir, "output"), "ab")
        # detached: a pipe, whose EOF says the daemon is set up (it closes its stdio)
        pipe = subprocess.PIPE if detach else out
        self.proc = subprocess.Popen(self.cmd, env=e, stdin=subprocess.DEVNULL, stdout=pipe,
                                     stderr=subprocess.STDOUT if detach else out)
        if detach:
            out.write(self.proc.communicate(timeout=20)[0])
        out.close()
        if wait == "default":
            wait = None if detach else "listen" if how in ("listen", "accept") else "connect"
        ok = True
        if wait == "connect":
            ok = wait_port(self.port, host, family=self.family)
        elif wait == "listen":
            ok = wait_listening(self.port)
        if not ok:
            text = self.logtext() + read_log(os.path.join(self.dir, "output"))
            self.close()
            raise AssertionError("distccd did not start: %s\n%s" % (self.cmd, text))

    @property
    def hostspec(self):
        return ("[%s]" % self.host if ":" in self.host else self.host) + ":%d" % self.port

    def logtext(self):
        return read_log(self.log)

    text = logtext

    def output(self):
        """What the daemon wrote to stdout/stderr besides its log (log="file")."""
        return read_log(os.path.join(self.dir, "output"))

    def wait_log(self, needle, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.logtext():
                return True
            time.sleep(0.05)
        return False

    def count(self, what="COMPILE_OK", at_least=1, timeout=5.0):
        """How often @what is in the log, waiting up to @timeout for @at_least
        (the server logs a job after the client already has its reply)."""
        end = time.monotonic() + timeout
        while True:
            n = self.logtext().count(what)
            if n >= at_least or time.monotonic() > end:
                return n
            time.sleep(0.05)

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Stop the process we started (by pid) and drop our own masq dir."""
        stop(self.proc)
        if self.own_masq and self.masq:
            shutil.rmtree(self.masq, ignore_errors=True)
        return self.proc.returncode

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# The presets the suites use (each is just a Distccd).

def Daemon(args=(), **kw):
    """Our standalone distccd, debug log in a file, its own masquerade dir."""
    return Distccd(args, **kw)


def InetdDaemon(args=(), **kw):
    """Our distccd --inetd behind systemd-socket-activate --accept --inetd."""
    return Distccd(args, how="inetd", **kw)


def Server(kind="debian", jobs=4, path_prefix=(), env=None):
    """A distccd for the client suites: Debian's 3.4 (kind "debian") or ours,
    --allow 127.0.0.1, log on stderr, the default compiler whitelist.
    @path_prefix: directories put before /usr/bin on the server's PATH (fake
    compilers named like whitelisted ones)."""
    e = {"PATH": ":".join(list(path_prefix) + ["/usr/local/bin", "/usr/bin", "/bin"]),
         "TMPDIR": "/tmp"}
    e.update(env or {})
    return Distccd(["--allow", "127.0.0.1", "--jobs", str(jobs)],
                   exe="debian" if kind == "debian" else None, masq=None, log="stderr",
                   log_level=None if kind == "debian" else "info", env=e)
