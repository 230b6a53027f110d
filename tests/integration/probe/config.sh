#!/usr/bin/env bash
# probe/config.sh -- muster-probe's command line, config file, https.
#
# Behaviours checked:
#  - -V prints the version, -h lists every option, an unknown option is
#    refused with "Try 'muster-probe --help'";
#  - -n with a valid config file (contrib/muster-probe.conf) exits 0;
#    -n reports errors as FILE:LINE: key: why and exits 1 (unknown key,
#    bad duration, bad Redis URL, a number out of range, a bad id), and a
#    bad value on the command line as "command line";
#  - without -f it goes to the background, writes --pidfile, follows the
#    registry under --prefix (takes that prefix's lease, checks, writes),
#    and stops by that PID, removing the pidfile and giving up the lease;
#  - SIGHUP reads the configuration again and the prober goes on;
#  - https checks: a TLS server (openssl s_server) is passing with its
#    status line as the output ("HTTP 200 ok"); a plain-HTTP port checked
#    as https (registered --status passing) becomes critical with the
#    TLS failure as the output.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/probe/probe.sh"
[ -x "$PROBE" ] || t_skip "muster-probe is not built"

# oneline CMD...: CMD's output and exit status on one line.
oneline() {
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	printf '%s rc=%s\n' "$out" "$rc" | tr '\n' ' '
}

# ---- command line ----
t_expect "-V" "$("$PROBE" -V)" "muster-probe $(sed -n 's/^AC_INIT(\[muster\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")"
help=$("$PROBE" -h)
for o in --redis --prefix --config --check-config --foreground --version \
    --help --log-level --pidfile --lease-ttl --max-checks --id; do
	t_expect_match "-h lists $o" "$help" " $o"
done
t_expect_match "unknown option" "$(oneline "$PROBE" --bogus)" \
	"unknown option --bogus.*Try 'muster-probe --help'.*rc=1"

# ---- -n ----
t_expect_match "-n: the sample config is valid" \
	"$(oneline "$PROBE" -n -c "$top_srcdir/contrib/muster-probe.conf")" \
	"configuration is valid.*rc=0"
bad() { # bad LINE: a config whose third line is LINE; -n's output, rc
	printf '# a comment\nprefix muster:\n%s\n' "$1" >"$T/bad.conf"
	oneline "$PROBE" -n -c "$T/bad.conf"
}
t_expect_match "-n: unknown key" "$(bad "colour blue")" \
	"bad\.conf:3: colour: unknown key.*rc=1"
t_expect_match "-n: bad duration" "$(bad "lease-ttl 10x")" \
	"bad\.conf:3: lease-ttl: expected a duration.*rc=1"
t_expect_match "-n: bad redis URL" "$(bad "redis http://x")" \
	"bad\.conf:3: redis: .*is not a redis://.*URL.*rc=1"
t_expect_match "-n: number out of range" "$(bad "max-checks 0")" \
	"bad\.conf:3: max-checks: expected a number from 1.*rc=1"
t_expect_match "-n: bad id" "$(bad "id two words")" \
	"bad\.conf:3: id: expected 1-64 characters.*rc=1"
t_expect_match "-n: a key given twice" \
	"$(printf 'id a\nid b\n' >"$T/twice.conf"; oneline "$PROBE" -n -c "$T/twice.conf")" \
	"twice\.conf:2: id: given twice.*rc=1"
t_expect_match "command line error" "$(oneline "$PROBE" -n --lease-ttl 1ms)" \
	"command line: lease-ttl: .*rc=1"
t_expect_match "missing file" "$(oneline "$PROBE" -n -c "$T/nope.conf")" \
	"nope\.conf: cannot open.*rc=1"

# ---- background mode, pidfile ----
p_setup
"$MUSTERCTL" -s "$r_sock" --prefix bg: register bg-1 bgsvc 127.0.0.1 \
	"$(t_freeport)" --check tcp --interval 1s --status passing >/dev/null
timeout 10 "$PROBE" -r "unix://$r_sock" --prefix bg: --pidfile "$T/p.pid" --id bg
t_expect "background: the starting process exits 0" "$?" "0"
if t_poll 5 test -s "$T/p.pid"; then
	bg=$(cat "$T/p.pid")
	t_pids="$t_pids $bg"
	t_expect "background: running" "$(kill -0 "$bg" && echo yes)" "yes"
	bg_leases() { [ "$(rcli GET bg:probe:lease | cut -d- -f1)" = bg ]; }
	t_expect "background, --prefix: takes the lease" \
		"$(t_poll 5 bg_leases && echo yes)" "yes"
	bg_critical() { [ "$(rcli HGET bg:health:bg-1 status)" = critical ]; }
	t_expect "background, --prefix: checks and writes" \
		"$(t_poll 5 bg_critical && echo yes)" "yes"
	kill "$bg"
	t_expect "background: stops by its PID" "$(t_wait_gone "$bg" 5 && echo yes)" "yes"
	t_expect "background: pidfile removed" "$(test -e "$T/p.pid" && echo there)" ""
	t_expect "background: lease released" "$(rcli EXISTS bg:probe:lease)" "0"
else
	t_fail "background: no pidfile"
fi

# ---- https ----
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -subj /CN=localhost \
	    -days 1 >/dev/null 2>&1
	ps=$(t_freeport) ph=$(t_freeport)
	t_bg "$T/s_server.log" openssl s_server -quiet -www -accept "127.0.0.1:$ps" \
	    -cert "$T/cert.pem" -key "$T/key.pem"
	hc_start h "$ph"
	t_poll 5 sh -c "ss -ltn | grep -q ':$ps '"
	ctl register tls-1 tls 127.0.0.1 "$ps" --check https:/ --interval 1s >/dev/null
	ctl register tls-2 tls 127.0.0.1 "$ph" --check https:/ --interval 1s \
	    --status passing >/dev/null
	p_start_probe p --lease-ttl 2s
	t_expect "https: TLS server passing" "$(t_poll 4 p_is tls-1 passing && echo yes)" "yes"
	t_expect_match "https: status line as output" \
		"$(rcli HGET muster:health:tls-1 output)" "^HTTP 200 ok$"
	t_expect "https: not TLS is critical" "$(t_poll 4 p_is tls-2 critical && echo yes)" "yes"
	t_expect_match "https: the TLS failure as output" \
		"$(rcli HGET muster:health:tls-2 output)" "TLS handshake"
	t_expect "https: served" "$(t_poll 2 served tls "$ps" && srv tls)" "$ps/1"
	kill -HUP "$p_pid"
	t_expect "SIGHUP: configuration read again" \
		"$(t_poll 3 grep -q "reload, done" "$T/p.log" && echo yes)" "yes"
	t_expect "SIGHUP: still running" "$(kill -0 "$p_pid" && echo yes)" "yes"
else
	t_log "openssl not installed: https part skipped"
fi

t_done
