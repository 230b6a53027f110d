#!/usr/bin/env bash
# registry/names/run.sh -- the names musterd answers from the registry.
#
# One redis (registry under the non-default prefix "t:"; a decoy
# instance under "muster:" must not show), two musterds on it: m1 with
# the defaults but --service-ttl 7 --node-ttl 11, m2 with --datacenter
# dc2, --domain disco.example and --answer-limit 1.
#
# Behaviours checked:
#  - <svc>.service[.<dc>].D for A, AAAA, SRV, TXT (meta, deduplicated),
#    ANY (A + AAAA); the service label matched case-insensitively;
#  - <tag>.<svc>.service[.<dc>].D; _<svc>._tcp|_udp[.service][.<dc>].D
#    and _<svc>._<tag>[.service][.<dc>].D: SRV only, other types NODATA;
#    an unknown tag NXDOMAIN;
#  - SRV targets: <node>.node.<dc>.D when the instance's address is its
#    node's, else <hex>.addr.<dc>.D (IPv4 and IPv6), no node -> hex; A or
#    AAAA glue for each target in the additional section; priority
#    groups in ascending order in every answer;
#  - <node>.node[.<dc>].D A/AAAA/TXT (node meta), node TTL; unknown node
#    NXDOMAIN;
#  - <hex>.addr[.<dc>].D: 8 hex -> A, 32 -> AAAA, the other type NODATA,
#    hex digits in either case; bad hex or length -> NXDOMAIN;
#  - empty non-terminals (service, node, addr, dc1, _tcp, _tcp.service,
#    service.dc1...) NOERROR with no answer and the SOA;
#  - unknown service / name below a service / unknown dc: NXDOMAIN with
#    the SOA, negative TTL = SOA minimum (5);
#  - TTL: smallest instance ttl; --service-ttl when an instance sets none;
#    glue shares the answer's TTL;
#  - the domain in answers, targets and glue spelled as in the question;
#  - datacenters: instances with a dc field answer under that dc only;
#    --datacenter makes another dc local (names without a dc label and
#    SRV targets); --domain; --answer-limit; --prefix isolation.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
P=t:
. "$top_srcdir/tests/integration/registry/reg.sh"

reg_redis r

# nodes
fc muster_node n1 10.0.0.1 meta.rack r1 meta.os linux >/dev/null
fc muster_node n2 10.0.0.2 >/dev/null
fc muster_node n6 2001:db8::6 >/dev/null
# web: priority 1 (v4, node form and hex form), 2 (v6 node), 3 (v6 no node)
reg web-1 web 10.0.0.1 8001 node n1 tags v1,blue weight 5 ttl 30 \
    meta.version 1.0
reg web-2 web 10.0.0.22 8002 node n2 tags v2 weight 5 meta.version 2.0 \
    meta.team core
reg web-3 web 2001:db8::6 8003 node n6 tags v2 priority 2 meta.team core
reg web-4 web 2001:db8::7 8004 priority 3
# web in another datacenter only
reg web-x web 10.9.0.3 8009 dc dc3
# api: every instance has a ttl; api-3 names the local dc explicitly
reg api-1 api 10.0.1.1 9001 ttl 20
reg api-2 api 10.0.1.2 9002 ttl 10
reg api-3 api 10.0.1.3 9003 ttl 15 dc dc1
# n7 has no node record: its addresses are its instances' (two)
reg multi-1 multi 10.0.7.1 7001 node n7
reg other-1 other 10.0.7.2 7002 node n7
# n8 has no node record and one instance address
reg solo-1 solo 10.0.8.1 8001 node n8
# db: no ttl anywhere
reg db-1 db 10.0.2.1 5432
# ttl 0: not to be cached
reg zero-1 zero 10.0.3.1 80 ttl 0
# a registry under another prefix in the same redis
rc FCALL muster_register 0 muster: ghost-1 ghost 10.6.6.6 66 >/dev/null

reg_musterd m1 --service-ttl 7 --node-ttl 11
reg_musterd m2 --datacenter dc2 -d disco.example --answer-limit 1
p=$m1_port

# ---- services ----
t_expect "service A" "$(q $p web.service.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.22')"
t_expect "service AAAA" "$(q $p web.service.consul AAAA)" \
	"$(printf '2001:db8::6\n2001:db8::7')"
t_expect "service A with local dc label" "$(q $p web.service.dc1.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.22')"
t_expect "dc label case-insensitive" "$(q $p web.service.DC1.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.22')"
t_expect "service label case-insensitive" "$(q $p WeB.SERVICE.consul A)" \
	"$(printf '10.0.0.1\n10.0.0.22')"
t_expect "service ANY = A + AAAA" "$(q $p web.service.consul ANY)" \
	"$(printf '10.0.0.1\n10.0.0.22\n2001:db8::6\n2001:db8::7')"
t_expect "service SRV" "$(q $p web.service.consul SRV)" "$(printf '%s\n' \
	"1 5 8001 n1.node.dc1.consul." \
	"1 5 8002 0a000016.addr.dc1.consul." \
	"2 1 8003 n6.node.dc1.consul." \
	"3 1 8004 20010db8000000000000000000000007.addr.dc1.consul." | sort)"
t_expect "service TXT: meta, deduplicated" "$(q $p web.service.consul TXT)" \
	"$(printf '"team=core"\n"version=1.0"\n"version=2.0"')"
t_expect "service without meta: TXT NODATA" "$(rcode $p db.service.consul TXT)" \
	"NOERROR 0"
t_expect "service MX: NODATA" "$(rcode $p web.service.consul MX)" "NOERROR 0"
t_expect "NODATA has the SOA" "$(soa $p web.service.consul MX)" "consul. 5 SOA"

# ---- SRV targets and glue ----
t_expect "SRV glue: node form A, hex form A, node AAAA, hex AAAA" \
	"$(sect $p additional web.service.consul SRV)" "$(printf '%s\n' \
	"n1.node.dc1.consul. 7 A 10.0.0.1" \
	"0a000016.addr.dc1.consul. 7 A 10.0.0.22" \
	"n6.node.dc1.consul. 7 AAAA 2001:db8::6" \
	"20010db8000000000000000000000007.addr.dc1.consul. 7 AAAA 2001:db8::7" | sort)"
# priority groups: every answer lists 1, 1, 2, 3
got=$(answers $p web.service.consul SRV 300 |
    awk '{ s = ""; for (i = 1; i <= NF; i++) { split($i, f, ":"); s = s (i > 1 ? " " : "") f[1] } print s }' |
    sort | uniq -c | awk '{ print $1 ":", $2, $3, $4, $5 }')
t_expect "SRV priority groups ascending in all 300 answers" "$got" "300: 1 1 2 3"

t_expect "node without record, one address: node form" \
	"$(q $p solo.service.consul SRV)" "1 1 8001 n8.node.dc1.consul."
t_expect "node without record: its instances' addresses" \
	"$(q $p n7.node.consul A)" "$(printf '10.0.7.1\n10.0.7.2')"
# a target must resolve to the address the port is on, and only to it
t_expect "node resolving to two addresses: hex form" \
	"$(q $p multi.service.consul SRV)" "1 1 7001 0a000701.addr.dc1.consul."
t_expect "glue of that target: the instance's address only" \
	"$(sect $p additional multi.service.consul SRV | awk '{ print $4 }')" "10.0.7.1"

# ---- RFC 2782 forms ----
srv4=$(q $p web.service.consul SRV)
for n in _web._tcp.service.consul _web._udp.service.consul _web._tcp.consul \
    _web._tcp.service.dc1.consul _web._tcp.dc1.consul _WEB._TCP.service.consul; do
	t_expect "RFC 2782 $n" "$(q $p $n SRV)" "$srv4"
done
t_expect "RFC 2782 A: NODATA" "$(rcode $p _web._tcp.service.consul A)" "NOERROR 0"
t_expect "RFC 2782 A: SOA" "$(soa $p _web._tcp.service.consul A)" "consul. 5 SOA"
t_expect "RFC 2782 TXT: NODATA" "$(rcode $p _web._tcp.consul TXT)" "NOERROR 0"
t_expect "RFC 2782 unknown service" "$(rcode $p _nope._tcp.service.consul SRV)" \
	"NXDOMAIN 0"

# ---- tags ----
t_expect "tag A" "$(q $p v2.web.service.consul A)" "10.0.0.22"
t_expect "tag AAAA" "$(q $p v2.web.service.consul AAAA)" "2001:db8::6"
t_expect "tag with dc" "$(q $p blue.web.service.dc1.consul A)" "10.0.0.1"
t_expect "tag SRV" "$(q $p v2.web.service.consul SRV)" "$(printf '%s\n' \
	"1 5 8002 0a000016.addr.dc1.consul." "2 1 8003 n6.node.dc1.consul.")"
t_expect "tag RFC 2782 _svc._tag.service" "$(q $p _web._v2.service.consul SRV)" \
	"$(q $p v2.web.service.consul SRV)"
t_expect "tag RFC 2782 _svc._tag" "$(q $p _web._blue.consul SRV)" \
	"1 5 8001 n1.node.dc1.consul."
t_expect "tag RFC 2782 _svc._tag.dc" "$(q $p _web._blue.dc1.consul SRV)" \
	"1 5 8001 n1.node.dc1.consul."
t_expect "tag RFC 2782, A: NODATA" "$(rcode $p _web._v2.consul A)" "NOERROR 0"
t_expect "tag case-insensitive" "$(q $p V2.web.service.consul A)" "10.0.0.22"
t_expect "unknown tag" "$(rcode $p nope.web.service.consul A)" "NXDOMAIN 0"
t_expect "unknown tag RFC 2782" "$(rcode $p _web._nope.service.consul SRV)" \
	"NXDOMAIN 0"
t_expect "tag with only IPv4 instances, AAAA: NODATA" \
	"$(rcode $p blue.web.service.consul AAAA)" "NOERROR 0"

# ---- nodes ----
t_expect "node A" "$(sect $p answer n1.node.consul A)" "n1.node.consul. 11 A 10.0.0.1"
t_expect "node A with dc" "$(q $p n1.node.dc1.consul A)" "10.0.0.1"
t_expect "node AAAA" "$(q $p n6.node.consul AAAA)" "2001:db8::6"
t_expect "node of another family: NODATA" "$(rcode $p n1.node.consul AAAA)" \
	"NOERROR 0"
t_expect "node TXT: meta" "$(q $p n1.node.consul TXT)" \
	"$(printf '"os=linux"\n"rack=r1"')"
t_expect "unknown node" "$(rcode $p nope.node.consul A)" "NXDOMAIN 0"
t_expect "unknown node SOA" "$(soa $p nope.node.consul A)" "consul. 5 SOA"

# ---- addr ----
t_expect "addr v4" "$(sect $p answer 0a000016.addr.consul A)" \
	"0a000016.addr.consul. 7 A 10.0.0.22"
t_expect "addr v4 with dc" "$(q $p 0a000016.addr.dc1.consul A)" "10.0.0.22"
t_expect "addr v4, upper-case hex" "$(q $p 0A0000FF.addr.consul A)" "10.0.0.255"
t_expect "addr v6" "$(q $p 20010db8000000000000000000000007.addr.consul AAAA)" \
	"2001:db8::7"
t_expect "addr v6 with dc" \
	"$(q $p 20010DB8000000000000000000000007.addr.dc1.consul AAAA)" "2001:db8::7"
t_expect "addr v4 AAAA: NODATA" "$(rcode $p 0a000016.addr.consul AAAA)" "NOERROR 0"
t_expect "addr v6 A: NODATA" \
	"$(rcode $p 20010db8000000000000000000000007.addr.consul A)" "NOERROR 0"
t_expect "addr bad hex" "$(rcode $p 0a00001g.addr.consul A)" "NXDOMAIN 0"
t_expect "addr 6 digits" "$(rcode $p 0a0000.addr.consul A)" "NXDOMAIN 0"
t_expect "addr 9 digits" "$(rcode $p 0a0000160.addr.consul A)" "NXDOMAIN 0"
t_expect "addr bad hex SOA" "$(soa $p zz000016.addr.consul A)" "consul. 5 SOA"

# ---- empty non-terminals ----
for n in service.consul node.consul addr.consul dc1.consul _tcp.consul \
    _udp.consul _tcp.service.consul service.dc1.consul node.dc1.consul \
    _tcp.dc1.consul dc3.consul SERVICE.consul; do
	t_expect "ENT $n NODATA" "$(rcode $p $n A)" "NOERROR 0"
	t_expect "ENT $n SOA" "$(soa $p $n SRV)" "consul. 5 SOA"
done

# ---- NXDOMAIN ----
for n in nope.service.consul nope.service.dc1.consul a.b.web.service.consul \
    web.service.dc9.consul web.service.dc2.consul x.dc9.consul nothing.consul \
    ghost.service.consul; do
	t_expect "NXDOMAIN $n" "$(rcode $p $n A)" "NXDOMAIN 0"
	t_expect "NXDOMAIN $n SOA, negative TTL" "$(soa $p $n A)" "consul. 5 SOA"
done
t_expect "NXDOMAIN SRV" "$(rcode $p nope.service.consul SRV)" "NXDOMAIN 0"

# ---- TTL ----
t_expect "TTL: smallest instance ttl" "$(sect $p answer api.service.consul A | awk '{ print $2 }' | uniq)" "10"
t_expect "TTL SRV: smallest instance ttl" "$(sect $p answer api.service.consul SRV | awk '{ print $2 }' | uniq)" "10"
t_expect "TTL: --service-ttl without instance ttls" \
	"$(sect $p answer db.service.consul A | awk '{ print $2 }')" "7"
t_expect "TTL: one RRset, one TTL (ttl 30 and default 7)" \
	"$(sect $p answer web.service.consul SRV | awk '{ print $2 }' | uniq)" "7"
t_expect "TTL 0" "$(sect $p answer zero.service.consul A | awk '{ print $2 }')" "0"
t_expect "TTL TXT" "$(sect $p answer web.service.consul TXT | awk '{ print $2 }' | uniq)" "7"

# ---- the question's spelling of the domain ----
t_expect "domain case echoed, A" "$(sect $p answer web.service.CONSUL A | awk '{ print $1 }' | uniq)" \
	"web.service.CONSUL."
t_expect "domain case echoed, SRV targets" \
	"$(q $p _web._tcp.service.CoNsUl SRV | awk '{ print $4 }' | sort)" "$(printf '%s\n' \
	n1.node.dc1.CoNsUl. 0a000016.addr.dc1.CoNsUl. n6.node.dc1.CoNsUl. \
	20010db8000000000000000000000007.addr.dc1.CoNsUl. | sort)"
t_expect "domain case echoed, glue owners" \
	"$(sect $p additional _web._tcp.service.CoNsUl SRV | awk '{ print $1 }')" \
	"$(printf '%s\n' n1.node.dc1.CoNsUl. 0a000016.addr.dc1.CoNsUl. n6.node.dc1.CoNsUl. \
	20010db8000000000000000000000007.addr.dc1.CoNsUl. | sort)"
t_expect "domain case echoed, SOA owner" "$(soa $p nope.service.CONSUL A)" \
	"CONSUL. 5 SOA"

# ---- datacenters ----
t_expect "dc3 instance only under dc3" "$(q $p web.service.dc3.consul A)" "10.9.0.3"
t_expect "dc3 SRV target in dc3" "$(q $p web.service.dc3.consul SRV)" \
	"1 1 8009 0a090003.addr.dc3.consul."
t_expect "dc3 RFC 2782" "$(q $p _web._tcp.dc3.consul SRV)" \
	"1 1 8009 0a090003.addr.dc3.consul."
t_expect "dc field = local dc joins the local service" \
	"$(q $p api.service.consul A)" "$(printf '10.0.1.1\n10.0.1.2\n10.0.1.3')"

# ---- m2: --datacenter dc2 --domain disco.example --answer-limit 1 ----
p2=$m2_port
t_expect "m2: answer limit A" "$(qs $p2 web.service.disco.example A | wc -l)" "1"
t_expect "m2: answer limit SRV" "$(qs $p2 web.service.disco.example SRV | wc -l)" "1"
t_expect "m2: local dc2, SRV target in dc2" "$(q $p2 blue.web.service.disco.example SRV)" \
	"1 5 8001 n1.node.dc2.disco.example."
t_expect "m2: local dc label" "$(q $p2 blue.web.service.dc2.disco.example A)" \
	"10.0.0.1"
t_expect_match "m2: instances without dc are local (dc2)" \
	"$(q $p2 api.service.disco.example A)" '^10\.0\.1\.[12]$'
t_expect "m2: dc1 holds only the instance with dc dc1" \
	"$(q $p2 api.service.dc1.disco.example A)" "10.0.1.3"
t_expect "m2: dc3" "$(q $p2 web.service.dc3.disco.example SRV)" \
	"1 1 8009 0a090003.addr.dc3.disco.example."
t_expect "m2: node in dc2" "$(q $p2 n1.node.dc2.disco.example A)" "10.0.0.1"
t_expect "m2: node not in dc1" "$(rcode $p2 n1.node.dc1.disco.example A)" "NXDOMAIN 0"
t_expect "m2: dc1 ENT" "$(rcode $p2 dc1.disco.example A)" "NOERROR 0"
t_expect "m2: consul. is not served" "$(rcode $p2 web.service.consul A)" "REFUSED 0"
t_expect "m2: NXDOMAIN SOA" "$(soa $p2 nope.service.disco.example A)" \
	"disco.example. 5 SOA"

t_expect "m1 alive" "$(kill -0 "$m1_pid" && echo yes)" yes
t_expect "m2 alive" "$(kill -0 "$m2_pid" && echo yes)" yes
t_done
