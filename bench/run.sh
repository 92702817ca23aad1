#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: our distcc/distccd against Debian's distcc 3.4 on the same
# emulated LAN (client + 2 servers in network namespaces, tbf 1gbit), A/B
# alternated, on real builds from Debian source packages (git, re2) and a
# tiny-job micro-benchmark. Writes bench/results/<date>.{tsv,md}.
# See bench/README.md. Root only; cleans up everything it creates.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
QUICK=0
REPS=3
DELAY_US=0
WORKLOADS=""
OURS_CLIENT=$REPO/build/distcc
OURS_DAEMON=$REPO/build/distccd
OURS_PUMP=$REPO/build/pump
D34_PUMP=""     # Debian's pump, made to work by tests/debian-pump.sh
PUMP=1          # measure pump mode
WEAK=auto       # the weak-client runs (git only unless --weak)
MODES="local plain lzo pump"   # build modes measured (--modes)
D34_CLIENT=/usr/bin/distcc
D34_DAEMON=/usr/bin/distccd
BENCH_ROOT=${BENCH_ROOT:-/var/tmp/distcc-bench}
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
JOBS_MAKE=4     # make -j: the sum of the host limits (2 servers x /2)
PORT_D34=3632 PORT_OURS=3633 PORT_SA=3634

usage() {
	cat <<USAGE
usage: bench/run.sh [--quick] [--reps N] [--delay-us N] [--workloads "micro git re2"]
                    [--ours-client PATH] [--ours-daemon PATH] [--no-pump] [--weak|--no-weak]
  --quick        micro-benchmark + one small build (re2 static library), 1 repetition
  --no-pump      skip pump mode (ours: build/pump; 3.4: Debian's, see tests/debian-pump.sh)
  --d34-pump P   distcc 3.4's (working) pump script to use instead of building one
  --modes "..."  build modes to measure, of "local plain lzo pump" (default all)
  --weak         also run the weak-client builds (client capped at 1/4 CPU) for
                 every build workload; default: git only. --no-weak: never
  --reps N       repetitions after the warm-up (default 3)
  --delay-us N   add N us of one-way delay on every host NIC (NFQUEUE delayer)
  --ours-*       the implementation compared against Debian's distcc 3.4
                 (default build/distcc, build/distccd)
USAGE
}

# Everything runs from main(), so bash has parsed the whole script before the
# first (long) measurement: editing run.sh during a run cannot derail it.
main() {
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) QUICK=1 ;;
		--reps) REPS=$2; shift ;;
		--delay-us) DELAY_US=$2; shift ;;
		--workloads) WORKLOADS=$2; shift ;;
		--ours-client) OURS_CLIENT=$2; shift ;;
		--ours-daemon) OURS_DAEMON=$2; shift ;;
		--no-pump) PUMP=0 ;;
		--modes) MODES=$2; shift ;;
		--d34-pump) D34_PUMP=$2; shift ;;
		--weak) WEAK=all ;;
		--no-weak) WEAK=none ;;
		-h|--help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	MICRO_REPS=$REPS
	if [ "$QUICK" = 1 ]; then
		REPS=1
		MICRO_REPS=2    # the micro-benchmark is short and noisy: 2 even when quick
		: "${WORKLOADS:=micro re2-static}"
	fi
	: "${WORKLOADS:=micro git re2}"

	[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespaces, cgroups)" >&2; exit 1; }
	NOTE=""
	for v in OURS_CLIENT OURS_DAEMON; do
		if [ ! -x "${!v}" ]; then
			# ours is still being written: measure what exists against 3.4 and say so
			d34=D34_${v#OURS_}
			echo "bench: ${!v} not built yet; using ${!d34} in the 'ours' column" >&2
			NOTE="$NOTE **${!v} was not built: the 'ours' column uses ${!d34}.**"
			printf -v "$v" %s "${!d34}"
		fi
	done
	for b in "$OURS_CLIENT" "$OURS_DAEMON" "$D34_CLIENT" "$D34_DAEMON"; do
		[ -x "$b" ] || { echo "bench: $b not found (build ours with make; Debian's: apt-get install distcc)" >&2; exit 1; }
	done
	"$REPO/build-aux/ensure-deps.sh" "$REPO/build-aux/deps-bench.txt"
	if [ "$PUMP" = 1 ]; then
		if [ ! -x "$OURS_PUMP" ]; then
			echo "bench: $OURS_PUMP not built: pump mode not measured" >&2
			NOTE="$NOTE **pump mode not measured: $OURS_PUMP was not built.**"
			PUMP=0
		elif [ -n "$D34_PUMP" ]; then
			[ -x "$D34_PUMP" ] || { echo "bench: $D34_PUMP is not executable" >&2; exit 1; }
		elif ! D34_PUMP=$("$REPO/tests/debian-pump.sh" "$BENCH_ROOT/debian-pump"); then
			echo "bench: no working distcc 3.4 pump client: pump mode measured for ours only" >&2
			NOTE="$NOTE **distcc 3.4's pump client could not be built (tests/debian-pump.sh): its pump rows are missing.**"
			D34_PUMP=""
		fi
	fi

	source "$HERE/lib/topo.sh"
	source "$HERE/lib/measure.sh"
	source "$HERE/lib/workloads.sh"

	mkdir -p "$BENCH_ROOT" "$HERE/results"
	RUNDIR=$(mktemp -d "$BENCH_ROOT/run.XXXXXX")
	LOGDIR=$RUNDIR/log
	mkdir -p "$LOGDIR" "$RUNDIR/tmp"
	chmod 1777 "$LOGDIR" "$RUNDIR/tmp"
	chmod 755 "$RUNDIR"
	STAMP=$(date +%Y-%m-%d-%H%M%S)
	TSV=$HERE/results/$STAMP.tsv
	MD=$HERE/results/$STAMP.md
	echo "$TSV_HEADER" >"$TSV"

	cleaned=0
	cleanup() {
		[ $cleaned = 1 ] && return
		cleaned=1
		topo_down
		rm -rf "$RUNDIR"
	}
	trap cleanup EXIT
	trap 'echo "bench: interrupted" >&2; exit 130' INT TERM HUP

	if [ "$DELAY_US" -gt 0 ]; then
		NFQDELAY=$RUNDIR/nfqdelay
		cc -O2 -Wall -o "$NFQDELAY" "$HERE/nfqdelay.c" -lnetfilter_queue -lnfnetlink
	fi

	# sources first (slow once, cached afterwards)
	declare -gA SRC
	for w in $WORKLOADS; do
		case $w in
		git) SRC[git]=$("$HERE/sources.sh" git | cut -d' ' -f2) ;;
		re2|re2-static) SRC[$w]=$("$HERE/sources.sh" re2 | cut -d' ' -f2) ;;
		esac
	done

	LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
	topo_up
	WEAK_HOW="not measured"
	if [ "$WEAK" != none ]; then
		if weak_setup; then
			WEAK_HOW="client capped at $WEAK_QUOTA_US/$WEAK_PERIOD_US us of CPU ($WEAK_KIND)"
		else
			echo "bench: cannot cap the client's CPU (no cpu controller): weak-client runs skipped" >&2
			WEAK=none
		fi
	fi
	start_all_daemons
	micro_prepare

	for w in $WORKLOADS; do
		case $w in
		micro) bench_micro ;;
		*) bench_build "$w" ;;
		esac
	done

	{
		echo "# distcc benchmark, $STAMP"
		echo
		echo "ours: $OURS_CLIENT, $OURS_DAEMON ($(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown));"
		echo "distcc 3.4: $D34_CLIENT, $D34_DAEMON ($(dpkg-query -W -f='${Version}' distcc 2>/dev/null));"
		echo "workloads: $WORKLOADS; repetitions: $REPS after a warm-up; one-way delay: ${DELAY_US} us;"
		echo "pump: ours $([ "$PUMP" = 1 ] && echo "$OURS_PUMP" || echo "not measured"), distcc 3.4 ${D34_PUMP:-not measured}; weak client: $WEAK_HOW;"
		echo "sources: ${SRC[*]:-none}; kernel $(uname -r), $(nproc) CPUs; load before the run: $LOAD."
		[ -z "$NOTE" ] || echo "$NOTE"
		echo
		/usr/bin/python3 "$HERE/report.py" "$TSV"
	} >"$MD"
	cat "$MD"
	echo "bench: results in $MD (raw: $TSV)" >&2
}

main "$@"
exit $?
