#!/usr/bin/env bash
# acl/run.sh -- musterd is never an open resolver.
#
# The outside client is 127.0.0.2 (dig -b), against
# --allow-recursion 127.0.0.1/32.  Behaviours checked:
#  - outside: names outside our zones are REFUSED over UDP and TCP,
#    with or without RD, and nothing reaches the upstream (its query
#    count does not move); no answer to it carries RA; it still gets
#    authoritative answers for the registry and the zone files;
#  - inside (127.0.0.1): forwarded, RA on every answer, ours included;
#  - the default ACL is loopback (127.0.0.0/8 and ::1): 127.0.0.2 and
#    ::1 may recurse;
#  - an ACL of one other address: 127.0.0.1 itself is refused;
#  - without forwarders nobody gets RA, outside names are REFUSED;
#  - a bad CIDR stops the start with a message.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/forward/fwd.sh"
t_need dig redis-server redis-cli

fwd_upstream up
fwd_redis redis
reg web1 web 192.0.2.10 80 node n1
node n1 192.0.2.10
zone=$top_srcdir/tests/integration/auth/example.zone

fwd_musterd d --allow-recursion 127.0.0.1/32 --forward "127.0.0.1:$up_port" \
    --forward-timeout 1000 -z "$zone"
port=$d_port
t_poll 10 answers "$port" "192.0.2.10 " web.service.consul A ||
	t_fail "the registry did not come up"

# st PORT ARGS...: "RCODE flags" (rcode() with RD set by default)
st() { local p=$1; shift; rcode "$p" +recurse "$@"; }
out() { st "$port" -b 127.0.0.2 "$@"; }

st "$port" www.upstream.test A >/dev/null	# one that does go upstream
before=$(upstream_queries up)
t_expect "the upstream's query count works" "$([ "$before" -ge 1 ] && echo yes)" yes
t_expect "outside: forwarded name REFUSED" "$(out www.upstream.test A)" "REFUSED qr rd"
t_expect "outside: REFUSED over TCP" "$(out +tcp www.upstream.test A)" "REFUSED qr rd"
t_expect "outside: REFUSED without RD" "$(out +norecurse www.upstream.test A)" "REFUSED qr"
t_expect "outside: root NS REFUSED" "$(out . NS)" "REFUSED qr rd"
t_expect "outside: ANY REFUSED" "$(out www.upstream.test ANY)" "REFUSED qr rd"
t_expect_match "outside: REFUSED keeps EDNS, no RA" \
    "$(t_dig "$port" -b 127.0.0.2 +recurse +bufsize=1232 www.upstream.test A)" \
    "EDNS: version: 0, flags:; udp: 1232"
after=$(upstream_queries up)
t_log "upstream queries: $before before, $after after"
t_expect "outside: nothing reached the upstream" "$after" "$before"

t_expect "outside: registry name answered, no RA" "$(out web.service.consul A)" \
	"NOERROR qr aa rd"
t_expect "outside: the registry's address" \
    "$(t_dig "$port" -b 127.0.0.2 +short web.service.consul A)" "192.0.2.10"
t_expect "outside: registry NXDOMAIN, no RA" "$(out nope.service.consul A)" \
	"NXDOMAIN qr aa rd"
t_expect "outside: registry NODATA, no RA" "$(out web.service.consul AAAA)" \
	"NOERROR qr aa rd"
t_expect "outside: SRV, no RA" "$(out _web._tcp.service.consul SRV)" "NOERROR qr aa rd"
t_expect "outside: zone file name, no RA" "$(out example.com SOA)" "NOERROR qr aa rd"
t_expect "outside: zone file NXDOMAIN, no RA" "$(out nope.example.com A)" \
	"NXDOMAIN qr aa rd"
t_expect "outside: over TCP, no RA" "$(out +tcp web.service.consul A)" "NOERROR qr aa rd"

t_expect "inside: forwarded, RA" "$(st "$port" www.upstream.test A)" "NOERROR qr aa rd ra"
t_expect "inside: forwarded over TCP" "$(st "$port" +tcp www.upstream.test A)" \
	"NOERROR qr aa rd ra"
t_expect "inside: registry answer has RA" "$(st "$port" web.service.consul A)" \
	"NOERROR qr aa rd ra"
t_expect "inside: zone answer has RA" "$(st "$port" example.com SOA)" "NOERROR qr aa rd ra"
t_expect "inside: our NXDOMAIN has RA" "$(st "$port" nope.service.consul A)" \
	"NXDOMAIN qr aa rd ra"

# the default ACL: loopback
p6=""
if ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/'; then
	p6=$(t_freeport ::1)
fi
dport=$(t_freeport)
if [ -n "$p6" ]; then
	t_start_musterd dflt -w 1 -l "127.0.0.1:$dport" -l "[::1]:$p6" \
	    --forward "127.0.0.1:$up_port" -z "$zone"
else
	t_start_musterd dflt -w 1 -l "127.0.0.1:$dport" \
	    --forward "127.0.0.1:$up_port" -z "$zone"
fi
t_expect "default ACL: 127.0.0.2 may recurse" \
    "$(st "$dport" -b 127.0.0.2 www.upstream.test A)" "NOERROR qr aa rd ra"
if [ -n "$p6" ]; then
	t_expect "default ACL: ::1 may recurse" \
	    "$(rcode_at ::1 "$p6" +recurse www.upstream.test A)" "NOERROR qr aa rd ra"
else
	t_log "no IPv6 loopback here: the ::1 check is not run"
fi

oport=$(t_freeport)
t_start_musterd other -w 1 -l "127.0.0.1:$oport" --allow-recursion 127.0.0.2 \
    --forward "127.0.0.1:$up_port" -z "$zone"
t_expect "ACL 127.0.0.2: 127.0.0.1 refused" "$(st "$oport" www.upstream.test A)" \
	"REFUSED qr rd"
t_expect "ACL 127.0.0.2: 127.0.0.2 forwarded" \
    "$(st "$oport" -b 127.0.0.2 www.upstream.test A)" "NOERROR qr aa rd ra"

nport=$(t_freeport)
t_start_musterd nofwd -w 1 -l "127.0.0.1:$nport" -z "$zone"
t_expect "no forwarders: REFUSED, no RA" "$(st "$nport" www.upstream.test A)" "REFUSED qr rd"
t_expect "no forwarders: no RA on our answers" "$(st "$nport" example.com SOA)" \
	"NOERROR qr aa rd"

bport=$(t_freeport)
out=$(timeout 10 "$MUSTERD" -f -w 1 -l "127.0.0.1:$bport" --forward "127.0.0.1:$up_port" \
    --allow-recursion 300.0.0.1/8 2>&1)
rc=$?
t_expect "bad CIDR: does not start" "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo yes || echo "no (exit $rc)")" yes
t_expect_match "bad CIDR: says so" "$out" "allow-recursion.*300\.0\.0\.1/8"

t_done
