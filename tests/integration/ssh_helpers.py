# SPDX-License-Identifier: GPL-2.0-or-later
"""A real OpenSSH server on 127.0.0.1 for the SSH-host tests, and the user
it lets in, both made by the test and removed after.

    with SshServer() as s:
        env["DISTCC_SSH"] = s.distcc_ssh()
        hosts = s.user + "@127.0.0.1"

The account is created with `useradd` and unlocked with `usermod -p '*'`
(sshd refuses a locked account even with a valid key). Keys, config and
sshd's log live in one world-readable directory. close() ends the shared
ssh connections (ssh -O exit), stops sshd, then every process still running
as the test user (each by its pid), removes the user, the directory and
/run/sshd when it made it."""
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

from conftest import free_port, wait_port

SSHD = "/usr/sbin/sshd"


class SshServer:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="dssh-")
        os.chmod(self.dir, 0o755)
        self.user = "dcs" + secrets.token_hex(3)
        self.port = free_port()
        self.proc = None
        self.control_dirs = []
        self.made_run_sshd = False
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def path(self, name):
        return os.path.join(self.dir, name)

    def _keygen(self, name):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.path(name)],
                       check=True)

    def _start(self):
        if not os.path.isdir("/run/sshd"):
            os.makedirs("/run/sshd")
            self.made_run_sshd = True
        for k in ("hostkey", "userkey", "otherkey"):
            self._keygen(k)
        subprocess.run(["useradd", "-m", self.user], check=True)
        subprocess.run(["usermod", "-p", "*", self.user], check=True)
        shutil.copy(self.path("userkey.pub"), self.path("authorized_keys"))
        os.chmod(self.path("authorized_keys"), 0o644)
        with open(self.path("sshd_config"), "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s\nAuthorizedKeysFile %s\n"
                    "UsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                    "StrictModes no\nPidFile %s\nMaxStartups 100\nMaxSessions 100\n"
                    % (self.port, self.path("hostkey"), self.path("authorized_keys"),
                       self.path("sshd.pid")))
        self.proc = subprocess.Popen([SSHD, "-D", "-f", self.path("sshd_config"),
                                      "-E", self.path("log")])
        if not wait_port(self.port):
            raise RuntimeError("sshd did not start")

    def ssh_options(self, key="userkey"):
        return ("-i %s -p %d -o BatchMode=yes -o StrictHostKeyChecking=no "
                "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
                % (self.path(key), self.port))

    def distcc_ssh(self, program="ssh", key="userkey"):
        return "%s %s" % (program, self.ssh_options(key))

    def script(self, name, text):
        """An executable file in our world-readable directory."""
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o755)
        return p

    def sessions(self):
        """Authenticated connections sshd has accepted so far."""
        try:
            with open(self.path("log")) as f:
                return sum("Accepted publickey for %s " % self.user in line for line in f)
        except FileNotFoundError:
            return 0

    def short_distcc_dir(self):
        """A DISTCC_DIR short enough for control sockets (sun_path), under
        our directory (removed by close())."""
        d = self.path("d")
        os.makedirs(d, exist_ok=True)
        self.control_dirs.append(os.path.join(d, "ssh"))
        return d

    def _user_pids(self):
        try:
            uid = pwd.getpwnam(self.user).pw_uid
        except KeyError:
            return []
        pids = []
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    if os.stat("/proc/" + p).st_uid == uid:
                        pids.append(int(p))
                except OSError:
                    pass
        return pids

    def _end_masters(self):
        for d in self.control_dirs:
            cfg = os.path.join(d, "config")
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                sock = os.path.join(d, name)
                if name != "config" and not name.startswith("."):
                    subprocess.run(["ssh", "-F", cfg, "-S", sock, "-O", "exit", "x"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   timeout=10)

    def close(self):
        self._end_masters()
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        for _ in range(50):
            pids = self._user_pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        subprocess.run(["userdel", "-r", "-f", self.user], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.made_run_sshd:
            shutil.rmtree("/run/sshd", ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
