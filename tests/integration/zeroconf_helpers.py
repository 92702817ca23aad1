# SPDX-License-Identifier: GPL-2.0-or-later
"""Emulated hosts for zeroconf tests. Each host is a network namespace
plus, for every command run "on" it, a fresh mount and UTS namespace in
which /run/dbus and /run/avahi-daemon are that host's own directories: so
each host has its own system bus and its own avahi-daemon, and mDNS goes
between hosts over a bridge (in a namespace of its own) as on a LAN.
Every name carries a per-run prefix; close() kills what runs in the
namespaces, deletes them and the state directory, also after a failure."""
import os
import shutil
import subprocess
import tempfile
import time
import uuid

# Runs inside the host's netns, in new mount + UTS namespaces: bind the
# host's run directories, take its name, start its bus and avahi once.
HOST_INIT = r'''
set -e
d=$1; name=$2; shift 2
mount --make-rprivate /
mount --bind "$d/dbus" /run/dbus
mkdir -p /run/avahi-daemon
mount --bind "$d/avahi" /run/avahi-daemon
hostname "$name"
if [ "${ZC_START:-}" = 1 ]; then
  dbus-daemon --system --fork --nopidfile
  for i in $(seq 100); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.05; done
  if [ "${ZC_AVAHI:-1}" = 1 ]; then
    avahi-daemon --no-drop-root --no-chroot -D --no-rlimits
    for i in $(seq 100); do avahi-browse -at -p >/dev/null 2>&1 && break; sleep 0.05; done
  fi
  exit 0
fi
exec "$@"
'''


class ZcNet:
    """Hosts h1..hN on 10.203.0.0/24 (h1 = .1), joined by a bridge."""

    def __init__(self, names, avahi=None):
        self.prefix = "zc" + uuid.uuid4().hex[:6]
        self.dir = tempfile.mkdtemp(prefix="distcc-zc-")
        os.chmod(self.dir, 0o755)
        self.names = list(names)
        self.procs = []
        self.switch = self.prefix + "sw"
        try:
            self._up(avahi or {})
        except BaseException:
            self.close()
            raise

    def ns(self, name):
        return self.prefix + name

    def addr(self, name):
        return "10.203.0.%d" % (self.names.index(name) + 1)

    def _ip(self, *args):
        subprocess.run(["ip"] + list(args), check=True, capture_output=True)

    def _up(self, avahi):
        self._ip("netns", "add", self.switch)
        self._ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        self._ip("-n", self.switch, "link", "set", "br0", "up")
        for i, name in enumerate(self.names):
            ns = self.ns(name)
            self._ip("netns", "add", ns)
            self._ip("-n", self.switch, "link", "add", "p%d" % i, "type", "veth",
                     "peer", "name", "eth0", "netns", ns)
            self._ip("-n", self.switch, "link", "set", "p%d" % i, "master", "br0", "up")
            self._ip("-n", ns, "addr", "add", self.addr(name) + "/24", "dev", "eth0")
            self._ip("-n", ns, "link", "set", "lo", "up")
            self._ip("-n", ns, "link", "set", "eth0", "up", "multicast", "on")
            for sub in ("dbus", "avahi"):
                os.makedirs(os.path.join(self.dir, name, sub))
            env = dict(os.environ, ZC_START="1", ZC_AVAHI="1" if avahi.get(name, True) else "0")
            subprocess.run(self._wrap(name, ["true"]), check=True, env=env, timeout=30,
                           capture_output=True)

    def _wrap(self, name, cmd):
        return ["ip", "netns", "exec", self.ns(name), "unshare", "-m", "-u", "sh", "-c",
                HOST_INIT, "sh", os.path.join(self.dir, name), name] + list(cmd)

    def run(self, name, cmd, **kw):
        """Run @cmd on host @name and wait (subprocess.run keywords)."""
        kw.setdefault("timeout", 60)
        return subprocess.run(self._wrap(name, cmd), **kw)

    def start(self, name, cmd, log=None, **kw):
        """Start @cmd on host @name in the background, output to @log."""
        out = open(log, "wb") if log else subprocess.DEVNULL
        p = subprocess.Popen(self._wrap(name, cmd), stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, **kw)
        if log:
            out.close()
        self.procs.append(p)
        return p

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for name in self.names + [None]:
            ns = self.ns(name) if name else self.switch
            for _ in range(3):
                pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                                      text=True).stdout.split()
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(int(pid), 15 if _ == 0 else 9)
                    except (ProcessLookupError, ValueError):
                        pass
                time.sleep(0.3)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        for name in self.names + [None]:
            ns = self.ns(name) if name else self.switch
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wait_for(pred, timeout=20.0, step=0.25):
    """Poll @pred until it returns something true; that value, or None."""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)
