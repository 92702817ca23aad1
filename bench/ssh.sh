#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench-ssh`: per-job overhead of SSH hosts, ours vs Debian's distcc 3.4.
# One server reached through a real sshd on 127.0.0.1 (its own throwaway user
# and keys), BENCH_SSH_N sequential tiny jobs (no #include) per mode, modes
# alternated for BENCH_SSH_REPS rounds. The SSH overhead per job of an
# implementation = its ms/job over SSH minus its ms/job over TCP to the same
# kind of distccd on 127.0.0.1 (what SSH adds); also shown against local gcc.
#   3.4 tcp / ssh:  /usr/bin/distcc -> /usr/bin/distccd (TCP) / ssh USER@127.0.0.1 distccd --inetd
#   ours tcp / ssh: build/distcc -> build/distccd (TCP) / ssh (shared connection) ... --inetd
#   ours ,daemon:   build/distcc -> ssh -W (shared connection) to our TCP distccd
# Our binaries are copied first, so a rebuild during the run changes nothing.
# Root only (creates a user); removes everything it creates. Writes
# bench/results/ssh-<date>.md. See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
N=${BENCH_SSH_N:-20}
REPS=${BENCH_SSH_REPS:-3}
OURS_CLIENT=$REPO/build/distcc
OURS_DAEMON=$REPO/build/distccd
D34_CLIENT=/usr/bin/distcc
D34_DAEMON=/usr/bin/distccd
W=$(mktemp -d /tmp/dssh-bench.XXXXXX)
chmod 755 "$W"
USERNAME=dcsb$$
SSHD_PID="" DAEMON_PID="" D34_PID=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
	set +e
	for s in "$W"/d*/ssh/[0-9a-f]*; do
		[ -S "$s" ] && ssh -S "$s" -O exit x >/dev/null 2>&1
	done
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID"
	[ -n "$D34_PID" ] && kill "$D34_PID"
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID"
	if id "$USERNAME" >/dev/null 2>&1; then
		for _ in $(seq 50); do
			pids=$(ps -o pid= -u "$USERNAME" | tr -d ' ')
			[ -z "$pids" ] && break
			for p in $pids; do kill -9 "$p" 2>/dev/null; done
			sleep 0.1
		done
		userdel -r -f "$USERNAME" >/dev/null 2>&1
	fi
	rm -rf "$W"
}
trap cleanup EXIT

setup() {
	local port=$1
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$W/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$W/userkey"
	useradd -m "$USERNAME"
	usermod -p '*' "$USERNAME"
	cp "$W/userkey.pub" "$W/authorized_keys"
	chmod 644 "$W/authorized_keys"
	cat > "$W/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $W/hostkey
AuthorizedKeysFile $W/authorized_keys
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
PidFile $W/sshd.pid
MaxStartups 100
CFG
	/usr/sbin/sshd -D -f "$W/sshd_config" -E "$W/sshd.log" &
	SSHD_PID=$!
	for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0; sleep 0.1; done
	echo "sshd did not start" >&2
	return 1
}

# ms per job for N sequential compiles: $1 label, then the command prefix.
run_seq() {
	local dir=$W/d$1 start end s
	shift
	for s in "$dir"/ssh/[0-9a-f]*; do   # a fresh DISTCC_DIR: the last run's connection ends
		[ -S "$s" ] && ssh -S "$s" -O exit x >/dev/null 2>&1
	done
	rm -rf "$dir"
	mkdir -p "$dir"
	start=$(date +%s%N)
	for i in $(seq "$N"); do
		env DISTCC_DIR="$dir" "$@" gcc -O2 -c "$W/tiny.c" -o "$W/tiny.o"
	done
	end=$(date +%s%N)
	echo $(( (end - start) / 1000000 / N ))
}

main() {
	local sp dp tp ssh_cmd sessions1
	[ "$(id -u)" = 0 ] || { echo "bench/ssh.sh: root only" >&2; exit 1; }
	mkdir -p "$W/bin"
	cp "$OURS_CLIENT" "$OURS_DAEMON" "$W/bin/"
	chmod 755 "$W/bin" "$W/bin/"*
	OURS_CLIENT=$W/bin/distcc
	OURS_DAEMON=$W/bin/distccd
	sp=$(free_port)
	dp=$(free_port)
	tp=$(free_port)
	setup "$sp"
	printf 'int tiny(int x) { return x * 3 + 1; }\n' > "$W/tiny.c"
	"$OURS_DAEMON" --daemon --no-detach --listen 127.0.0.1 --port "$dp" --allow 127.0.0.1 \
		--log-file "$W/distccd.log" --jobs 2 &
	DAEMON_PID=$!
	install -m 666 /dev/null "$W/d34.log"   # written after it drops to user distccd
	"$D34_DAEMON" --daemon --no-detach --listen 127.0.0.1 --port "$tp" --allow 127.0.0.1 \
		--log-file "$W/d34.log" --jobs 2 &
	D34_PID=$!
	sleep 0.5
	ssh_cmd="ssh -i $W/userkey -p $sp -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
	export DISTCC_SSH=$ssh_cmd DISTCC_FALLBACK=0
	declare -A sum=()
	local modes="local d34_tcp d34 ours_tcp ours ours_daemon"
	for rep in $(seq "$REPS"); do
		for m in $modes; do
			case $m in
			local) v=$(run_seq local) ;;  # plain gcc through env
			d34_tcp) v=$(DISTCC_HOSTS="127.0.0.1:$tp" run_seq d34_tcp "$D34_CLIENT") ;;
			d34) v=$(DISTCC_HOSTS="$USERNAME@127.0.0.1:$D34_DAEMON" run_seq d34 "$D34_CLIENT") ;;
			ours_tcp) v=$(DISTCC_HOSTS="127.0.0.1:$dp" run_seq ours_tcp "$OURS_CLIENT") ;;
			ours) v=$(DISTCC_HOSTS="$USERNAME@127.0.0.1:$OURS_DAEMON" run_seq ours "$OURS_CLIENT") ;;
			ours_daemon) v=$(DISTCC_HOSTS="$USERNAME@127.0.0.1,daemon=$dp" run_seq ours_daemon "$OURS_CLIENT") ;;
			esac
			sum[$m]=$(( ${sum[$m]:-0} + v ))
			echo "rep $rep $m: $v ms/job" >&2
		done
	done
	local l dt d ot o od
	l=$(( sum[local] / REPS )); dt=$(( sum[d34_tcp] / REPS )); d=$(( sum[d34] / REPS ))
	ot=$(( sum[ours_tcp] / REPS )); o=$(( sum[ours] / REPS )); od=$(( sum[ours_daemon] / REPS ))
	sessions1=$(grep -c "Accepted publickey for $USERNAME " "$W/sshd.log" || true)
	mkdir -p "$HERE/results"
	local out
	out=$HERE/results/ssh-$(date -u +%Y%m%d-%H%M).md
	{
		echo "# SSH hosts: per-job overhead, ours vs distcc 3.4 ($(date -u '+%F %H:%M UTC'))"
		echo
		echo "One server on 127.0.0.1 (SSH through a real sshd), $N sequential tiny jobs per mode,"
		echo "$REPS rounds alternated, means. SSH overhead = ms/job over SSH - ms/job over TCP"
		echo "of the same implementation; 'vs local' = ms/job - local gcc ms/job."
		echo
		echo "| mode | ms/job | vs local | SSH overhead ms/job | SSH overhead vs 3.4 |"
		echo "|---|---|---|---|---|"
		python3 - "$l" "$dt" "$d" "$ot" "$o" "$od" <<'PY'
import sys
l, dt, d, ot, o, od = map(int, sys.argv[1:])
base = max(d - dt, 1)
rows = [("local gcc", l, None), ("3.4 TCP", dt, None),
        ("3.4 SSH: new ssh per job, distccd --inetd", d, d - dt),
        ("ours TCP", ot, None),
        ("ours SSH: shared connection, distccd --inetd", o, o - ot),
        ("ours SSH ,daemon: shared connection, ssh -W to the TCP distccd", od, od - ot)]
for name, v, ovh in rows:
    print("| %s | %d | %s | %s | %s |" % (
        name, v, "-" if name == "local gcc" else "%+d" % (v - l),
        "-" if ovh is None else "%d" % ovh, "-" if ovh is None else "%.2fx" % (ovh / base)))
PY
		echo
		echo "sshd accepted $sessions1 connections in all ($((REPS * N)) SSH jobs of 3.4, one each;"
		echo "$((2 * REPS * N)) of ours)."
	} > "$out"
	cat "$out"
}

main "$@"
