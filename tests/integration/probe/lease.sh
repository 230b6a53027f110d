#!/usr/bin/env bash
# probe/lease.sh -- several probers: exactly one writes.
#
# Behaviours checked (lease time 2s):
#  - of two probers exactly one takes the lease, the other says it
#    stands by; both probe, only the active one writes;
#  - the active prober is killed (SIGKILL, by PID): the standby takes the
#    lease within the lease time (plus a small margin; measured and
#    logged) and transitions keep arriving: a listener dies, the instance
#    leaves the DNS answers;
#  - a prober that lost its lease stops writing: the active prober is
#    frozen (SIGSTOP) past its lease, a third takes over and writes a
#    new failure; once thawed, the old one stands by and sends no
#    muster_check with its token (redis MONITOR), and says so;
#  - SIGTERM gives the lease up: the standby takes over at once.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/probe/probe.sh"

p_setup
px=$(t_freeport) py=$(t_freeport)
hc_start x "$px"
hc_start y "$py"
ctl register x-1 xs 127.0.0.1 "$px" --check tcp --interval 1s >/dev/null
ctl register y-1 ys 127.0.0.1 "$py" --check tcp --interval 1s >/dev/null

p_start_probe p1 --lease-ttl 2s
t_poll 5 grep -q "lease, acquired" "$T/p1.log"
p_start_probe p2 --lease-ttl 2s
t_poll 5 grep -q "lease, held by another prober: standby" "$T/p2.log"
t_expect "p1 active" "$(grep -c "lease, acquired" "$T/p1.log")" "1"
t_expect "p2 stands by" "$(grep -c "lease, acquired" "$T/p2.log")" "0"
t_expect "x-1 served" "$(t_poll 4 served xs "$px" && echo yes)" "yes"
t_expect "y-1 served" "$(t_poll 4 served ys "$py" && echo yes)" "yes"

t_bg "$T/monitor.log" redis-cli -s "$r_sock" MONITOR
mon_pid=$t_last_pid

# ---- the active prober dies ----
kill -9 "$p1_pid"
p_measure takeover 5 grep -q "lease, acquired" "$T/p2.log"
p_within "p1 killed -> p2 holds the lease (lease 2s)" "$takeover" 0 $((2000 + 750))
hc_close x
p_measure gone 4 not_served xs "$px"
p_within "after the takeover: x-1 dead -> gone from DNS" "$gone" 0 $((1100 + 750))
t_expect "p2 wrote it" "$(grep -c "x-1: passing -> critical" "$T/p2.log")" "1"

# ---- a prober that lost its lease writes nothing ----
p_start_probe p3 --lease-ttl 2s
t_poll 5 grep -q "lease, held by another prober: standby" "$T/p3.log"
kill -STOP "$p2_pid"
p_measure takeover3 5 grep -q "lease, acquired" "$T/p3.log"
p_within "p2 frozen -> p3 holds the lease" "$takeover3" 0 $((2000 + 750))
hc_close y
t_expect "p3 writes: y-1 gone from DNS" "$(t_poll 4 not_served ys "$py" && echo yes)" "yes"
kill -CONT "$p2_pid"
t_expect "p2 thawed: stands by" \
	"$(t_poll 5 grep -Eq "lease, (not renewed in time|held by another prober)" "$T/p2.log" && echo yes)" "yes"
t_poll 3 grep -q "y-1: passing -> critical" "$T/p2.log"
tok2=$(p_token p2)
tok3=$(p_token p3)
t_expect "tokens known" "$([ -n "$tok2" ] && [ -n "$tok3" ] && echo yes)" "yes"
p2_checks() { grep '"muster_check"' "$T/monitor.log" | grep -c "\"$tok2\""; }
t_expect "p2 wrote x-1 while it held the lease" "$(p2_checks)" "1"
t_expect "p3 wrote y-1" \
	"$(grep '"muster_check"' "$T/monitor.log" | grep '"y-1"' | grep -c "\"$tok3\"")" "1"
kill -USR1 "$p2_pid"
t_poll 2 grep -q "stats, " "$T/p2.log"
t_expect "p2 thawed: no muster_check after losing the lease" "$(p2_checks)" "1"
t_expect "p2 reports standby" "$(grep "stats, " "$T/p2.log" | grep -c "; standby, redis up")" "1"

# ---- SIGTERM releases the lease ----
hc_open y
kill "$p3_pid"
p_measure release 3 grep -q "lease, acquired" "$T/p2.log"
p_within "p3 stopped (SIGTERM) -> p2 takes over" "$release" 0 1000
t_expect "p3 released its lease" "$(grep -c "lease, released" "$T/p3.log")" "1"
t_expect "y-1 back, written by p2" "$(t_poll 4 served ys "$py" && echo yes)" "yes"
kill "$mon_pid"

t_done
