#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-job instruction counts (valgrind callgrind; this host's perf has no
# hardware counters) of a distcc client and a distccd serving tiny jobs on
# loopback, ours and Debian's distcc 3.4 side by side. The daemon runs
# --no-fork (one process serves every job); its startup cost is removed by
# dumping the counters after a first job and again after N more.
# usage: bench/profile.sh [N]        (default 20; outputs under $OUT)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
N=${1:-20}
OUT=${OUT:-$(mktemp -d /var/tmp/distcc-prof.XXXXXX)}
declare -A CLIENT=([d34]=/usr/bin/distcc [ours]=$REPO/build/distcc)
declare -A DAEMON=([d34]=/usr/bin/distccd [ours]=$REPO/build/distccd)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ir_total() { callgrind_annotate "$1" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,; }

cd "$OUT"
printf 'int tiny(int x);\nint tiny(int x) { return x * 3 + 1; }\n' >tiny.c
chmod 1777 "$OUT"  # the daemons drop root and write their dumps here
# daemon_ir IMPL JOBS: instructions of a --no-fork daemon that served JOBS tiny jobs
daemon_ir() {
	local impl=$1 jobs=$2 port dpid f
	port=$(free_port)
	# own session: distcc 3.4 answers SIGTERM with kill(0, SIGTERM)
	# and not root: a daemon dropping privileges cannot write its dump at exit
	setsid setpriv --reuid=nobody --regid=nogroup --clear-groups valgrind -q --tool=callgrind --callgrind-out-file="$OUT/d-$impl-$jobs.%p" \
		"${DAEMON[$impl]}" --no-detach --daemon --no-fork --listen 127.0.0.1 --port "$port" \
		--allow 127.0.0.1 --log-file "$OUT/d-$impl.log" --log-level info 2>>"$OUT/d-$impl.err" &
	dpid=$!
	PIDS+=($dpid)
	for _ in $(seq 400); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.05; done
	export DISTCC_HOSTS="127.0.0.1:$port/1" DISTCC_DIR=$OUT/dd-$impl
	mkdir -p "$DISTCC_DIR"
	for _ in $(seq "$jobs"); do "${CLIENT[$impl]}" gcc -c tiny.c -o tiny.o; done
	if [ "$jobs" -gt 1 ]; then
		# the client: one job under callgrind (the preprocessor it forks is not traced past exec)
		valgrind -q --tool=callgrind --callgrind-out-file="$OUT/c-$impl.%p" \
			"${CLIENT[$impl]}" gcc -c tiny.c -o tiny.o
	fi
	kill -TERM "$dpid"
	wait "$dpid" 2>/dev/null || true
	f=$(ls "$OUT"/d-$impl-$jobs.* | head -n1)
	echo "$(ir_total "$f") $f"
}

for impl in d34 ours; do
	[ -x "${CLIENT[$impl]}" ] || CLIENT[$impl]=/usr/bin/distcc
	read -r a _ < <(daemon_ir "$impl" 1)
	read -r b dfile < <(daemon_ir "$impl" $((N + 1)))
	read -r c cfile < <(for f in "$OUT"/c-$impl.*; do echo "$(ir_total "$f") $f"; done | sort -n | tail -n1)
	printf '%-5s daemon Ir/job %12d   client Ir/job %12d   (%s, %s)\n' "$impl" $(((b - a) / (N + 1))) "$c" "$dfile" "$cfile"
done
echo "callgrind files in $OUT; inspect with: callgrind_annotate FILE | head -40"
