#!/usr/bin/env bash
# sentinel/run.sh -- a Redis failover under load, with real redis-server
# and redis-sentinel processes on loopback.
#
# One primary (r1, min-replicas-to-write 1), one replica (r2), three
# sentinels (quorum 2, down-after 1000 ms); musterd and muster-probe
# reach Redis through the sentinels (sentinel://.../muster).  While a
# registration loop and a query loop run, r1 is killed (SIGKILL).  Then:
#  - the sentinels fail over: r2 becomes the primary;
#  - musterd follows (it logs the +switch-master, and a registration made
#    on the new primary is answered); the prober writes its health
#    changes to the new primary and still holds the lease there;
#  - every registration acknowledged during the run -- the Function said
#    created and WAIT 1 said the replica has it, which is what
#    "acknowledged" means under asynchronous replication -- is on the new
#    primary and answered by musterd; musterd answers exactly the new
#    primary's registry (nothing lost, nothing left over from writes the
#    failover lost), each instance once (SRV and A);
#  - the old primary, started again as r2's replica, syncs, and
#    registrations are acknowledged again;
#  - a second musterd reading from the replica r2 (redis://, no
#    Sentinel) serves the same registrations;
#  - every query sent to musterd during all this was answered (dnsq,
#    one query in flight at a time, NOERROR with the anchor's address).
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/proto/msg.sh"
. "$top_srcdir/tests/integration/sentinel/sentinel.sh"
t_need dig redis-server redis-cli redis-sentinel curl
[ -x "$DNSQ" ] || t_skip "tests/tools/dnsq is not built"

s_setup

# ---- the registry, musterd, the prober ----
fc "$p1" muster_register anchor anchor 127.0.0.1 53 >/dev/null
mport=$(t_freeport)
dport=$(t_freeport)
t_start_musterd d -w 2 -l "127.0.0.1:$dport" --metrics "127.0.0.1:$mport" \
    -r "$surl"
t_poll 10 is a_of anchor.service.consul 127.0.0.1 ||
	{ cat "$T/d.log"; t_fail "musterd did not load through the sentinels"; exit 1; }
# a second musterd reads from the replica r2 (a front end near a replica)
eport=$(t_freeport)
t_start_musterd e -w 1 -l "127.0.0.1:$eport" -r "redis://127.0.0.1:$p2"
e_a_of() { t_dig "$eport" +short "$1" A | sort | paste -sd' ' -; }
t_poll 10 is e_a_of anchor.service.consul 127.0.0.1 ||
	t_fail "musterd does not load the registry from a replica"
have_probe=0
if [ -x "$PROBE" ]; then
	have_probe=1
	t_bg "$T/p.log" "$PROBE" -f --id p1 --lease-ttl 3s -r "$surl"
	t_poll 10 grep -q "lease, acquired" "$T/p.log" ||
		t_fail "the prober did not take the lease through the sentinels"
	token=$(sed -n 's/.* token \([^ ]*\)$/\1/p' "$T/p.log" | head -n 1)
	# a check the prober passes before the failover (r2's port is open)
	fc "$p1" muster_register chk1 chk 127.0.0.1 "$p2" check tcp \
	    interval 1000 timeout 500 >/dev/null
	t_poll 10 is a_of chk.service.consul 127.0.0.1 ||
		t_fail "the prober did not pass chk1 before the failover"
else
	t_log "muster-probe is not built: prober checks left out"
fi

# ---- the load: registrations and queries ----
# reg_loop: register fo-N until $T/stop exists; "created" + WAIT 1 >= 1
# is acknowledged (acked.txt); every id sent is in sent.txt.  The
# primary comes from the sentinels, asked again after any failure; a
# failure backs off 20 ms (pacing, not waiting for anything).
reg_loop() {
	local i=0 port out first wait
	port=$(primary)
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		echo "fo-$i" >>"$T/sent.txt"
		out=$(printf 'FCALL muster_register 0 muster: fo-%d fo 127.%d.%d.%d %d\nWAIT 1 200\n' \
		    "$i" $(( ((i >> 16) & 255) + 1 )) $(( (i >> 8) & 255 )) $(( i & 255 )) \
		    $(( 20000 + i )) | redis-cli -h 127.0.0.1 -p "$port" 2>&1)
		first=$(printf '%s\n' "$out" | sed -n 1p)
		wait=$(printf '%s\n' "$out" | sed -n 2p)
		if [ "$first" = created ] && [ "${wait:-0}" -ge 1 ] 2>/dev/null; then
			echo "fo-$i" >>"$T/acked.txt"
		else
			echo "fo-$i port $port: $(printf '%s' "$out" | tr '\n' ' ')" >>"$T/unacked.txt"
			[ "$first" = created ] || { sleep 0.02; port=$(primary); }
		fi
	done
}
# query_loop: batches of 100 queries, one in flight, until $T/stop; a
# 10 ms pause between batches keeps a core free for the others (pacing,
# not waiting for anything).
query_loop() {
	local q
	q=$(m_query 0 anchor.service.consul A)
	while [ ! -e "$T/stop" ]; do
		sleep 0.01
		"$DNSQ" -p "$dport" -W 1 -R 100 -T 2000 "$q" |
		    awk -v t="$(now_ms)" '/^id=/ && !(/rcode=NOERROR/ && /an=1 /) { bad++ }
		    /^sent=/ { print $1, $2, "bad=" bad + 0, "t=" t }'
	done
}
: >"$T/acked.txt"
: >"$T/sent.txt"
: >"$T/unacked.txt"
t_bg "$T/regloop.log" reg_loop
reg_pid=$t_last_pid
t_bg "$T/queries.log" query_loop
query_pid=$t_last_pid
acked() { [ "$(wc -l <"$T/acked.txt")" -ge "$1" ]; }
t_poll 20 acked 30 || t_fail "registrations are not acknowledged before the failover"

# ---- kill the primary ----
t0=$(now_ms)
kill -9 "$r1_pid"
wait "$r1_pid" 2>/dev/null
t_log "killed the primary r1 (pid $r1_pid) with $(wc -l <"$T/acked.txt") acknowledged"
t_poll 30 s_is_p2 || { t_fail "the sentinels did not fail over to r2"; cat "$T/s1.log"; }
t1=$(now_ms)
t_log "failover: sentinels name r2 after $(( t1 - t0 )) ms"
t_expect "r2 is the primary" "$(rc_port "$p2" ROLE | head -n 1)" master
t_poll 15 grep -q "sentinel: failover of muster" "$T/d.log" ||
	t_fail "musterd did not see the +switch-master"
# new registrations, made on the new primary, get answered
n_before=$(wc -l <"$T/acked.txt")
# (the sentinels may fail over again later -- with down-after 1000 ms a
# loaded machine sees it -- so from here on "the primary" is asked)
settled() { [ "$(rc_port "$(primary)" ROLE | head -n 1)" = master ]; }
t_expect "a registration on the new primary" \
    "$(fc "$p2" muster_register post1 post 127.0.9.1 9001)" created
t1=$(now_ms)
t_poll 20 is a_of post.service.consul 127.0.9.1 ||
	t_fail "musterd does not answer a registration made on the new primary"
t_log "musterd answered the new primary's registration $(( $(now_ms) - t1 )) ms after it was made, $(( $(now_ms) - t0 )) ms after the kill"
# the old primary comes back, empty, as r2's replica (as an operator
# re-adds it; the sentinels would convert it too, but take 10-20 s), and
# registrations are acknowledged again
t_bg "$T/r1.again.log" redis-server --bind 127.0.0.1 --port "$p1" \
    --dir "$T/r1" --save "" --appendonly no --daemonize no \
    --replicaof 127.0.0.1 "$p2"
r1_pid=$t_last_pid
t_poll 20 link_up "$p1" || t_fail "the old primary did not come back as a replica"
t_log "the old primary is r2's replica $(( $(now_ms) - t0 )) ms after the kill"
t_poll 20 acked $(( n_before + 10 )) ||
	t_fail "registrations are not acknowledged again after the failover"

if [ $have_probe = 1 ]; then
	# the prober follows: a new check is passed, i.e. written to r2
	# registered on the primary of the moment, acknowledged by WAIT
	reg_acked() {
		local out
		out=$(printf 'FCALL muster_register 0 muster: %s\nWAIT 1 1000\n' "$*" |
		    redis-cli -h 127.0.0.1 -p "$(primary)" 2>&1 | paste -sd' ' -)
		case $out in
		created\ [1-9]* | updated\ [1-9]* | unchanged\ [1-9]*) return 0 ;;
		esac
		return 1
	}
	t_poll 20 reg_acked chk2 chk2 127.0.0.1 "$p2" check tcp interval 1000 \
	    timeout 500 || t_fail "chk2 was not acknowledged"
	t_poll 15 is a_of chk2.service.consul 127.0.0.1 ||
		t_fail "the prober did not write a health change to the new primary"
	t_expect "the prober's health write is on the new primary" \
	    "$(rc_port "$(primary)" HGET muster:health:chk2 status)" passing
	lease_ok() { [ "$(rc_port "$(primary)" GET muster:probe:lease)" = "$token" ]; }
	t_poll 10 lease_ok || t_fail "the prober does not hold the lease on the new primary"
fi

# ---- stop the load, then compare ----
touch "$T/stop"
t_wait_gone "$reg_pid" 10 || t_fail "the registration loop did not stop"
t_wait_gone "$query_pid" 10 || t_fail "the query loop did not stop"

# the queries: every one answered, NOERROR with the anchor
read -r qsent qgot qbad < <(awk '/^sent=/ { split($1, s, "="); split($2, g, "=");
    split($3, b, "="); S += s[2]; G += g[2]; B += b[2] }
    END { print S + 0, G + 0, B + 0 }' "$T/queries.log")
t_log "queries: $qsent sent, $qgot answered, $qbad not NOERROR with the anchor"
t_expect "enough queries were sent during the run" "$([ "$qsent" -ge 1000 ] && echo yes)" yes
qwin=$(awk -v a="$t0" -v b="$t1" '/^sent=/ { split($1, s, "="); split($4, t, "=");
    if (t[2] >= a && t[2] <= b) n += s[2] } END { print n + 0 }' "$T/queries.log")
t_log "queries sent between the kill and the sentinels' switch: $qwin"
t_expect "queries were sent during the failover" "$([ "$qwin" -ge 100 ] && echo yes)" yes
t_expect "every query was answered" "$qgot" "$qsent"
t_expect "every answer was right" "$qbad" 0

# the registrations
nsent=$(wc -l <"$T/sent.txt")
nacked=$(wc -l <"$T/acked.txt")
t_log "registrations: $nsent sent, $nacked acknowledged ($n_before before the failover was known)"
t_poll 20 settled || t_fail "no primary at the end"
t_log "failovers seen by musterd: $(grep -c 'sentinel: failover of' "$T/d.log")"
rc_port "$(primary)" SMEMBERS muster:instances | grep '^fo-' | sort >"$T/primary.txt"
missing=$(sort "$T/acked.txt" | comm -23 - "$T/primary.txt" | head -5)
t_expect "every acknowledged registration is on the new primary" "$missing" ""
# musterd: SRV over TCP (ports 20000+N) and A (127.x.y.z), each once
srv_ids() {
	t_dig "$dport" +tcp +short SRV _fo._tcp.service.consul |
	    awk '{ print "fo-" $3 - 20000 }' | sort
}
a_ids() {
	t_dig "$dport" +tcp +short fo.service.consul A |
	    awk -F. '{ print "fo-" ($2 - 1) * 65536 + $3 * 256 + $4 }' | sort
}
same_as_primary() {
	srv_ids >"$T/srv.txt"
	cmp -s "$T/srv.txt" "$T/primary.txt"
}
t_poll 15 same_as_primary
t_expect "musterd serves exactly the new primary's registrations (SRV)" \
    "$(diff "$T/primary.txt" "$T/srv.txt" | grep '^[<>]' | head -5)" ""
t_expect "no SRV answer twice" "$(uniq -d "$T/srv.txt" | head -3)" ""
a_ids >"$T/a.txt"
t_expect "musterd serves exactly the new primary's registrations (A)" \
    "$(diff "$T/primary.txt" "$T/a.txt" | grep '^[<>]' | head -5)" ""
t_expect "no A answer twice" "$(uniq -d "$T/a.txt" | head -3)" ""
missing=$(sort "$T/acked.txt" | comm -23 - "$T/srv.txt" | head -5)
t_expect "every acknowledged registration is answered" "$missing" ""
# the musterd reading r2 (a replica, then the primary, maybe a replica
# again) serves the same
e_srv_ids() {
	t_dig "$eport" +tcp +short SRV _fo._tcp.service.consul |
	    awk '{ print "fo-" $3 - 20000 }' | sort
}
e_same() { e_srv_ids >"$T/esrv.txt"; cmp -s "$T/esrv.txt" "$T/primary.txt"; }
t_poll 15 e_same
t_expect "the musterd reading r2 serves the same registrations" \
    "$(diff "$T/primary.txt" "$T/esrv.txt" | grep '^[<>]' | head -5)" ""
t_expect "the musterd reading r2: no SRV answer twice" \
    "$(uniq -d "$T/esrv.txt" | head -3)" ""

metric() {
	curl -fsS --max-time 2 "http://127.0.0.1:$mport/metrics" |
	    awk -v m="$1" '$1 == m { print $2 }'
}
t_log "musterd: full loads $(metric muster_sync_full_loads_total), stream entries $(metric muster_sync_entries_total)"
grep -E 'resuming|full load|reset|trimmed|failover|not the primary' "$T/d.log" |
    sed 's/^/#   musterd: /' | head -20
t_expect "musterd is connected at the end" "$(metric muster_sync_connected)" 1

t_done
