#!/usr/bin/env bash
# sentinel/lost-write.sh -- a write that the failover loses must not stay
# served.
#
# Asynchronous replication may lose the last writes of a primary that
# dies: the registration was made (and musterd, following the primary's
# change stream, applied it) but never reached the replica that is
# promoted.  That registration was never acknowledged (WAIT would have
# said so), and it is gone from the registry: musterd must drop it too,
# not go on serving an instance that exists nowhere.  "Full reload when
# it cannot tell": the new primary's stream does not hold the last entry
# musterd applied.
#
# Made deterministic: r2 is stopped (SIGSTOP) and its replication link
# filled while "ghost" is registered on r1, r1 is killed, r2 continued
# and promoted; a writer
# then goes on registering on the new primary (as the registrar and the
# prober do in production), so its stream moves past the lost entry's id.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/sentinel/sentinel.sh"
t_need dig

s_setup
fc "$p1" muster_register anchor anchor 127.0.0.1 53 >/dev/null
dport=$(t_freeport)
t_start_musterd d -w 1 -l "127.0.0.1:$dport" -r "$surl"
t_poll 10 is a_of anchor.service.consul 127.0.0.1 ||
	{ cat "$T/d.log"; t_fail "musterd did not load through the sentinels"; exit 1; }

# the write the replica never gets: r2 stops reading (lagging), other
# writes fill the link's socket buffers, so ghost's entry stays
# in r1's output buffer when r1 dies (min-replicas-max-lag 10 still
# lets r1 take writes: r2 acknowledged less than 10 s ago)
kill -STOP "$r2_pid"
# fill: 1 MB writes until r1 holds replication data it cannot send
omem() {
	rc_port "$p1" CLIENT LIST TYPE replica | tr ' ' '\n' | sed -n 's/^omem=//p'
}
for i in $(seq 1 64); do
	rc_port "$p1" EVAL "redis.call('SET', KEYS[1], string.rep('x', 1048576))" \
	    1 "filler:$i" >/dev/null
	[ "$(omem)" -gt 1048576 ] 2>/dev/null && break
done
t_log "r1 holds $(omem) bytes for r2 after $i MB of filler"
out=$(printf 'FCALL muster_register 0 muster: ghost ghost 127.0.8.1 8001\nWAIT 1 100\n' |
    redis-cli -h 127.0.0.1 -p "$p1" 2>&1 | paste -sd' ' -)
t_expect "ghost is registered on r1, not acknowledged (WAIT 1: 0)" "$out" \
    "created 0"
t_poll 10 is a_of ghost.service.consul 127.0.8.1 ||
	t_fail "musterd did not apply ghost from r1's stream"
kill -9 "$r1_pid"
wait "$r1_pid" 2>/dev/null
kill -CONT "$r2_pid"

# a writer on whichever server is the primary
writer() {
	local i=0 port
	while [ ! -e "$T/stop" ]; do
		port=$(primary)
		i=$((i + 1))
		[ "$(fc "$port" muster_register "after-$i" after 127.0.7.1 \
		    $(( 30000 + i )))" = created ] || sleep 0.02	# pacing
	done
}
t_bg "$T/writer.log" writer
writer_pid=$t_last_pid
t_poll 30 s_is_p2 || t_fail "the sentinels did not fail over to r2"
t_expect "the failover lost ghost" \
    "$(rc_port "$p2" SISMEMBER muster:instances ghost)" 0
after_served() { [ -n "$(a_of after.service.consul)" ]; }
t_poll 20 after_served || t_fail "musterd does not follow the new primary"
touch "$T/stop"
t_wait_gone "$writer_pid" 10 || t_fail "the writer did not stop"

gone() { [ -z "$(a_of ghost.service.consul)" ]; }
t_poll 10 gone
t_expect "musterd no longer serves the registration the failover lost" \
    "$(a_of ghost.service.consul)" ""
t_expect_match "musterd answers NXDOMAIN for it" \
    "$(t_dig "$dport" ghost.service.consul A | grep -o 'status: [A-Z]*')" NXDOMAIN
srv_ports() {
	t_dig "$dport" +tcp +short SRV _after._tcp.service.consul |
	    awk '{ print $3 }' | sort -n | paste -sd' ' -
}
want=$(rc_port "$p2" SMEMBERS muster:instances | sed -n 's/^after-//p' |
    awk '{ print $1 + 30000 }' | sort -n | paste -sd' ' -)
same() { [ "$(srv_ports)" = "$want" ]; }
t_poll 10 same
t_expect "musterd serves exactly the new primary's registrations" \
    "$(srv_ports)" "$want"
grep -E 'resuming|full load|reset|trimmed|failover|not the primary' "$T/d.log" |
    sed 's/^/#   musterd: /' | head -20

t_done
