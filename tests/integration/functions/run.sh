#!/usr/bin/env bash
# functions/run.sh -- the registry's Functions (contrib/muster.lua),
# called with FCALL on a throwaway redis-server.
#
# Behaviours checked (muster-registry(7)):
#  - the library loads; muster_version and muster_dump are no-writes,
#    the others refused by FCALL_RO;
#  - muster_register: created with every field normalised (labels and
#    addresses lowercased, tags deduplicated, integers canonical,
#    defaults stored, check-only fields only with a check), initial
#    health per check and status; schema set; one stream entry holding
#    the full state after the change, in the contract's field order;
#  - re-register: unchanged (same call, or one that normalises to it,
#    or with the current status) writes nothing at all; a changed one
#    replaces the hash (dropped fields go), keeps the health, one entry;
#    a status-only change keeps the hash and changes the health;
#    leaving a ttl check drops the heartbeat;
#  - every argument refused when bad (ids, labels, IPv4/IPv6 forms,
#    ranges, unknown/repeated/odd fields, check combinations, meta,
#    counts), each with its exact error and the database byte for byte
#    as before; good IPv6 forms accepted;
#  - muster_deregister, muster_status (heartbeat, output-only writes),
#    muster_check and muster_reap (lease), muster_maint, muster_node,
#    muster_node_delete, muster_lease(_release), muster_dump (paging,
#    skipped ghosts, nodes);
#  - stream trimming by <P>changes:maxlen; a wrong-typed key refuses
#    before writing; any prefix string works, also the empty one.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/musterctl/registry.sh"

r_start reg --stream-node-max-entries 4
t_expect "library loads" "$(r_load)" "muster"

P=m:
fc() { r FCALL "$1" 0 "$P" "${@:2}"; }
fcr() { rr FCALL "$1" 0 "$P" "${@:2}"; }

# refused WANT FUNCTION ARGS...: FCALL FUNCTION 0 ARGS... fails with
# "ERR muster: WANT" and the database is as it was.
refused() {
	local want=$1 before after got
	shift
	before=$(r_snap)
	got=$(r FCALL "$1" 0 "${@:2}")
	after=$(r_snap)
	t_expect "refused: $* -> $want" "$got" "(error) ERR muster: $want"
	t_expect "refused, nothing written: $*" "$after" "$before"
}

# unchanged WHAT REPLY CMD...: CMD replies REPLY and writes nothing.
unchanged() {
	local what=$1 want=$2 before after got
	shift 2
	before=$(r_snap)
	got=$("$@")
	after=$(r_snap)
	t_expect "$what: reply" "$got" "$want"
	t_expect "$what: nothing written" "$after" "$before"
}

# tick: wait until the server clock has moved past now.
tick() {
	local t0
	t0=$(r_now)
	t_poll 5 test_later "$t0" || t_fail "server clock does not move"
}
test_later() { [ "$(r_now)" -gt "$1" ]; }

# ---- version, flags -------------------------------------------------------
t_expect "muster_version" "$(r FCALL_RO muster_version 0)" "(integer) 1"
t_expect "muster_dump is read-only" \
	"$(r_flat FCALL_RO muster_dump 0 "$P" instances 0 10)" "0 []"
t_expect_match "writes refused by FCALL_RO" \
	"$(r FCALL_RO muster_register 0 "$P" x s 192.0.2.1 1)" "^\(error\) .*write"
t_expect "FCALL_RO wrote nothing" "$(rr DBSIZE)" "0"

# ---- register: created ----------------------------------------------------
t0=$(r_now)
t_expect "register web-1 created" "$(fcr muster_register web-1 Web 2001:DB8::A \
	08080 node Node1 dc DC1 tags Blue,v2,blue meta.b 'y "z"' meta.a x)" "created"
t1=$(r_now)
t_expect "instance hash, normalised, with defaults" \
	"$(r_flat HGETALL m:instance:web-1)" \
	'service web address 2001:db8::a port 8080 node node1 dc dc1 tags blue,v2 priority 1 weight 1 weight_warning 1 meta.a x meta.b y \"z\" check none updated TS'
t_expect "health initialised: passing for check none" \
	"$(r_flat HGETALL m:health:web-1)" \
	"status passing output  since TS maint 0 maint_reason  maint_since TS"
upd=$(rr HGET m:instance:web-1 updated)
t_expect "updated is the server's time" \
	"$([ "$upd" -ge "$t0" ] && [ "$upd" -le "$t1" ] && echo ok)" "ok"
t_expect "since equals updated at creation" "$(rr HGET m:health:web-1 since)" "$upd"
t_expect "in the instances set" "$(rr SMEMBERS m:instances)" "web-1"
t_expect "schema set" "$(rr GET m:schema)" "1"
t_expect "one stream entry" "$(r_xlen m:)" "1"
t_expect "register entry, literally" "$(r_last m:)" \
	'op register id web-1 service web address 2001:db8::a port 8080 node node1 dc dc1 tags blue,v2 priority 1 weight 1 weight_warning 1 meta.a x meta.b y \"z\" check none updated TS health.status passing health.output  health.since TS health.maint 0 health.maint_reason  health.maint_since TS'
t_expect "register entry is the stored state" "$(r_last m:)" \
	"op register id web-1 $(r_state m: web-1)"

t_expect "register web-2 (http check) created" "$(fcr muster_register web-2 web \
	192.0.2.2 80 check http check_path /health tags '' weight 0 priority 65535 ttl 0)" \
	"created"
t_expect "check defaults stored, empty tags not stored" \
	"$(r_flat HGETALL m:instance:web-2)" \
	"service web address 192.0.2.2 port 80 priority 65535 weight 0 weight_warning 1 ttl 0 check http check_path /health interval 10000 timeout 2000 rise 1 fall 1 deregister_after 0 updated TS"
t_expect "checked instance starts critical" "$(r_flat HGETALL m:health:web-2)" \
	"status critical output not yet checked since TS maint 0 maint_reason  maint_since TS"
t_expect "register web-3 (ttl check, short interval)" "$(fcr muster_register web-3 \
	web 192.0.2.3 80 check ttl check_ttl 30000 interval 1000 rise 3 fall 100 \
	deregister_after 60000)" "created"
t_expect "ttl check fields; timeout defaults to the interval" \
	"$(r_flat HGETALL m:instance:web-3)" \
	"service web address 192.0.2.3 port 80 priority 1 weight 1 weight_warning 1 check ttl check_ttl 30000 interval 1000 timeout 1000 rise 3 fall 100 deregister_after 60000 updated TS"
t_expect "given status wins at creation" "$(fcr muster_register db-1 db \
	192.0.2.9 5432 check tcp status warning timeout 100 interval 86400000 \
	deregister_after 2592000000)" "created"
t_expect "db-1 health" "$(r_flat HGETALL m:health:db-1)" \
	"status warning output  since TS maint 0 maint_reason  maint_since TS"
t_expect "four entries" "$(r_xlen m:)" "4"

# ---- register: unchanged, updated -----------------------------------------
unchanged "same registration" "unchanged" fcr muster_register web-1 web \
	2001:db8::a 8080 node node1 dc dc1 tags blue,v2 meta.a x meta.b 'y "z"'
unchanged "same after normalising, meta in another order" "unchanged" \
	fcr muster_register web-1 WEB 2001:Db8::A 8080 meta.a x tags BLUE,v2,Blue \
	meta.b 'y "z"' dc Dc1 node NODE1 priority 01 weight 1 check none
unchanged "same with the current status" "unchanged" fcr muster_register db-1 \
	db 192.0.2.9 5432 check tcp status warning timeout 100 interval 86400000 \
	deregister_after 2592000000

t_expect "status warning for web-2" \
	"$(fcr muster_status web-2 warning slow)" "changed"
since=$(rr HGET m:health:web-2 since)
upd=$(rr HGET m:instance:web-2 updated)
n=$(r_xlen m:)
tick
t_expect "changed re-register is updated" "$(fcr muster_register web-2 web \
	192.0.2.2 80 check http check_path /ready)" "updated"
t_expect "one entry for the update" "$(r_xlen m:)" "$((n + 1))"
t_expect "hash replaced as a whole (ttl, weights reset)" \
	"$(r_flat HGETALL m:instance:web-2)" \
	"service web address 192.0.2.2 port 80 priority 1 weight 1 weight_warning 1 check http check_path /ready interval 10000 timeout 2000 rise 1 fall 1 deregister_after 0 updated TS"
t_expect "updated moved" "$([ "$(rr HGET m:instance:web-2 updated)" -gt "$upd" ] && echo ok)" "ok"
t_expect "health kept on update" "$(rr HMGET m:health:web-2 status output since)" \
	"$(printf 'warning\nslow\n%s' "$since")"
t_expect "update entry" "$(r_last m:)" "op register id web-2 $(r_state m: web-2)"

upd=$(rr HGET m:instance:web-2 updated)
n=$(r_xlen m:)
tick
t_expect "status-only re-register is updated" "$(fcr muster_register web-2 web \
	192.0.2.2 80 check http check_path /ready status passing)" "updated"
t_expect "status-only: hash not rewritten" "$(rr HGET m:instance:web-2 updated)" "$upd"
t_expect "status-only: status set, output cleared" \
	"$(r_flat HMGET m:health:web-2 status output)" "passing "
t_expect "status-only: since moved" \
	"$([ "$(rr HGET m:health:web-2 since)" -gt "$since" ] && echo ok)" "ok"
t_expect "status-only: one entry" "$(r_xlen m:)" "$((n + 1))"

t_expect "heartbeat of ttl check" "$(fcr muster_status web-3 passing)" "changed"
pttl=$(rr PTTL m:heartbeat:web-3)
t_expect "heartbeat expires within check_ttl" \
	"$([ "$pttl" -gt 0 ] && [ "$pttl" -le 30000 ] && echo ok)" "ok"
fcr muster_register web-3 web 192.0.2.3 80 check ttl check_ttl 20000 >/dev/null
t_expect "heartbeat kept while the check stays ttl" "$(rr EXISTS m:heartbeat:web-3)" "1"
t_expect "leaving the ttl check" "$(fcr muster_register web-3 web 192.0.2.3 80 \
	check tcp)" "updated"
t_expect "heartbeat dropped" "$(rr EXISTS m:heartbeat:web-3)" "0"
t_expect "health kept" "$(rr HGET m:health:web-3 status)" "passing"

# ---- register: refused ----------------------------------------------------
reg() { refused "$1" muster_register "$P" "${@:2}"; }
ok4=(web-9 web 192.0.2.1 80)
refused "prefix: missing" muster_register
reg "id: missing"
reg "service: missing" web-9
reg "address: missing" web-9 web
reg "port: missing" web-9 web 192.0.2.1
reg "id: must be 1-128 characters of A-Z a-z 0-9 . _ : -" 'web 9' web 192.0.2.1 80
reg "id: must be 1-128 characters of A-Z a-z 0-9 . _ : -" '' web 192.0.2.1 80
reg "id: must be 1-128 characters of A-Z a-z 0-9 . _ : -" \
	"$(printf 'i%.0s' {1..129})" web 192.0.2.1 80
t_expect "128-char id accepted" "$(fcr muster_register "$(printf 'i%.0s' {1..128})" \
	long 192.0.2.1 80)" "created"
lbl="must be a DNS label (1-63 letters, digits, hyphens, no hyphen at either end)"
for s in -web web- we_b '' "$(printf 'a%.0s' {1..64})" 'we b' 'wéb'; do
	reg "service: $lbl" web-9 "$s" 192.0.2.1 80
done
t_expect "63-char label accepted" "$(fcr muster_register lbl63 \
	"$(printf 'a%.0s' {1..63})" 192.0.2.1 80)" "created"
addr="address: must be an IPv4 or IPv6 address"
for a in 256.1.1.1 01.2.3.4 1.2.3 1.2.3.4.5 1.2.3.4/24 ' 1.2.3.4' '' ::1::2 \
    1:2:3:4:5:6:7:8:9 1:2:3:4:5:6:7 12345:: gggg:: fe80::1%eth0 :1:2 1:2: \
    ':::1' 1:2:3:4:5:6:7:8:: ::1.2.3.4.5 1.2.3.4:: ::01.2.3.4 \
    1:2:3:4:5:6:7:1.2.3.4 localhost; do
	reg "$addr" web-9 web "$a" 80
done
for a in :: ::1 1:: 2001:DB8:0:0:0:0:0:1 ::ffff:192.0.2.1 1:2:3:4:5:6:192.0.2.1 \
    1:2:3:4:5:6:7:: 1::8 0.0.0.0 255.255.255.255 FE80::ABCD:1; do
	t_expect "address $a accepted" "$(fcr muster_register addr web "$a" 80)" \
		"$([ "$a" = :: ] && echo created || echo updated)"
	t_expect "address $a stored lowercased" \
		"$(rr HGET m:instance:addr address)" "$(printf '%s' "$a" | tr A-F a-f)"
done
for p in 0 65536 -1 +80 8.0 '' 0x50 99999999999999999; do
	reg "port: must be 1-65535" web-9 web 192.0.2.1 "$p"
done
reg "colour: unknown field" "${ok4[@]}" colour blue
reg "Service: unknown field" "${ok4[@]}" Service web
reg "updated: unknown field" "${ok4[@]}" updated 1
reg "weight: given twice" "${ok4[@]}" weight 1 weight 1
reg "meta.a: given twice" "${ok4[@]}" meta.a 1 meta.a 1
reg "ttl: missing value" "${ok4[@]}" node n1 ttl
reg "node: $lbl" "${ok4[@]}" node n_1
reg "dc: $lbl" "${ok4[@]}" dc -dc
reg "tags: $lbl" "${ok4[@]}" tags a,,b
reg "tags: $lbl" "${ok4[@]}" tags a,b_c
reg "tags: $lbl" "${ok4[@]}" tags ,
reg "tags: more than 64 tags" "${ok4[@]}" tags "$(seq -s, -f 't%g' 1 65)"
t_expect "64 tags accepted" "$(fcr muster_register tags64 web 192.0.2.1 80 \
	tags "$(seq -s, -f 't%g' 1 64),t1")" "created"
for f in priority weight weight_warning; do
	reg "$f: must be 0-65535" "${ok4[@]}" "$f" 65536
	reg "$f: must be 0-65535" "${ok4[@]}" "$f" x
done
reg "ttl: must be 0-86400" "${ok4[@]}" ttl 86401
reg "meta.: meta key must be 1-64 characters of A-Z a-z 0-9 _ -" "${ok4[@]}" meta. x
reg "meta.a.b: meta key must be 1-64 characters of A-Z a-z 0-9 _ -" "${ok4[@]}" meta.a.b x
k65=$(printf 'k%.0s' {1..65})
reg "meta.$k65: meta key must be 1-64 characters of A-Z a-z 0-9 _ -" "${ok4[@]}" "meta.$k65" x
reg "meta.k: key=value longer than 255 bytes" "${ok4[@]}" meta.k "$(printf 'v%.0s' {1..254})"
t_expect "key=value of 255 bytes accepted" "$(fcr muster_register meta255 web \
	192.0.2.1 80 meta.k "$(printf 'v%.0s' {1..253})")" "created"
reg "meta.k: must be printable ASCII" "${ok4[@]}" meta.k "$(printf 'a\tb')"
reg "meta.k: must be printable ASCII" "${ok4[@]}" meta.k "$(printf 'a\nb')"
reg "meta.k: must be printable ASCII" "${ok4[@]}" meta.k 'é'
many=()
for i in $(seq 1 65); do many+=("meta.k$i" v); done
reg "meta: more than 64 keys" "${ok4[@]}" "${many[@]}"
reg "check: must be one of none tcp http https ttl" "${ok4[@]}" check udp
reg "check: must be one of none tcp http https ttl" "${ok4[@]}" check TCP
reg "check_path: required for http and https checks" "${ok4[@]}" check https
reg "check_path: must start with /" "${ok4[@]}" check http check_path health
reg "check_path: must be printable ASCII" "${ok4[@]}" check http check_path "$(printf '/a\nb')"
reg "check_path: longer than 512 bytes" "${ok4[@]}" check http check_path \
	"/$(printf 'p%.0s' {1..512})"
reg "check_path: only for http and https checks" "${ok4[@]}" check tcp check_path /x
reg "check_path: only for http and https checks" "${ok4[@]}" check_path /x
reg "check_ttl: required for ttl checks" "${ok4[@]}" check ttl
reg "check_ttl: only for ttl checks" "${ok4[@]}" check tcp check_ttl 5000
reg "check_ttl: must be 1000-86400000" "${ok4[@]}" check ttl check_ttl 999
reg "check_ttl: must be 1000-86400000" "${ok4[@]}" check ttl check_ttl 86400001
reg "interval: must be 1000-86400000" "${ok4[@]}" check tcp interval 999
reg "interval: must be 1000-86400000" "${ok4[@]}" check tcp interval 86400001
reg "timeout: must be 100-5000" "${ok4[@]}" check tcp interval 5000 timeout 5001
reg "timeout: must be 100-10000" "${ok4[@]}" check tcp timeout 99
reg "rise: must be 1-100" "${ok4[@]}" check tcp rise 0
reg "fall: must be 1-100" "${ok4[@]}" check tcp fall 101
reg "deregister_after: must be 0 or 60000-2592000000" "${ok4[@]}" check tcp \
	deregister_after 59999
reg "deregister_after: must be 0 or 60000-2592000000" "${ok4[@]}" check tcp \
	deregister_after 2592000001
for f in interval timeout rise fall deregister_after; do
	reg "$f: only with a check" "${ok4[@]}" "$f" 1000
	reg "$f: only with a check" "${ok4[@]}" check none "$f" 1000
done
reg "status: must be one of passing warning critical" "${ok4[@]}" status up
reg "status: must be one of passing warning critical" web-1 web 2001:db8::a 8080 \
	status maintenance

# ---- deregister -----------------------------------------------------------
fcr muster_register gone web 192.0.2.7 80 check ttl check_ttl 60000 >/dev/null
fcr muster_status gone critical >/dev/null
n=$(r_xlen m:)
t_expect "deregister known" "$(fcr muster_deregister gone)" "1"
t_expect "deregister removed every key" \
	"$(rr EXISTS m:instance:gone m:health:gone m:heartbeat:gone)" "0"
t_expect "deregister removed the set member" "$(rr SISMEMBER m:instances gone)" "0"
t_expect "deregister entry" "$(r_last m:)" "op deregister id gone"
t_expect "deregister: one entry" "$(r_xlen m:)" "$((n + 1))"
unchanged "deregister unknown" "0" fcr muster_deregister gone
refused "arguments: too many" muster_deregister "$P" web-1 extra
refused "id: must be 1-128 characters of A-Z a-z 0-9 . _ : -" muster_deregister "$P" 'a*'

# ---- status ---------------------------------------------------------------
refused "id: no such instance" muster_status "$P" nope passing
refused "status: must be one of passing warning critical" muster_status "$P" web-1 ok
refused "status: missing" muster_status "$P" web-1
refused "output: longer than 1024 bytes" muster_status "$P" web-1 critical \
	"$(printf 'o%.0s' {1..1025})"
refused "arguments: too many" muster_status "$P" web-1 critical x y
n=$(r_xlen m:)
t_expect "status change" "$(fcr muster_status web-1 critical "$(printf 'down\n"hard"')")" \
	"changed"
t_expect "status change: one entry" "$(r_xlen m:)" "$((n + 1))"
t_expect "health entry is the full state" "$(r_last m:)" \
	"op health id web-1 $(r_state m: web-1)"
t_expect "output round-trips" "$(r HGET m:health:web-1 output)" '"down\n\"hard\""'
since=$(rr HGET m:health:web-1 since)
tick
t_expect "output-only change" "$(fcr muster_status web-1 critical "still down")" \
	"unchanged"
t_expect "output-only: output written" "$(rr HGET m:health:web-1 output)" "still down"
t_expect "output-only: since kept" "$(rr HGET m:health:web-1 since)" "$since"
t_expect "output-only: no entry" "$(r_xlen m:)" "$((n + 1))"
unchanged "same status and output" "unchanged" fcr muster_status web-1 critical "still down"
fcr muster_register hb web 192.0.2.8 80 check ttl check_ttl 50000 >/dev/null
fcr muster_status hb passing >/dev/null
exp=$(rr PEXPIRETIME m:heartbeat:hb)
n=$(r_xlen m:)
tick
t_expect "heartbeat, status unchanged" "$(fcr muster_status hb passing)" "unchanged"
t_expect "heartbeat refreshed" \
	"$([ "$(rr PEXPIRETIME m:heartbeat:hb)" -gt "$exp" ] && echo ok)" "ok"
t_expect "heartbeat: no entry" "$(r_xlen m:)" "$n"
t_expect "no heartbeat for other checks" "$(rr EXISTS m:heartbeat:web-1)" "0"

# ---- check, reap, lease ---------------------------------------------------
refused "lease: not held" muster_check "$P" web-1 passing ok p1
refused "token: must not be empty" muster_check "$P" web-1 passing ok ''
refused "output: missing" muster_check "$P" web-1 passing
refused "lease: not held" muster_reap "$P" web-1 p1
refused "ttl_ms: must be 1-86400000" muster_lease "$P" p1 0
refused "ttl_ms: missing" muster_lease "$P" p1
refused "token: must be printable ASCII" muster_lease "$P" "$(printf 'p\n1')" 1000
t_expect "lease acquired" "$(fcr muster_lease p1 30000)" "1"
pttl=$(rr PTTL m:probe:lease)
t_expect "lease expires" "$([ "$pttl" -gt 0 ] && [ "$pttl" -le 30000 ] && echo ok)" "ok"
unchanged "lease held by another" "0" fcr muster_lease p2 5000
t_expect "lease renewed" "$(fcr muster_lease p1 600000)" "1"
t_expect "lease renewal extends it" "$([ "$(rr PTTL m:probe:lease)" -gt 30000 ] && echo ok)" "ok"
unchanged "release by another" "0" fcr muster_lease_release p2
refused "lease: not held" muster_check "$P" web-1 passing ok p2
n=$(r_xlen m:)
t_expect "check change" "$(fcr muster_check web-1 passing "200 OK" p1)" "changed"
t_expect "check: entry" "$(r_last m:)" "op health id web-1 $(r_state m: web-1)"
t_expect "check: output stored with the change" "$(rr HGET m:health:web-1 output)" "200 OK"
unchanged "check, no status change (output not written)" "unchanged" \
	fcr muster_check web-1 passing "204 No Content" p1
refused "id: no such instance" muster_check "$P" nope passing ok p1
exp=$(rr PEXPIRETIME m:heartbeat:hb)
fcr muster_check hb critical "no heartbeat" p1 >/dev/null
t_expect "check leaves the heartbeat alone" "$(rr PEXPIRETIME m:heartbeat:hb)" "$exp"
unchanged "reap a passing instance" "0" fcr muster_reap web-1 p1
unchanged "reap unknown" "0" fcr muster_reap nope p1
fcr muster_maint hb on >/dev/null
unchanged "reap critical in maintenance" "0" fcr muster_reap hb p1
fcr muster_maint hb off >/dev/null
n=$(r_xlen m:)
t_expect "reap critical" "$(fcr muster_reap hb p1)" "1"
t_expect "reaped: gone" "$(rr EXISTS m:instance:hb m:health:hb m:heartbeat:hb)" "0"
t_expect "reap entry" "$(r_last m:)" "op deregister id hb"
t_expect "reap: one entry" "$(r_xlen m:)" "$((n + 1))"
t_expect "release by holder" "$(fcr muster_lease_release p1)" "1"
t_expect "released" "$(rr EXISTS m:probe:lease)" "0"
t_expect "free lease taken by another" "$(fcr muster_lease p2 600000)" "1"

# ---- maintenance ----------------------------------------------------------
refused "id: no such instance" muster_maint "$P" nope on
refused "mode: must be one of on off" muster_maint "$P" web-1 yes
refused "reason: longer than 256 bytes" muster_maint "$P" web-1 on \
	"$(printf 'r%.0s' {1..257})"
n=$(r_xlen m:)
t_expect "maint on" "$(fcr muster_maint web-1 on 'disk "swap"')" "changed"
t_expect "maint entry" "$(r_last m:)" "op maint id web-1 $(r_state m: web-1)"
t_expect "maint fields" "$(r_flat HMGET m:health:web-1 maint maint_reason status)" \
	'1 disk \"swap\" passing'
unchanged "maint on again" "unchanged" fcr muster_maint web-1 on 'disk "swap"'
t_expect "maint, new reason" "$(fcr muster_maint web-1 on 'later')" "unchanged"
t_expect "new reason stored" "$(rr HGET m:health:web-1 maint_reason)" "later"
t_expect "maint on: one entry" "$(r_xlen m:)" "$((n + 1))"
t_expect "maint off" "$(fcr muster_maint web-1 off)" "changed"
t_expect "maint off fields" "$(r_flat HMGET m:health:web-1 maint maint_reason)" "0 "
t_expect "maint off: entry" "$(r_last m:)" "op maint id web-1 $(r_state m: web-1)"

# ---- nodes ----------------------------------------------------------------
t_expect "node created" "$(fcr muster_node Node1 192.0.2.1 dc DC1 meta.rack 'r 1' \
	meta.os linux)" "created"
t_expect "node hash" "$(r_flat HGETALL m:node:node1)" \
	"address 192.0.2.1 dc dc1 meta.os linux meta.rack r 1 updated TS"
t_expect "node in the set" "$(rr SMEMBERS m:nodes)" "node1"
t_expect "node entry" "$(r_last m:)" \
	"op node id node1 address 192.0.2.1 dc dc1 meta.os linux meta.rack r 1 updated TS"
unchanged "node unchanged" "unchanged" fcr muster_node node1 192.0.2.1 \
	meta.os linux dc dc1 meta.rack 'r 1'
n=$(r_xlen m:)
t_expect "node updated" "$(fcr muster_node node1 2001:DB8::1)" "updated"
t_expect "node replaced as a whole" "$(r_flat HGETALL m:node:node1)" \
	"address 2001:db8::1 updated TS"
t_expect "node update entry" "$(r_last m:)" "op node id node1 address 2001:db8::1 updated TS"
t_expect "node update: one entry" "$(r_xlen m:)" "$((n + 1))"
refused "name: $lbl" muster_node "$P" node_1 192.0.2.1
refused "address: must be an IPv4 or IPv6 address" muster_node "$P" n2 192.0.2
refused "address: missing" muster_node "$P" n2
refused "node: unknown field" muster_node "$P" n2 192.0.2.1 node x
refused "dc: missing value" muster_node "$P" n2 192.0.2.1 dc
refused "dc: $lbl" muster_node "$P" n2 192.0.2.1 dc 'd c'
refused "meta.k: must be printable ASCII" muster_node "$P" n2 192.0.2.1 meta.k "$(printf '\001')"
t_expect "node delete" "$(fcr muster_node_delete NODE1)" "1"
t_expect "node deleted" "$(rr EXISTS m:node:node1)$(rr SCARD m:nodes)" "00"
t_expect "node delete entry" "$(r_last m:)" "op node_delete id node1"
unchanged "node delete unknown" "0" fcr muster_node_delete node1
refused "name: $lbl" muster_node_delete "$P" -x

# ---- dump -----------------------------------------------------------------
for i in $(seq 1 25); do
	fcr muster_register "d-$i" dump "192.0.2.$i" 80 >/dev/null
done
fcr muster_node n1 192.0.2.1 >/dev/null
fcr muster_node n2 192.0.2.2 dc dc2 >/dev/null
rr SADD m:instances ghost wrongtype badhealth >/dev/null
rr SADD m:nodes ghost wrongtype >/dev/null
rr SET m:instance:wrongtype "not a hash" >/dev/null
rr SET m:node:wrongtype "not a hash" >/dev/null
rr HSET m:instance:badhealth service bad >/dev/null
rr SET m:health:badhealth "not a hash" >/dev/null
# dump_all KIND: every id and its fields, one line each, sorted; pages of 3.
dump_all() {
	local cursor=0 pages=0 out
	: >"$T/dump"
	while :; do
		out=$(r FCALL_RO muster_dump 0 "$P" "$1" "$cursor" 3)
		printf '%s\n' "$out" | r_tree >"$T/page"
		cursor=$(awk -F '\t' 'NR == 1 { print $2 }' "$T/page")
		awk -F '\t' '$1 == 2 { if (l != "") print l; l = $2; next }
		    $1 == 3 { if ($2 ~ /^[0-9]+$/ && length($2) == 13) $2 = "TS"
			l = l " " $2 }
		    END { if (l != "") print l }' "$T/page" >>"$T/dump"
		pages=$((pages + 1))
		[ "$cursor" != 0 ] && [ "$pages" -lt 1000 ] || break
	done
	echo "$pages" >"$T/pages"
	sort "$T/dump"
}
expected=$(for id in $(rr SMEMBERS m:instances | grep -vx 'ghost\|wrongtype\|badhealth'); do
	echo "$id $(r_state m: "$id")"
done; echo "badhealth service bad")
got=$(dump_all instances)
t_expect "dump returns every instance with its state, bad ones skipped" "$got" \
	"$(printf '%s\n' "$expected" | sort)"
t_expect "dump took several pages" "$([ "$(cat "$T/pages")" -gt 1 ] && echo ok)" "ok"
t_expect "dump of nodes" "$(dump_all nodes)" \
	"$(printf 'n1 address 192.0.2.1 updated TS\nn2 address 192.0.2.2 dc dc2 updated TS')"
n1='n1 address 192.0.2.1 updated TS' n2='n2 address 192.0.2.2 dc dc2 updated TS'
t_expect_match "dump layout" "$(r_flat FCALL_RO muster_dump 0 "$P" nodes 0 100)" \
	"^0 ($n1 $n2|$n2 $n1)\$"
refused "kind: must be one of instances nodes" muster_dump "$P" services 0 10
refused "cursor: must be a cursor returned before, or 0" muster_dump "$P" nodes x 10
refused "count: must be 1-100000" muster_dump "$P" nodes 0 0
refused "count: missing" muster_dump "$P" nodes 0
t_expect "empty registry dumps empty" \
	"$(r_flat FCALL_RO muster_dump 0 nothing: instances 0 10)" "0 []"

# ---- stream trimming ------------------------------------------------------
rr SET t:changes:maxlen 5 >/dev/null
rr SET u:changes:maxlen bogus >/dev/null
for i in $(seq 1 30); do
	for p in t: u: v:; do
		rr FCALL muster_register 0 "$p" x s 192.0.2.1 "$i" >/dev/null
	done
done
xl=$(r_xlen t:)
t_expect "stream trimmed to about changes:maxlen (got $xl)" \
	"$([ "$xl" -ge 5 ] && [ "$xl" -le 9 ] && echo ok)" "ok"
t_expect "bad changes:maxlen: default" "$(r_xlen u:)" "30"
t_expect "no changes:maxlen: default" "$(r_xlen v:)" "30"

# ---- wrong types, prefixes ------------------------------------------------
rr SET w:changes x >/dev/null
refused "registry: w:changes holds a string, not a stream" muster_register w: \
	x s 192.0.2.1 80
rr SET w2:instance:x x >/dev/null
before=$(r_snap)
t_expect_match "wrong-typed instance key" \
	"$(r FCALL muster_register 0 w2: x s 192.0.2.1 80)" "^\(error\) WRONGTYPE Operation[^:]*$"
t_expect "wrong-typed instance key: nothing written" "$(r_snap)" "$before"

Q='my reg "x" {1}:'
t_expect "odd prefix" "$(rr FCALL muster_register 0 "$Q" a s 192.0.2.1 80)" "created"
t_expect "odd prefix keys" "$(rr --scan --pattern 'my reg*' | sort)" \
	"$(printf '%s\n' "${Q}changes" "${Q}health:a" "${Q}instance:a" \
	"${Q}instances" "${Q}schema" | sort)"
t_expect "empty prefix" "$(rr FCALL muster_register 0 '' a s 192.0.2.1 80)" "created"
t_expect "empty prefix keys" "$(rr EXISTS instances instance:a health:a changes schema)" "5"

t_done
