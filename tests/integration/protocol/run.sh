#!/usr/bin/env bash
# protocol/run.sh -- musterd against malformed and unusual queries (UDP
# unless said), sent as raw bytes with tests/tools/dnsq.
#
# Behaviours checked:
#  - no answer at all for fewer than 12 bytes or QR=1 (RFC 1035 4.1.1);
#  - NOTIFY and UPDATE: NOTAUTH (Knot); other opcodes (STATUS, 3, 15): NOTIMP with
#    the ID and opcode echoed, the question echoed as asked (Knot), an OPT
#    when the query had one (RFC 6891 7);
#  - FORMERR for QDCOUNT 0 and 2, ANCOUNT or NSCOUNT not 0, a compression
#    pointer or a 64-byte label in the question, a truncated question, two
#    OPT records, OPT options overrunning their RDATA, an OPT not owned by
#    the root, bytes after the last record, ARCOUNT beyond the message;
#    the question is echoed whenever it parsed;
#  - EDNS (RFC 6891): OPT echoed with our size 1232 and the DO bit, other
#    flags and unknown options ignored, version 1 gives BADVERS with an
#    OPT of version 0, a requester size below 512 counts as 512,
#    --udp-payload 4096 is offered and used, the requester's smaller size
#    is used, TC answers fit the limit;
#  - header: RD copied, RA, AA-from-query, TC, Z and AD never echoed;
#  - question echoed byte for byte (0x20 case) in NOERROR, NXDOMAIN,
#    REFUSED, FORMERR, NOTIMP and BADVERS responses, also for a wildcard;
#  - AXFR over UDP NOTIMP (RFC 5936 4.2), AXFR over TCP and IXFR of the
#    zone REFUSED, of a name that is no zone NOTAUTH (NSD and Knot); meta
#    qtypes (OPT, MAILA, MAILB, TSIG) looked up like any type, as NSD and
#    Knot do; ANCOUNT/NSCOUNT not held against a query (Knot);
#    class CH, HS, NONE REFUSED, class ANY answered like IN;
#  - a 4096-byte random blob and 3000 seeded mutations of valid queries:
#    the server neither crashes nor stops answering; every response it
#    gave to them parses.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/proto/msg.sh"

proto_zone "$T/example.zone" example.test.
port=$(t_freeport)
# one worker: answers to one socket come back in the order asked
t_start_musterd d -w 1 -l "127.0.0.1:$port" -z "$T/example.zone"

# ask HEX...: the first response line to one query (or the dnsq summary)
ask() { dnsq -p "$port" -T 2000 "$@" | head -n 1; }
# qhex NAME TYPE [CLASS]: the question entry as the response must echo it
qhex() { m_q "$@"; }
SENTINEL=$(m_query 0xbeef www.example.test A)

# noanswer WHAT HEX...: no response to any of HEX; then the sentinel query
# is answered, and since one worker answers in order, nothing came before.
noanswer() {
	local what=$1 out
	shift
	out=$(dnsq -p "$port" -T 2000 -n 1 "$@" "$SENTINEL")
	t_expect "$what: no answer" "$(fld id "$out")" "0xbeef"
}

# expect_rc WHAT LINE RCODE QUESTIONHEX|-: rcode, and the question echo
expect_rc() {
	t_expect "$1: rcode" "$(fld rcode "$2")" "$3"
	t_expect "$1: question echoed" "$(fld q "$2")" "$4"
	t_expect "$1: response parses" "$(fld parse "$2")" "ok"
}

# ---- no answer ----
noanswer "empty datagram" ""
noanswer "1 byte" "00"
noanswer "11 bytes" "$(m_hdr 1 0 1 0 0 0 | cut -c1-22)"
noanswer "QR=1" "$(m_query 0x1111 www.example.test A IN 0x8000)"
noanswer "QR=1 response with answer" \
	"$(m_hdr 0x1112 0x8400 1 1 0 0)$(qhex www.example.test A)c00c000100010000012c0004c0000250"
noanswer "QR=1, opcode NOTIFY" "$(m_query 0x1113 example.test SOA IN 0xa000)"

# ---- opcodes ----
Q=$(qhex WwW.ExAmple.TEST A)
for op in 2 3 4 5 15; do
	want=NOTIMP
	case $op in 4|5) want=NOTAUTH ;; esac
	out=$(ask "$(m_hdr 0x4200 $((op << 11 | 0x0100)) 1 0 0 0)$Q")
	t_expect "opcode $op: rcode" "$(fld rcode "$out")" "$want"
	t_expect "opcode $op: ID echoed" "$(fld id "$out")" "0x4200"
	t_expect "opcode $op: opcode echoed" "$(fld op "$out")" "$op"
	t_expect "opcode $op: RD copied" "$(fld flags "$out")" "qr,rd"
done
out=$(ask "$(m_hdr 0x4201 $((15 << 11)) 1 0 0 1)$Q$(m_opt 4096 0 0 0x8000)")
t_expect "opcode 15 with EDNS: rcode" "$(fld rcode "$out")" "NOTIMP"
t_expect "opcode 15 with EDNS: OPT in the response (RFC 6891 7)" \
	"$(fld edns "$out")/$(fld "do" "$out")" "1232/1"

# ---- FORMERR ----
expect_rc "QDCOUNT 0" "$(ask "$(m_hdr 0x0100 0 0 0 0 0)")" FORMERR -
out=$(ask "$(m_hdr 0x0101 0 0 0 0 1)$(m_opt)")
expect_rc "QDCOUNT 0 with OPT" "$out" FORMERR -
t_expect "QDCOUNT 0 with OPT: OPT in the response (RFC 6891 7)" \
	"$(fld edns "$out")" "1232"
out=$(ask "$(m_hdr 0x0102 0 2 0 0 0)$Q$Q")
t_expect "QDCOUNT 2: rcode" "$(fld rcode "$out")" "FORMERR"
t_expect "QDCOUNT 2: ID" "$(fld id "$out")" "0x0102"
AN="c00c000100010000012c0004c0000201"
out=$(ask "$(m_hdr 0x0103 0 1 1 0 0)$Q$AN")
t_expect "ANCOUNT 1: answered (Knot)" "$(fld rcode "$out")" "NOERROR"
out=$(ask "$(m_hdr 0x0104 0 1 0 1 0)$Q$AN")
t_expect "NSCOUNT 1: answered (Knot)" "$(fld rcode "$out")" "NOERROR"
out=$(ask "$(m_hdr 0x0109 0 1 1 0 0)$Q""c00c0001")
t_expect "ANCOUNT 1, record cut short: FORMERR" "$(fld rcode "$out")" "FORMERR"
expect_rc "pointer in the qname" \
	"$(ask "$(m_hdr 0x0105 0 1 0 0 0)03777777c00c00010001")" FORMERR -
expect_rc "pointer as the whole qname" \
	"$(ask "$(m_hdr 0x0106 0 1 0 0 0)c00c00010001")" FORMERR -
l64=$(printf 'a%.0s' $(seq 64) | od -An -tx1 -v | tr -d ' \n')
expect_rc "64-byte label" "$(ask "$(m_hdr 0x0107 0 1 0 0 0)40${l64}0000010001")" FORMERR -
expect_rc "label type 0x80" "$(ask "$(m_hdr 0x0108 0 1 0 0 0)8161000001 0001")" FORMERR -
l63=$(printf 'a%.0s' $(seq 63) | od -An -tx1 -v | tr -d ' \n')
long="3f${l63}3f${l63}3f${l63}3f${l63}"	# 256 bytes with the root: too long
expect_rc "name of 257 bytes" "$(ask "$(m_hdr 0x0109 0 1 0 0 0)${long}0000010001")" FORMERR -
expect_rc "truncated qname" "$(ask "$(m_hdr 0x010a 0 1 0 0 0)03777777076578")" FORMERR -
expect_rc "qname without root label" \
	"$(ask "$(m_hdr 0x010b 0 1 0 0 0)03777777")" FORMERR -
expect_rc "missing qclass" \
	"$(ask "$(m_hdr 0x010c 0 1 0 0 0)$(m_name www.example.test)0001")" FORMERR -
expect_rc "two OPT records" "$(ask "$(m_hdr 0x010d 0 1 0 0 2)$Q$(m_opt)$(m_opt)")" \
	FORMERR "$Q"
expect_rc "option length past RDATA" \
	"$(ask "$(m_hdr 0x010e 0 1 0 0 1)$Q$(m_opt 1232 0 0 0 000a0005aabb)")" FORMERR "$Q"
expect_rc "option header cut" \
	"$(ask "$(m_hdr 0x010f 0 1 0 0 1)$Q$(m_opt 1232 0 0 0 000a00)")" FORMERR "$Q"
expect_rc "OPT RDLENGTH past the message" \
	"$(ask "$(m_hdr 0x0110 0 1 0 0 1)${Q}0000290800000000000010")" FORMERR "$Q"
expect_rc "OPT owner not the root" \
	"$(ask "$(m_hdr 0x0111 0 1 0 0 1)$Q$(m_name example.test)002904d0000000000000")" \
	FORMERR "$Q"
expect_rc "trailing garbage" "$(ask "$(m_hdr 0x0112 0 1 0 0 0)${Q}deadbeef")" FORMERR "$Q"
expect_rc "trailing byte after OPT" \
	"$(ask "$(m_hdr 0x0113 0 1 0 0 1)$Q$(m_opt)00")" FORMERR "$Q"
expect_rc "ARCOUNT beyond the message" \
	"$(ask "$(m_hdr 0x0114 0 1 0 0 2)$Q$(m_opt)")" FORMERR "$Q"
expect_rc "additional record cut" \
	"$(ask "$(m_hdr 0x0115 0 1 0 0 1)${Q}c00c00010001")" FORMERR "$Q"
out=$(ask "$(m_hdr 0x0116 0 1 0 0 1)${Q}00002904d0")
t_expect "FORMERR: ID echoed" "$(fld id "$out")" "0x0116"
t_expect "FORMERR: no AA" "$(fld flags "$out")" "qr"

# ---- EDNS ----
WWW=$(qhex www.example.test A)
out=$(ask "$(m_equery 0x0200 www.example.test A 4096)")
t_expect "EDNS: NOERROR" "$(fld rcode "$out")/$(fld an "$out")" "NOERROR/1"
t_expect "EDNS: OPT echoed with our size" "$(fld edns "$out")/$(fld ednsver "$out")/$(fld nopt "$out")" \
	"1232/0/1"
t_expect "EDNS: no DO asked, none given" "$(fld "do" "$out")" "0"
out=$(ask "$(m_equery 0x0201 www.example.test A 1232 0x8000)")
t_expect "EDNS: DO echoed" "$(fld "do" "$out")" "1"
out=$(ask "$(m_equery 0x0202 www.example.test A 1232 0x7fff)")
t_expect "EDNS: unknown flags not echoed" "$(fld "do" "$out")/$(fld rcode "$out")" "0/NOERROR"
out=$(ask "$(m_hdr 0x0203 0 1 0 0 1)$WWW$(m_opt 1232 0 0 0 fde90004deadbeef000a0008aabbccddeeff0011)")
t_expect "EDNS: unknown options ignored" \
	"$(fld rcode "$out")/$(fld an "$out")/$(fld edns "$out")/$(fld ednsopts "$out")" \
	"NOERROR/1/1232/0"
out=$(ask "$(m_hdr 0x0204 0 1 0 0 1)$WWW$(m_opt 1232 0 0 0 000c0000000c000400000000)")
t_expect "EDNS: padding options (empty and 4 bytes) ignored" "$(fld rcode "$out")/$(fld an "$out")" "NOERROR/1"
out=$(ask "$(m_hdr 0x0205 0 1 0 0 1)$(qhex wWw.eXample.test A)$(m_opt 1232 0 1 0x8000)")
expect_rc "EDNS version 1" "$out" BADVERS "$(qhex wWw.eXample.test A)"
t_expect "BADVERS: OPT of version 0, DO echoed, nothing else" \
	"$(fld edns "$out")/$(fld ednsver "$out")/$(fld "do" "$out")/$(fld an "$out")/$(fld flags "$out")" \
	"1232/0/1/0/qr"
out=$(ask "$(m_hdr 0x0206 0 1 0 0 1)$(qhex nope.example.test A)$(m_opt 1232 0 255)")
t_expect "EDNS version 255 for a missing name: BADVERS" "$(fld rcode "$out")" "BADVERS"
# mid: 376 bytes of answer, big: about 2300
out=$(ask "$(m_equery 0x0207 mid.example.test TXT 100)")
t_expect "EDNS size 100 counts as 512" "$(fld flags "$out")/$(fld an "$out")" "qr,aa/3"
out=$(ask "$(m_equery 0x0208 mid.example.test TXT 0)")
t_expect "EDNS size 0 counts as 512" "$(fld flags "$out")/$(fld an "$out")" "qr,aa/3"
out=$(ask "$(m_equery 0x0209 big.example.test TXT 511)")
t_expect "EDNS size 511: TC" "$(fld flags "$out")" "qr,aa,tc"
t_expect_match "EDNS size 511: TC answer within 512" "$(fld len "$out")" '^([0-9]{1,2}|[1-4][0-9]{2}|50[0-9]|51[0-2])$'
out=$(ask "$(m_equery 0x020a big.example.test TXT 4096)")
t_expect "requester 4096, ours 1232: TC" "$(fld flags "$out")/$(fld edns "$out")" "qr,aa,tc/1232"
t_expect_match "TC answer within 1232" "$(fld len "$out")" '^([0-9]{1,3}|1[01][0-9]{2}|12[0-2][0-9]|123[0-2])$'
out=$(ask "$(m_query 0x020b big.example.test TXT)")
t_expect "no EDNS: TC at 512" "$(fld flags "$out")/$(fld edns "$out")" "qr,aa,tc/none"
out=$(ask "$(m_query 0x020c mid.example.test TXT)")
t_expect "no EDNS: 376 bytes fit in 512" "$(fld flags "$out")/$(fld len "$out")" "qr,aa/376"

port4k=$(t_freeport)
t_start_musterd d4k -w 1 -l "127.0.0.1:$port4k" -z "$T/example.zone" --udp-payload 4096
out=$(dnsq -p "$port4k" "$(m_equery 0x0300 big.example.test TXT 4096)")
t_expect "--udp-payload 4096: offered" "$(fld edns "$out")" "4096"
t_expect "--udp-payload 4096: big answer whole over UDP" \
	"$(fld flags "$out")/$(fld an "$out")" "qr,aa/20"
t_expect_match "--udp-payload 4096: answer over 1232 bytes" "$(fld len "$out")" '^(1[3-9][0-9]{2}|[2-3][0-9]{3})$'
out=$(dnsq -p "$port4k" "$(m_equery 0x0301 big.example.test TXT 1232)")
t_expect "--udp-payload 4096, requester 1232: TC" "$(fld flags "$out")/$(fld edns "$out")" \
	"qr,aa,tc/4096"

# ---- header flags ----
out=$(ask "$(m_query 0x0400 www.example.test A IN 0x0100)")
t_expect "RD copied, RA clear" "$(fld flags "$out")" "qr,aa,rd"
out=$(ask "$(m_query 0x0401 www.example.test A IN 0)")
t_expect "no RD, none given" "$(fld flags "$out")" "qr,aa"
out=$(ask "$(m_query 0x0402 www.example.test A IN 0x06e0)")	# AA TC RA Z AD
t_expect "AA/TC/RA/Z/AD of the query not echoed" "$(fld flags "$out")" "qr,aa"
out=$(ask "$(m_query 0x0403 nope.example.test A IN 0x0180)")
t_expect "NXDOMAIN: RD copied, RA clear" "$(fld flags "$out")/$(fld rcode "$out")" \
	"qr,aa,rd/NXDOMAIN"

# ---- question echo (0x20) ----
for n in "WwW.ExAmPlE.tEsT A NOERROR" "NoPe.ExAmPlE.TeSt A NXDOMAIN" \
    "xY.wIlD.eXaMpLe.TeSt A NOERROR" "eXaMpLe.OrG A REFUSED" \
    "WwW.eXaMpLe.TeSt OPT NOERROR"; do
	set -- $n
	out=$(ask "$(m_query 0x0500 "$1" "$2")")
	expect_rc "0x20 $3 ($1)" "$out" "$3" "$(qhex "$1" "$2")"
done
out=$(ask "$(m_query 0x0501 xY.wIlD.eXaMpLe.TeSt A)" -x)
t_expect_match "0x20 wildcard: owner compressed to the question" \
	"$(fld hex "$out")" "c00c000100010000012c0004c0000209\$"
out=$(ask "$(m_hdr 0x0502 0 1 0 0 0)$(qhex FoRmErR.eXaMpLe.TeSt A)ff")
expect_rc "0x20 FORMERR (trailing byte)" "$out" FORMERR "$(qhex FoRmErR.eXaMpLe.TeSt A)"
out=$(ask "$(m_hdr 0x0503 $((4 << 11)) 1 0 0 0)$(qhex nOtIfY.ExAmPlE.tEsT SOA)")
expect_rc "0x20 NOTAUTH (NOTIFY)" "$out" NOTAUTH "$(qhex nOtIfY.ExAmPlE.tEsT SOA)"
out=$(ask "$(m_hdr 0x0504 $((2 << 11)) 1 0 0 0)$(qhex sTaTuS.ExAmPlE.tEsT A)")
expect_rc "0x20 NOTIMP (opcode STATUS)" "$out" NOTIMP "$(qhex sTaTuS.ExAmPlE.tEsT A)"

# ---- meta types and classes ----
expect_rc "AXFR over UDP" "$(ask "$(m_query 0x0600 eXample.test AXFR)")" NOTIMP \
	"$(qhex eXample.test AXFR)"
expect_rc "AXFR over TCP" "$(ask -t "$(m_query 0x0601 eXample.test AXFR)")" REFUSED \
	"$(qhex eXample.test AXFR)"
for t in IXFR; do
	expect_rc "$t over UDP" "$(ask "$(m_query 0x0600 eXample.test $t)")" REFUSED \
		"$(qhex eXample.test $t)"
	expect_rc "$t over TCP" "$(ask -t "$(m_query 0x0601 eXample.test $t)")" REFUSED \
		"$(qhex eXample.test $t)"
done
expect_rc "AXFR of a name that is no zone" \
	"$(ask -t "$(m_query 0x0609 www.eXample.test AXFR)")" NOTAUTH \
	"$(qhex www.eXample.test AXFR)"
for t in OPT MAILA MAILB TSIG; do
	out=$(ask "$(m_query 0x0602 www.example.test $t)")
	expect_rc "qtype $t: looked up" "$out" NOERROR "$(qhex www.example.test $t)"
	t_expect "qtype $t: NODATA" "$(fld an "$out")/$(fld ns "$out")" "0/1"
done
out=$(ask "$(m_hdr 0x0606 0 1 0 0 0)$(m_name www.example.test)ff000001")
t_expect "unknown qtype: NODATA" "$(fld rcode "$out")/$(fld an "$out")/$(fld ns "$out")" "NOERROR/0/1"
for c in CH HS NONE 0; do
	expect_rc "class $c" "$(ask "$(m_query 0x0607 www.example.test A $c)")" REFUSED \
		"$(qhex www.example.test A $c)"
done
out=$(ask "$(m_query 0x0608 www.example.test A ANY)")
expect_rc "class ANY" "$out" NOERROR "$(qhex www.example.test A ANY)"
t_expect "class ANY: answered like IN" "$(fld an "$out")/$(fld flags "$out")" "1/qr,aa"

# ---- garbage ----
# a QUERY header with QDCOUNT 1, then random bytes: FORMERR
head -c 4096 /dev/urandom >"$T/blob"
m_hdr 0x1234 0 1 0 0 0 | sed 's/../\\x&/g' | xargs -0 printf | \
	dd of="$T/blob" conv=notrunc status=none
out=$(ask "@$T/blob")
t_expect "4096-byte random blob: FORMERR" "$(fld id "$out")/$(fld rcode "$out")" \
	"0x1234/FORMERR"
# seeded mutations, paced by a sentinel query every 64 (see dnsq -F)
out=$(dnsq -p "$port" -F "3000:${FUZZ_SEED:-42}" \
	"$(m_equery 0x0700 WwW.example.test A 1232 0x8000)" \
	"$(m_hdr 0x0701 0 1 0 0 1)$WWW$(m_opt 1232 0 0 0 000a0008aabbccddeeff0011)" \
	"$(m_query 0x0702 x.wild.example.test A)" \
	"$(m_query 0x0703 big.example.test TXT)" \
	"$(m_query 0x0704 example.test AXFR)" \
	"$(m_query 0 sentinel.example.test A)")
t_log "mutations: $(printf '%s\n' "$out" | tail -n 1)"
t_expect "mutations: all handled" "$(fld end "$(printf '%s\n' "$out" | tail -n 1)")" "done"
t_expect "mutations: every response parses" \
	"$(printf '%s\n' "$out" | grep -c 'parse=bad')" "0"

# ---- still alive ----
t_expect "server alive after all of it" "$(kill -0 "$d_pid" 2>&1 && echo yes)" "yes"
out=$(ask "$(m_query 0x0800 www.example.test A)")
t_expect "normal query after all of it" "$(fld rcode "$out")/$(fld an "$out")" "NOERROR/1"
out=$(ask -t "$(m_query 0x0801 www.example.test A)")
t_expect "normal TCP query after all of it" "$(fld rcode "$out")/$(fld an "$out")" "NOERROR/1"
t_expect "no error logged" "$(grep -c ': error: ' "$T/d.log")" "0"

t_done
