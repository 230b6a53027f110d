#!/usr/bin/env bash
# registry/churn/run.sh -- memory stays flat while the registry changes.
#
# Each change replaces a service's compiled answers; the old ones are
# retired and freed once the workers have moved past them.  A musterd
# that only freed them at a reload (SIGHUP) grew by about 2 kB per change
# and never gave it back.  20,000 re-registrations of 100 instances,
# pipelined through the Functions, must leave musterd's RSS within 8 MB of
# what it was after the first load, and the answers right.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/registry/reg.sh"
t_need dig

# under AddressSanitizer freed memory waits in a quarantine first
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$m_pid/status"; }

reg_redis r
for i in $(seq 0 99); do
	echo "FCALL muster_register 0 $P i$i s$((i % 10)) 10.0.0.$((i + 1)) 80"
done | redis-cli -s "$R" >/dev/null
reg_musterd m
p=$m_port
t_poll 10 sh -c "[ \"\$(dig +short @127.0.0.1 -p $p s9.service.consul A | wc -l)\" = 10 ]" ||
	t_fail "the first load is not answered"
before=$(rss)

# 20,000 changes: every instance re-registered with new ports, 200 times
for r in $(seq 1 200); do
	for i in $(seq 0 99); do
		echo "FCALL muster_register 0 $P i$i s$((i % 10)) 10.0.0.$((i + 1)) $((r + 1000))"
	done
done | redis-cli -s "$R" >/dev/null
# the last change is served once every SRV of s9 has port 1200
t_poll 20 sh -c "dig +short @127.0.0.1 -p $p s9.service.consul SRV | awk '{print \$3}' | sort -u | grep -qx 1200" ||
	t_fail "the last change is not answered"
t_expect "10 SRV records after the churn" \
    "$(t_dig "$p" +short s9.service.consul SRV | wc -l)" 10
# freeing runs on a 100 ms timer after the workers move on: poll for it
t_poll 10 sh -c "[ \$(awk '/^VmRSS:/ { print \$2 }' /proc/$m_pid/status) -lt $((before + 8192)) ]" ||
	t_fail "RSS grew from ${before} kB to $(rss) kB over 20,000 changes"
t_log "RSS ${before} kB after the load, $(rss) kB after 20,000 changes"
t_done
