#!/usr/bin/env bash
# reload/run.sh -- configuration, reload and signals of musterd.
#
# Behaviours checked:
#  - SIGHUP with a changed zone: the new data is served (polled for);
#  - SIGHUP with a broken zone (syntax error, CNAME and other data, no
#    SOA, $INCLUDE of a missing file): the old data is still served and
#    the error is logged with file:line (the file alone for a missing SOA);
#    a good zone afterwards is loaded again;
#  - SIGHUP with a broken config file (unknown key, bad value): the old
#    data and settings stay, the log names file:line: key;
#  - SIGHUP applies udp-payload and warns that tcp-clients needs a restart;
#    zones added to and removed from the config are served and REFUSED;
#  - -n/--check-config: exit 0 for a good config and zones, even while
#    another musterd holds the port; exit 1 naming file:line for each kind
#    of zone and config error; never "started", never a bound port;
#  - bad command-line options: non-zero exit, a message naming the option;
#  - -c FILE with every key of `musterd --help' (but the command-line-only
#    ones): each takes effect; the command line overrides the file, and a
#    list given on the command line replaces the file's;
#  - SIGUSR1 logs a stats line with the query counts;
#  - SIGTERM and SIGINT stop cleanly: exit status 0, "stopped" logged,
#    the PID gone within a deadline, the pidfile removed;
#  - -V and -h exit 0.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/proto/msg.sh"
t_need dig

Z=$T/example.zone
C=$T/musterd.conf
port=$(t_freeport)

zone() { # zone SERIAL [EXTRA LINES]: a good zone, then the extra lines
	printf '%s\n' '$ORIGIN example.test.' '$TTL 300' \
	    "@ IN SOA ns1 hostmaster $1 7200 3600 1209600 300" \
	    '  IN NS ns1' 'ns1 IN A 192.0.2.1' 'www IN A 192.0.2.80'
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@"
	return 0
}
conf() { # conf [EXTRA LINES]: the base config, then the extra lines
	printf '%s\n' "# musterd test config" "listen 127.0.0.1:$port" \
	    "zone example.test.=$Z" "workers 1"
	[ $# -gt 0 ] && printf '%s\n' "$@"
	return 0
}
short() { t_dig "$port" +short "$@"; }
serial() { t_dig "$port" +short example.test SOA | awk '{ print $3 }'; }
last() { printf '%s\n' "$1" | tail -n 1; }
# hup WHAT: send SIGHUP, wait for the outcome to be logged, in $hup_line
reloads() { grep -c 'reload, \(done\|failed\)' "$T/d.log"; }
hup() {
	local n
	n=$(reloads)
	kill -HUP "$d_pid"
	t_poll 10 sh -c "test \$(grep -c 'reload, \\(done\\|failed\\)' '$T/d.log') -gt $n" \
		|| t_fail "$1: reload not logged"
	hup_line=$(grep 'reload, \(done\|failed\)' "$T/d.log" | tail -n 1)
}

zone 1 >"$Z"
conf >"$C"
t_start_musterd d -c "$C"
t_expect "start: data served" "$(short www.example.test A)" "192.0.2.80"

# ---- zone reload ----
zone 2 'new IN A 192.0.2.99' >"$Z"
kill -HUP "$d_pid"
t_expect "changed zone: new record served" \
	"$(t_poll 10 sh -c "dig +time=1 +tries=1 @127.0.0.1 -p $port +short new.example.test A | grep -qx 192.0.2.99" && echo yes)" "yes"
t_expect "changed zone: new serial" "$(serial)" "2"
t_expect_match "changed zone: logged" "$(cat "$T/d.log")" "reload, done"

broken() { # broken WHAT REGEX ZONE-LINES...: a reload that must fail
	local what=$1 re=$2 line
	shift 2
	printf '%s\n' "$@" >"$Z"
	hup "$what"
	t_expect_match "$what: reload fails, file:line logged" "$hup_line" "$re"
	t_expect "$what: old data served" "$(short new.example.test A)/$(serial)" "192.0.2.99/2"
}
broken "syntax error" "reload, failed.*$Z:7: " "$(zone 3 'bad IN A 999.1.1.1')"
broken "CNAME and other data" "reload, failed.*$Z:8: CNAME and other data at www" \
	"$(zone 3 'x IN TXT "x"' 'www IN CNAME ns1')"
broken "no SOA" "reload, failed.*$Z: no SOA" "$(zone 3 | grep -v SOA)"
broken "include of a missing file" "reload, failed.*$Z:7: cannot open $T/missing.zone" \
	"$(zone 3 "\$INCLUDE $T/missing.zone")"
broken "name outside the zone" "reload, failed.*$Z:7: " "$(zone 3 'a.example.org. IN A 192.0.2.7')"
zone 4 'new IN A 192.0.2.100' >"$Z"
hup "good zone"
t_expect_match "good zone after broken ones" "$hup_line" "reload, done"
t_expect "good zone after broken ones: served" "$(short new.example.test A)/$(serial)" \
	"192.0.2.100/4"

# ---- config reload ----
badconf() { # badconf WHAT REGEX CONF-LINES...
	local what=$1 re=$2
	shift 2
	conf "$@" >"$C"
	hup "$what"
	t_expect_match "$what: reload fails, file:line: key logged" "$hup_line" "$re"
	t_expect "$what: old data served" "$(short new.example.test A)/$(serial)" "192.0.2.100/4"
}
zone 5 'new IN A 192.0.2.101' >"$Z"	# would be served if the reload went on
badconf "unknown key" "reload, failed.*$C:5: bogus: unknown key" "bogus 1"
badconf "bad value" "reload, failed.*$C:6: udp-payload: expected a number" \
	"log-level info" "udp-payload 100"
badconf "bad listen" "reload, failed.*$C:5: listen: bad address" "listen nowhere"
badconf "unterminated quote" "reload, failed.*$C:5: " 'pidfile "/x'
out=$(dnsq -p "$port" "$(m_equery 1 www.example.test A 4096)")
t_expect "bad config: udp-payload unchanged" "$(fld edns "$out")" "1232"
conf "udp-payload 1400" "tcp-clients 7" >"$C"
hup "good config"
t_expect_match "good config after broken ones" "$hup_line" "reload, done"
t_expect "good config: zone reloaded too" "$(short new.example.test A)/$(serial)" \
	"192.0.2.101/5"
out=$(dnsq -p "$port" "$(m_equery 2 www.example.test A 4096)")
t_expect "reload applies udp-payload" "$(fld edns "$out")" "1400"
t_expect_match "reload warns about tcp-clients" "$(cat "$T/d.log")" \
	"tcp-clients changed: takes effect at restart"

printf '%s\n' '@ 300 IN SOA ns1.other.test. h.other.test. 9 1 1 1 1' \
	'@ 300 IN NS ns1.example.test.' 'www 300 IN A 192.0.2.77' >"$T/other.zone"
conf "udp-payload 1400" "tcp-clients 7" "zone other.test.=$T/other.zone" >"$C"
hup "zone added"
t_expect "reload adds a zone" "$(short www.other.test A)" "192.0.2.77"
conf "udp-payload 1400" "tcp-clients 7" >"$C"
hup "zone removed"
t_expect "reload removes a zone" \
	"$(t_dig "$port" www.other.test A | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')" "REFUSED"
t_expect "reload removes a zone: the other stays" "$(short www.example.test A)" "192.0.2.80"

# ---- SIGUSR1 ----
for i in 1 2 3; do short www.example.test A >/dev/null; done
n=$(grep -c 'stats, ' "$T/d.log")
kill -USR1 "$d_pid"
t_poll 5 sh -c "test \$(grep -c 'stats, ' '$T/d.log') -gt $n"
out=$(grep 'stats, ' "$T/d.log" | tail -n 1)
t_expect_match "SIGUSR1: stats line" "$out" \
	"stats, queries udp [0-9]+ tcp [0-9]+; noerror [0-9]+ nxdomain [0-9]+ refused"
t_expect_match "SIGUSR1: queries counted" "$out" "queries udp ([2-9][0-9]|[1-9][0-9]{2,}) "

# ---- SIGTERM ----
kill -TERM "$d_pid"
t_expect "SIGTERM: gone" "$(t_wait_gone "$d_pid" 5 && echo yes)" "yes"
wait "$d_pid"
t_expect "SIGTERM: exit status 0" "$?" "0"
t_expect_match "SIGTERM: logged" "$(tail -n 2 "$T/d.log")" "info: stopped"

# ---- --check-config ----
zone 6 >"$Z"
conf >"$C"
t_start_musterd holder -w 1 -l "127.0.0.1:$port" -z "$Z"
out=$("$MUSTERD" -n -c "$C" 2>&1)
t_expect "-n good: exit 0 (port in use does not matter)" "$?" "0"
t_expect_match "-n good: says valid" "$out" "configuration and zones are valid"
t_expect "-n good: no \"started\"" "$(printf '%s\n' "$out" | grep -c started)" "0"
out=$("$MUSTERD" --check-config -z "$Z" 2>&1)
t_expect "--check-config good: exit 0" "$?" "0"

check_bad() { # check_bad WHAT REGEX ARGS...
	local what=$1 re=$2 out rc
	shift 2
	out=$("$MUSTERD" "$@" 2>&1)
	rc=$?
	t_expect "-n $what: exit 1" "$rc" "1"
	t_expect_match "-n $what: message" "$out" "$re"
	t_expect "-n $what: no \"started\"" "$(printf '%s\n' "$out" | grep -c started)" "0"
}
B=$T/bad.zone
zone 1 'bad IN A 999.1.1.1' >"$B"
check_bad "syntax error" "error: $B:7: " -n -z "$B"
zone 1 'www IN CNAME ns1' >"$B"
check_bad "CNAME and other data" "error: $B:7: CNAME and other data" -n -z "$B"
zone 1 | grep -v SOA >"$B"
check_bad "no SOA" "error: $B: no SOA record" -n -z "$B"
zone 1 "\$INCLUDE $T/missing.zone" >"$B"
check_bad "include missing" "error: $B:7: cannot open $T/missing.zone" -n -z "$B"
check_bad "zone file missing" "error: $T/nothere.zone: cannot open" -n -z "$T/nothere.zone"
conf "bogus yes" >"$T/bad.conf"
check_bad "unknown key" "error: $T/bad.conf:5: bogus: unknown key" -n -c "$T/bad.conf"
conf "tcp-clients many" >"$T/bad.conf"
check_bad "bad value" "error: $T/bad.conf:5: tcp-clients: expected a number from 1 to 65536" \
	-n -c "$T/bad.conf"
conf "workers 2" >"$T/bad.conf"
check_bad "key given twice" "error: $T/bad.conf:5: workers: given twice" -n -c "$T/bad.conf"
conf "help yes" >"$T/bad.conf"
check_bad "command-line-only key" "error: $T/bad.conf:5: help: unknown key" -n -c "$T/bad.conf"
conf "log-level" >"$T/bad.conf"
check_bad "missing value" "error: $T/bad.conf:5: log-level: " -n -c "$T/bad.conf"
check_bad "config file missing" "error: $T/nothere.conf: cannot open" -n -c "$T/nothere.conf"
conf >"$T/bad.conf"
zone 1 'www IN CNAME ns1' >"$Z"
check_bad "config good, zone bad" "error: $Z:7: CNAME" -n -c "$T/bad.conf"
zone 6 >"$Z"

# ---- bad command lines ----
pbad=$(t_freeport)
cli_bad() { # cli_bad REGEX ARGS...  (timeout: in case it starts after all)
	local re=$1 out rc
	shift
	out=$(timeout 5 "$MUSTERD" -f -l "127.0.0.1:$pbad" "$@" 2>&1)
	rc=$?
	t_expect "\"$*\": exit non-zero" "$([ "$rc" -ne 0 ] && echo yes)" "yes"
	t_expect_match "\"$*\": message" "$out" "$re"
	t_expect "\"$*\": did not start" "$(printf '%s\n' "$out" | grep -c started)" "0"
}
cli_bad "unknown option --bogus" --bogus -z "$Z"
cli_bad "unknown option -x" -x -z "$Z"
cli_bad "missing argument for --listen" -z "$Z" --listen
cli_bad "workers: expected a number from 0 to 64, not \"abc\"" -w abc -z "$Z"
cli_bad "workers: expected a number from 0 to 64, not \"65\"" -w 65 -z "$Z"
cli_bad "udp-payload: expected a number from 512 to 4096" --udp-payload 100 -z "$Z"
cli_bad "listen: bad port \"0\"" -l 127.0.0.1:0 -z "$Z"
cli_bad "listen: bad address \"localhost\"" -l localhost -z "$Z"
cli_bad "log-level: expected error, warning, info or debug" --log-level loud -z "$Z"
cli_bad "zone: expected \[ORIGIN=\]FILE" -z "example.test.="
cli_bad "unexpected argument \"extra\"" -z "$Z" extra

# ---- -V, -h ----
out=$("$MUSTERD" -V)
t_expect "-V: exit 0" "$?" "0"
t_expect_match "-V: version" "$out" "^musterd [0-9]+\.[0-9]+"
help=$("$MUSTERD" -h)
t_expect "-h: exit 0" "$?" "0"
t_expect_match "-h: usage" "$help" "^Usage: musterd"

# ---- -c FILE with every key ----
# Keys with a value (and a check of its effect) here; any other key of
# --help gets its default, or "no" for a flag, or is left out (logged)
# when it has neither.  The command-line-only keys are not file keys.
cli_only="check-config config help version"
p2=$(t_freeport)
known() {
	case $1 in
	foreground) echo "foreground yes" ;;
	listen) echo "listen 127.0.0.1:$p2" ;;
	zone) echo "zone \"$Z\""
	      echo "zone other.test.=$T/other.zone   # a second zone, with its origin" ;;
	workers) echo "workers 1" ;;
	udp-payload) echo "udp-payload 1300" ;;
	tcp-clients) echo "tcp-clients 1" ;;
	tcp-idle-timeout) echo "tcp-idle-timeout 1" ;;
	log-level) echo "log-level info" ;;
	pidfile) echo "pidfile $T/all.pid" ;;
	*) return 1 ;;
	esac
}
# NAME<TAB>ARG<TAB>DEFAULT for each option of --help
printf '%s\n' "$help" | awk '/^ *(-[a-zA-Z], )?--[a-z]/ {
	line = $0; sub(/^ *(-[a-zA-Z], )?--/, "", line); split(line, w, " ")
	arg = ""; if (line ~ ("^" w[1] " [^ ]")) arg = w[2]
	def = ""; if (match($0, / \[.*\]$/)) def = substr($0, RSTART + 2, RLENGTH - 3)
	print w[1] "\t" arg "\t" def }' >"$T/help.tsv"
t_expect "--help lists the command-line-only and the tested keys" \
	"$(for k in $cli_only foreground listen zone workers udp-payload tcp-clients \
	    tcp-idle-timeout log-level pidfile; do cut -f1 "$T/help.tsv" | grep -qx -- "$k" || echo "$k"; done)" ""
{
	echo "# every key a config file may hold"
	while IFS=$'\t' read -r key arg def; do
		case " $cli_only " in *" $key "*) continue ;; esac
		if known "$key"; then :
		elif [ -z "$arg" ]; then echo "$key no"
		elif [ -n "$def" ]; then	# a list default: one line per item
			printf '%s\n' "$def" | tr ',' '\n' | sed "s|^|$key |"
		else t_log "all keys: no test value for $key ($arg), left out" >&2
		fi
	done <"$T/help.tsv"
} >"$T/all.conf"
printf '%s\n' '@ 300 IN SOA ns1.other.test. h.other.test. 9 1 1 1 1' \
	'@ 300 IN NS ns1.example.test.' 'www 300 IN A 192.0.2.77' >"$T/other.zone"
out=$("$MUSTERD" -n -c "$T/all.conf" 2>&1)
t_expect "all keys: the file passes -n" "$?" "0"
[ -n "$out" ] && printf '%s\n' "$out" | grep -v ': info: ' | sed 's/^/# /'
t_bg "$T/all.log" "$MUSTERD" -c "$T/all.conf"	# no -f: foreground from the file
all_pid=$t_last_pid
if ! t_poll 10 grep -q "musterd .* started" "$T/all.log"; then
	cat "$T/all.log"
	t_fail "all keys: did not start in the foreground"
	[ -s "$T/all.pid" ] && kill "$(cat "$T/all.pid")"
	t_done
fi
t_expect "all keys: listen, zone" "$(t_dig "$p2" +short www.example.test A)" "192.0.2.80"
t_expect "all keys: second zone with origin" "$(t_dig "$p2" +short www.other.test A)" "192.0.2.77"
t_expect "all keys: workers 1" "$(ls /proc/"$all_pid"/task | wc -l)" "2"
t_expect_match "all keys: workers logged" "$(cat "$T/all.log")" "started, 1 workers"
out=$(dnsq -p "$p2" "$(m_equery 1 www.example.test A 4096)")
t_expect "all keys: udp-payload" "$(fld edns "$out")" "1300"
t_expect "all keys: pidfile" "$(cat "$T/all.pid" 2>/dev/null)" "$all_pid"
out=$(dnsq -t -p "$p2" -E 5000 "$(m_query 2 www.example.test A)")
t_expect "all keys: tcp-idle-timeout 1" "$(fld end "$(last "$out")")" "eof"
t_bg "$T/all-hold.out" "$DNSQ" -t -p "$p2" -T 5000 -E 30000 "$(m_query 3 www.example.test A)"
t_poll 5 grep -q rcode=NOERROR "$T/all-hold.out"
out=$(dnsq -t -p "$p2" -T 500 "$(m_query 4 www.example.test A)")
t_expect "all keys: tcp-clients 1" "$(fld end "$(last "$out")")" "timeout"
kill -INT "$all_pid"
t_expect "SIGINT: gone" "$(t_wait_gone "$all_pid" 5 && echo yes)" "yes"
wait "$all_pid"
t_expect "SIGINT: exit status 0" "$?" "0"
t_expect_match "SIGINT: logged" "$(tail -n 2 "$T/all.log")" "info: stopped"
t_expect "SIGINT: pidfile removed" "$(test -e "$T/all.pid" && echo there)" ""

# ---- the command line overrides the file ----
p3=$(t_freeport)
t_start_musterd over -c "$T/all.conf" -l "127.0.0.1:$p3" --udp-payload 1500 -w 3 \
	--pidfile "$T/over.pid"
t_expect "override: listen list replaced" \
	"$(grep -c 'listening on' "$T/over.log")/$(grep -c "listening on 127.0.0.1:$p3 " "$T/over.log")" "1/1"
out=$(dnsq -p "$p3" "$(m_equery 1 www.example.test A 4096)")
t_expect "override: udp-payload" "$(fld edns "$out")/$(fld an "$out")" "1500/1"
t_expect "override: workers" "$(ls /proc/"$over_pid"/task | wc -l)" "4"
t_expect "override: pidfile" "$(cat "$T/over.pid" 2>/dev/null)" "$over_pid"
t_expect "override: zones from the file kept" "$(t_dig "$p3" +short www.other.test A)" "192.0.2.77"
kill -TERM "$over_pid"
t_wait_gone "$over_pid" 5
wait "$over_pid"
t_expect "override: SIGTERM exit 0" "$?" "0"
t_expect "override: pidfile removed" "$(test -e "$T/over.pid" && echo there)" ""

t_done
