# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the distccd suites: a masquerade (whitelist) directory, a
running daemon (standalone, or inetd through systemd-socket-activate), the
Debian distcc 3.4 client as the peer, and raw protocol encoding for the
hostile tests. Test directories are made world-readable because distccd,
started as root, drops to the distccd user before serving."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

from conftest import DEBIAN_DISTCC, binary, free_port, stop, wait_port

COMPILERS = ["cc", "gcc", "c++", "g++", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++",
             "x86_64-linux-gnu-gcc-12", "x86_64-linux-gnu-g++-12"]

HELLO_C = b'#include <stdio.h>\nstatic int sq(int x) { return x * x; }\n' \
          b'int main(void) { printf("%d\\n", sq(7)); return 0; }\n'
HELLO_CC = b'#include <iostream>\n#include <vector>\nint main() { std::vector<int> v{1, 2, 3};\n' \
           b'  for (int x : v) std::cout << x << "\\n"; return 0; }\n'
BAD_C = b'int main(void)\n{\n    return undeclared_thing + 1;\n}\n'


def world_dir(prefix="distccd-test-"):
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o755)
    return d


def make_masq(names=COMPILERS, target="/usr/bin/gcc", extra=None):
    """A whitelist dir with executable symlinks named like the compilers."""
    d = world_dir("distccd-masq-")
    for n in names:
        os.symlink(target, os.path.join(d, n))
    for n, path in (extra or {}).items():
        os.symlink(path, os.path.join(d, n))
    return d


def write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def read_log(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


class Daemon:
    """A standalone distccd on loopback, logging to its own file."""

    def __init__(self, args=(), host="127.0.0.1", masq=None, env=None, exe=None, detach=False):
        self.dir = world_dir("distccd-run-")
        self.host = host
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.family = family
        self.port = free_port(family, host)
        self.log = os.path.join(self.dir, "distccd.log")
        self.masq = masq if masq is not None else make_masq()
        self.own_masq = masq is None
        cmd = [exe or binary("distccd"), "--daemon", "-p", str(self.port), "--listen", host,
               "--log-file", self.log, "--log-level", "debug"]
        if not detach:
            cmd.append("--no-detach")
        if self.masq:
            cmd += ["--masquerade-dir", self.masq]
        cmd += list(args)
        e = dict(os.environ)
        e.update(env or {})
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if not detach and not wait_port(self.port, host, family=family):
            self.stop()
            raise AssertionError("distccd did not start: %s\n%s" % (cmd, self.logtext()))

    @property
    def hostspec(self):
        return ("[%s]" % self.host if ":" in self.host else self.host) + ":%d" % self.port

    def logtext(self):
        return read_log(self.log)

    def wait_log(self, needle, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.logtext():
                return True
            time.sleep(0.05)
        return False

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        stop(self.proc)
        if self.own_masq and self.masq:
            shutil.rmtree(self.masq, ignore_errors=True)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class InetdDaemon(Daemon):
    """distccd --inetd behind systemd-socket-activate --accept --inetd."""

    def __init__(self, args=(), masq=None, env=None):
        self.dir = world_dir("distccd-run-")
        self.host = "127.0.0.1"
        self.family = socket.AF_INET
        self.port = free_port()
        self.log = os.path.join(self.dir, "distccd.log")
        self.masq = masq if masq is not None else make_masq()
        self.own_masq = masq is None
        cmd = ["systemd-socket-activate", "--accept", "--inetd", "-l",
               "127.0.0.1:%d" % self.port]
        for k, v in (env or {}).items():
            cmd += ["-E", "%s=%s" % (k, v)]
        cmd += [binary("distccd"), "--inetd", "--log-file", self.log, "--log-level", "debug",
                "--masquerade-dir", self.masq] + list(args)
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if not wait_port(self.port):
            self.stop()
            raise AssertionError("systemd-socket-activate did not start")


def distcc(hosts, args, cwd, env=None, timeout=60):
    """Run Debian's distcc 3.4 client; returns CompletedProcess (bytes)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("DISTCC_")}
    os.makedirs(os.path.join(cwd, ".distcc"), exist_ok=True)
    e.update({"DISTCC_HOSTS": hosts, "DISTCC_DIR": os.path.join(cwd, ".distcc")})
    e.update(env or {})
    return subprocess.run([DEBIAN_DISTCC] + list(args), cwd=cwd, env=e, capture_output=True,
                          timeout=timeout)


def strip_distcc_lines(err):
    return b"".join(l for l in err.splitlines(True) if not l.startswith(b"distcc["))


# ---- raw protocol -------------------------------------------------------

def tok(name, value):
    return name.encode() + b"%08x" % value


def tstr(name, s):
    if isinstance(s, str):
        s = s.encode()
    return tok(name, len(s)) + s


def request(argv, doti, version=1):
    out = tok("DIST", version) + tok("ARGC", len(argv))
    for a in argv:
        out += tstr("ARGV", a)
    return out + tok("DOTI", len(doti)) + doti


def connect(d, timeout=10):
    s = socket.socket(d.family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((d.host, d.port))
    return s


def recv_all(s, limit=1 << 24):
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data


def parse_reply(data):
    """DONE STAT SERR SOUT DOTO (uncompressed) into a dict."""
    out, pos = {}, 0
    for name in ("DONE", "STAT", "SERR", "SOUT", "DOTO"):
        assert data[pos:pos + 4] == name.encode(), (name, data[pos:pos + 40])
        v = int(data[pos + 4:pos + 12], 16)
        pos += 12
        if name in ("DONE", "STAT"):
            out[name] = v
        else:
            out[name] = data[pos:pos + v]
            pos += v
    return out


_LZOTOOL_SRC = r'''
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* lzotool zeros N: LZO1X-1 of N zero bytes; lzotool: compress stdin. */
int main(int argc, char **argv)
{
	static unsigned char wrk[LZO1X_1_MEM_COMPRESS];
	size_t n = 0, cap = 1 << 20;
	unsigned char *in;
	if (lzo_init() != LZO_E_OK) return 1;
	if (argc == 3) { n = strtoull(argv[2], NULL, 10); in = calloc(n ? n : 1, 1); }
	else { in = malloc(cap); size_t k;
	       while ((k = fread(in + n, 1, cap - n, stdin)) > 0) { n += k; if (n == cap) in = realloc(in, cap *= 2); } }
	lzo_uint olen = n + n / 16 + 64 + 3;
	unsigned char *out = malloc(olen);
	if (!in || !out || lzo1x_1_compress(in, n, out, &olen, wrk) != LZO_E_OK) return 1;
	fwrite(out, 1, olen, stdout);
	return 0;
}
'''
_lzotool = None


def lzotool():
    global _lzotool
    if _lzotool is None:
        d = tempfile.mkdtemp(prefix="distccd-lzo-")
        src = os.path.join(d, "lzotool.c")
        with open(src, "w") as f:
            f.write(_LZOTOOL_SRC)
        exe = os.path.join(d, "lzotool")
        subprocess.run(["gcc", "-O2", "-o", exe, src, "-llzo2"], check=True)
        _lzotool = exe
    return _lzotool


def lzo_compress(data):
    return subprocess.run([lzotool()], input=data, capture_output=True, check=True).stdout


def lzo_zeros(n):
    return subprocess.run([lzotool(), "zeros", str(n)], capture_output=True, check=True).stdout
