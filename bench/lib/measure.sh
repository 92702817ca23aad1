# SPDX-License-Identifier: GPL-2.0-or-later
# One measured run (sourced by run.sh). Snapshots CPU of every emulated host
# (cgroup v2 cpu.stat), the client's NIC counters and the COMPILE_OK lines in
# the implementation's daemon logs, runs a command on the client, snapshots
# again and appends one TSV row to $TSV:
#   workload impl mode rep wall_s client_cpu_s server_cpu_s tx_bytes rx_bytes
#   jobs remote_ok fallbacks status
# status is "ok", "invalid" (a job fell back to local compilation, fewer
# COMPILE_OK lines than jobs, or in a pump mode more than 5 % of the jobs
# preprocessed locally, see cppwrap_prepare) or "failed" (the command
# failed). In pump modes, fallbacks also counts local preprocessor runs.

TSV_HEADER="workload	impl	mode	rep	wall_s	client_cpu_s	server_cpu_s	tx_bytes	rx_bytes	jobs	remote_ok	fallbacks	status"

# count_ok IMPL: COMPILE_OK lines in IMPL's daemon logs
count_ok() {
	local n=0 f c
	for f in "$LOGDIR/$1"-*.log; do
		[ -e "$f" ] || continue
		c=$(grep -c ' COMPILE_OK ' "$f" || true)
		n=$((n + c))
	done
	echo $n
}


# measure WORKLOAD IMPL MODE REP JOBS|auto DIR SCRIPT
#   SCRIPT runs with sh -c in DIR on the client, with $CLIENT_ENV; JOBS=auto
#   counts the .o files the run created under DIR. IMPL "local" = no daemons.
measure() {
	local wl=$1 impl=$2 mode=$3 rep=$4 jobs=$5 dir=$6 script=$7
	local ok0=0 ok1=0 c0 c1 s0 s1 b0 b1 t0 t1 status=ok rc=0 err
	err=$LOGDIR/run-$wl-$impl-$mode-$rep.err
	touch "$RUNDIR/stamp"
	local pump=0 cpp_runs=0
	[ "${mode%-weak}" = pump ] && pump=1
	: >"$RUNDIR/cpp.count"
	[ "$impl" = local ] || ok0=$(count_ok "$impl")
	b0=$(iface_bytes c)
	c0=$(cgroup_cpu_usec c)
	s0=$(($(cgroup_cpu_usec s1) + $(cgroup_cpu_usec s2)))
	t0=$(date +%s%N)
	on_host c env -i "${CLIENT_ENV[@]}" sh -c "cd '$dir' && $script" >"$err.out" 2>"$err" || rc=$?
	t1=$(date +%s%N)
	c1=$(cgroup_cpu_usec c)
	if [ "$jobs" = auto ]; then
		jobs=$(find "$dir" -name '*.o' -newer "$RUNDIR/stamp" | wc -l)
	fi
	if [ "$impl" != local ]; then
		# the daemon logs a job's summary after replying: let it catch up
		local i
		for i in $(seq 40); do
			ok1=$(count_ok "$impl")
			[ $((ok1 - ok0)) -ge "$jobs" ] && break
			sleep 0.05
		done
	fi
	s1=$(($(cgroup_cpu_usec s1) + $(cgroup_cpu_usec s2)))
	b1=$(iface_bytes c)
	[ $pump = 0 ] || cpp_runs=$(wc -l <"$RUNDIR/cpp.count")
	local remote=$((ok1 - ok0)) fb
	fb=$(grep -c -i -E 'running locally instead|failed to distribute|fall(ing)? ?back' "$err" || true)
	if [ "$impl" != local ] && { [ "$fb" -gt 0 ] || [ "$remote" -lt "$jobs" ]; }; then
		status=invalid
		[ "$fb" -ge $((jobs - remote)) ] || fb=$((jobs - remote))
	fi
	[ "$impl" = local ] && fb=0
	# a pump run whose jobs quietly went in plain mode measures plain mode: a
	# few (an include server's time budget) are part of that pump's cost and
	# counted as fallbacks; more than 5 % make the run invalid
	if [ $pump = 1 ] && [ "$cpp_runs" -gt 0 ]; then
		echo "bench:   $cpp_runs of $jobs jobs preprocessed locally (plain mode)" >&2
		fb=$((fb + cpp_runs))
		[ $((cpp_runs * 20)) -le "$jobs" ] || status=invalid
	fi
	[ $rc -eq 0 ] || status=failed
	set -- $b0 $b1
	printf '%s\t%s\t%s\t%s\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t%d\t%d\t%s\n' \
		"$wl" "$impl" "$mode" "$rep" \
		"$(echo "($t1 - $t0) / 1000000000" | bc -l)" \
		"$(echo "($c1 - $c0) / 1000000" | bc -l)" \
		"$(echo "($s1 - $s0) / 1000000" | bc -l)" \
		$(($3 - $1)) $(($4 - $2)) "$jobs" "$remote" "$fb" "$status" >>"$TSV"
	printf 'bench: %-10s %-6s %-6s %-6s %6.2fs %s\n' "$wl" "$impl" "$mode" "$rep" \
		"$(echo "($t1 - $t0) / 1000000000" | bc -l)" "$status" >&2
	[ "$status" = ok ] || echo "bench:   see $err" >&2
}
