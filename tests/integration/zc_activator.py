# SPDX-License-Identifier: GPL-2.0-or-later
"""What distccd.socket does, for a host without a booted systemd: hold a
listening socket and, whenever a connection waits and no daemon runs,
start the daemon with the socket as fd 3 (LISTEN_FDS=1, LISTEN_PID its
own pid). Prints "start" and "exit STATUS" lines, flushed, for the test.
Usage: zc_activator.py ADDR PORT DAEMON [ARGS...]"""
import os
import select
import socket
import subprocess
import sys


def main():
    addr, port, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    print("listening", flush=True)

    def to_fd3():
        os.dup2(s.fileno(), 3)
        os.set_inheritable(3, True)

    while True:
        select.select([s], [], [])
        print("start", flush=True)
        p = subprocess.Popen(["sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"', "sh"] + cmd,
                             preexec_fn=to_fd3, pass_fds=(3,))
        print("exit %d" % p.wait(), flush=True)


if __name__ == "__main__":
    main()
