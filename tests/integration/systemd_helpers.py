# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the systemd suites: generating the units with test paths,
`systemd-analyze verify` with stderr checked, and (further down) booting a
real systemd as PID 1 in fresh namespaces and a hand-started journald.
Nothing here needs anything outside this source tree."""
import os
import shutil
import subprocess
import time

from conftest import BUILD, TOP

UNIT_NAMES = ("distccd.socket", "distccd-stats.socket", "distccd.service", "distccd@.service")


def run(cmd, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 60)
    p = subprocess.run(cmd, **kw)
    if check and p.returncode != 0:
        raise AssertionError("%s: rc=%d\nstdout:%s\nstderr:%s"
                             % (cmd, p.returncode, p.stdout, p.stderr))
    return p


def make_units(outdir, sbindir, confddir="/etc/conf.d"):
    """Generate the units into outdir/units with ExecStart= under sbindir."""
    run(["make", "-s", "-C", TOP, "BUILD=" + outdir, "SBINDIR=" + sbindir,
         "CONFDDIR=" + confddir, "units"])
    return os.path.join(outdir, "units")


def daemon_binary():
    """Our distccd; verify needs ExecStart= to name an existing binary."""
    p = os.path.join(BUILD, "distccd")
    assert os.access(p, os.X_OK), "%s not built (run make)" % p
    return p


def unit_sbindir(tmp_path):
    """Directory for ExecStart=: the build dir once distccd is built there;
    before that, an executable placeholder (verify only checks the path)."""
    if os.access(os.path.join(BUILD, "distccd"), os.X_OK):
        return BUILD
    d = os.path.join(str(tmp_path), "sbin")
    os.makedirs(d, exist_ok=True)
    shutil.copy("/bin/true", os.path.join(d, "distccd"))
    return d


def analyze_verify(paths):
    """systemd-analyze verify returns 0 even on unknown keys: callers
    assert on the output, which must be empty."""
    return run(["systemd-analyze", "verify", "--man=no"] + list(paths), check=False)


def exposure(unit_path):
    """Overall exposure score from `systemd-analyze security --offline=true`."""
    p = run(["systemd-analyze", "security", "--offline=true", "--no-pager", unit_path],
            check=False)
    for line in p.stdout.splitlines():
        if "Overall exposure level" in line:
            return float(line.split(":")[1].split()[0])
    raise AssertionError("no exposure line:\n" + p.stdout + p.stderr)


def tmpfiles(args, env=None):
    return run(["systemd-tmpfiles"] + list(args), check=False, env=env)


def fake_root(root):
    """A --root= tree in which users and groups resolve like on this host."""
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    for f in ("passwd", "group"):
        shutil.copy("/etc/" + f, os.path.join(root, "etc", f))
    return root


# ---------------------------------------------------------------------------
# A real systemd as PID 1 in fresh namespaces (root only).
#
# An overlay of the host root with a tmpfs upper layer (nothing reaches the
# host), its own cgroup2 subtree, a private /dev with freshly made nodes (never
# the host's: systemd chowns /dev/console, which through a bind mount would
# change the host's /dev/null), a tmpfs /run, pivot_root, then systemd.

BOOT_SCRIPT = r'''
set -eu
mount -t tmpfs tmpfs "$D/tmp"; mkdir "$D/tmp/upper" "$D/tmp/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$D/tmp/upper,workdir=$D/tmp/work" "$D/merged"
M=$D/merged
mount -t proc proc "$M/proc"
mount --bind "$M/proc/sys" "$M/proc/sys"; mount -o remount,bind,ro "$M/proc/sys"
mount -t sysfs -o ro sysfs "$M/sys"
mount -t cgroup2 cgroup2 "$M/sys/fs/cgroup"
mount -t tmpfs -o mode=755 tmpfs "$M/dev"
mknod -m 666 "$M/dev/null" c 1 3; mknod -m 666 "$M/dev/zero" c 1 5; mknod -m 666 "$M/dev/full" c 1 7
mknod -m 666 "$M/dev/random" c 1 8; mknod -m 666 "$M/dev/urandom" c 1 9; mknod -m 666 "$M/dev/tty" c 5 0
mknod -m 600 "$M/dev/console" c 1 3
mkdir -p "$M/dev/pts" "$M/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$M/dev/pts"; ln -s pts/ptmx "$M/dev/ptmx"
mount -t tmpfs -o mode=755 tmpfs "$M/run"
ln -sf /dev/null "$M/etc/systemd/system/console-getty.service"
# Debian's tmp.conf empties /tmp at boot ("D /tmp"): keep it, the tree under
# test may live there (in the overlay only, but the tests need to see it)
mkdir -p "$M/etc/tmpfiles.d"; echo 'd /tmp 1777 root root -' > "$M/etc/tmpfiles.d/tmp.conf"
hostname "$N"
cd "$M"; mkdir -p .oldroot; pivot_root . .oldroot; umount -l /.oldroot; rmdir /.oldroot
exec env -i container=distcc-test /lib/systemd/systemd --log-target=journal --show-status=0 --unit=basic.target
'''


def can_boot_systemd():
    """Reason to skip, or None."""
    if os.geteuid() != 0:
        return "needs root"
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        return "unshare -m not permitted here"
    if not cgroup2_root():
        return "no cgroup2 hierarchy mounted"
    return None


def cgroup2_root():
    p = subprocess.run(["findmnt", "-n", "-o", "TARGET", "-t", "cgroup2"],
                       capture_output=True, text=True)
    lines = p.stdout.split()
    return lines[0] if lines else None


class Container:
    """systemd as PID 1 in a netns of its own. exec() runs a command inside."""

    def __init__(self, name, workdir):
        self.name = name
        self.dir = os.path.join(workdir, name)
        self.cgroup = os.path.join(cgroup2_root(), name)
        self.proc = None
        self.pid1 = None

    def start(self, timeout=30):
        os.makedirs(os.path.join(self.dir, "tmp"))
        os.makedirs(os.path.join(self.dir, "merged"))
        os.makedirs(self.cgroup)
        run(["ip", "netns", "add", self.name])
        run(["ip", "-n", self.name, "link", "set", "lo", "up"])
        env = dict(os.environ, D=self.dir, N=self.name)
        # the boot shell moves itself into our cgroup2 subtree, then unshares
        outer = ('echo $$ > %s/cgroup.procs && exec ip netns exec %s unshare --fork --pid '
                 '--mount --uts --ipc --cgroup --propagation private bash -c "$BOOT"'
                 % (self.cgroup, self.name))
        env["BOOT"] = BOOT_SCRIPT
        self.log = open(os.path.join(self.dir, "boot.log"), "w")
        self.proc = subprocess.Popen(["bash", "-c", outer], env=env, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.pid1 is None:
            p = subprocess.run(["pgrep", "-P", str(self.proc.pid), "-x", "systemd"],
                               capture_output=True, text=True)
            if p.stdout.strip():
                self.pid1 = int(p.stdout.split()[0])
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if self.pid1 is None:
            raise AssertionError("no PID 1:\n" + open(os.path.join(self.dir, "boot.log")).read())
        while time.monotonic() < end:
            if self.exec(["test", "-S", "/run/systemd/private"], check=False).returncode == 0:
                break
            time.sleep(0.05)
        self.exec(["systemctl", "is-system-running", "--wait"], check=False, timeout=timeout)

    def exec(self, cmd, check=True, **kw):
        return run(["nsenter", "-t", str(self.pid1), "-m", "-u", "-i", "-n", "-p", "-C"]
                   + list(cmd), check=check, **kw)

    def sh(self, script, check=True, **kw):
        return self.exec(["sh", "-c", script], check=check, **kw)

    def write(self, path, text, mode=0o644):
        """Write a file inside the container (its overlay, not the host)."""
        self.exec(["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod %o "$1"'
                   % mode, "-", path], input=text)

    def stop(self):
        if self.pid1:
            subprocess.run(["kill", "-s", "SIGRTMIN+4", str(self.pid1)])
        if self.proc:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                if self.pid1:
                    subprocess.run(["kill", "-9", str(self.pid1)])
                self.proc.wait(10)
            self.log.close()
        for d, _, _ in sorted(os.walk(self.cgroup), key=lambda t: -len(t[0])):
            try:
                os.rmdir(d)
            except OSError:
                pass
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def veth_pair(server_ns, client_ns, prefix, server_ip, client_ips):
    """Link two namespaces: server_ip/24 on the server side, client_ips on
    the client side (the first is the source address the kernel picks)."""
    run(["ip", "link", "add", prefix + "s", "type", "veth", "peer", "name", prefix + "c"])
    run(["ip", "link", "set", prefix + "s", "netns", server_ns])
    run(["ip", "link", "set", prefix + "c", "netns", client_ns])
    run(["ip", "-n", server_ns, "addr", "add", server_ip + "/24", "dev", prefix + "s"])
    for ip in client_ips:
        run(["ip", "-n", client_ns, "addr", "add", ip + "/24", "dev", prefix + "c"])
    for ns, dev in ((server_ns, prefix + "s"), (client_ns, prefix + "c")):
        run(["ip", "-n", ns, "link", "set", dev, "up"])
        run(["ip", "-n", ns, "link", "set", "lo", "up"])


def dev_null_ok():
    st = os.stat("/dev/null")
    import stat as _st
    return _st.S_ISCHR(st.st_mode) and _st.S_IMODE(st.st_mode) == 0o666


def journal_json(text):
    """Parse `journalctl -o json` output into a list of dicts."""
    import json
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# ---------------------------------------------------------------------------
# journald started by hand in a private mount namespace (no PID 1 needed):
# a tmpfs over /run/systemd and /run/log, Storage=volatile, then the command
# under test; the journal is dumped as JSON before the namespace goes away.
# The host's /dev is shared: nothing is created there (no /dev/log).

JOURNALD_SCRIPT = r'''
set -eu
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/log && mount -t tmpfs tmpfs /run/log && mkdir -p /run/log/journal
printf '[Journal]\nStorage=volatile\nRateLimitBurst=0\n' > "$W/journald.conf"
mount --bind "$W/journald.conf" /etc/systemd/journald.conf
/lib/systemd/systemd-journald & JPID=$!
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
sh -c "$CMD" > "$W/cmd.out" 2>&1 & CPID=$!
: > "$W/ready"
while [ ! -e "$W/done" ]; do sleep 0.05; done
kill $CPID 2>/dev/null || true; wait $CPID 2>/dev/null || true
journalctl --flush 2>/dev/null || true
sleep 0.2
journalctl -D /run/log/journal/$(cat /etc/machine-id) -o json --no-pager > "$W/journal.json" || true
kill $JPID; wait $JPID || true
'''


class HandJournal:
    """Run @cmd (a shell command) next to a private journald."""

    def __init__(self, workdir, cmd):
        self.w = str(workdir)
        env = dict(os.environ, W=self.w, CMD=cmd)
        self.proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "bash", "-c",
                                      JOURNALD_SCRIPT], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        end = time.monotonic() + 10
        while not os.path.exists(os.path.join(self.w, "ready")):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise AssertionError("journald setup failed: %s" % self.proc.stdout.read())
            time.sleep(0.02)

    def finish(self):
        """Stop the command and return the journal entries."""
        open(os.path.join(self.w, "done"), "w").close()
        self.proc.wait(30)
        return journal_json(open(os.path.join(self.w, "journal.json")).read())

    def cmd_output(self):
        return open(os.path.join(self.w, "cmd.out")).read()
