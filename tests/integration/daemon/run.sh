#!/usr/bin/env bash
# daemon/run.sh -- musterd as a daemon: background mode, threads, sockets.
#
# Behaviours checked:
#  - without -f musterd goes to the background: the starting process exits
#    0, the daemon answers, --pidfile holds the daemon's PID, the daemon
#    has left our session and has /dev/null as stdin, stdout and stderr;
#    stopped by that PID it exits and removes the pidfile;
#  - -w 3: three serving threads; a burst of 1000 queries from 16 source
#    ports is answered in full (unique IDs), by more than one thread;
#  - SIGHUP reloads, one after the other, for as long as a burst of 90000
#    queries on 3 threads runs: every query answered, every answer well
#    formed, the last serial served (the view swap and reclamation are safe);
#  - SIGTERM in the middle of a burst: exit 0 within a deadline;
#  - two listening addresses, 127.0.0.1 and [::1] (the IPv6 part is skipped
#    when ::1 is unavailable), over UDP and TCP; [::] answers from ::1;
#  - a second musterd on the same address and port, or on the wildcard of
#    that port, or on an address of a wildcard already taken, fails to
#    start with a "bind" error naming the address, and the first one keeps
#    answering (no silent SO_REUSEPORT sharing);
#  - two musterds started in the background at the same moment on one port:
#    exactly one starting process fails with the bind error (4 rounds);
#  - listening on 0.0.0.0: queries to 127.0.0.1 and 127.0.0.2 are
#    answered from the address asked (UDP, pktinfo), so dig accepts them;
#    TCP too.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/proto/msg.sh"
t_need dig

Z=$T/example.zone
proto_zone "$Z" example.test.
last() { printf '%s\n' "$1" | tail -n 1; }
a_www() { # a_www PORT [ADDR]: the A record of www over UDP, via dig
	dig +time=2 +tries=1 +norecurse @"${2:-127.0.0.1}" -p "$1" +short www.example.test A 2>&1
}
alive() { kill -0 "$1" 2>/dev/null && echo yes; }

# ---- background mode ----
port=$(t_freeport)
timeout 10 "$MUSTERD" -l "127.0.0.1:$port" -z "$Z" -w 1 --pidfile "$T/bg.pid" \
	>"$T/bg.out" 2>&1
t_expect "background: the starting process exits 0" "$?" "0"
if t_poll 10 test -s "$T/bg.pid"; then
	bg=$(cat "$T/bg.pid")
	t_pids="$t_pids $bg"
	t_expect "background: answers" "$(t_poll 10 sh -c "dig +time=1 +tries=1 @127.0.0.1 -p $port +short www.example.test A | grep -q 192.0.2.80" && echo yes)" "yes"
	t_expect "background: pidfile names a live musterd" \
		"$(tr '\0' ' ' <"/proc/$bg/cmdline" | awk '{ print $1 }')" "$MUSTERD"
	t_expect "background: left our session" \
		"$([ "$(awk '{ print $6 }' "/proc/$bg/stat")" != "$(awk '{ print $6 }' /proc/$$/stat)" ] && echo yes)" "yes"
	t_expect "background: stdio on /dev/null" \
		"$(readlink "/proc/$bg/fd/0") $(readlink "/proc/$bg/fd/1") $(readlink "/proc/$bg/fd/2")" \
		"/dev/null /dev/null /dev/null"
	kill "$bg"
	t_expect "background: stops by its PID" "$(t_wait_gone "$bg" 5 && echo yes)" "yes"
	t_expect "background: pidfile removed" "$(test -e "$T/bg.pid" && echo there)" ""
else
	cat "$T/bg.out"
	t_fail "background: no pidfile"
fi

# ---- threads ----
p3=$(t_freeport)
t_start_musterd w3 -w 3 -l "127.0.0.1:$p3" -z "$Z"
t_expect "-w 3: three serving threads" "$(ls "/proc/$w3_pid/task" | wc -l)" "4"
# on-CPU time (ns) of each worker thread (not the main one)
runtimes() {
	local t
	for t in /proc/"$w3_pid"/task/*; do
		[ "${t##*/}" = "$w3_pid" ] && continue
		awk '{ print $1 }' "$t/schedstat" 2>/dev/null || echo 0
	done
}
before=$(runtimes)
out=$(dnsq -p "$p3" -Q -P 16 -W 64 -R 1000 -T 10000 "$(m_query 0 www.example.test A)")
t_expect "-w 3: 1000 queries from 16 ports all answered" "$out" \
	"sent=1000 got=1000 unique=1000 end=done"
after=$(runtimes)
if [ -r "/proc/$w3_pid/task/$w3_pid/schedstat" ]; then
	busy=$(paste <(echo "$before") <(echo "$after") | awk '$2 > $1 { n++ } END { print n + 0 }')
	t_expect_match "-w 3: more than one thread answered" "$busy" '^[23]$'
else
	t_log "no schedstat: not checking which threads answered"
fi

# reload again and again while a burst of queries runs on 3 threads
proto_zone "$T/z.tmp" example.test.
zone_serial() { # zone_serial N: the test zone with serial N, replaced atomically
	sed "s/hostmaster 1 /hostmaster $1 /" "$T/z.tmp" >"$Z.new" && mv "$Z.new" "$Z"
}
t_bg "$T/burst.out" "$DNSQ" -p "$p3" -P 8 -W 32 -R 30000 -T 30000 \
	"$(m_equery 0 www.example.test A)" "$(m_query 0 nope.example.test A)" \
	"$(m_query 0 mid.example.test TXT)"
burst=$t_last_pid
s=1
while [ "$(alive "$burst")" = yes ] && [ "$s" -lt 1000 ]; do
	s=$((s + 1))
	zone_serial "$s"
	n=$(grep -c 'reload, done' "$T/w3.log")
	kill -HUP "$w3_pid"
	if ! t_poll 10 sh -c "test \$(grep -c 'reload, done' '$T/w3.log') -gt $n"; then
		t_fail "reload $s during the burst: not done"
		break
	fi
done
t_log "$((s - 1)) reloads during the burst"
t_expect_match "reloads during a burst: at least 3" "$((s - 1))" '^([3-9]|[1-9][0-9]+)$'
t_expect "reloads during a burst: burst finished" "$(t_wait_gone "$burst" 30 && echo yes)" "yes"
t_expect "reloads during a burst: every query answered" \
	"$(fld end "$(last "$(cat "$T/burst.out")")")/$(fld got "$(last "$(cat "$T/burst.out")")")" \
	"done/90000"
t_expect "reloads during a burst: answers well formed" \
	"$(grep -c 'parse=ok' "$T/burst.out")" "90000"
t_expect "reloads during a burst: no error rcode" \
	"$(grep -v '^sent=' "$T/burst.out" | grep -vc 'rcode=\(NOERROR\|NXDOMAIN\)')" "0"
t_expect "reloads during a burst: new serial served" \
	"$(t_dig "$p3" +short example.test SOA | awk '{ print $3 }')" "$s"
t_expect "reloads during a burst: alive" "$(alive "$w3_pid")" "yes"
t_bg "$T/burst2.out" "$DNSQ" -p "$p3" -P 8 -W 32 -R 20000 -T 5000 -Q \
	"$(m_query 0 www.example.test A)"
t_poll 5 sh -c "grep -q 'stats, queries udp [1-9]' '$T/w3.log' || { kill -USR1 $w3_pid; false; }"
kill -TERM "$w3_pid"
t_expect "SIGTERM during a burst: gone" "$(t_wait_gone "$w3_pid" 5 && echo yes)" "yes"
wait "$w3_pid"
t_expect "SIGTERM during a burst: exit 0" "$?" "0"

# ---- two addresses ----
pa=$(t_freeport)
if p6=$(t_freeport ::1 2>/dev/null); then
	t_start_musterd two -w 2 -l "127.0.0.1:$pa" -l "[::1]:$p6" -z "$Z"
	t_expect "two addresses: 127.0.0.1" "$(a_www "$pa")" "192.0.2.80"
	t_expect "two addresses: ::1" "$(a_www "$p6" ::1)" "192.0.2.80"
	out=$(dnsq -t -a ::1 -p "$p6" "$(m_query 1 www.example.test A)")
	t_expect "two addresses: ::1 over TCP" "$(fld rcode "$out")/$(fld an "$out")" "NOERROR/1"
	out=$(dnsq -a ::1 -p "$p6" "$(m_query 2 www.example.test A)")
	t_expect "two addresses: ::1 answers from [::1]" "$(fld from "$out")" "[::1]:$p6"
	p6w=$(t_freeport ::)
	t_start_musterd wild6 -w 1 -l "[::]:$p6w" -z "$Z"
	out=$(dnsq -a ::1 -p "$p6w" "$(m_query 5 www.example.test A)")
	t_expect "IPv6 wildcard: UDP to ::1 answered from ::1" "$(fld from "$out")/$(fld an "$out")" \
		"[::1]:$p6w/1"
	t_expect "IPv6 wildcard: dig @::1 accepts the answer" "$(a_www "$p6w" ::1)" "192.0.2.80"
else
	t_log "::1 unavailable: skipping the IPv6 address"
	t_start_musterd two -w 2 -l "127.0.0.1:$pa" -z "$Z"
	t_expect "two addresses (v4 only): 127.0.0.1" "$(a_www "$pa")" "192.0.2.80"
fi

# ---- one port, one musterd ----
second() { # second WHAT REGEX LISTEN: a second musterd must fail to start
	local what=$1 re=$2 out rc
	out=$(timeout 10 "$MUSTERD" -f -w 1 -l "$3" -z "$Z" 2>&1)
	rc=$?
	t_expect "$what: fails to start" "$rc" "1"
	t_expect_match "$what: says bind" "$out" "$re"
	t_expect "$what: did not start" "$(printf '%s\n' "$out" | grep -c started)" "0"
}
second "same address and port" "listen 127.0.0.1:$pa(/udp)?: bind: Address already in use" \
	"127.0.0.1:$pa"
second "wildcard of a port in use" "listen 0.0.0.0:$pa(/udp)?: bind: Address already in use" \
	"0.0.0.0:$pa"
t_expect "the first one still answers" "$(a_www "$pa")" "192.0.2.80"
out=$(dnsq -t -p "$pa" -R 20 "$(m_query 0 www.example.test A)")
t_expect "the first one still answers over TCP" "$(last "$out")" "sent=20 got=20 unique=20 end=done"

# two started at once in the background: the probe must not race the bind
# (the starting process returns before the daemon binds, so both probes
# pass and both daemons then share the port with SO_REUSEPORT)
race_ok=0
for r in 1 2 3 4; do
	pr=$(t_freeport)
	timeout 10 "$MUSTERD" -w 1 -l "127.0.0.1:$pr" -z "$Z" --pidfile "$T/race$r.a.pid" \
		>"$T/race$r.a.out" 2>&1 &
	ra=$!
	timeout 10 "$MUSTERD" -w 1 -l "127.0.0.1:$pr" -z "$Z" --pidfile "$T/race$r.b.pid" \
		>"$T/race$r.b.out" 2>&1
	rcb=$?
	wait "$ra"
	rca=$?
	# every starter that exited 0 left a daemon: stop them all
	for x in "a $rca" "b $rcb"; do
		set -- $x
		[ "$2" -eq 0 ] && t_poll 5 test -s "$T/race$r.$1.pid" \
			&& t_pids="$t_pids $(cat "$T/race$r.$1.pid")"
	done
	t_log "started twice at once, round $r: exit $rca and $rcb"
	[ "$(echo $(printf '%s\n' "$rca" "$rcb" | sort))" = "0 1" ] \
		&& grep -q 'bind: Address already in use' "$T/race$r."*.out \
		&& race_ok=$((race_ok + 1))
done
t_expect "started twice at once: one starter fails with bind, every round" "$race_ok/4" "4/4"

# ---- the wildcard address ----
pw=$(t_freeport 0.0.0.0)
t_start_musterd wild -w 2 -l "0.0.0.0:$pw" -z "$Z"
second "an address of a wildcard in use" "listen 127.0.0.1:$pw/udp: bind: Address already in use" \
	"127.0.0.1:$pw"
for a in 127.0.0.1 127.0.0.2; do
	out=$(dnsq -a "$a" -p "$pw" "$(m_query 3 www.example.test A)")
	t_expect "wildcard: UDP to $a answered from $a" "$(fld from "$out")/$(fld an "$out")" \
		"$a:$pw/1"
	t_expect "wildcard: dig @$a accepts the answer" "$(a_www "$pw" "$a")" "192.0.2.80"
	out=$(dnsq -t -a "$a" -p "$pw" "$(m_query 4 www.example.test A)")
	t_expect "wildcard: TCP to $a" "$(fld rcode "$out")/$(fld an "$out")" "NOERROR/1"
done
out=$(dnsq -a 127.0.0.2 -p "$pw" -P 4 -R 200 "$(m_query 0 www.example.test A)")
t_expect "wildcard: 200 queries to 127.0.0.2 answered" "$(last "$out")" \
	"sent=200 got=200 unique=200 end=done"
t_expect "wildcard: all 200 from 127.0.0.2" "$(grep -c " from=127.0.0.2:$pw$" <<<"$out")" "200"

t_done
