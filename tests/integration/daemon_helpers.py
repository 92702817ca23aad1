# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the distccd suites: the Debian distcc 3.4 client as the peer
and raw protocol encoding for the hostile tests. The daemon itself, its
masquerade directory and world-readable test directories come from
distccd_fixture (re-exported here: Daemon is a standalone Distccd,
InetdDaemon one behind systemd-socket-activate --accept --inetd)."""
import os
import socket
import subprocess

from conftest import DEBIAN_DISTCC
from distccd_fixture import (COMPILERS, Daemon, Distccd, InetdDaemon, make_masq,  # noqa: F401
                             read_log, world_dir)

HELLO_C = b'#include <stdio.h>\nstatic int sq(int x) { return x * x; }\n' \
          b'int main(void) { printf("%d\\n", sq(7)); return 0; }\n'
HELLO_CC = b'#include <iostream>\n#include <vector>\nint main() { std::vector<int> v{1, 2, 3};\n' \
           b'  for (int x : v) std::cout << x << "\\n"; return 0; }\n'
BAD_C = b'int main(void)\n{\n    return undeclared_thing + 1;\n}\n'


def write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


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


def connect(d, timeout=10, source=None):
    """A client socket to @d; @source: the local address to send from (another
    127.0.0.0/8 address is another client as far as the daemon knows)."""
    s = socket.socket(d.family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source:
        s.bind((source, 0))
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
        d = world_dir("distccd-lzo-")       # built once per test process
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
