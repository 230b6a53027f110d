#!/usr/bin/env bash
# registry/trimlive/run.sh -- entries trimmed before musterd read them.
#
# musterd is connected and following the change stream.  A transaction
# (MULTI/EXEC) registers an instance through the registry's own Function
# (so the hash and its stream entry are right) and trims the stream to
# nothing, in one atomic step, so musterd can never read the new entry.
# musterd
# checks before each read that its last applied entry is still in the
# stream; it is not, so it probes and loads the registry in full, and
# the instance is answered.
#
# Behaviours checked:
#  - the registration made and trimmed away while connected is answered;
#  - it took a full load (logged), not a resumed read;
#  - FLUSHALL while connected, then a new registration (a new stream
#    whose ids are later than ours): the flushed instances leave the
#    answers, the new one is served (a full load).
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/registry/reg.sh"
t_need dig

reg_redis r
reg a-1 a 10.0.0.1 80
reg_musterd m
p=$m_port
loads() { grep -cE 'registry, full load: ' "$T/m.log"; }

t_expect "served" "$(t_dig "$p" +short a.service.consul A)" "10.0.0.1"
reg a-2 a 10.0.0.2 80		# musterd now follows from this entry
t_poll 5 sh -c "[ \"\$(dig +short @127.0.0.1 -p $p a.service.consul A | wc -l)\" = 2 ]" ||
	t_fail "a-2 not answered"
before=$(loads)

# register b-1 and trim the stream away in one atomic step
printf '%s\n' MULTI "FCALL muster_register 0 $P b-1 b 10.0.0.9 80" \
    "XTRIM ${P}changes MAXLEN 0" EXEC | redis-cli -s "$R" >/dev/null
t_poll 10 sh -c "[ \"\$(dig +short @127.0.0.1 -p $p b.service.consul A)\" = 10.0.0.9 ]" ||
	t_fail "registered and trimmed while connected: not answered"
t_expect "trimmed while connected: answered" \
	"$(t_dig "$p" +short b.service.consul A)" "10.0.0.9"
t_expect "trimmed while connected: one full load" "$(loads)" "$((before + 1))"

# the registry replaced under a connected musterd
rc FLUSHALL >/dev/null
reg_load
reg c-1 c 10.0.0.7 80
t_poll 10 sh -c "[ \"\$(dig +short @127.0.0.1 -p $p c.service.consul A)\" = 10.0.0.7 ]" ||
	t_fail "after FLUSHALL: new instance not answered"
t_poll 10 sh -c "dig @127.0.0.1 -p $p b.service.consul A | grep -q NXDOMAIN" ||
	t_fail "after FLUSHALL: flushed instance still answered"
t_expect "after FLUSHALL: new instance" "$(t_dig "$p" +short c.service.consul A)" "10.0.0.7"
t_expect "after FLUSHALL: old instance gone" \
	"$(t_dig "$p" a.service.consul A | grep -o 'status: [A-Z]*')" "status: NXDOMAIN"

t_done
