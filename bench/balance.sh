#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench-balance`: live limits (",auto" hosts, distcc-build) against the
# same hosts written statically as a guide would ("fast/4 slow/4", make -j8).
# Two of our distccds on 127.0.0.1, --jobs 4 each, each in its own cgroup: the
# slow one gets half the CPU of the fast one (cpu quota 0.4 vs 0.8 CPU); two
# clients (each capped at 0.2 CPU, own DISTCC_DIR and source copy) build the
# same 16-file C project at the same time. Wall time = until both are done.
# The caps (fast 0.8, slow 0.4, clients 0.2 each) leave 0.4 of this 2-CPU
# machine to everything else: when they summed to the whole machine, the
# "fast" server, asking the most above its fair share, got less than its
# cap, and was not the host it said it was.
# Static and live alternate for --reps rounds. DISTCC_AUTO_LOAD=0: all the
# emulated hosts share this machine's load average, which says nothing about
# one of them. Root only (cgroups); removes everything it creates. Writes
# bench/results/balance-<date>.md. See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
REPS=${BENCH_BALANCE_REPS:-3}
NFILES=${BENCH_BALANCE_FILES:-16}
[ "${1:-}" = "--quick" ] && { REPS=1; NFILES=${BENCH_BALANCE_FILES:-10}; }
# functions per file: ~1.5 s of -O2 each, so that the servers, not the
# clients' preprocessing (0.2 CPU each), bound the build
FUNCS=120
DISTCC=$REPO/build/distcc
DISTCCD=$REPO/build/distccd
BUILD=$REPO/build/distcc-build
W=$(mktemp -d /tmp/dbal-bench.XXXXXX)
chmod 755 "$W"
CG=""
PIDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cleanup() {
	set +e
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.05; done; done
	if [ -n "$CG" ]; then
		for g in fast slow c1 c2; do
			for _ in $(seq 100); do rmdir "$CG/$g" 2>/dev/null && break; sleep 0.05; done
		done
		rmdir "$CG" 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench-balance: needs root (cgroups)" >&2; exit 1; }
for b in "$DISTCC" "$DISTCCD" "$BUILD"; do
	[ -x "$b" ] || { echo "bench-balance: $b not built (run make)" >&2; exit 1; }
done

# cgroup with a CPU quota: v2 cpu.max where the controller is enabled, else v1
setup_cgroups() {
	local v2
	v2=$(findmnt -n -o TARGET -t cgroup2 | head -1)
	if [ -n "$v2" ] && grep -qw cpu "$v2/cgroup.controllers" 2>/dev/null; then
		CG=$v2/dbal$$
		mkdir "$CG"
		echo +cpu > "$CG/cgroup.subtree_control"
		QUOTA() { echo "$2 100000" > "$CG/$1/cpu.max"; }
	elif [ -d /sys/fs/cgroup/cpu ]; then
		CG=/sys/fs/cgroup/cpu/dbal$$
		mkdir "$CG"
		QUOTA() { echo 100000 > "$CG/$1/cpu.cfs_period_us"; echo "$2" > "$CG/$1/cpu.cfs_quota_us"; }
	else
		echo "bench-balance: no cpu cgroup controller" >&2; exit 1
	fi
	for g in fast slow c1 c2; do mkdir "$CG/$g"; done
	QUOTA fast 80000
	QUOTA slow 40000
	QUOTA c1 20000
	QUOTA c2 20000
}

start_daemon() {  # NAME -> port and stats port in $W/NAME.port / .sport
	local name=$1 port sport
	port=$(free_port); sport=$(free_port)
	mkdir -p "$W/$name-masq"
	for c in cc gcc x86_64-linux-gnu-gcc x86_64-linux-gnu-gcc-12; do ln -s /usr/bin/gcc "$W/$name-masq/$c"; done
	chmod -R a+rX "$W"
	# started by sh in the cgroup, which execs distccd: $! is the daemon
	sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$CG/$name" "$DISTCCD" --daemon --no-detach --listen 127.0.0.1 -p "$port" --jobs 4 \
		--max-per-source 4 --allow 127.0.0.1 --stats --stats-port "$sport" \
		--masquerade-dir "$W/$name-masq" --log-file "$W/$name.log" --log-level warning \
		</dev/null >/dev/null 2>&1 &
	PIDS+=($!)
	echo "$port" > "$W/$name.port"; echo "$sport" > "$W/$name.sport"
	for _ in $(seq 100); do ss -Hltn "sport = :$sport" | grep -q . && return; sleep 0.05; done
	echo "bench-balance: $name did not start" >&2; exit 1
}

served() {  # NAME -> jobs its distccd has finished (its /metrics)
	curl -s "http://127.0.0.1:$(cat "$W/$1.sport")/metrics" |
		awk '/^distccd_jobs_total\{/ { n += $2 } END { print n + 0 }'
}

make_project() {  # DIR: NFILES C files that each take a while at -O2 (FUNCS functions)
	mkdir -p "$1"
	for i in $(seq "$NFILES"); do
		{
			echo "#include <stdio.h>"
			echo "#include <string.h>"
			for j in $(seq "$FUNCS"); do
				echo "static int f${j}(const char *s, int n) { int h = $j; for (int k = 0; k < n; k++) h = h * 31 + s[k % 7] * $i; return h ^ (int)strlen(s); }"
			done
			echo "int u$i(const char *s) { return 0"
			for j in $(seq "$FUNCS"); do echo " + f${j}(s, $j)"; done
			echo "; }"
		} > "$1/u$i.c"
	done
	{
		echo "CC = $DISTCC gcc"
		echo "CFLAGS = -O2 -funroll-loops"
		echo "all: \$(patsubst %.c,%.o,\$(wildcard *.c))"
	} > "$1/Makefile"
}

run_round() {  # MODE REP -> prints wall seconds
	local mode=$1 rep=$2 fast slow hosts t0 t1 rc=0
	fast=127.0.0.1:$(cat "$W/fast.port") slow=127.0.0.1:$(cat "$W/slow.port")
	for c in c1 c2; do
		rm -rf "$W/$c"; cp -r "$W/proj" "$W/$c"; mkdir -p "$W/$c/dcc"
	done
	if [ "$mode" = static ]; then
		hosts="$fast/4 $slow/4"
	else
		hosts="$fast,auto=$(cat "$W/fast.sport") $slow,auto=$(cat "$W/slow.sport")"
	fi
	local jf0 js0 jf1 js1
	jf0=$(served fast); js0=$(served slow)
	t0=$(date +%s.%N)
	local p=()
	for c in c1 c2; do
		if [ "$mode" = static ]; then
			cmd=(make -s -j8 -C "$W/$c")
		else
			cmd=("$BUILD" make -s -C "$W/$c")
		fi
		env -i PATH=/usr/bin:/bin HOME="$W/$c" DISTCC_DIR="$W/$c/dcc" DISTCC_HOSTS="$hosts" \
			DISTCC_AUTO_LOAD=0 TMPDIR="$W/$c" \
			sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$CG/$c" "${cmd[@]}" \
			> "$W/$c.out" 2>&1 &
		p+=($!)
	done
	for x in "${p[@]}"; do wait "$x" || rc=1; done
	t1=$(date +%s.%N)
	[ $rc -eq 0 ] || { echo "bench-balance: a $mode build failed:" >&2; cat "$W"/c?.out >&2; exit 1; }
	jf1=$(served fast); js1=$(served slow)
	if [ -n "${BENCH_BALANCE_DEBUG:-}" ]; then
		for g in fast slow c1 c2; do echo "    $g: $(tr '\n' ' ' < "$CG/$g/cpu.stat")" >&2; done
	fi
	echo "$mode $rep $(awk "BEGIN{print $t1 - $t0}") $((jf1 - jf0)) $((js1 - js0))" >> "$W/rows"
}

setup_cgroups
start_daemon fast
start_daemon slow
make_project "$W/proj"
for d in fast slow; do
	echo "bench-balance: $d: $(curl -s "http://127.0.0.1:$(cat "$W/$d.sport")/metrics" |
		grep -E '^distccd_(host_cpus|max_jobs) ' | tr '\n' ' ')" >&2
done
echo "bench-balance: the live client's view: $(env -i PATH=/usr/bin:/bin HOME="$W" DISTCC_DIR="$W/probe" DISTCC_AUTO_LOAD=0 \
	DISTCC_HOSTS="127.0.0.1:$(cat "$W/fast.port"),auto=$(cat "$W/fast.sport") 127.0.0.1:$(cat "$W/slow.port"),auto=$(cat "$W/slow.sport")" \
	"$DISTCC" -j) jobs (distcc -j)" >&2
echo "bench-balance: $NFILES files, 2 clients at once, $REPS round(s)" >&2
for rep in $(seq "$REPS"); do
	if [ $((rep % 2)) = 1 ]; then order="static live"; else order="live static"; fi
	for mode in $order; do
		run_round "$mode" "$rep"
		echo "  round $rep $mode: $(tail -1 "$W/rows" | awk '{ print $3 " s, jobs on fast/slow " $4 "/" $5 }')" >&2
	done
done

mkdir -p "$REPO/bench/results"
out=$REPO/bench/results/balance-$(date -u +%Y%m%d-%H%M).md
python3 - "$W/rows" "$NFILES" "$REPS" > "$out" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
t = {m: sorted(float(r[2]) for r in rows if r[0] == m) for m in ("static", "live")}
med = {m: statistics.median(v) for m, v in t.items()}
print("# Live limits vs static limits (make bench-balance)\n")
print("Two clients (0.2 CPU each) build %s C files each at the same time on two of our"
      " distccds, --jobs 4 each, one capped at 0.8 CPU and one at 0.4 CPU (cgroups)."
      " Static: `fast/4 slow/4`, `make -j8`. Live: `fast,auto slow,auto`,"
      " `distcc-build make`. %s round(s), modes alternated.\n" % (sys.argv[2], sys.argv[3]))
jobs = {m: [(int(r[3]), int(r[4])) for r in rows if r[0] == m] for m in ("static", "live")}
print("| mode | wall s, median (min..max) | jobs on fast / slow, per round |")
print("|---|---|---|")
for m in ("static", "live"):
    print("| %s | %.1f (%.1f..%.1f) | %s |" % (m, med[m], t[m][0], t[m][-1],
                                             ", ".join("%d / %d" % j for j in jobs[m])))
r = med["static"] / med["live"]
print("\nspeed-up live vs static: **%.2fx** (goal >= 1.3x: %s)" % (r, "PASS" if r >= 1.3 else "FAIL"))
PY
cat "$out"
