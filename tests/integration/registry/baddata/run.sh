#!/usr/bin/env bash
# registry/baddata/run.sh -- bad data in Redis is skipped, never served,
# never fatal.
#
# The Functions refuse bad data, so it is written here by hand: instance
# and node hashes (HSET + SADD) before musterd's full load, and change
# stream entries (XADD) while it follows the stream.
#
# Behaviours checked:
#  - full load: an instance with a bad address, port 0, a port that is
#    no number, a port above 65535, a service name that is no DNS label,
#    a missing port, a missing service, a bad tag, a bad weight, an
#    over-long value, a bad health status; a node with a bad address:
#    each skipped with exactly one log line naming its key; the good
#    instances of the same service served; a hand-written valid instance
#    (no health hash) served; an id without a hash ignored quietly;
#  - a hash of the wrong type (a string at instance:<id>) does not stop
#    the registry from loading;
#  - stream: a register entry with bad data (new id: skipped, named; a
#    known id: skipped, the served instance left as it was), an entry
#    without op/id, an unknown op, a bad node entry: each one log line;
#    the stream is followed on (a later registration arrives), no
#    reconnect, no further full load;
#  - musterd alive throughout.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
P=b:
. "$top_srcdir/tests/integration/registry/reg.sh"

reg_redis r
reg web-1 web 10.0.0.1 80
reg web-2 web 10.0.0.2 81 tags blue
fc muster_node n1 10.0.0.1 >/dev/null

# hand ID FIELD VALUE...: an instance hash written by hand, with a
# passing health hash.
hand() {
	local id=$1
	shift
	rc HSET "${P}instance:$id" "$@" >/dev/null
	rc HSET "${P}health:$id" status passing maint 0 >/dev/null
	rc SADD "${P}instances" "$id" >/dev/null
}
long=$(printf 'x%.0s' $(seq 1 1100))
hand bad-addr service web address 10.0.0.300 port 80
hand bad-port0 service web address 10.0.0.12 port 0
hand bad-portstr service web address 10.0.0.13 port http
hand bad-portbig service web address 10.0.0.14 port 65536
hand bad-label service we_b address 10.0.0.15 port 80
hand bad-noport service web address 10.0.0.16
hand bad-nosvc address 10.0.0.17 port 80
hand bad-tag service web address 10.0.0.18 port 80 tags "ok,not ok"
hand bad-weight service web address 10.0.0.19 port 80 weight 70000
hand bad-long service web address 10.0.0.20 port 80 meta.x "$long"
hand bad-health service web address 10.0.0.21 port 80
rc HSET "${P}health:bad-health" status sickly >/dev/null
# valid, written by hand, without any health hash
rc HSET "${P}instance:hand-ok" service web address 10.0.0.30 port 80 >/dev/null
rc SADD "${P}instances" hand-ok >/dev/null
# an id without a hash
rc SADD "${P}instances" ghost >/dev/null
# a node with a bad address
rc HSET "${P}node:nbad" address 999.1.1.1 >/dev/null
rc SADD "${P}nodes" nbad >/dev/null
port=$(t_freeport)
t_start_musterd m -w 2 -l "127.0.0.1:$port" -r "unix://$R" --prefix "$P"
p=$port
reg_wait 10 is $p "$(printf '10.0.0.1\n10.0.0.2\n10.0.0.30')" web.service.consul A
t_expect "full load despite bad records: the good ones served" \
	"$(q $p web.service.consul A)" "$(printf '10.0.0.1\n10.0.0.2\n10.0.0.30')"
for k in bad-addr bad-port0 bad-portstr bad-portbig bad-label bad-noport \
    bad-nosvc bad-tag bad-weight bad-long bad-health; do
	t_expect "full load: ${P}instance:$k skipped, one log line" \
		"$(grep -c -- "${P}instance:$k skipped" "$T/m.log")" 1
done
t_expect "full load: ${P}node:nbad skipped, one log line" \
	"$(grep -c -- "${P}node:nbad skipped" "$T/m.log")" 1
t_expect "full load: the bad label served nowhere" "$(rcode $p we_b.service.consul A)" \
	"NXDOMAIN 0"
t_expect "full load: bad node not served" "$(rcode $p nbad.node.consul A)" "NXDOMAIN 0"
t_expect "full load: good node served" "$(q $p n1.node.consul A)" "10.0.0.1"
t_expect "full load: id without a hash: no log line" "$(grep -c "ghost" "$T/m.log")" 0

# ---- the stream ----
xadd() { rc XADD "${P}changes" '*' "$@"; }
e1=$(xadd op register id s-bad service web address nope port 80 health.status passing \
    health.maint 0)
e2=$(xadd op register id web-2 service web address 10.0.0.2 port 0 health.status passing \
    health.maint 0)
e3=$(xadd foo bar)
e4=$(xadd op frobnicate id x)
e5=$(xadd op register)
e6=$(xadd op node id nbad2 address 300.0.0.1)
e7=$(xadd op register id s-label service "-web" address 10.0.0.40 port 80)
reg web-3 web 10.0.0.3 82
reg_wait 5 has $p 10.0.0.3 web.service.consul A
t_expect "stream: followed past the bad entries" "$(q $p web.service.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.2\n10.0.0.3\n10.0.0.30')"
t_expect "stream: bad entry for a known instance leaves it as it was" \
	"$(q $p blue.web.service.consul SRV)" "1 1 81 0a000002.addr.dc1.consul."
t_expect "stream: ${P}instance:s-bad skipped, one log line" \
	"$(grep -c -- "${P}instance:s-bad skipped" "$T/m.log")" 1
t_expect "stream: ${P}instance:web-2 (port 0) skipped, one log line" \
	"$(grep -c -- "${P}instance:web-2 skipped" "$T/m.log")" 1
t_expect "stream: ${P}instance:s-label skipped, one log line" \
	"$(grep -c -- "${P}instance:s-label skipped" "$T/m.log")" 1
t_expect "stream: ${P}node:nbad2 skipped, one log line" \
	"$(grep -c -- "${P}node:nbad2 skipped" "$T/m.log")" 1
for e in "$e3" "$e4" "$e5"; do
	t_expect "stream: entry $e ($(rc XRANGE "${P}changes" "$e" "$e" | sed 1d |
	    paste -sd' ')) skipped, one log line" "$(grep -c -- "$e" "$T/m.log")" 1
done
t_expect "stream: no reconnect" "$(logcount m 'retrying')" 0
t_expect "stream: no second full load" "$(logcount m 'full load from')" 1
t_expect "musterd alive" "$(kill -0 "$m_pid" && echo yes)" yes

# ---- a key of the wrong type: a fresh musterd must still load ----
rc SET "${P}instance:wrongtype" "not a hash" >/dev/null
rc SADD "${P}instances" wrongtype >/dev/null
reg_musterd_nowait() {
	local name=$1 port
	port=$(t_freeport)
	eval "${name}_port=$port"
	t_start_musterd "$name" -w 2 -l "127.0.0.1:$port" -r "unix://$R" --prefix "$P"
}
reg_musterd_nowait m2
reg_wait 5 has $m2_port 10.0.0.3 web.service.consul A
t_expect "wrong-typed instance key: the registry loads" "$(q $m2_port web.service.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.2\n10.0.0.3\n10.0.0.30')"
t_expect "wrong-typed instance key: one full load, no retry loop" \
	"$(logcount m2 'full load from')" 1
t_expect "musterd m2 alive" "$(kill -0 "$m2_pid" && echo yes)" yes
t_done
