#!/usr/bin/env bash
# registry/stream/run.sh -- changes reach musterd through the change stream.
#
# musterd loads the registry once, then follows <prefix>changes; every
# check here changes the registry with a Function after that load and
# polls (deadline 5 s) until the answer shows it.  How long each change
# took to be answered is logged ("# latency ...": from the FCALL's
# return to the first answer showing it, polled every ~5 ms with dnsq).
#
# Behaviours checked:
#  - register -> answered; deregister -> NXDOMAIN; latencies logged;
#  - re-registering an unchanged instance appends no stream entry (XLEN)
#    and changes no answer; an updated one (port, tags, weight, meta,
#    ttl) is served as updated, with one entry;
#  - node changes switch SRV targets: an instance with a node but no node
#    record -> node form; a node record with another address -> hex form
#    (and the node name answers the record's address); back to the same
#    address -> node form; node record deleted -> node form on the
#    instance's address again; node meta -> node TXT;
#  - an instance moved to another service leaves the old one;
#  - a burst of 150 registrations piped at once all arrive (answer over
#    TCP), and 150 deregistrations leave NXDOMAIN;
#  - register + deregister back to back: the last state wins;
#  - no full load after the first one (the stream is followed).
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/registry/reg.sh"

reg_redis r
reg base-1 base 10.0.0.1 80
reg_musterd m
p=$m_port

# dq HEX WANT: does the dnsq query HEX (mkq) give WANT ("rcode=X ...
# an=N", as a regex over dnsq's line)?
dq() {
	local out
	out=$("$DNSQ" -p "$p" -T 500 "$1")
	[[ $out =~ $2 ]]
}
lat=""
# timed WHAT NAME TYPE REGEX: wait for dq, log and remember the latency.
timed() {
	t_checks=$((t_checks + 1))
	local qh
	qh=$(mkq "$2" "$3")
	if reg_wait 5 dq "$qh" "$4"; then
		t_log "latency $1: $reg_waited ms"
		lat="$lat $reg_waited"
	else
		t_fail "$1: not answered within 5 s"
		t_dig "$p" "$2" "$3" | sed 's/^/  /'
	fi
}

t_expect "served after the full load" "$(q $p base.service.consul A)" "10.0.0.1"

# register -> answered, deregister -> gone, five times over
for i in 1 2 3 4 5; do
	reg "new-$i" "new$i" "10.1.0.$i" 80
	timed "register new$i -> answered" "new$i.service.consul" A "rcode=NOERROR .* an=1 "
	t_expect "new$i: the registered address" "$(q $p new$i.service.consul A)" "10.1.0.$i"
	fc muster_deregister "new-$i" >/dev/null
	timed "deregister new$i -> NXDOMAIN" "new$i.service.consul" A "rcode=NXDOMAIN "
done

# unchanged re-registration: no entry, same answer
reg web-1 web 10.2.0.1 8080 tags a,b weight 3 meta.v 1
reg_wait 5 has $p "1 3 8080 0a020001.addr.dc1.consul." web.service.consul SRV
len=$(rc XLEN "${P}changes")
t_expect "re-register unchanged: reply" \
	"$(fc muster_register web-1 web 10.2.0.1 8080 tags a,b weight 3 meta.v 1)" unchanged
t_expect "re-register unchanged: no stream entry" "$(rc XLEN "${P}changes")" "$len"
t_expect "re-register unchanged: same answer" "$(q $p web.service.consul SRV)" \
	"1 3 8080 0a020001.addr.dc1.consul."

# updates
t_expect "update: reply" "$(fc muster_register web-1 web 10.2.0.1 8081 tags b,c \
	weight 4 meta.v 2 ttl 33)" updated
t_expect "update: one stream entry" "$(rc XLEN "${P}changes")" "$((len + 1))"
reg_wait 5 has $p "1 4 8081 0a020001.addr.dc1.consul." web.service.consul SRV
t_expect "update: port and weight" "$(q $p web.service.consul SRV)" \
	"1 4 8081 0a020001.addr.dc1.consul."
t_expect "update: new tag" "$(q $p c.web.service.consul A)" "10.2.0.1"
t_expect "update: dropped tag" "$(rcode $p a.web.service.consul A)" "NXDOMAIN 0"
t_expect "update: meta" "$(q $p web.service.consul TXT)" '"v=2"'
t_expect "update: ttl" "$(sect $p answer web.service.consul A | awk '{ print $2 }')" "33"
reg web-1 api 10.2.0.1 8081
reg_wait 5 is $p "10.2.0.1" api.service.consul A
t_expect "moved to another service: there" "$(q $p api.service.consul A)" "10.2.0.1"
t_expect "moved to another service: not in the old" "$(rcode $p web.service.consul A)" \
	"NXDOMAIN 0"

# nodes and SRV target forms
reg nd-1 nd 10.7.0.1 7001 node nx
timed "instance with a node, no node record" nd.service.consul A "an=1 "
t_expect "no node record: node form" "$(q $p nd.service.consul SRV)" \
	"1 1 7001 nx.node.dc1.consul."
t_expect "no node record: node answers the instance address" \
	"$(q $p nx.node.consul A)" "10.7.0.1"
fc muster_node nx 10.7.0.99 meta.rack r9 >/dev/null
reg_wait 5 has $p "1 1 7001 0a070001.addr.dc1.consul." nd.service.consul SRV
t_expect "node record elsewhere: hex form" "$(q $p nd.service.consul SRV)" \
	"1 1 7001 0a070001.addr.dc1.consul."
t_expect "node record elsewhere: node answers its record" "$(q $p nx.node.consul A)" \
	"10.7.0.99"
t_expect "node meta" "$(q $p nx.node.consul TXT)" '"rack=r9"'
fc muster_node nx 10.7.0.1 meta.rack r1 >/dev/null
reg_wait 5 has $p "1 1 7001 nx.node.dc1.consul." nd.service.consul SRV
t_expect "node record on the instance address: node form" \
	"$(q $p nd.service.consul SRV)" "1 1 7001 nx.node.dc1.consul."
t_expect "node meta updated" "$(q $p nx.node.consul TXT)" '"rack=r1"'
fc muster_node nx 10.7.0.50 >/dev/null
reg_wait 5 has $p "1 1 7001 0a070001.addr.dc1.consul." nd.service.consul SRV
t_expect "node moved again: hex form" "$(q $p nd.service.consul SRV)" \
	"1 1 7001 0a070001.addr.dc1.consul."
t_expect "node without meta: TXT NODATA" "$(rcode $p nx.node.consul TXT)" "NOERROR 0"
fc muster_node_delete nx >/dev/null
reg_wait 5 has $p "1 1 7001 nx.node.dc1.consul." nd.service.consul SRV
t_expect "node record deleted: node form again" "$(q $p nd.service.consul SRV)" \
	"1 1 7001 nx.node.dc1.consul."
t_expect "node record deleted: node answers the instance address" \
	"$(q $p nx.node.consul A)" "10.7.0.1"
reg nd-1 nd 10.7.0.1 7001
reg_wait 5 has $p "1 1 7001 0a070001.addr.dc1.consul." nd.service.consul SRV
t_expect "node dropped from the instance: hex form" "$(q $p nd.service.consul SRV)" \
	"1 1 7001 0a070001.addr.dc1.consul."
t_expect "node dropped from the instance: node gone" "$(rcode $p nx.node.consul A)" \
	"NXDOMAIN 0"

# a burst, piped in one go
for i in $(seq 1 150); do
	echo "FCALL muster_register 0 $P burst-$i burst 10.9.$((i / 256)).$((i % 256)) 80"
done | redis-cli -s "$R" >"$T/burst.out"
t_expect "burst: all created" "$(grep -c created "$T/burst.out")" 150
burstn() { [ "$(t_dig "$p" +tcp +short burst.service.consul A | wc -l)" = "$1" ]; }
reg_wait 10 burstn 150
t_expect "burst: 150 addresses over TCP" \
	"$(t_dig "$p" +tcp +short burst.service.consul A | sort -u | wc -l)" 150
t_log "latency burst of 150 -> all answered: $reg_waited ms"
t_expect_match "burst: UDP answer truncated (TC)" \
	"$(t_dig "$p" +ignore burst.service.consul A)" "flags: qr aa tc;"
for i in $(seq 1 150); do
	echo "FCALL muster_deregister 0 $P burst-$i"
done | redis-cli -s "$R" >/dev/null
reg_wait 10 dq "$(mkq burst.service.consul A)" "rcode=NXDOMAIN "
t_expect "burst deregistered: NXDOMAIN" "$(rcode $p burst.service.consul A)" "NXDOMAIN 0"

# back to back: the last state wins
reg bb-1 bb 10.3.0.1 80
fc muster_deregister bb-1 >/dev/null
reg bb-2 bb 10.3.0.2 80
reg_wait 5 is $p 10.3.0.2 bb.service.consul A
t_expect "register, deregister, register: last state" "$(q $p bb.service.consul A)" \
	"10.3.0.2"

t_expect "one full load only" "$(logcount m 'full load from')" 1
t_expect "musterd alive" "$(kill -0 "$m_pid" && echo yes)" yes
t_log "latencies (ms):$lat"
t_done
