#!/usr/bin/env bash
# registry/outage/run.sh -- musterd while Redis goes away and comes back.
#
# The registry's redis ("main") keeps its data across restarts in an
# append-only file (fsync always), so it can be killed with SIGKILL and
# started again on the same socket path with the same data.  To change
# the registry while musterd is cut off, a second redis-server ("side")
# is started on the same data directory but another socket, changed with
# the Functions, and shut down before main comes back: musterd can only
# learn those changes from the stream (or a full load) after reconnecting.
#
# Behaviours checked:
#  - redis killed: musterd stays up and keeps answering its last copy;
#  - changes made while musterd was cut off arrive after the reconnect by
#    resuming the stream (no full load);
#  - the stream trimmed past musterd's position while it was cut off
#    (including a deregistration whose entry is gone): a full load, after
#    which the deregistered instance is gone and the new one served;
#  - the stream trimmed only up to musterd's position, connection killed
#    (CLIENT KILL): resume, no full load;
#  - --state-file: musterd restarted while redis is down serves the last
#    registry from the file; when redis returns with changes made
#    meanwhile it resumes from the file's position (no full load);
#  - redis replaced by an empty one without the Functions: the last copy
#    is still served, the missing Functions logged once, reconnects back
#    off (at most 6 in 2 s); once they are
#    loaded the (empty) registry is loaded in full and served; new
#    registrations arrive.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/registry/reg.sh"

PERSIST=(--appendonly yes --appendfsync always --dir "$T/main")
reg_redis main "${PERSIST[@]}"
main_sock_path=$R
reg a-1 a 10.0.0.1 80
reg b-1 b 10.0.0.2 80
reg c-1 c 10.0.0.3 80
reg_musterd m --state-file "$T/state"
p=$m_port
state=$T/state

# main_kill [MUSTERD]: SIGKILL the registry's redis; wait until musterd
# MUSTERD (default m) noticed.
main_kill() {
	local m=${1:-m} before
	before=$(logcount "$m" 'retrying')
	kill -9 "$main_pid"
	t_wait_gone "$main_pid" 5
	t_poll 10 sh -c "[ \$(grep -c retrying '$T/$m.log') -gt $before ]" ||
	    t_fail "$m did not notice redis going away"
}
# loads MUSTERD: how many full loads it completed.
loads() { logcount "$1" 'registry, (full load: |loaded [0-9])'; }
# main_start: main again, same socket and data.
main_start() {
	t_start_redis main "${PERSIST[@]}"
	R=$main_sock_path
}
# side_start / side_stop: the same data on another socket.
side_start() {
	t_start_redis side "${PERSIST[@]}"
	R=$side_sock
	[ "$(rc EXISTS "${P}instances")" = 1 ] || t_fail "side redis has no data"
}
side_stop() {
	rc SHUTDOWN >/dev/null 2>&1
	t_wait_gone "$side_pid" 10
}

t_expect "served" "$(q $p a.service.consul A)" "10.0.0.1"

# ---- redis killed ----
main_kill
t_expect "redis killed: musterd alive" "$(kill -0 "$m_pid" && echo yes)" yes
t_expect "redis killed: last copy served" "$(q $p a.service.consul A)" "10.0.0.1"
t_expect "redis killed: SRV served" "$(q $p _b._tcp.consul SRV)" \
	"1 1 80 0a000002.addr.dc1.consul."

# ---- changes while cut off, then back: resume ----
loads=$(loads m)
side_start
reg d-1 d 10.0.0.4 80
fc muster_deregister b-1 >/dev/null
fc muster_status c-1 critical >/dev/null
side_stop
t_expect "still the last copy" "$(q $p b.service.consul A)" "10.0.0.2"
main_start
reg_wait 15 is $p 10.0.0.4 d.service.consul A
t_log "redis back -> change answered: $reg_waited ms"
t_expect "back: registered meanwhile" "$(q $p d.service.consul A)" "10.0.0.4"
t_expect "back: deregistered meanwhile" "$(rcode $p b.service.consul A)" "NXDOMAIN 0"
t_expect "back: critical meanwhile" "$(rcode $p c.service.consul A)" "NXDOMAIN 0"
t_expect "back: untouched" "$(q $p a.service.consul A)" "10.0.0.1"
t_expect "back: resumed, no full load" "$(loads m)" "$loads"
reg e-0 e 10.0.0.50 80
reg_wait 5 is $p 10.0.0.50 e.service.consul A
t_expect "back: following again" "$(q $p e.service.consul A)" "10.0.0.50"

# ---- trimmed only up to our position: resume ----
rc XTRIM "${P}changes" MAXLEN 0 >/dev/null
rc CLIENT KILL TYPE normal >/dev/null
t_poll 10 sh -c "[ \$(grep -c 'resuming' '$T/m.log') -ge 2 ]"
reg e-00 e 10.0.0.51 80
reg_wait 10 is $p "$(printf '10.0.0.50\n10.0.0.51')" e.service.consul A
t_expect "trimmed up to our position, reconnect: following" \
	"$(q $p e.service.consul A)" "$(printf '10.0.0.50\n10.0.0.51')"
t_expect "trimmed up to our position: no full load" "$(loads m)" \
	"$loads"

# ---- an unread entry deleted (XDEL) while cut off: full load ----
main_kill
side_start
reg x-1 x 10.0.0.9 80
fc muster_deregister d-1 >/dev/null
rc XDEL "${P}changes" "$(rc XREVRANGE "${P}changes" + - COUNT 1 | head -1)" >/dev/null
side_stop
main_start
reg_wait 15 is $p 10.0.0.9 x.service.consul A
t_log "redis back (XDEL) -> answered: $reg_waited ms"
loads=$((loads + 1))
t_expect "XDEL past our position: full load" "$(loads m)" "$loads"
t_expect "XDEL past our position: deregistration (entry deleted) seen" \
	"$(rcode $p d.service.consul A)" "NXDOMAIN 0"

# ---- trimmed past our position while cut off: full load ----
main_kill
side_start
reg e-1 e 10.0.0.5 80
fc muster_deregister a-1 >/dev/null
fc muster_deregister e-0 >/dev/null
rc XTRIM "${P}changes" MAXLEN 0 >/dev/null
side_stop
main_start
reg_wait 10 is $p "$(printf '10.0.0.5\n10.0.0.51')" e.service.consul A
t_log "redis back (trimmed) -> full load answered: $reg_waited ms"
t_expect "trimmed: full load" "$(loads m)" "$((loads + 1))"
t_expect "trimmed: registered meanwhile (entry trimmed)" "$(q $p e.service.consul A)" \
	"$(printf '10.0.0.5\n10.0.0.51')"
t_expect "trimmed: deregistered meanwhile (entry trimmed)" \
	"$(rcode $p a.service.consul A)" "NXDOMAIN 0"
t_expect "trimmed: the rest" "$(q $p x.service.consul A)" "10.0.0.9"

# ---- state file ----
reg f-1 f 10.0.0.6 80
fc muster_deregister x-1 >/dev/null
reg_wait 5 is $p "" x.service.consul A
t_expect "following" "$(q $p f.service.consul A)" "10.0.0.6"
t_poll 10 sh -c "grep -q f-1 '$state' && ! grep -q x-1 '$state'"
t_expect "state file written" "$(grep -c f-1 "$state")" 1
main_kill
kill "$m_pid"
t_wait_gone "$m_pid" 10 || t_fail "musterd did not stop"
m2_port=$(t_freeport)
t_start_musterd m2 -w 2 -l "127.0.0.1:$m2_port" -r "unix://$main_sock_path" \
    --prefix "$P" --state-file "$state"
p=$m2_port
t_expect "state file, redis down: served" "$(q $p f.service.consul A)" "10.0.0.6"
t_expect "state file, redis down: SRV" "$(q $p f.service.consul SRV)" \
	"1 1 80 0a000006.addr.dc1.consul."
t_expect "state file, redis down: deregistered stays gone" \
	"$(rcode $p x.service.consul A)" "NXDOMAIN 0"
t_expect "state file, redis down: critical stays hidden" \
	"$(rcode $p c.service.consul A)" "NXDOMAIN 0"
side_start
reg g-1 g 10.0.0.7 80
fc muster_status c-1 passing >/dev/null
side_stop
main_start
reg_wait 15 is $p 10.0.0.7 g.service.consul A
t_expect "state file, redis back: change made meanwhile" "$(q $p g.service.consul A)" \
	"10.0.0.7"
t_expect "state file, redis back: health change made meanwhile" \
	"$(q $p c.service.consul A)" "10.0.0.3"
t_expect "state file, redis back: resumed from the file, no full load" \
	"$(loads m2)" 0

# ---- an empty redis without the Functions on the same socket ----
main_kill m2
mkdir -p "$T/fresh"
t_start_redis main --dir "$T/fresh"
R=$main_sock_path
t_poll 10 grep -q "Functions are not loaded" "$T/m2.log"
t_expect "no Functions: last copy served" "$(q $p g.service.consul A)" "10.0.0.7"
# while the Functions are missing musterd must not hammer redis with
# reconnects: with a backoff that grows from 0.1 s, 2 s hold at most 6
# connects (not one every 0.1 s)
conns=$(logcount m2 ': connected') t0=$(now_ms)
t_poll 2 sh -c "[ \$(grep -c ': connected' '$T/m2.log') -gt $((conns + 6)) ]"
n=$(( $(logcount m2 ': connected') - conns ))
t_checks=$((t_checks + 1))
[ "$n" -le 6 ] || t_fail "no Functions: $n reconnects in $(( $(now_ms) - t0 )) ms, want at most 6 in 2 s (backoff reset on every connect?)"
t_expect "no Functions: logged once" "$(logcount m2 'Functions are not loaded')" 1
reg_load
reg_wait 15 is $p "" g.service.consul A
t_expect "empty registry: loaded in full" "$(loads m2)" 1
t_expect "empty registry: served empty" "$(rcode $p g.service.consul A)" "NXDOMAIN 0"
reg h-1 h 10.0.0.8 80
reg_wait 5 is $p 10.0.0.8 h.service.consul A
t_expect "empty registry: new registration" "$(q $p h.service.consul A)" "10.0.0.8"
t_expect "musterd alive" "$(kill -0 "$m2_pid" && echo yes)" yes

t_done
