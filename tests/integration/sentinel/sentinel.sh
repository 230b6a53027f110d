# shellcheck shell=bash
# sentinel.sh -- helpers for the Sentinel tests (sourced after tests/lib.sh
# and tests/integration/proto/msg.sh).
#
# s_setup starts, on free loopback ports, a primary r1 (port $p1,
# min-replicas-to-write 1), its replica r2 ($p2) and three sentinels
# (${sports[@]}, quorum 2, down-after 1000 ms) monitoring "muster", and
# loads the Function library; $surl is the sentinel:// URL for musterd
# and muster-probe.  Everything is stopped by PID by lib.sh.
#
# SPDX-License-Identifier: BSD-2-Clause

MUSTER_LUA=$top_srcdir/contrib/muster.lua
PROBE=$top_builddir/muster-probe

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rc_port() { local p=$1; shift; redis-cli -h 127.0.0.1 -p "$p" "$@" </dev/null 2>&1; }

# fc PORT FUNCTION ARGS...: FCALL FUNCTION 0 muster: ARGS... on PORT
fc() {
	local p=$1 f=$2
	shift 2
	rc_port "$p" FCALL "$f" 0 muster: "$@"
}

# primary: the port the sentinels give for the primary
primary() {
	rc_port "${sports[0]}" SENTINEL get-master-addr-by-name muster | sed -n 2p
}

link_up() { rc_port "$1" INFO replication | grep -q 'master_link_status:up'; }
# s_good_replica PORT: the primary on PORT counts a replica for
# min-replicas-to-write
s_good_replica() {
	rc_port "$1" INFO replication | grep -q 'min_slaves_good_slaves:[1-9]'
}

s_setup() {
	local i sp
	t_need redis-server redis-cli redis-sentinel
	p1=$(t_freeport)
	p2=$(t_freeport)
	mkdir -p "$T/r1" "$T/r2"
	t_bg "$T/r1.log" redis-server --bind 127.0.0.1 --port "$p1" \
	    --dir "$T/r1" --save "" --appendonly no --daemonize no \
	    --min-replicas-to-write 1 --min-replicas-max-lag 10 \
	    --repl-diskless-sync-delay 0
	r1_pid=$t_last_pid
	t_bg "$T/r2.log" redis-server --bind 127.0.0.1 --port "$p2" \
	    --dir "$T/r2" --save "" --appendonly no --daemonize no \
	    --replicaof 127.0.0.1 "$p1" --repl-diskless-sync-delay 0
	r2_pid=$t_last_pid
	t_poll 15 link_up "$p2" && t_poll 15 s_good_replica "$p1" ||
		{ cat "$T/r2.log"; t_fail "r2 did not replicate r1"; exit 1; }
	t_expect "r1 loads the Functions (replicated to r2)" \
	    "$(redis-cli -h 127.0.0.1 -p "$p1" -x FUNCTION LOAD REPLACE \
	    <"$MUSTER_LUA")" muster
	sports=()
	for i in 1 2 3; do
		sp=$(t_freeport)
		sports+=("$sp")
		mkdir -p "$T/s$i"
		cat >"$T/s$i/sentinel.conf" <<EOF
port $sp
bind 127.0.0.1
daemonize no
dir $T/s$i
sentinel monitor muster 127.0.0.1 $p1 2
sentinel down-after-milliseconds muster 1000
sentinel failover-timeout muster 4000
sentinel parallel-syncs muster 1
EOF
		t_bg "$T/s$i.log" redis-sentinel "$T/s$i/sentinel.conf"
	done
	for i in 0 1 2; do
		t_poll 20 s_quorum "$i" ||
			{ t_fail "sentinel $i: no quorum of 3"; exit 1; }
		t_poll 20 s_knows_replica "$i" ||
			{ t_fail "sentinel $i does not know r2"; exit 1; }
	done
	surl="sentinel://127.0.0.1:${sports[0]},127.0.0.1:${sports[1]},127.0.0.1:${sports[2]}/muster"
}
s_quorum() { rc_port "${sports[$1]}" SENTINEL ckquorum muster | grep -q '^OK 3 usable'; }
s_knows_replica() {
	rc_port "${sports[$1]}" SENTINEL replicas muster | grep -qx "127.0.0.1:$p2"
}
s_is_p2() { [ "$(primary)" = "$p2" ]; }

# a_of NAME: musterd d's A answers for NAME, sorted, on one line
a_of() { t_dig "$dport" +short "$1" A | sort | paste -sd' ' -; }
is() { [ "$("$1" "$2")" = "$3" ]; }
