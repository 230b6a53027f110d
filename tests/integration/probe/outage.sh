#!/usr/bin/env bash
# probe/outage.sh -- Redis goes away and comes back.
#
# Behaviours checked:
#  - redis stops (its data saved first, so it can come back with it):
#    the prober keeps probing (it sees an instance die and logs it as
#    standby), writes nothing (musterd, serving its last copy, still
#    answers with the instance);
#  - redis returns: the prober reconnects, takes its lease again and
#    reconciles: it writes the status it observed meanwhile ("1 of 2
#    statuses written"), and the dead instance leaves the DNS answers;
#  - afterwards checks and writes go on as before (the instance comes
#    back when it listens again);
#  - the connections drop and the change log is trimmed past the prober's
#    position meanwhile: it loads the registry in full and merges it: a
#    check in flight of an unchanged instance goes on (its connection
#    stays open), an instance deregistered meanwhile is no longer checked.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/probe/probe.sh"

p_setup
px=$(t_freeport) py=$(t_freeport)
hc_start x "$px"
hc_start y "$py"
ctl register x-1 xs 127.0.0.1 "$px" --check tcp --interval 1s >/dev/null
ctl register y-1 ys 127.0.0.1 "$py" --check http:/ --interval 1s >/dev/null
p_start_probe p --lease-ttl 2s
t_expect "x-1 served" "$(t_poll 4 served xs "$px" && echo yes)" "yes"
t_expect "y-1 served" "$(t_poll 4 served ys "$py" && echo yes)" "yes"

# ---- redis down ----
t_expect "redis saved" "$(rcli SAVE)" "OK"
kill "$r_pid"
t_wait_gone "$r_pid" 5
t_expect "prober: standby while redis is down" \
	"$(t_poll 3 grep -q "lease, redis unreachable: standby" "$T/p.log" && echo yes)" "yes"
hc_close x
t_expect "probing goes on: x-1's death seen" \
	"$(t_poll 4 grep -q "x-1: passing -> critical (connection refused) \[standby\]" "$T/p.log" && echo yes)" "yes"
t_expect "nothing written: musterd still serves x-1" \
	"$(served xs "$px" && echo yes)" "yes"

# ---- redis back ----
p_redis_again
t_expect "reconnected, lease taken again" \
	"$(t_poll 8 grep -q "reconciled: 1 of 2 statuses written" "$T/p.log" && echo yes)" "yes"
t_expect "x-1 critical in the registry" "$(t_poll 2 p_is x-1 critical && echo yes)" "yes"
t_expect "x-1 gone from DNS" "$(t_poll 4 not_served xs "$px" && echo yes)" "yes"
t_expect "y-1 untouched" "$(p_status y-1)" "passing"

hc_open x
t_expect "x-1 back after redis returned" "$(t_poll 4 served xs "$px" && echo yes)" "yes"

# ---- a full load is merged, not a restart ----
pz=$(t_freeport) pw=$(t_freeport)
printf '/hang hang\n' >"$T/z.routes"
hc_start z "$pz"
hc_start w "$pw"
ctl register hang-2 hang 127.0.0.1 "$pz" --check http:/hang --interval 3s \
	--timeout 3s --status passing >/dev/null
ctl register gone-1 gone 127.0.0.1 "$pw" --check tcp --interval 1s >/dev/null
z_open() { [ "$(hc_stat z open)" = 1 ]; }
t_expect "hang-2: a check in flight" "$(t_poll 5 z_open && echo yes)" "yes"
t_poll 3 served gone "$pw"
# drop every connection, and while the prober is away (one pipeline,
# well within its 100 ms reconnect) deregister gone-1 and trim the change
# log past that: it must load the registry again
printf '%s\n' "CLIENT KILL TYPE normal SKIPME yes" \
	"FCALL muster_deregister 0 muster: gone-1" \
	"XTRIM muster:changes MAXLEN 0" | redis-cli -s "$r_sock" >/dev/null
t_expect "full load after the trim" \
	"$(t_poll 5 grep -q "change stream trimmed past" "$T/p.log" && echo yes)" "yes"
loaded_twice() { [ "$(grep -c "probe, following" "$T/p.log")" = 2 ]; }
t_expect "the full load is applied" "$(t_poll 3 loaded_twice && echo yes)" "yes"
t_expect "merged: hang-2's check in flight was not cut" "$(z_open && echo yes)" "yes"
accepted=$(hc_stat w accepted)
w_more() { [ "$(hc_stat w accepted)" != "$accepted" ]; }
t_expect "swept: gone-1 no longer checked" \
	"$(t_poll 3 w_more && echo checked || echo none)" "none"
t_expect "prober still running" "$(kill -0 "$p_pid" && echo yes)" "yes"

t_done
