#!/usr/bin/env bash
# forward/run.sh -- names outside our zones are forwarded through c-ares.
#
# The upstream is a second musterd serving upstream.test. (fwd.sh).
# Behaviours checked, for a client that may recurse (127.0.0.1):
#  - relayed faithfully: rcode (NOERROR, NXDOMAIN, REFUSED), the answer,
#    authority and additional sections as the upstream sent them, the
#    upstream's flags (AA) and its OPT (udp 4096, not our 1232), no OPT
#    when the client sent none; with the client's ID and question case
#    and RA set; over UDP and TCP;
#  - answers over 512 bytes that fit the client's UDP size come whole
#    over UDP; bigger ones have TC (set by the upstream, or by musterd
#    when the upstream sent more than the client can take) and the
#    client's retry over TCP gets all of it (8 KB too);
#  - our own zones are answered, not forwarded (AA, RA set);
#  - many queries in flight: a burst of 500 distinct names at once,
#    1000 repeats of one name, 50 dig processes at once: all answered;
#  - failure in bounded time: a forwarder nothing listens on, one that
#    never answers (UDP and TCP), two that never answer: SERVFAIL with
#    RA, the question and an OPT, within --forward-timeout + 1 s; a
#    dead forwarder before a live one: answers still come;
#    --forward-max full: SERVFAIL at once, not a drop;
#  - --forward to musterd itself is dropped with a warning; when no
#    forwarder is left, or --forward-from names a missing file, or a
#    file without nameservers, musterd does not start and says why.
# (--forward-from with real resolv.conf lines, port 53, is checked in
# tests/integration/glibc, inside a network namespace.)
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/forward/fwd.sh"
t_need dig perl

fwd_upstream up
port=$(t_freeport)
t_start_musterd d -w 2 -l "127.0.0.1:$port" \
    -z "$top_srcdir/tests/integration/auth/example.zone" \
    --forward "127.0.0.1:$up_port" --forward-timeout 1000

# x ARGS...: dig through musterd the way a stub resolver asks (RD set).
x() { t_dig "$port" +recurse "$@"; }

# ---- what is forwarded: only when asked to recurse (RD) ----
t_expect "RD clear, outside our zones: REFUSED, not forwarded" \
	"$(rcode "$port" www.upstream.test A)" "REFUSED qr ra"
t_expect "RD clear, below our delegation: the referral" \
	"$(rcode "$port" foo.sub.example.com A)" "NOERROR qr ra"
t_expect "RD set, below our delegation: forwarded (the upstream refuses)" \
	"$(rcode "$port" +recurse foo.sub.example.com A)" "REFUSED qr rd ra"

# ---- relayed faithfully ----
for q in "www.upstream.test A" "www.upstream.test AAAA" \
    "www.upstream.test MX" "alias.upstream.test A" "upstream.test NS" \
    "nope.upstream.test A" "www.upstream.test TXT" "upstream.test SOA"; do
	# shellcheck disable=SC2086
	t_expect "sections relayed: $q" "$(sections "$port" +recurse $q)" \
	    "$(sections "$up_port" +recurse $q)"
done
t_expect_match "relayed answer is not empty" \
    "$(sections "$port" +recurse www.upstream.test MX)" \
    "^ns\.upstream\.test\. 300 IN A 192\.0\.2\.53$"
t_expect "NOERROR, AA kept, RA set" "$(rcode "$port" +recurse www.upstream.test A)" \
	"NOERROR qr aa rd ra"
t_expect "NXDOMAIN relayed" "$(rcode "$port" +recurse nope.upstream.test A)" \
	"NXDOMAIN qr aa rd ra"
t_expect "NODATA relayed" "$(rcode "$port" +recurse www.upstream.test TXT)" \
	"NOERROR qr aa rd ra"
t_expect "upstream's REFUSED relayed" "$(rcode "$port" +recurse elsewhere.invalid A)" \
	"REFUSED qr rd ra"
t_expect "over TCP" "$(rcode "$port" +recurse +tcp www.upstream.test A)" \
	"NOERROR qr aa rd ra"
t_expect "over TCP, sections" "$(sections "$port" +recurse +tcp www.upstream.test A)" \
	"$(sections "$up_port" +recurse www.upstream.test A)"

t_expect_match "question case kept" \
    "$(x +noall +question +answer WwW.UpStReAm.TeSt A)" \
    "^;WwW\.UpStReAm\.TeSt\..*IN[[:space:]]+A"
t_expect_match "answer owner in the client's case" \
    "$(x +noall +answer WwW.UpStReAm.TeSt A)" "^WwW\.UpStReAm\.TeSt\..*198\.51\.100\.1"
got=$("$DNSQ" -p "$port" -T 2000 "$(qhex 48879 www.upstream.test 1)")
t_expect_match "client's ID kept (0xbeef)" "$got" "^id=0xbeef .*rcode=NOERROR flags=qr,aa,rd,ra "
qry=$(qhex 7 WwW.UPSTREAM.test 1)
got=$("$DNSQ" -p "$port" -T 2000 -x "$qry")
t_expect_match "client's ID (7) and question bytes kept" "$got" \
    "^id=0x0007 .* hex=0007[0-9a-f]{4}0001[0-9a-f]{12}${qry:24}"
t_expect_match "upstream's OPT relayed (udp 4096)" \
    "$(x +bufsize=1232 www.upstream.test A)" "EDNS: version: 0, flags:; udp: 4096"
t_expect_match "our own OPT on our own zones (udp 1232)" \
    "$(x +bufsize=4096 example.com SOA)" "EDNS: version: 0, flags:; udp: 1232"
t_expect "no EDNS asked, none relayed" \
    "$(x +noedns www.upstream.test A | grep -c 'OPT PSEUDOSECTION')" "0"
t_expect "our zones answered, not forwarded" "$(rcode "$port" +recurse example.com SOA)" \
	"NOERROR qr aa rd ra"

# ---- sizes: UDP, TC, TCP retry ----
t_expect_match "900 bytes fit 1232: whole over UDP" \
    "$(x +ignore +bufsize=1232 mid.upstream.test TXT)" \
    "flags: qr aa rd ra; QUERY: 1, ANSWER: 4,"
t_expect "900 bytes fit 1232: every record" \
    "$(x +ignore +bufsize=1232 +short mid.upstream.test TXT | wc -l)" "4"
t_expect_match "900 bytes without EDNS: TC" \
    "$(x +ignore +noedns mid.upstream.test TXT)" "flags: qr aa tc rd ra;"
t_expect_match "2.6 KB, client 1232: TC (from the upstream)" \
    "$(x +ignore +bufsize=1232 big.upstream.test TXT)" "flags: qr aa tc rd ra;"
t_expect_match "2.6 KB, client 4096, ours 1232: TC (from musterd)" \
    "$(x +ignore +bufsize=4096 big.upstream.test TXT)" "flags: qr aa tc rd ra;"
t_expect "TC, then TCP: all 12 records" \
    "$(x +bufsize=4096 +short big.upstream.test TXT | wc -l)" "12"
t_expect "8.5 KB: TC, then TCP: all 40 records" \
    "$(x +short huge.upstream.test TXT | wc -l)" "40"
t_expect "8.5 KB over TCP: sections" \
    "$(sections "$port" +recurse +tcp huge.upstream.test TXT)" \
    "$(sections "$up_port" +recurse +tcp huge.upstream.test TXT)"

# ---- many in flight ----
burst msgs 500 n
t0=$(ms)
got=$("$DNSQ" -p "$port" -T 5000 -P 8 "${msgs[@]}")
t_log "500 distinct names in $(( $(ms) - t0 )) ms"
t_expect_match "500 distinct names at once: all answered" "$(echo "$got" | tail -1)" \
    "^sent=500 got=500 unique=500 "
t_expect "500 distinct names at once: all NXDOMAIN from upstream" \
    "$(echo "$got" | grep -c 'rcode=NXDOMAIN flags=qr,aa,rd,ra ')" "500"
got=$("$DNSQ" -p "$port" -T 5000 -P 16 -W 300 -R 1000 -Q "$(qhex 1 www.upstream.test 1)")
t_expect_match "1000 repeats, 300 in flight: all answered" "$got" \
    "^sent=1000 got=1000 unique=1000 "
pids=""
for i in $(seq 1 25); do
	x +short "p$i.www.upstream.test" A >"$T/par.$i" 2>&1 &
	pids="$pids $!"
	x +short www.upstream.test A >"$T/parw.$i" 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
t_expect "50 dig processes at once: all answered" \
    "$(cat "$T"/parw.* | grep -c '^198\.51\.100\.')" "50"
t_expect "... and the NXDOMAINs are empty" "$(cat "$T"/par.* | wc -c)" "0"

# ---- failures: SERVFAIL in bounded time ----
# servfail_within NAME PORT MS ARGS...: SERVFAIL with RA, within MS ms
servfail_within() {
	local what=$1 p=$2 limit=$3 t0 dt out
	shift 3
	t0=$(ms)
	out=$(dig +time=6 +tries=1 @127.0.0.1 -p "$p" "$@" 2>&1)
	dt=$(( $(ms) - t0 ))
	t_log "$what: $dt ms"
	t_expect_match "$what: SERVFAIL" "$out" "status: SERVFAIL,"
	t_expect_match "$what: RA" "$out" "flags: qr rd ra;"
	t_expect "$what: within $limit ms" "$([ "$dt" -le "$limit" ] && echo yes || echo "no ($dt ms)")" yes
}

dead=$(t_freeport)
p1=$(t_freeport)
t_start_musterd dead -w 1 -l "127.0.0.1:$p1" --forward "127.0.0.1:$dead" \
    --forward-timeout 1000
servfail_within "nothing listens" "$p1" 2000 www.upstream.test A
out=$(dig +time=6 +tries=1 @127.0.0.1 -p "$p1" +bufsize=1232 WwW.Upstream.TEST A)
t_expect_match "SERVFAIL echoes the question" "$out" "^;WwW\.Upstream\.TEST\."
t_expect_match "SERVFAIL has an OPT" "$out" "EDNS: version: 0, flags:; udp: 1232"

fwd_blackhole bh
p2=$(t_freeport)
t_start_musterd bh1 -w 1 -l "127.0.0.1:$p2" --forward "127.0.0.1:$bh_port" \
    --forward-timeout 1000
servfail_within "never answers (UDP)" "$p2" 2000 www.upstream.test A
servfail_within "never answers (TCP)" "$p2" 2000 +tcp www.upstream.test A
burst msgs 40 b
t0=$(ms)
got=$("$DNSQ" -p "$p2" -T 4000 "${msgs[@]}")
dt=$(( $(ms) - t0 ))
t_expect_match "40 at once to a dead forwarder: all answered" "$(echo "$got" | tail -1)" \
    "^sent=40 got=40 "
t_expect "... all SERVFAIL" "$(echo "$got" | grep -c 'rcode=SERVFAIL flags=qr,rd,ra ')" 40
t_expect "... within 2000 ms" "$([ "$dt" -le 2000 ] && echo yes || echo "no ($dt ms)")" yes

fwd_blackhole bh2
p3=$(t_freeport)
t_start_musterd bh2x -w 1 -l "127.0.0.1:$p3" --forward "127.0.0.1:$bh_port" \
    --forward "127.0.0.1:$bh2_port" --forward-timeout 1000
servfail_within "two forwarders, neither answers" "$p3" 2000 www.upstream.test A

p4=$(t_freeport)
t_start_musterd mixed -w 1 -l "127.0.0.1:$p4" --forward "127.0.0.1:$bh_port" \
    --forward "127.0.0.1:$up_port" --forward-timeout 1500
t0=$(ms)
t_expect "dead forwarder first, live second: answered" \
    "$(t_dig "$p4" +time=6 +recurse +short www.upstream.test A | sort | tr '\n' ' ')" \
    "198.51.100.1 198.51.100.2 "
t_log "dead first, live second: $(( $(ms) - t0 )) ms"

p5=$(t_freeport)
t_start_musterd full -w 1 -l "127.0.0.1:$p5" --forward "127.0.0.1:$bh_port" \
    --forward-timeout 3000 --forward-max 4
burst msgs 20 f
got=$("$DNSQ" -p "$p5" -T 500 -n 16 "${msgs[@]}")
t_expect "forward-max 4, 20 at once: 16 SERVFAIL at once" \
    "$(echo "$got" | grep -c 'rcode=SERVFAIL flags=qr,rd,ra ')" "16"

# ---- which forwarders ----
p6=$(t_freeport)
t_start_musterd selfish -w 1 -l "127.0.0.1:$p6" --forward "127.0.0.1:$p6" \
    --forward "127.0.0.1:$up_port"
t_expect_match "forwarding to itself: dropped with a warning" "$(cat "$T/selfish.log")" \
    "forward, 127\.0\.0\.1:$p6 is this server: not used"
t_expect "... the others used" "$(rcode "$p6" +recurse www.upstream.test A)" \
	"NOERROR qr aa rd ra"

# refuses_start WHAT REGEX ARGS...: musterd exits non-zero, says REGEX
refuses_start() {
	local what=$1 re=$2 p rc out
	shift 2
	p=$(t_freeport)
	out=$(timeout 10 "$MUSTERD" -f -w 1 -l "127.0.0.1:$p" "$@" 2>&1)
	rc=$?
	t_expect "$what: exits non-zero" "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo yes || echo "no (exit $rc)")" yes
	t_expect_match "$what: says why" "$out" "$re"
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
		echo "$out" | tail -3
	fi
}
p7=$(t_freeport)
refuses_start "only forwarder is itself" "no forwarder left" \
    -l "127.0.0.1:$p7" --forward "127.0.0.1:$p7"
refuses_start "--forward-from a missing file" "forward-from: cannot open $T/nope.conf" \
    --forward-from "$T/nope.conf"
printf '# no nameserver here\nsearch example.com\noptions ndots:2\n' >"$T/empty.conf"
refuses_start "--forward-from without nameservers" "no forwarder left" \
    --forward-from "$T/empty.conf"
refuses_start "--forward with a bad address" "forward" --forward "not-an-address"

t_done
