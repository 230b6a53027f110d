#!/usr/bin/env bash
# sentinel/replica-resync.sh -- musterd reading from a replica follows
# the replica when its data is replaced by a full resync.
#
# A replica that gets a new primary whose history differs (after a
# failover the old primary, or a replica that was ahead, resyncs from
# the new primary; or an operator's REPLICAOF) loads the new primary's
# data in full: the change stream musterd follows is replaced by another
# one.  musterd must notice and load the registry again ("full reload
# when it cannot tell"), not go on serving instances the replica no
# longer has, nor miss the ones it has now.
#
# Made deterministic without Sentinel: replica r follows a (instances
# a1-a3); b, written before a (so its stream ids are lower), holds b1;
# then REPLICAOF b on r.  Afterwards musterd (reading r) must serve b1
# and not a1-a3.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
t_need dig redis-server redis-cli
MUSTER_LUA=$top_srcdir/contrib/muster.lua

rcli() { local s=$1; shift; redis-cli -s "$s" "$@" </dev/null; }
# b keeps Redis's default repl-diskless-sync-delay (5 s), as a new
# primary does: musterd, unblocked by the REPLICAOF, reconnects to the
# replica while it still holds a's data, which is replaced under it later
t_start_redis b
redis-cli -s "$b_sock" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA" >/dev/null
rcli "$b_sock" FCALL muster_register 0 muster: b1 bsvc 192.0.2.1 80 >/dev/null
t_start_redis a --repl-diskless-sync-delay 0
redis-cli -s "$a_sock" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA" >/dev/null
for i in 1 2 3; do
	rcli "$a_sock" FCALL muster_register 0 muster: "a$i" asvc "192.0.2.1$i" 80 >/dev/null
done
t_start_redis r --replicaof 127.0.0.1 "$a_port"
synced() { rcli "$r_sock" SMEMBERS muster:instances | grep -q "^$1\$"; }
t_poll 10 synced a3 || { t_fail "r did not replicate a"; exit 1; }

dport=$(t_freeport)
t_start_musterd d -w 1 -l "127.0.0.1:$dport" -r "unix://$r_sock"
a_of() { t_dig "$dport" +short "$1" A | sort | paste -sd' ' -; }
is() { [ "$("$1" "$2")" = "$3" ]; }
t_poll 10 is a_of asvc.service.consul "192.0.2.11 192.0.2.12 192.0.2.13" ||
	t_fail "musterd did not load from the replica"

rcli "$r_sock" REPLICAOF 127.0.0.1 "$b_port" >/dev/null
t_poll 15 synced b1 || { t_fail "r did not resync from b"; exit 1; }
t_expect "the replica now holds only b's registry" \
    "$(rcli "$r_sock" SMEMBERS muster:instances | sort | paste -sd' ' -)" b1

t_poll 10 is a_of bsvc.service.consul 192.0.2.1
t_expect "musterd serves what the replica holds now (b1)" \
    "$(a_of bsvc.service.consul)" 192.0.2.1
t_expect "musterd no longer serves what the replica dropped (a1-a3)" \
    "$(a_of asvc.service.consul)" ""
grep -E 'resuming|full load|reset|trimmed|UNBLOCKED' "$T/d.log" |
    sed 's/^/#   musterd: /' | head -10

t_done
