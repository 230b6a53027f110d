#!/usr/bin/env bash
# ptr/run.sh -- reverse names: registered addresses answer PTR.
#
# Behaviours checked (dig -x, like a user):
#  - in-addr.arpa and ip6.arpa names of registered addresses answer PTR,
#    authoritatively (AA), with the node TTL (--node-ttl 30, never 0):
#    to <node>.node.<dc>.<domain> when the instance has a node, else to
#    <svc>.service.<dc>.<domain>; a node record alone; an instance in
#    another datacenter; two services on one address give both names;
#  - the reverse name in any case (IN-ADDR.ARPA, upper-case nibbles),
#    echoed as asked;
#  - each PTR target resolves back to the address (forward-confirmed);
#  - the registry wins over the upstream's zone for the same address;
#  - other reverse names: forwarded when the client may recurse (the
#    upstream's PTR, RA set), answered from a zone of ours when one
#    holds them (NXDOMAIN there is final: not forwarded), REFUSED to a
#    client outside --allow-recursion (which still gets registered
#    PTRs, without RA);
#  - registry changes move the PTRs: deregistered addresses stop
#    answering from the registry, a new address starts.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/forward/fwd.sh"
t_need dig redis-server redis-cli

fwd_upstream up
fwd_redis redis
reg web1 web 192.0.2.10 80 node n1
node n1 192.0.2.10
reg web2 web 192.0.2.11 80
reg api61 api6 2001:db8::6 8080
reg db1 db 2001:db8::10 5432 node n6
node n6 2001:db8::10
node lonely 192.0.2.20
reg east1 east 192.0.2.13 80 dc dc2
reg cache1 cache 192.0.2.12 6379
reg queue1 queue 192.0.2.12 5672
reg solo1 solo 192.0.2.14 80 node n9
reg static1 static 198.51.100.7 80

fwd_musterd d --node-ttl 30 --allow-recursion 127.0.0.1/32 \
    --forward "127.0.0.1:$up_port" --forward-timeout 1000 \
    -z "$top_srcdir/tests/integration/forward/local-rev4.zone"
port=$d_port

# ptr ADDR [DIG-ARGS...]: the PTR names, sorted, on one line
ptr() { t_dig "$port" +recurse +short "$@" -x "$1" | sort | tr '\n' ' '; }
# outside ARGS...: dig from 127.0.0.2, outside the ACL
outside() { t_dig "$port" -b 127.0.0.2 +recurse "$@"; }

t_poll 10 answers "$port" "web.service.dc1.consul. " -x 192.0.2.11 ||
	t_fail "the registry did not come up"

t_expect "instance with a node: the node" "$(ptr 192.0.2.10)" "n1.node.dc1.consul. "
t_expect "instance without a node: the service" "$(ptr 192.0.2.11)" \
	"web.service.dc1.consul. "
t_expect "IPv6, no node: the service" "$(ptr 2001:db8::6)" "api6.service.dc1.consul. "
t_expect "IPv6, with a node" "$(ptr 2001:db8::10)" "n6.node.dc1.consul. "
t_expect "a node record alone" "$(ptr 192.0.2.20)" "lonely.node.dc1.consul. "
t_expect "another datacenter" "$(ptr 192.0.2.13)" "east.service.dc2.consul. "
t_expect "two services on one address" "$(ptr 192.0.2.12)" \
	"cache.service.dc1.consul. queue.service.dc1.consul. "
t_expect "node without a node record" "$(ptr 192.0.2.14)" "n9.node.dc1.consul. "

t_expect "PTR TTL is the node TTL (30)" \
    "$(t_dig "$port" +noall +answer -x 192.0.2.10 | awk '{ print $2, $4 }')" "30 PTR"
t_expect "IPv6 PTR TTL" \
    "$(t_dig "$port" +noall +answer -x 2001:db8::6 | awk '{ print $2, $4 }')" "30 PTR"
t_expect "AA, no forwarding" "$(rcode "$port" +recurse -x 192.0.2.10)" \
	"NOERROR qr aa rd ra"
t_expect_match "any case, echoed" \
    "$(t_dig "$port" +noall +answer 10.2.0.192.IN-ADDR.Arpa PTR)" \
    "^10\.2\.0\.192\.IN-ADDR\.Arpa\.[[:space:]]+30[[:space:]]+IN[[:space:]]+PTR[[:space:]]+n1\.node\.dc1\.consul\.$"
t_expect "upper-case nibbles" \
    "$(t_dig "$port" +short 6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA PTR)" \
    "api6.service.dc1.consul."

# forward-confirmed: each target's A/AAAA holds the address
for a in 192.0.2.10 192.0.2.11 192.0.2.20 192.0.2.13 192.0.2.14 2001:db8::6 2001:db8::10; do
	case $a in *:*) type=AAAA ;; *) type=A ;; esac
	for name in $(ptr "$a"); do
		t_expect_match "PTR $a -> $name -> $type $a" \
		    "$(t_dig "$port" +short "$name" "$type")" "^$a$"
	done
done

t_expect "the registry wins over the upstream's zone" \
    "$(ptr 192.0.2.10)" "n1.node.dc1.consul. "
t_expect "not registered: forwarded" "$(ptr 192.0.2.99)" "printer.upstream.test. "
t_expect "not registered, forwarded: upstream's flags, RA" \
    "$(rcode "$port" +recurse -x 192.0.2.99)" "NOERROR qr aa rd ra"
t_expect "not registered, IPv6: forwarded" "$(ptr 2001:db8::99)" \
	"printer6.upstream.test. "
t_expect "not registered, upstream has none: its NXDOMAIN" \
    "$(rcode "$port" +recurse -x 192.0.2.98)" "NXDOMAIN qr aa rd ra"
t_expect "in a zone of ours: the zone's PTR" "$(ptr 198.51.100.1)" "static.example.com. "
t_expect "in a zone of ours and registered: the registry" "$(ptr 198.51.100.7)" \
	"static.service.dc1.consul. "
t_expect "in a zone of ours, no such name: NXDOMAIN, final" \
    "$(rcode "$port" +recurse -x 198.51.100.8)" "NXDOMAIN qr aa rd ra"

# outside the ACL
t_expect "outside: registered PTR, no RA" "$(outside +short -x 192.0.2.10)" \
	"n1.node.dc1.consul."
t_expect_match "outside: registered PTR flags" "$(outside -x 192.0.2.10)" \
    "flags: qr aa rd;"
t_expect_match "outside: not registered: REFUSED" "$(outside -x 192.0.2.99)" \
    "status: REFUSED,"
t_expect_match "outside: not registered, IPv6: REFUSED, no RA" \
    "$(outside -x 2001:db8::99)" "flags: qr rd;"
t_expect_match "outside: zone of ours: answered" "$(outside -x 198.51.100.8)" \
    "status: NXDOMAIN,"

# registry changes
fc muster_deregister web2
reg web3 web 192.0.2.15 80
t_poll 10 answers "$port" "web.service.dc1.consul. " -x 192.0.2.15 ||
	t_fail "new address: PTR"
t_expect "deregistered: no longer from the registry (forwarded: NXDOMAIN)" \
    "$(rcode "$port" +recurse -x 192.0.2.11)" "NXDOMAIN qr aa rd ra"
reg web1 web 192.0.2.16 80
t_poll 10 answers "$port" "web.service.dc1.consul. " -x 192.0.2.16 ||
	t_fail "moved instance without node: PTR at the new address"
t_expect "moved instance: the node record still names its address" \
    "$(ptr 192.0.2.10)" "n1.node.dc1.consul. "
fc muster_node_delete n1
t_poll 10 answers "$port" "shadowed.upstream.test. " -x 192.0.2.10 ||
	t_fail "node deleted: PTR gone, the upstream's answer forwarded"

t_done
