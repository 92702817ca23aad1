# SPDX-License-Identifier: GPL-2.0-or-later
# Emulated LAN for the benchmark (sourced by run.sh): a client and two servers,
# each a network namespace on a bridge that lives in a fourth "switch"
# namespace, every host NIC shaped with `tbf rate 1gbit`, plus one cgroup v2
# per emulated host so CPU time is counted for the whole host (make, shells,
# preprocessors, distcc, daemons, compilers). All names carry $P (a unique
# prefix + $$); topo_down removes everything, killing only what is inside our
# own cgroups, and is safe to call twice or after a partial topo_up.

P=dccb$$
NET=10.213.0
declare -gA HOST_IP=([c]=$NET.1 [s1]=$NET.2 [s2]=$NET.3)
HOSTS=(c s1 s2)
CG_ROOT=$(findmnt -n -t cgroup2 -o TARGET | head -n1)
CG=${CG_ROOT:+$CG_ROOT/$P}
DAEMON_PIDS=()

topo_up() {
	[ -n "$CG_ROOT" ] || { echo "bench: no cgroup2 mount found" >&2; return 1; }
	mkdir "$CG"
	local h
	for h in "${HOSTS[@]}" net; do mkdir "$CG/$h"; done
	ip netns add "$P-sw"
	ip -n "$P-sw" link add br0 type bridge
	ip -n "$P-sw" link set br0 up
	for h in "${HOSTS[@]}"; do
		ip netns add "$P-$h"
		ip link add "$P$h" type veth peer name "${P}p$h"
		ip link set "$P$h" netns "$P-$h" name eth0
		ip link set "${P}p$h" netns "$P-sw" name "p$h"
		ip -n "$P-sw" link set "p$h" master br0 up
		ip -n "$P-$h" link set lo up
		ip -n "$P-$h" addr add "${HOST_IP[$h]}/24" dev eth0
		ip -n "$P-$h" link set eth0 up
		ip netns exec "$P-$h" tc qdisc add dev eth0 root tbf rate 1gbit burst 256kb latency 10ms
		if [ "${DELAY_US:-0}" -gt 0 ]; then
			ip netns exec "$P-$h" iptables -A OUTPUT -o eth0 -j NFQUEUE --queue-num 0 --queue-bypass
			in_cgroup net ip netns exec "$P-$h" "$NFQDELAY" 0 "$DELAY_US" 2>/dev/null &
			DAEMON_PIDS+=($!)
		fi
	done
}

# in_cgroup HOST CMD...: run CMD inside HOST's cgroup (not its netns); the
# client also joins the CPU-capped cgroup while WEAK_ON=1 (weak_setup)
in_cgroup() {
	local h=$1 cg=$CG/$1 extra=/dev/null
	shift
	if [ "$h" = c ] && [ -n "${C_LEAF:-}" ]; then
		cg=$CG/c/$C_LEAF      # cgroup v2 with the cpu controller: see weak_setup
		[ "${WEAK_ON:-0}" = 1 ] && cg=$CG/c/weak
	elif [ "$h" = c ] && [ "${WEAK_ON:-0}" = 1 ]; then
		extra=$WEAK_PROCS
	fi
	sh -c 'echo $$ >"$0/cgroup.procs" && echo $$ >"$1" && shift && exec "$@"' "$cg" "$extra" "$@"
}

# The weak client: a cgroup whose CPU bandwidth is a quarter of one CPU,
# which the client's processes join (besides their accounting cgroup) for
# the runs made with WEAK_ON=1. cgroup v2's cpu.max when the cpu controller
# is there, else cgroup v1's cpu hierarchy (hybrid hosts such as this one).
WEAK_QUOTA_US=25000
WEAK_PERIOD_US=100000
WEAK_DIR=""
weak_setup() {
	local v1
	if grep -qw cpu "$CG_ROOT/cgroup.controllers" 2>/dev/null; then
		# a v2 process is in one cgroup, and one with controllers for its
		# children holds no process itself: the client runs in c/run or
		# c/weak, and c's cpu.stat counts both
		echo +cpu >"$CG/cgroup.subtree_control" || return 1
		mkdir "$CG/c/run" "$CG/c/weak" || return 1
		echo +cpu >"$CG/c/cgroup.subtree_control" || return 1
		echo "$WEAK_QUOTA_US $WEAK_PERIOD_US" >"$CG/c/weak/cpu.max" || return 1
		C_LEAF=run
		WEAK_KIND="cgroup v2 cpu.max"
		return 0
	fi
	v1=$(findmnt -n -t cgroup -o TARGET,OPTIONS | awk '$2 ~ /(^|,)cpu(,|$)/ { print $1; exit }')
	[ -n "$v1" ] || return 1
	WEAK_DIR=$v1/$P-weak
	mkdir "$WEAK_DIR" || return 1
	echo "$WEAK_PERIOD_US" >"$WEAK_DIR/cpu.cfs_period_us" &&
		echo "$WEAK_QUOTA_US" >"$WEAK_DIR/cpu.cfs_quota_us" || return 1
	WEAK_KIND="cgroup v1 cpu.cfs_quota_us"
	WEAK_PROCS=$WEAK_DIR/cgroup.procs
}

weak_down() {
	local i
	[ -n "$WEAK_DIR" ] && [ -d "$WEAK_DIR" ] || return 0
	for i in $(seq 50); do
		[ -z "$(cat "$WEAK_DIR/cgroup.procs" 2>/dev/null)" ] && break
		sleep 0.1
	done
	rmdir "$WEAK_DIR" 2>/dev/null || echo "bench: cannot remove $WEAK_DIR" >&2
	WEAK_DIR=""
}

# on_host HOST CMD...: run CMD in HOST's netns and cgroup. The cgroup is joined
# before `ip netns exec`, which remounts /sys and hides the cgroup tree.
on_host() {
	local h=$1
	shift
	in_cgroup "$h" ip netns exec "$P-$h" "$@"
}

# start_daemon HOST LOGNAME CMD...: background daemon on HOST, PID remembered
start_daemon() {
	local h=$1 name=$2
	shift 2
	on_host "$h" env -i PATH="$CLEAN_PATH" HOME=/ LANG=C "$@" \
		>"$LOGDIR/$name.out" 2>&1 </dev/null &
	DAEMON_PIDS+=($!)
}

# wait_listen HOST PORT: until something listens on HOST's PORT (5 s)
wait_listen() {
	local i
	for i in $(seq 100); do
		ip netns exec "$P-$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	echo "bench: nothing listens on $1:$2 (see $LOGDIR)" >&2
	return 1
}

# wait_reach HOST PORT: until the client can connect to HOST:PORT (5 s)
wait_reach() {
	local i
	for i in $(seq 50); do
		ip netns exec "$P-c" timeout 1 bash -c "exec 3<>/dev/tcp/${HOST_IP[$1]}/$2" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: client cannot reach $1:$2 over the emulated LAN" >&2
	return 1
}

cgroup_cpu_usec() { sed -n 's/^usage_usec //p' "$CG/$1/cpu.stat"; }

# iface_bytes HOST: "tx rx" of HOST's eth0
iface_bytes() {
	ip netns exec "$P-$1" sh -c 'echo $(cat /sys/class/net/eth0/statistics/tx_bytes) $(cat /sys/class/net/eth0/statistics/rx_bytes)'
}

topo_down() {
	local pid h i
	for pid in "${DAEMON_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	DAEMON_PIDS=()
	if [ -n "$CG" ] && [ -d "$CG" ]; then
		for h in "${HOSTS[@]}" net; do
			[ -d "$CG/$h" ] || continue
			if [ -e "$CG/$h/cgroup.kill" ]; then
				echo 1 >"$CG/$h/cgroup.kill" 2>/dev/null || true
			else
				for pid in $(cat "$CG/$h/cgroup.procs"); do kill -KILL "$pid" 2>/dev/null || true; done
			fi
			for i in $(seq 50); do
				[ -z "$(cat "$CG/$h/cgroup.procs" 2>/dev/null)" ] && break
				sleep 0.1
			done
			rmdir "$CG/$h/run" "$CG/$h/weak" 2>/dev/null || true
			rmdir "$CG/$h" 2>/dev/null || echo "bench: cannot remove $CG/$h" >&2
		done
		rmdir "$CG" 2>/dev/null || echo "bench: cannot remove $CG" >&2
	fi
	for h in "${HOSTS[@]}" sw; do ip netns del "$P-$h" 2>/dev/null || true; done
	wait 2>/dev/null || true
	weak_down
}
