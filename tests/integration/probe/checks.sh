#!/usr/bin/env bash
# probe/checks.sh -- muster-probe's checks, end to end through musterd's DNS.
#
# Behaviours checked (real redis, musterd, hcserver targets on loopback):
#  - tcp (interval 1s, rise 2, fall 2): the listener dies -> the instance
#    leaves the SRV answers within interval x fall (+10 % jitter) plus a
#    small margin; it listens again -> back after rise passes (not after
#    one); the times are measured and logged;
#  - http: 500 -> critical, output "HTTP 500 Internal Server Error", not
#    served; 429 -> warning, still served with its warning weight, and
#    not served by a musterd with --only-passing; 200 -> passing again;
#    a refused connection -> critical, output "connection refused";
#  - ttl (check_ttl 1s, interval 10s): musterctl pass -> passing; the
#    heartbeats stop -> critical about check_ttl later (found by the
#    heartbeat's expiry, not the interval); musterctl pass -> passing;
#  - an instance registered while the prober runs is checked (no restart);
#  - maintenance: not probed (its listener dies, its status stays), not
#    served; maintenance off -> probed again, critical;
#  - deregistration cancels an in-flight check at once (the hanging
#    connection is closed) and no check follows;
#  - a response slower than the timeout -> critical, "timeout after 500 ms
#    (waiting for the response)" (registered --status passing);
#  - only changes are written: while nothing changes no change-log entry
#    is appended;
#  - deregister-after: an instance critical longer than that is removed
#    by the prober (muster_reap), gone from the registry;
#  - transitions are logged once each ("probe, ID: A -> B (why)").
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/probe/probe.sh"

p_setup
dport2=$(t_freeport)
t_start_musterd d2 -w 1 -l "127.0.0.1:$dport2" -r "unix://$r_sock" --only-passing

pa=$(t_freeport) pb=$(t_freeport) pc=$(t_freeport) pd=$(t_freeport)
pdead=$(t_freeport)
hc_start a "$pa"
hc_start b "$pb"
hc_start c "$pc"
printf '/hang hang\n' >"$T/d.routes"
hc_start d "$pd"

ctl register tcp-1 tcpsvc 127.0.0.1 "$pa" --check tcp --interval 1s \
	--rise 2 --fall 2 >/dev/null
ctl register web-1 web 127.0.0.1 "$pb" --check http:/health --interval 1s \
	--weight 10 --weight-warning 3 >/dev/null
ctl register mnt-1 mnt 127.0.0.1 "$pc" --check tcp --interval 1s >/dev/null
p_start_probe p --lease-ttl 2s

# ---- tcp: death and return, timed ----
t_expect "tcp-1 critical until checked" "$(p_status tcp-1)" "critical"
t_expect "tcp-1 served after rise passes" \
	"$(t_poll 5 served tcpsvc "$pa" && echo yes)" "yes"
t_expect "web-1 served" "$(t_poll 5 served web "$pb" && echo yes)" "yes"

hc_close a
p_measure gone 6 not_served tcpsvc "$pa"
p_within "tcp-1 listener dead -> gone from DNS (interval 1s x fall 2)" \
	"$gone" 0 $((2200 + 750))
t_expect "tcp-1 critical" "$(p_status tcp-1)" "critical"
t_expect "tcp-1 output" "$(rcli HGET muster:health:tcp-1 output)" \
	"connection refused"

hc_open a
p_measure back 6 served tcpsvc "$pa"
p_within "tcp-1 listening -> back in DNS (interval 1s x rise 2)" \
	"$back" 800 $((2200 + 750))

# ---- http: 500, 429, 200 ----
hc_routes b "/health 500"
p_measure t500 4 not_served web "$pb"
p_within "web-1 HTTP 500 -> gone from DNS" "$t500" 0 $((1100 + 750))
t_expect "web-1 critical on 500" "$(p_status web-1)" "critical"
t_expect "web-1 output" "$(rcli HGET muster:health:web-1 output)" \
	"HTTP 500 Internal Server Error"

hc_routes b "/health 429"
t_expect "web-1 warning on 429" "$(t_poll 4 p_is web-1 warning && echo yes)" "yes"
warning_weight() { [ "$(srv web)" = "$pb/3" ]; }
t_expect "warning: still served, with the warning weight" \
	"$(t_poll 2 warning_weight && echo yes)" "yes"
t_expect "warning: not served with --only-passing" \
	"$(t_poll 2 not_served web "$pb" "$dport2" && echo yes)" "yes"

hc_routes b "/health 200"
t_expect "web-1 passing on 200" "$(t_poll 4 p_is web-1 passing && echo yes)" "yes"
t_expect "passing: the full weight" "$(t_poll 2 served web "$pb" && srv web)" "$pb/10"
t_expect "passing: served with --only-passing" \
	"$(t_poll 2 served web "$pb" "$dport2" && echo yes)" "yes"
hc_close b
t_expect "http: refused -> critical" "$(t_poll 4 p_is web-1 critical && echo yes)" "yes"
t_expect "http: refused output" "$(rcli HGET muster:health:web-1 output)" \
	"connection refused"
hc_open b
t_expect "http: listening again -> passing" \
	"$(t_poll 4 p_is web-1 passing && echo yes)" "yes"

# ---- ttl ----
ctl register hb-1 hb 127.0.0.1 9 --check ttl:1s >/dev/null
t_expect "hb-1 critical until a heartbeat" "$(p_status hb-1)" "critical"
ctl pass hb-1 "started" >/dev/null
t0=$(p_now)
t_expect "hb-1 passing after musterctl pass" "$(t_poll 2 served hb 9 && echo yes)" "yes"
t_poll 4 p_is hb-1 critical
p_within "hb-1 heartbeat stopped -> critical (check_ttl 1s, interval 10s)" \
	"$(( $(p_now) - t0 ))" 900 $((1000 + 750))
t_expect "hb-1 output" "$(rcli HGET muster:health:hb-1 output)" "TTL expired"
t_expect "hb-1 gone from DNS" "$(t_poll 2 not_served hb 9 && echo yes)" "yes"
ctl pass hb-1 >/dev/null
t_expect "hb-1 passing again after musterctl pass" \
	"$(t_poll 2 served hb 9 && echo yes)" "yes"
t_expect "hb-1 critical again a heartbeat later" \
	"$(t_poll 3 p_is hb-1 critical && echo yes)" "yes"

# ---- a new instance is checked without a restart ----
ctl register new-1 newsvc 127.0.0.1 "$pb" --check http:/health --interval 1s \
	>/dev/null
p_measure tnew 4 served newsvc "$pb"
p_within "new-1 registered -> checked and served" "$tnew" 0 $((1100 + 750))

# ---- maintenance: not probed, not served ----
t_poll 3 served mnt "$pc"
ctl maint mnt-1 on "test" >/dev/null
t_expect "maintenance: not served" "$(t_poll 2 not_served mnt "$pc" && echo yes)" "yes"
hc_close c
xlen=$(rcli XLEN muster:changes)
t_expect "maintenance: not probed (status stays passing)" \
	"$(t_poll 3 p_is mnt-1 critical && echo probed || echo not)" "not"
t_expect "nothing stable is written: no change entry meanwhile" \
	"$(rcli XLEN muster:changes)" "$xlen"
ctl maint mnt-1 off >/dev/null
t_expect "maintenance off: probed again, critical" \
	"$(t_poll 3 p_is mnt-1 critical && echo yes)" "yes"

# ---- deregistration cancels an in-flight check ----
ctl register hang-1 hang 127.0.0.1 "$pd" --check http:/hang --interval 2s \
	--timeout 2s >/dev/null
hang_open() { [ "$(hc_stat d open)" = 1 ]; }
hang_closed() { [ "$(hc_stat d open)" = 0 ]; }
t_expect "hang-1: a check hangs" "$(t_poll 4 hang_open && echo yes)" "yes"
ctl deregister hang-1 >/dev/null
p_measure tclose 2 hang_closed
p_within "hang-1 deregistered -> its in-flight check closed" "$tclose" 0 500
accepted=$(hc_stat d accepted)
more_checks() { [ "$(hc_stat d accepted)" != "$accepted" ]; }
t_expect "hang-1 deregistered: no check follows" \
	"$(t_poll 3 more_checks && echo checked || echo none)" "none"

# ---- a timeout is critical ----
ctl register slow-1 slow 127.0.0.1 "$pd" --check http:/hang --interval 1s \
	--timeout 500ms --status passing >/dev/null
t_expect "slow-1: timeout -> critical" "$(t_poll 4 p_is slow-1 critical && echo yes)" "yes"
t_expect "slow-1: timeout output" "$(rcli HGET muster:health:slow-1 output)" \
	"timeout after 500 ms (waiting for the response)"
ctl deregister slow-1 >/dev/null

# ---- deregister-after ----
ctl register dead-1 dead 127.0.0.1 "$pdead" --check tcp --interval 1s \
	--deregister-after 1m >/dev/null
# it is critical from the start; age that state (the minimum
# deregister-after is a minute) and let a change entry carry the new
# since: the next failed check reaps it
rcli HSET muster:health:dead-1 since $(( $(p_now) - 120000 )) >/dev/null
ctl register dead-1 dead 127.0.0.1 "$pdead" --check tcp --interval 1s \
	--deregister-after 1m --weight 2 >/dev/null
reaped() { [ "$(rcli SISMEMBER muster:instances dead-1)" = 0 ]; }
t_expect "deregister-after: removed by the prober" \
	"$(t_poll 4 reaped && echo yes)" "yes"
t_expect "deregister-after: logged" \
	"$(grep -c "dead-1: deregistered" "$T/p.log")" "1"

# ---- logging: transitions only ----
t_expect "tcp-1 transitions logged once each" \
	"$(grep -c "probe, tcp-1: passing -> critical (connection refused)" "$T/p.log")" "1"
t_expect "no per-result lines" \
	"$(grep -c "probe, web-1: passing -> passing" "$T/p.log")" "0"
kill -USR1 "$p_pid"
t_poll 2 grep -q "stats, " "$T/p.log"
t_log "$(grep "stats, " "$T/p.log" | tail -n 1 | sed 's/.*stats, /stats, /')"
t_expect "prober still running" "$(kill -0 "$p_pid" && echo yes)" "yes"

t_done
