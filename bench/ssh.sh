#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench-ssh`: per-job overhead of SSH hosts, ours vs Debian's distcc 3.4.
# One server reached through a real sshd on 127.0.0.1 (its own throwaway user
# and keys), N sequential tiny jobs (no #include) per mode, modes alternated
# for --reps rounds; per-job overhead = ms/job minus ms/job of a local gcc.
#   3.4:         /usr/bin/distcc  -> ssh USER@127.0.0.1 /usr/bin/distccd --inetd
#   ours:        build/distcc     -> ssh (shared connection) USER@127.0.0.1 build/distccd --inetd
#   ours,daemon: build/distcc     -> ssh -W (shared connection) to our distccd on 127.0.0.1
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
SSHD_PID="" DAEMON_PID=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
	set +e
	for s in "$W"/d*/ssh/[0-9a-f]*; do
		[ -S "$s" ] && ssh -S "$s" -O exit x >/dev/null 2>&1
	done
	[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID"
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
	local dir=$W/d$1 start end
	shift
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
	local sp dp ssh_cmd sessions0 sessions1
	[ "$(id -u)" = 0 ] || { echo "bench/ssh.sh: root only" >&2; exit 1; }
	sp=$(free_port)
	dp=$(free_port)
	setup "$sp"
	printf 'int tiny(int x) { return x * 3 + 1; }\n' > "$W/tiny.c"
	"$OURS_DAEMON" --daemon --no-detach --listen 127.0.0.1 --port "$dp" --allow 127.0.0.1 \
		--log-file "$W/distccd.log" --jobs 2 &
	DAEMON_PID=$!
	sleep 0.5
	ssh_cmd="ssh -i $W/userkey -p $sp -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
	export DISTCC_SSH=$ssh_cmd DISTCC_FALLBACK=0
	declare -A sum=()
	local modes="local d34 ours ours_daemon"
	for rep in $(seq "$REPS"); do
		for m in $modes; do
			case $m in
			local) v=$(run_seq local) ;;  # plain gcc through env
			d34) v=$(DISTCC_HOSTS="$USERNAME@127.0.0.1:$D34_DAEMON" run_seq d34 "$D34_CLIENT") ;;
			ours) v=$(DISTCC_HOSTS="$USERNAME@127.0.0.1:$OURS_DAEMON" run_seq ours "$OURS_CLIENT") ;;
			ours_daemon) v=$(DISTCC_HOSTS="$USERNAME@127.0.0.1,daemon=$dp" run_seq ours_daemon "$OURS_CLIENT") ;;
			esac
			sum[$m]=$(( ${sum[$m]:-0} + v ))
			echo "rep $rep $m: $v ms/job" >&2
		done
	done
	local l d o od
	l=$(( sum[local] / REPS )); d=$(( sum[d34] / REPS )); o=$(( sum[ours] / REPS ))
	od=$(( sum[ours_daemon] / REPS ))
	sessions1=$(grep -c "Accepted publickey for $USERNAME " "$W/sshd.log" || true)
	mkdir -p "$HERE/results"
	local out
	out=$HERE/results/ssh-$(date -u +%Y%m%d-%H%M).md
	{
		echo "# SSH hosts: per-job overhead, ours vs distcc 3.4 ($(date -u '+%F %H:%M UTC'))"
		echo
		echo "One server through a real sshd on 127.0.0.1, $N sequential tiny jobs per mode,"
		echo "$REPS rounds alternated; overhead = ms/job - local gcc ms/job."
		echo
		echo "| mode | ms/job | overhead ms/job | overhead vs 3.4 |"
		echo "|---|---|---|---|"
		echo "| local gcc | $l | - | - |"
		echo "| 3.4: ssh per job, distccd --inetd | $d | $((d - l)) | 1.00x |"
		python3 -c "import sys; l,d,o,od=map(int,sys.argv[1:]); r=lambda v:'%.2fx'%((v-l)/max(d-l,1)); print('| ours: shared ssh connection, distccd --inetd | %d | %d | %s |\n| ours ,daemon: shared connection, ssh -W to the server distccd | %d | %d | %s |' % (o,o-l,r(o),od,od-l,r(od)))" "$l" "$d" "$o" "$od"
		echo
		echo "sshd accepted $sessions1 connections in all ($((REPS * N)) jobs for 3.4 alone, one each)."
	} > "$out"
	cat "$out"
}

main "$@"
