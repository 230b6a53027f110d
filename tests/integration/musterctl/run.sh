#!/usr/bin/env bash
# musterctl/run.sh -- contrib/musterctl under dash against throwaway
# redis-servers.
#
# Behaviours checked (musterctl(1)):
#  - --version, --help, usage errors;
#  - the Function library is loaded on first use (FCALL and FCALL_RO
#    paths) and by load-functions, from $MUSTER_FUNCTIONS, next to the
#    script, or from ../share/muster of an installed layout; a missing
#    or broken library is exit 1;
#  - register with every option: names lowercased, tags joined and
#    deduplicated, durations (ms s m h d, bare seconds) converted to ms,
#    meta values with quotes, backslashes and $ round-trip; unchanged
#    re-register keeps health and writes nothing; a changed one is one
#    replace with one stream entry;
#  - pass/warn/fail (notes with newlines round-trip, TTL heartbeat),
#    maint, node, node-delete, deregister and their replies;
#  - list: aligned table, order, [IPv6]:port, NODE "-", maintenance,
#    SINCE as "Ns/Nm/Nh/Nd ago", service filter; show: every field,
#    escaped values, effective health, heartbeat left/expired/none;
#  - every refused input: exit 1, exactly one line on stderr with the
#    expected text, nothing on stdout, the database unchanged (checks
#    made in sh and errors of the Functions alike);
#  - exit 2 for an absent socket, a closed TCP port, missing or wrong
#    credentials and a missing redis-cli;
#  - connection options and their MUSTER_* variables: -s, -h/-p, -a via
#    REDISCLI_AUTH only (never in redis-cli's argv), --user (ACL), -n,
#    --prefix with odd characters and the empty prefix.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/musterctl/registry.sh"
t_need dash

r_start reg
REG=$R

# mc ARGS...: musterctl under dash on the current redis; sets out, err, rc.
mc() {
	out=$(dash "$MUSTERCTL" -s "$R" "$@" 2>"$T/err" </dev/null)
	rc=$?
	err=$(cat "$T/err")
}
# mc_raw ARGS...: the same without -s.
mc_raw() {
	out=$(dash "$MUSTERCTL" "$@" 2>"$T/err" </dev/null)
	rc=$?
	err=$(cat "$T/err")
}

# ok WHAT WANT-STDOUT ARGS...: musterctl ARGS succeeds, prints WANT, no stderr.
ok() {
	local what=$1 want=$2
	shift 2
	mc "$@"
	t_expect "$what: exit 0" "$rc" "0"
	t_expect "$what: output" "$out" "$want"
	t_expect "$what: no stderr" "$err" ""
}

# refused WANT-STDERR ARGS...: musterctl ARGS exits 1 with exactly WANT on
# stderr, nothing on stdout, and writes nothing.
refused() {
	local want=$1 before
	shift
	before=$(r_snap)
	mc "$@"
	t_expect "refused $*: exit 1" "$rc" "1"
	t_expect "refused $*: stderr" "$err" "$want"
	t_expect "refused $*: no stdout" "$out" ""
	t_expect "refused $*: nothing written" "$(r_snap)" "$before"
}

# unreachable ARGS...: exit 2 with one line on stderr.
unreachable() {
	local what=$1
	shift
	mc_raw "$@"
	t_expect "$what: exit 2" "$rc" "2"
	t_expect "$what: one line on stderr" "$(printf '%s\n' "$err" | wc -l)" "1"
	t_expect_match "$what: says so" "$err" "^musterctl: cannot (reach|use) Redis: "
	t_expect "$what: no stdout" "$out" ""
}

# ---- basics ---------------------------------------------------------------
t_expect "script parses under dash" "$(dash -n "$MUSTERCTL" 2>&1; echo $?)" "0"
mc --version
t_expect "--version" "$rc $out" "0 musterctl 0.1.0"
mc --help
t_expect "--help: exit 0" "$rc" "0"
for c in register deregister 'pass|warn|fail' maint node node-delete list show \
    load-functions --node --dc --tag --priority --weight --weight-warning --ttl \
    --meta --check --interval --timeout --rise --fall --deregister-after \
    --status --prefix --user MUSTER_REDIS_SOCKET MUSTER_PREFIX; do
	t_expect_match "--help mentions $c" "$out" "(^|[^a-z-])$c([^a-z-]|\$)"
done
mc_raw
t_expect "no command: exit 1" "$rc" "1"
t_expect_match "no command: usage on stderr" "$err" "^usage: musterctl"
refused "musterctl: frob: unknown command (see musterctl --help)" frob
refused "musterctl: -x: unknown option (see musterctl --help)" -x list
refused "musterctl: -p: must be 1-65535" -p http list
refused "musterctl: --prefix: missing value" --prefix

# ---- register, auto-loading the library ------------------------------------
t_expect "no library loaded yet" "$(rr FUNCTION LIST)" ""
ok "register web-1 (loads the library)" "created" register web-1 Web 192.0.2.10 \
	8080 --node N1 --dc DC1 --tag v2 --tag Blue --tag V2 --priority 5 \
	--weight 10 --weight-warning 2 --ttl 30 --meta 'ver=1.2' \
	--meta "q=a \"b\" 'c' \$x \\ =" --check 'http:/health?x=1&y' --interval 5s \
	--timeout 500ms --rise 2 --fall 3 --deregister-after 1h --status warning
t_expect "library loaded" "$(rr FUNCTION LIST LIBRARYNAME muster | sed -n 2p)" "muster"
t_expect "every option stored" "$(r_flat HGETALL muster:instance:web-1 | \
	sed 's/meta.q .* meta.ver/meta.q Q meta.ver/')" \
	"service web address 192.0.2.10 port 8080 node n1 dc dc1 tags v2,blue priority 5 weight 10 weight_warning 2 ttl 30 meta.q Q meta.ver 1.2 check http check_path /health?x=1&y interval 5000 timeout 500 rise 2 fall 3 deregister_after 3600000 updated TS"
t_expect "meta value round-trips" "$(rr HGET muster:instance:web-1 meta.q)" \
	"a \"b\" 'c' \$x \\ ="
t_expect "--status stored" "$(rr HGET muster:health:web-1 status)" "warning"
t_expect "one stream entry" "$(r_xlen muster:)" "1"

# durations: OPTION VALUE FIELD STORED
while read -r opt val field want; do
	mc register dur svc 192.0.2.1 1 --check tcp "$opt" "$val"
	t_expect "$opt $val: exit 0" "$rc" "0"
	t_expect "$opt $val -> $field $want" "$(rr HGET muster:instance:dur "$field")" "$want"
done <<'EOF'
--interval 2m interval 120000
--interval 90 interval 90000
--interval 1d interval 86400000
--interval 1000ms interval 1000
--timeout 1s timeout 1000
--timeout 100ms timeout 100
--deregister-after 1d deregister_after 86400000
--deregister-after 0 deregister_after 0
--deregister-after 30d deregister_after 2592000000
--deregister-after 60 deregister_after 60000
--ttl 1h ttl 3600
--ttl 0 ttl 0
--ttl 86400 ttl 86400
EOF
ok "check ttl:1d" "updated" register dur svc 192.0.2.1 1 --check ttl:1d
t_expect "check_ttl in ms" "$(rr HGET muster:instance:dur check_ttl)" "86400000"
ok "check https" "updated" register dur svc 192.0.2.1 1 --check https:/
t_expect "https path" "$(r_flat HMGET muster:instance:dur check check_path)" "https /"
ok "check none drops check fields" "updated" register dur svc 192.0.2.1 1 --check none
t_expect "no interval for none" "$(rr HEXISTS muster:instance:dur interval)" "0"

# ---- unchanged and changed re-registration ---------------------------------
ok "fail web-1" "changed" fail web-1 "connection refused"
before=$(r_snap)
ok "same registration again" "unchanged" register web-1 web 192.0.2.10 8080 \
	--node n1 --dc dc1 --tag v2 --tag blue --priority 5 --weight 10 \
	--weight-warning 2 --ttl 30 --meta 'ver=1.2' --meta "q=a \"b\" 'c' \$x \\ =" \
	--check 'http:/health?x=1&y' --interval 5000ms --timeout 500ms --rise 2 \
	--fall 3 --deregister-after 60m
t_expect "unchanged: nothing written" "$(r_snap)" "$before"
t_expect "unchanged: health kept" "$(rr HGET muster:health:web-1 status)" "critical"
n=$(r_xlen muster:)
ok "changed registration" "updated" register web-1 web 192.0.2.10 8080 --node n1
t_expect "changed: one entry" "$(r_xlen muster:)" "$((n + 1))"
t_expect "changed: entry" "$(r_last muster:)" "op register id web-1 $(r_state muster: web-1)"
t_expect "changed: replaced as a whole" "$(r_flat HGETALL muster:instance:web-1)" \
	"service web address 192.0.2.10 port 8080 node n1 priority 1 weight 1 weight_warning 1 check none updated TS"
t_expect "changed: health kept" "$(r_flat HMGET muster:health:web-1 status output)" \
	"critical connection refused"

# ---- refused input ----------------------------------------------------------
E="musterctl: register:"
lbl="must be a DNS label (1-63 letters, digits, hyphens, no hyphen at either end)"
refused "$E port: must be 1-65535" register web-9 web 192.0.2.1 0
refused "$E port: must be 1-65535" register web-9 web 192.0.2.1 65536
refused "$E port: must be 1-65535" register web-9 web 192.0.2.1 http
refused "$E usage: register ID SERVICE ADDRESS PORT [options]" register web-9 web 192.0.2.1
refused "$E id: must be 1-128 characters of A-Z a-z 0-9 . _ : -" register 'web/9' web 192.0.2.1 80
refused "$E service: $lbl" register web-9 web_app 192.0.2.1 80
refused "$E service: $lbl" register web-9 -web 192.0.2.1 80
refused "$E address: must be an IPv4 or IPv6 address" register web-9 web localhost 80
refused "$E address: must be an IPv4 or IPv6 address" register web-9 web 192.0.2.256 80
refused "$E address: must be an IPv4 or IPv6 address" register web-9 web 1::2::3 80
refused "$E --tag: $lbl" register web-9 web 192.0.2.1 80 --tag a,b
refused "$E --node: $lbl" register web-9 web 192.0.2.1 80 --node 'n 1'
refused "$E --dc: $lbl" register web-9 web 192.0.2.1 80 --dc ''
refused "$E --weight: must be 0-65535" register web-9 web 192.0.2.1 80 --weight 70000
refused "$E --priority: must be 0-65535" register web-9 web 192.0.2.1 80 --priority -1
refused "$E --weight-warning: must be 0-65535" register web-9 web 192.0.2.1 80 --weight-warning x
refused "$E --ttl: must be 0-86400 seconds" register web-9 web 192.0.2.1 80 --ttl 86401
refused "$E --ttl: must be 0-86400 seconds" register web-9 web 192.0.2.1 80 --ttl 1500ms
refused "$E --meta: must be KEY=VALUE" register web-9 web 192.0.2.1 80 --meta novalue
refused "$E --meta: meta key must be 1-64 characters of A-Z a-z 0-9 _ -" \
	register web-9 web 192.0.2.1 80 --meta 'a key=v'
refused "$E --meta: must be printable ASCII" register web-9 web 192.0.2.1 80 \
	--meta "$(printf 'k=a\nb')"
refused "$E --meta: longer than 255 bytes" register web-9 web 192.0.2.1 80 \
	--meta "k=$(printf 'v%.0s' {1..254})"
refused "$E --check: must be tcp, http:PATH, https:PATH, ttl:DURATION or none" \
	register web-9 web 192.0.2.1 80 --check udp
refused "$E --check: the path must start with /" register web-9 web 192.0.2.1 80 \
	--check http:health
refused "$E --check: must be ttl:DURATION with DURATION 1s-1d" \
	register web-9 web 192.0.2.1 80 --check ttl:500ms
refused "$E --check: must be a duration (500ms, 10s, 2m, 1h, 1d or seconds)" \
	register web-9 web 192.0.2.1 80 --check ttl:soon
refused "$E --interval: must be 1s-1d" register web-9 web 192.0.2.1 80 \
	--check tcp --interval 500ms
refused "$E --interval: must be 1s-1d" register web-9 web 192.0.2.1 80 \
	--check tcp --interval 2d
refused "$E --interval: must be a duration (500ms, 10s, 2m, 1h, 1d or seconds)" \
	register web-9 web 192.0.2.1 80 --check tcp --interval 1.5s
refused "$E --timeout: must be at most the interval" register web-9 web 192.0.2.1 80 \
	--check tcp --timeout 20s
refused "$E --timeout: must be 100ms-1d, and at most the interval" \
	register web-9 web 192.0.2.1 80 --check tcp --timeout 50ms
refused "$E --rise: must be 1-100" register web-9 web 192.0.2.1 80 --check tcp --rise 0
refused "$E --fall: must be 1-100" register web-9 web 192.0.2.1 80 --check tcp --fall 101
refused "$E --deregister-after: must be 0 or 1m-30d" register web-9 web 192.0.2.1 80 \
	--check tcp --deregister-after 30s
refused "$E --status: must be passing, warning or critical" \
	register web-9 web 192.0.2.1 80 --status up
refused "$E --interval: only with a --check other than none" \
	register web-9 web 192.0.2.1 80 --interval 5s
refused "$E --rise: only with a --check other than none" \
	register web-9 web 192.0.2.1 80 --check none --rise 2
refused "$E --weight: given twice" register web-9 web 192.0.2.1 80 --weight 1 --weight 2
refused "$E --bogus: unknown option" register web-9 web 192.0.2.1 80 --bogus 1
refused "$E --weight: missing value" register web-9 web 192.0.2.1 80 --weight
refused "musterctl: deregister: id: must be 1-128 characters of A-Z a-z 0-9 . _ : -" \
	deregister 'a b'
refused "musterctl: deregister: usage: deregister ID" deregister
refused "musterctl: pass: id: no such instance" pass nope
refused "musterctl: warn: note: longer than 1024 bytes" warn web-1 \
	"$(printf 'n%.0s' {1..1025})"
refused "musterctl: fail: usage: fail ID [NOTE]" fail web-1 a b
refused "musterctl: maint: mode: must be on or off" maint web-1 maybe
refused "musterctl: maint: id: no such instance" maint nope on
refused "musterctl: maint: reason: longer than 256 bytes" maint web-1 on \
	"$(printf 'r%.0s' {1..257})"
refused "musterctl: node: name: $lbl" node n_1 192.0.2.1
refused "musterctl: node: address: must be an IPv4 or IPv6 address" node n1 1.2.3
refused "musterctl: node: --rack: unknown option" node n1 192.0.2.1 --rack r1
refused "musterctl: node: --dc: given twice" node n1 192.0.2.1 --dc a --dc b
refused "musterctl: node-delete: name: $lbl" node-delete -x
refused "musterctl: show: id: no such instance" show nope
refused "musterctl: list: service: $lbl" list web_app
refused "musterctl: list: usage: list [SERVICE]" list a b
refused "musterctl: load-functions: usage: load-functions" load-functions now

# ---- health, maintenance, nodes, deregister --------------------------------
note=$(printf 'line 1\nline "2" \\ $x')
ok "pass with a note" "changed" pass web-1 "$note"
t_expect "note round-trips" "$(rr HGET muster:health:web-1 output)" "$note"
t_expect "health entry" "$(r_last muster:)" "op health id web-1 $(r_state muster: web-1)"
ok "pass again" "unchanged" pass web-1 "$note"
ok "warn" "changed" warn web-1
t_expect "warn: warning, empty output" "$(r_flat HMGET muster:health:web-1 status output)" "warning "
ok "fail" "changed" fail web-1 down
t_expect "fail: critical" "$(rr HGET muster:health:web-1 status)" "critical"
ok "register a ttl-checked instance" "created" register hb-1 batch 192.0.2.20 9000 \
	--check ttl:1m
t_expect "no heartbeat yet" "$(rr EXISTS muster:heartbeat:hb-1)" "0"
ok "heartbeat" "changed" pass hb-1
pttl=$(rr PTTL muster:heartbeat:hb-1)
t_expect "heartbeat window set" "$([ "$pttl" -gt 0 ] && [ "$pttl" -le 60000 ] && echo ok)" "ok"
reason=$(printf 'kernel "upgrade"\nreboot')
ok "maint on" "changed" maint web-1 on "$reason"
t_expect "maint reason round-trips" "$(rr HGET muster:health:web-1 maint_reason)" "$reason"
ok "maint on again" "unchanged" maint web-1 on "$reason"
ok "node" "created" node Node-1 2001:DB8::1 --dc DC1 --meta 'rack=r 1'
t_expect "node stored" "$(r_flat HGETALL muster:node:node-1)" \
	"address 2001:db8::1 dc dc1 meta.rack r 1 updated TS"
ok "node unchanged" "unchanged" node node-1 2001:db8::1 --meta 'rack=r 1' --dc dc1
ok "node updated" "updated" node node-1 2001:db8::2
ok "node-delete" "deleted" node-delete node-1
ok "node-delete again" "no such node" node-delete node-1
ok "register web-2" "created" register web-2 web 2001:DB8::20 80
ok "register db-1" "created" register db-1 db 192.0.2.30 5432 --node db-host --check tcp
ok "register gone" "created" register gone web 192.0.2.40 80
ok "deregister" "deregistered" deregister gone
t_expect "deregistered: keys gone" "$(rr EXISTS muster:instance:gone muster:health:gone)" "0"
t_expect "deregister entry" "$(r_last muster:)" "op deregister id gone"
ok "deregister again" "not registered" deregister gone

# ---- list ---------------------------------------------------------------------
now=$(r_now)
rr HSET muster:health:web-1 maint_since $((now - 190000)) >/dev/null
rr HSET muster:health:web-2 since $((now - 2 * 3600000 - 600000)) >/dev/null
rr HSET muster:health:db-1 since $((now - 3 * 86400000 - 5000)) >/dev/null
rr HSET muster:health:hb-1 since $((now - 20000)) >/dev/null
rr HSET muster:health:dur since $((now - 59 * 60000)) >/dev/null
mc list
t_expect "list: exit 0" "$rc" "0"
t_expect "list: table" "$(printf '%s\n' "$out" | sed -E 's/ 2[0-9]s ago$/ 2Xs ago/')" \
"ID     SERVICE  ADDRESS:PORT       NODE     HEALTH       SINCE
hb-1   batch    192.0.2.20:9000    -        passing      2Xs ago
db-1   db       192.0.2.30:5432    db-host  critical     3d ago
dur    svc      192.0.2.1:1        -        critical     59m ago
web-1  web      192.0.2.10:8080    n1       maintenance  3m ago
web-2  web      [2001:db8::20]:80  -        passing      2h ago"
mc list WEB
t_expect "list SERVICE filters" "$(printf '%s\n' "$out" | awk '{ print $1 }' | paste -sd' ' -)" \
	"ID web-1 web-2"
mc --prefix empty: list
t_expect "list of an empty registry" "$rc $out" \
	"0 ID  SERVICE  ADDRESS:PORT  NODE  HEALTH  SINCE"
rr FUNCTION FLUSH >/dev/null
mc list db
t_expect "list loads the library (FCALL_RO)" "$rc $(printf '%s' "$out" | sed -n 2p | awk '{ print $1 }')" "0 db-1"

# ---- show ---------------------------------------------------------------------
field() { printf '%s\n' "$out" | awk -v k="$1" '$1 == k { sub(/^[^ ]+ +/, ""); print; f = 1 }
    END { if (!f) print "(absent)" }'; }
mc show web-1
t_expect "show: exit 0" "$rc" "0"
t_expect "show: id" "$(field id)" "web-1"
t_expect "show: service" "$(field service)" "web"
t_expect "show: node" "$(field node)" "n1"
t_expect "show: every instance field" "$(printf '%s\n' "$out" | awk '{ print $1 }' | paste -sd' ' -)" \
	"id service address port node priority weight weight_warning check updated health.status health.output health.since health.maint health.maint_reason health.maint_since health heartbeat"
t_expect "show: escaped output" "$(field health.output)" 'down'
t_expect "show: escaped reason" "$(field health.maint_reason)" 'kernel "upgrade"\nreboot'
t_expect "show: effective health" "$(field health)" 'maintenance (kernel "upgrade"\nreboot)'
t_expect_match "show: timestamps with ages" "$(field health.maint_since)" '^[0-9]{13} \(3m ago\)$'
t_expect "show: no heartbeat" "$(field heartbeat)" "none"
mc show hb-1
t_expect_match "show: heartbeat left" "$(field heartbeat)" '^[0-9]+\.[0-9]s left$'
t_expect "show: check ttl" "$(field check_ttl)" "60000"
rr DEL muster:heartbeat:hb-1 >/dev/null
mc show hb-1
t_expect "show: heartbeat expired" "$(field heartbeat)" "expired"
ok "maint off" "changed" maint web-1 off
mc show web-1
t_expect "show: effective health out of maintenance" "$(field health)" "critical"

# ---- loading the library -------------------------------------------------------
rr FUNCTION FLUSH >/dev/null
mc load-functions
t_expect "load-functions" "$rc $out" "0 loaded library muster from $(dirname "$MUSTERCTL")/muster.lua"
t_expect "load-functions loaded it" "$(rr FCALL_RO muster_version 0)" "1"
sed 's/return 1 end, true/return 2 end, true/' "$MUSTER_LUA" >"$T/custom.lua"
MUSTER_FUNCTIONS=$T/custom.lua mc load-functions
t_expect "MUSTER_FUNCTIONS first" "$rc $out" "0 loaded library muster from $T/custom.lua"
t_expect "MUSTER_FUNCTIONS loaded" "$(rr FCALL_RO muster_version 0)" "2"
MUSTER_FUNCTIONS=$T/absent.lua mc load-functions
t_expect "absent MUSTER_FUNCTIONS: next place" "$rc $out" \
	"0 loaded library muster from $(dirname "$MUSTERCTL")/muster.lua"
mkdir -p "$T/inst/bin" "$T/inst/share/muster" "$T/lone"
cp "$MUSTERCTL" "$T/inst/bin/musterctl"
cp "$MUSTERCTL" "$T/lone/musterctl"
sed 's/return 1 end, true/return 3 end, true/' "$MUSTER_LUA" >"$T/inst/share/muster/muster.lua"
out=$(dash "$T/inst/bin/musterctl" -s "$R" load-functions 2>&1)
t_expect "installed layout" "$out" \
	"loaded library muster from $T/inst/bin/../share/muster/muster.lua"
t_expect "installed layout loaded" "$(rr FCALL_RO muster_version 0)" "3"
rr FUNCTION FLUSH >/dev/null
if [ -e /usr/local/share/muster/muster.lua ] || [ -e /usr/share/muster/muster.lua ]; then
	t_log "a muster.lua is installed: not checking the not-found case"
else
	before=$(r_snap)
	out=$(dash "$T/lone/musterctl" -s "$R" pass web-1 2>"$T/err")
	t_expect "no library anywhere: exit 1" "$?" "1"
	t_expect "no library anywhere: stderr" "$(cat "$T/err")" \
		"musterctl: pass: muster.lua not found (set MUSTER_FUNCTIONS to its path)"
	t_expect "no library anywhere: nothing written" "$(r_snap)" "$before"
fi
printf '#!lua name=muster\nthis is not lua\n' >"$T/broken.lua"
MUSTER_FUNCTIONS=$T/broken.lua mc pass web-1
t_expect "broken library: exit 1" "$rc" "1"
t_expect "broken library: one line" "$(printf '%s\n' "$err" | wc -l)" "1"
t_expect_match "broken library: says why" "$err" \
	"^musterctl: pass: redis: ERR Error compiling function"
ok "auto-load on FCALL" "changed" pass web-1
t_expect "auto-loaded" "$(rr FCALL_RO muster_version 0)" "1"

# ---- unreachable ----------------------------------------------------------------
unreachable "absent socket" -s "$T/absent.sock" register x s 192.0.2.1 1
unreachable "absent socket, list" -s "$T/absent.sock" list
unreachable "absent socket, show" -s "$T/absent.sock" show web-1
unreachable "absent socket, load-functions" -s "$T/absent.sock" load-functions
MUSTER_REDIS_SOCKET=$T/absent.sock unreachable "absent socket from the environment" pass web-1
closed=$(t_freeport)
unreachable "closed TCP port" -h 127.0.0.1 -p "$closed" pass web-1
mkdir -p "$T/nobin"
for c in dirname mktemp rm sed awk sort tr cat paste; do
	ln -s "$(command -v "$c")" "$T/nobin/$c"
done
out=$(PATH=$T/nobin "$(command -v dash)" "$MUSTERCTL" -s "$R" list 2>"$T/err")
t_expect "no redis-cli: exit 2" "$?" "2"
t_expect "no redis-cli: stderr" "$(cat "$T/err")" \
	"musterctl: redis-cli not found (install the redis-tools package)"

# ---- connection options -----------------------------------------------------------
mc_raw -h 127.0.0.1 -p "$reg_port" register tcp-1 tcp 192.0.2.50 1
t_expect "-h/-p" "$rc $out" "0 created"
MUSTER_REDIS_HOST=127.0.0.1 MUSTER_REDIS_PORT=$reg_port mc_raw pass tcp-1
t_expect "MUSTER_REDIS_HOST/PORT" "$rc $out" "0 unchanged"
MUSTER_REDIS_SOCKET=$T/absent.sock mc_raw -p "$reg_port" pass tcp-1
t_expect "-p cancels the socket from the environment" "$rc $out" "0 unchanged"
MUSTER_REDIS_SOCKET=$R mc_raw register sock-1 sock 192.0.2.51 1
t_expect "MUSTER_REDIS_SOCKET" "$rc $out" "0 created"
mc -n 3 register db3-1 db3 192.0.2.52 1
t_expect "-n" "$rc $out $(redis-cli -s "$R" -n 3 EXISTS muster:instance:db3-1)$(rr EXISTS muster:instance:db3-1)" \
	"0 created 10"
MUSTER_REDIS_DB=4 mc register db4-1 db4 192.0.2.53 1
t_expect "MUSTER_REDIS_DB" "$rc $out $(redis-cli -s "$R" -n 4 EXISTS muster:instance:db4-1)" \
	"0 created 1"
refused "musterctl: -n: must be 0-1000000" -n x list
Q='my reg "x" \ $y:'
mc --prefix "$Q" register p-1 web 192.0.2.60 1
t_expect "--prefix with odd characters" "$rc $out $(rr EXISTS "${Q}instance:p-1" "${Q}changes")" \
	"0 created 2"
MUSTER_PREFIX=$Q mc list
t_expect "MUSTER_PREFIX" "$rc $(printf '%s\n' "$out" | sed -n 2p | awk '{ print $1 }')" "0 p-1"
MUSTER_PREFIX= mc register e-1 web 192.0.2.61 1
t_expect "empty MUSTER_PREFIX is the empty prefix" "$rc $out $(rr EXISTS instance:e-1)" "0 created 1"
mc --prefix '' show e-1
t_expect "--prefix ''" "$rc $(field service)" "0 web"

# passwords and ACL users; the password never on redis-cli's command line
r_start auth --requirepass s3cret
rr -a s3cret --no-auth-warning ACL SETUSER alice on '>alicepw' '~*' '&*' '+@all' >/dev/null
mkdir -p "$T/spy"
cat >"$T/spy/redis-cli" <<EOF
#!/bin/sh
printf '%s\n' "argv: \$*" "auth: \${REDISCLI_AUTH:-}" >>"$T/spy.log"
exec $(command -v redis-cli) "\$@"
EOF
chmod +x "$T/spy/redis-cli"
unreachable "no password" -s "$R" register a-1 web 192.0.2.70 1
unreachable "wrong password" -s "$R" -a wrong register a-1 web 192.0.2.70 1
t_expect_match "no password: says why" "$err" "NOAUTH|WRONGPASS"
: >"$T/spy.log"
PATH=$T/spy:$PATH mc -a s3cret register a-1 web 192.0.2.70 1
t_expect "-a" "$rc $out" "0 created"
t_expect "-a: password not in argv" "$(grep -c 's3cret' <(grep '^argv:' "$T/spy.log"))" "0"
t_expect "-a: password in REDISCLI_AUTH" "$(grep -c '^auth: s3cret$' "$T/spy.log")" \
	"$(grep -c '^argv:' "$T/spy.log")"
MUSTER_REDIS_PASSWORD=s3cret mc pass a-1
t_expect "MUSTER_REDIS_PASSWORD" "$rc $out" "0 unchanged"
mc --user alice -a alicepw pass a-1 ok
t_expect "--user" "$rc $out" "0 unchanged"
unreachable "--user with the default user's password" -s "$R" --user alice -a s3cret pass a-1
MUSTER_REDIS_USER=alice MUSTER_REDIS_PASSWORD=alicepw mc warn a-1
t_expect "MUSTER_REDIS_USER" "$rc $out" "0 changed"

t_done
