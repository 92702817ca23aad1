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
for impl in d34 ours; do
	[ -x "${CLIENT[$impl]}" ] || CLIENT[$impl]=/usr/bin/distcc
	port=$(free_port)
	valgrind -q --tool=callgrind --callgrind-out-file="$OUT/d-$impl.%p" \
		"${DAEMON[$impl]}" --no-detach --daemon --no-fork --listen 127.0.0.1 --port "$port" \
		--allow 127.0.0.1 --log-file "$OUT/d-$impl.log" --log-level info 2>"$OUT/d-$impl.err" &
	dpid=$!
	PIDS+=($dpid)
	for _ in $(seq 200); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.05; done
	export DISTCC_HOSTS="127.0.0.1:$port/1" DISTCC_DIR=$OUT/dd-$impl
	mkdir -p "$DISTCC_DIR"
	"${CLIENT[$impl]}" gcc -c tiny.c -o tiny.o
	callgrind_control -d "$dpid" >/dev/null
	for i in $(seq "$N"); do "${CLIENT[$impl]}" gcc -c tiny.c -o tiny.o; done
	callgrind_control -d "$dpid" >/dev/null
	kill "$dpid"; wait "$dpid" 2>/dev/null || true
	dumps=($(ls "$OUT"/d-$impl.$dpid.* 2>/dev/null | sort -t. -k3 -n))
	a=$(ir_total "${dumps[0]}"); b=$(ir_total "${dumps[1]}")
	# client: one job under callgrind (the forked preprocessor/compiler not traced past exec)
	valgrind -q --tool=callgrind --callgrind-out-file="$OUT/c-$impl.%p" \
		"${CLIENT[$impl]}" gcc -c tiny.c -o tiny.o
	c=$(for f in "$OUT"/c-$impl.*; do ir_total "$f"; done | sort -n | tail -n1)
	cfile=$(grep -l . "$OUT"/c-$impl.* | while read -r f; do echo "$(ir_total "$f") $f"; done | sort -n | tail -n1 | cut -d' ' -f2)
	printf '%-5s daemon Ir/job %12d   client Ir/job %12d   (%s, %s)\n' "$impl" $((b / N)) "$c" "${dumps[1]}" "$cfile"
done
echo "callgrind files in $OUT; inspect with: callgrind_annotate FILE | head -40"
