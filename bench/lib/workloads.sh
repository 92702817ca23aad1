# SPDX-License-Identifier: GPL-2.0-or-later
# Daemons, micro-benchmark and build workloads (sourced by run.sh).
# Implementations: "d34" = Debian's distcc 3.4, "ours" = this project; both
# daemons run side by side on every server (ports 3632 / 3633), so switching
# implementation between runs restarts nothing. "ours" with a socket-activated
# daemon (systemd-socket-activate, listening-fd mode) also runs on s1:3634
# when our distccd supports LISTEN_FDS.

GIT_FLAGS="NO_CURL=1 NO_EXPAT=1 NO_GETTEXT=1 NO_TCLTK=1 NO_PERL=1 NO_PYTHON=1 NO_OPENSSL=1"
SA=0

impl_client() { if [ "$1" = ours ]; then echo "$OURS_CLIENT"; else echo "$D34_CLIENT"; fi; }
impl_pump() { if [ "$1" = ours ]; then echo "$OURS_PUMP"; else echo "$D34_PUMP"; fi; }
# the implementations with a pump client to measure
pump_impls() {
	[ "$PUMP" = 1 ] || return 0
	local i
	for i in $(impl_order "$1"); do
		[ -n "$(impl_pump "$i")" ] && echo "$i"
	done
}
impl_port() { if [ "$1" = ours ]; then echo $PORT_OURS; else echo $PORT_D34; fi; }

# our distccd takes a listening socket from systemd when it calls sd_listen_fds
ours_socket_activation() {
	command -v systemd-socket-activate >/dev/null &&
		[[ "$(nm -D "$OURS_DAEMON" 2>/dev/null)" == *" sd_listen_fds"* ]]
}

daemon_args() { # IMPL HOST PORT LOGNAME
	echo --no-detach --daemon --listen "${HOST_IP[$2]}" --port "$3" --jobs 2 \
		--allow "$NET.0/24" --log-file "$LOGDIR/$4.log" --log-level info
}

start_all_daemons() {
	local h
	for h in s1 s2; do
		start_daemon "$h" "d34-$h" "$D34_DAEMON" $(daemon_args d34 "$h" $PORT_D34 "d34-$h")
		start_daemon "$h" "ours-$h" "$OURS_DAEMON" $(daemon_args ours "$h" $PORT_OURS "ours-$h")
	done
	for h in s1 s2; do
		wait_listen "$h" $PORT_D34
		wait_listen "$h" $PORT_OURS
		wait_reach "$h" $PORT_D34
	done
	if ours_socket_activation; then
		SA=1
		start_daemon s1 ours-sa systemd-socket-activate --listen="${HOST_IP[s1]}:$PORT_SA" \
			"$OURS_DAEMON" --jobs 2 --allow "$NET.0/24" --log-file "$LOGDIR/ours-sa.log" --log-level info
		wait_listen s1 $PORT_SA
	else
		echo "bench: our distccd does not take LISTEN_FDS (yet): socket-activation figure N/A" >&2
	fi
}

RUNS=0
# client_env HOSTS [pump]: the client's environment for the next run (fresh
# DISTCC_DIR); pump runs get the counting compiler wrappers first on PATH
client_env() {
	local path=$CLEAN_PATH
	RUNS=$((RUNS + 1))
	mkdir -p "$RUNDIR/dd/$RUNS"
	[ "${2:-}" = pump ] && path=$RUNDIR/cppwrap:$CLEAN_PATH
	CLIENT_ENV=(PATH="$path" HOME="$RUNDIR" LANG=C TMPDIR="$RUNDIR/tmp"
		DISTCC_DIR="$RUNDIR/dd/$RUNS" DISTCC_HOSTS="$1")
}

# Compiler wrappers for the pump runs: each local preprocessor run of a real
# input (-E, not the include servers' probes of /dev/null) adds a line to
# $RUNDIR/cpp.count, then the real compiler runs. A pump run that
# preprocessed anything locally measured plain mode: measure() marks it
# invalid. Same wrappers for both implementations.
cppwrap_prepare() {
	local d=$RUNDIR/cppwrap n
	mkdir -p "$d"
	for n in cc c++ gcc g++ "$(gcc -dumpmachine)-gcc" "$(gcc -dumpmachine)-g++"; do
		[ -x "/usr/bin/$n" ] || continue
		printf '#!/bin/sh
case " $* " in *" -E "*) case " $* " in *" /dev/null "*) ;; *) echo "$*" >>"%s/cpp.count" ;; esac ;; esac
exec /usr/bin/%s "$@"
' \
			"$RUNDIR" "$n" >"$d/$n"
		chmod 755 "$d/$n"
	done
}

hosts_for() { # IMPL MODE [one]: DISTCC_HOSTS value
	local port opt="" h out=""
	port=$(impl_port "$1")
	[ "$2" = lzo ] && opt=,lzo
	[ "${2%-weak}" = pump ] && opt=,cpp,lzo
	for h in s1 s2; do
		out="$out ${HOST_IP[$h]}:$port/2$opt"
		[ "${3:-}" = one ] && break
	done
	echo "${out# }"
}

# A/B order alternates with the repetition (warm-up "w" starts with d34)
impl_order() {
	case $1 in
	w|*[13579]) echo d34 ours ;;
	*) echo ours d34 ;;
	esac
}

micro_prepare() {
	cppwrap_prepare
	local d=$RUNDIR/micro i
	mkdir -p "$d/seq" "$d/par"
	printf 'int tiny(int x);\nint tiny(int x) { return x * 3 + 1; }\n' >"$d/seq/tiny.c"
	for i in $(seq -w 0 $((PAR_N - 1))); do
		printf 'int tiny%s(int x);\nint tiny%s(int x) { return x * %d + 1; }\n' \
			"$i" "$i" "$((10#$i))" >"$d/par/tiny$i.c"
	done
	printf 'OBJS := $(patsubst %%.c,%%.o,$(wildcard *.c))\nall: $(OBJS)\n%%.o: %%.c\n\t$(CC) -c $< -o $@\n' \
		>"$d/par/Makefile"
}

SEQ_N=${BENCH_SEQ_N:-100}   # BENCH_SEQ_N, BENCH_PAR_N: smaller for a smoke run
PAR_N=${BENCH_PAR_N:-200}
seq_loop() { echo "for i in \$(seq $2); do $1 -c tiny.c -o tiny.o || exit 1; done"; }
# the same under a pump session (one include server for the whole loop)
pump_wrap() { echo "'$1' sh -c '$2'"; }

# Pump-mode micro runs: the sequential loop and the parallel make, each under
# one pump session, on ',cpp,lzo' hosts.
bench_micro_pump() { # REP N
	local d=$RUNDIR/micro rep=$1 n=$2 impl dcc pump
	for impl in $(pump_impls "$rep"); do
		dcc=$(impl_client "$impl")
		pump=$(impl_pump "$impl")
		client_env "$(hosts_for "$impl" pump one)" pump
		measure tiny-seq "$impl" pump "$rep" "$n" "$d/seq" "$(pump_wrap "$pump" "$(seq_loop "$dcc gcc" "$n")")"
		[ "$rep" = w ] && continue
		rm -f "$d"/par/*.o
		client_env "$(hosts_for "$impl" pump)" pump
		measure tiny-par "$impl" pump "$rep" $PAR_N "$d/par" \
			"'$pump' make -s -j$JOBS_MAKE CC='$dcc gcc'"
	done
}

bench_micro() {
	local d=$RUNDIR/micro rep impl dcc n
	for rep in w $(seq "$MICRO_REPS"); do
		n=$SEQ_N
		[ "$rep" = w ] && n=10     # warm-up: daemons, caches, page cache
		client_env ""
		measure tiny-seq local local "$rep" $n "$d/seq" "$(seq_loop gcc $n)"
		client_env ""
		measure tiny-cpp local cpp "$rep" $n "$d/seq" \
			"for i in \$(seq $n); do gcc -E tiny.c -o tiny.i || exit 1; done"
		for impl in $(impl_order "$rep"); do
			dcc=$(impl_client "$impl")
			client_env "$(hosts_for "$impl" plain one)"
			measure tiny-seq "$impl" plain "$rep" $n "$d/seq" "$(seq_loop "$dcc gcc" $n)"
			if [ "$impl" = ours ] && [ $SA = 1 ]; then
				client_env "${HOST_IP[s1]}:$PORT_SA/2"
				measure tiny-seq ours sa "$rep" $n "$d/seq" "$(seq_loop "$dcc gcc" $n)"
			fi
		done
		bench_micro_pump "$rep" $n
		[ "$rep" = w ] && continue
		rm -f "$d"/par/*.o
		client_env ""
		measure tiny-par local local "$rep" $PAR_N "$d/par" "make -s -j$JOBS_MAKE CC=gcc"
		for impl in $(impl_order "$rep"); do
			rm -f "$d"/par/*.o
			client_env "$(hosts_for "$impl" plain)"
			measure tiny-par "$impl" plain "$rep" $PAR_N "$d/par" \
				"make -s -j$JOBS_MAKE CC='$(impl_client "$impl") gcc'"
		done
	done
}

build_cmd() { # WORKLOAD CLIENT-PREFIX
	local p=${2:+$2 }
	case $1 in
	git) echo "make -j$JOBS_MAKE $GIT_FLAGS CC='${p}gcc' objects" ;;
	re2) echo "make -j$JOBS_MAKE CXX='${p}g++' obj/libre2.a obj/so/libre2.so" ;;
	re2-static) echo "make -j$JOBS_MAKE CXX='${p}g++' obj/libre2.a" ;;
	esac
}

fresh_tree() { # WORKLOAD: a pristine copy of the unpacked sources
	local dst=$RUNDIR/work/$1
	rm -rf "$dst"
	mkdir -p "$RUNDIR/work"
	cp -a "${SRC[$1]}" "$dst"
	echo "$dst"
}

# build_run WORKLOAD IMPL MODE REP: one measured build; pump modes run the
# build under that implementation's pump
build_run() {
	local w=$1 impl=$2 mode=$3 rep=$4 dir cmd
	dir=$(fresh_tree "$w")
	client_env "$(hosts_for "$impl" "$mode")" "${mode%-weak}"
	cmd=$(build_cmd "$w" "$(impl_client "$impl")")
	[ "${mode%-weak}" = pump ] && cmd="'$(impl_pump "$impl")' $cmd"
	measure "$w" "$impl" "$mode" "$rep" auto "$dir" "$cmd"
}

# The weak client (its CPU capped, see weak_setup): ours in pump mode against
# 3.4 in plain and in pump mode.
weak_wanted() { [ "$WEAK" = all ] || { [ "$WEAK" = auto ] && [ "$1" = git ]; }; }
bench_weak() { # WORKLOAD REP
	local impl
	WEAK_ON=1
	build_run "$1" d34 plain-weak "$2"
	for impl in $(pump_impls "$2"); do
		build_run "$1" "$impl" pump-weak "$2"
	done
	WEAK_ON=0
}

want_mode() { [[ " $MODES " == *" $1 "* ]]; }

bench_build() {
	local w=$1 rep mode impl dir reps
	reps=$(seq "$REPS")
	[ "$QUICK" = 1 ] || reps="w $reps"
	for rep in $reps; do
		if want_mode local || [ "$rep" = w ]; then
			dir=$(fresh_tree "$w")
			client_env ""
			measure "$w" local local "$rep" auto "$dir" "$(build_cmd "$w" "")"
		fi
		[ "$rep" = w ] && continue
		for mode in plain lzo; do
			want_mode $mode || continue
			for impl in $(impl_order "$rep"); do
				build_run "$w" "$impl" "$mode" "$rep"
			done
		done
		want_mode pump || continue
		for impl in $(pump_impls "$rep"); do
			build_run "$w" "$impl" pump "$rep"
		done
		weak_wanted "$w" && bench_weak "$w" "$rep"
	done
	return 0
}
