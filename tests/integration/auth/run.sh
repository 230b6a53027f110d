#!/usr/bin/env bash
# auth/run.sh -- musterd as an authoritative server for a zone file.
#
# Behaviours checked (UDP unless said):
#  - AA on answers, RD copied, RA clear; question echoed in its own case;
#  - positive answers, case-insensitive lookup, additional A/AAAA for
#    NS, MX and SRV targets;
#  - in-zone CNAME chains, a dangling CNAME (NXDOMAIN, RFC 6604), a CNAME
#    leaving the zone;
#  - wildcards (RFC 4592): one and two labels deep, NODATA at a wildcard;
#  - NXDOMAIN and NODATA with the SOA, TTL = SOA minimum (RFC 2308);
#  - empty non-terminals are NODATA, not NXDOMAIN;
#  - delegation: referral with glue, AA clear, also for names below it;
#  - REFUSED outside every zone, for class CH and for AXFR;
#  - EDNS: OPT echoed, BADVERS for version 1; TC over UDP at 512 bytes
#    without EDNS and the full answer over TCP.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
t_need dig

here=$top_srcdir/tests/integration/auth
port=$(t_freeport)
t_start_musterd d -w 2 -l "127.0.0.1:$port" -z "$here/example.zone"

# short NAME TYPE: the answer section, one record per line
short() { t_dig "$port" +short "$@"; }
# status NAME TYPE: "RCODE flags" from the header
status() {
	t_dig "$port" "$@" | awk '/->>HEADER<<-/ { gsub(",", "", $6); s = $6 }
	    /^;; flags:/ { f = $0; sub(/^;; flags: /, "", f); sub(/;.*/, "", f) }
	    END { print s, f }'
}
section() { # section NAME TYPE SECTION: records of one section
	local sec=$3
	t_dig "$port" +noall "+$sec" "$1" "$2" | awk '{ $2 = ""; print }' | sed 's/  */ /g'
}

t_expect "SOA" "$(short example.com SOA)" \
	"ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"
t_expect "AA, RD copied, RA clear" "$(status +recurse example.com SOA)" \
	"NOERROR qr aa rd"
t_expect "no RD asked, none given" "$(status example.com SOA)" "NOERROR qr aa"
t_expect_match "question case echoed" \
	"$(t_dig "$port" +noall +question WwW.ExAmPlE.cOm A)" "WwW\.ExAmPlE\.cOm\."
t_expect "case-insensitive lookup" "$(short WEB.EXAMPLE.COM A | sort)" \
	"$(printf '192.0.2.3\n192.0.2.4')"
t_expect "NS additional" "$(section example.com NS additional | sort)" \
	"$(printf 'ns1.example.com. IN A 192.0.2.1\nns1.example.com. IN AAAA 2001:db8::1')"
t_expect "MX additional" "$(section example.com MX additional)" \
	"mail.example.com. IN A 192.0.2.2"
t_expect "SRV additional" "$(section _http._tcp.example.com SRV additional | sort)" \
	"$(printf 'web.example.com. IN A 192.0.2.3\nweb.example.com. IN A 192.0.2.4')"

t_expect "CNAME to in-zone A" "$(short www.example.com A)" \
	"$(printf 'web.example.com.\n192.0.2.3\n192.0.2.4')"
t_expect "CNAME chain" "$(short chain1.example.com A)" \
	"$(printf 'chain2.example.com.\nweb.example.com.\n192.0.2.3\n192.0.2.4')"
t_expect "CNAME query type" "$(short www.example.com CNAME)" "web.example.com."
t_expect "dangling CNAME is NXDOMAIN" "$(status dangling.example.com A)" \
	"NXDOMAIN qr aa"
t_expect "CNAME out of zone" "$(short out.example.com A)" "www.example.org."

t_expect "wildcard" "$(short x.wild.example.com A)" "192.0.2.9"
t_expect "wildcard two labels deep" "$(short a.b.wild.example.com TXT)" '"wild text"'
t_expect_match "wildcard owner is the question" \
	"$(section Foo.wild.example.com A answer)" "^Foo\.wild\.example\.com\. IN A 192\.0\.2\.9$"
t_expect "wildcard NODATA" "$(status x.wild.example.com MX)" "NOERROR qr aa"

t_expect "NXDOMAIN" "$(status nope.example.com A)" "NXDOMAIN qr aa"
t_expect "NXDOMAIN SOA, negative TTL" \
	"$(t_dig "$port" +noall +authority nope.example.com A | awk '{ print $1, $2, $4 }')" \
	"example.com. 300 SOA"
t_expect "NODATA" "$(status web.example.com AAAA)" "NOERROR qr aa"
t_expect "NODATA SOA" "$(section web.example.com AAAA authority | awk '{ print $1, $3 }')" \
	"example.com. SOA"
t_expect "empty non-terminal" "$(status c.ent.example.com A)" "NOERROR qr aa"
t_expect "below an empty non-terminal" "$(status x.c.ent.example.com A)" \
	"NXDOMAIN qr aa"

t_expect "referral, no AA" "$(status foo.sub.example.com A)" "NOERROR qr"
t_expect "referral NS" "$(section www.sub.example.com A authority)" \
	"sub.example.com. IN NS ns.sub.example.com."
t_expect "referral glue" "$(section sub.example.com NS additional)" \
	"ns.sub.example.com. IN A 192.0.2.53"
t_expect "glue itself is a referral" "$(status ns.sub.example.com A)" "NOERROR qr"

t_expect "outside every zone" "$(status example.org A)" "REFUSED qr"
t_expect "class CH" "$(status -c CH version.bind TXT)" "REFUSED qr"
t_expect_match "AXFR refused" "$(t_dig "$port" example.com AXFR 2>&1)" "Transfer failed"

t_expect_match "OPT echoed" "$(t_dig "$port" +edns=0 example.com SOA)" \
	"EDNS: version: 0, flags:; udp: 1232"
t_expect "BADVERS" "$(t_dig "$port" +edns=1 +noednsneg example.com SOA | awk '/->>HEADER<<-/ { gsub(",", "", $6); print $6 }')" \
	"BADVERS"
t_expect_match "TC at 512 bytes without EDNS" \
	"$(t_dig "$port" +noedns +ignore big.example.com TXT)" "flags: qr aa tc;"
t_expect "full answer over TCP" "$(t_dig "$port" +tcp +short big.example.com TXT | wc -l)" "6"
t_expect_match "fits with EDNS 1232" \
	"$(t_dig "$port" +bufsize=1232 +ignore big.example.com TXT)" "flags: qr aa;"

t_done
