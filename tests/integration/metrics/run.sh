#!/usr/bin/env bash
# metrics/run.sh -- musterd's Prometheus endpoint (--metrics), the
# dashboard (contrib/grafana/muster.json) and the scrape example
# (contrib/prometheus.yml).
#
# musterd serves a registry (one service big enough to truncate over
# UDP), forwards to a second musterd, and gets queries of each kind: A,
# AAAA, SRV, TXT, ANY, SOA, NS, PTR, MX over UDP and TCP; NXDOMAIN,
# REFUSED (a client outside --allow-recursion), a truncated answer, a
# forwarded one.  Then /metrics, scraped with curl:
#  - is a valid text exposition (expo.pl: HELP/TYPE for every family,
#    numeric values, no repeated series, counters end in _total,
#    cumulative histograms);
#  - counts what was done (by transport, type, rcode; truncations; TCP;
#    forwarding outcomes and latency; registry size; sync state);
#  - holds every metric name the dashboard's queries use;
#  - and musterd answers 404 elsewhere, and keeps answering /metrics.
# The keepalived check passes while musterd answers, fails when it does
# not, and with MUSTER_MAX_STALE when musterd cannot follow Redis.
# The scrape example's target is the sample configuration's metrics
# address; promtool checks it where installed.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
t_need dig curl perl redis-server redis-cli
EXPO=$top_srcdir/tests/integration/metrics/expo.pl
DASH=$top_srcdir/contrib/grafana/muster.json
MUSTER_LUA=$top_srcdir/contrib/muster.lua
perl -MJSON::PP -e 1 2>/dev/null || t_skip "perl's JSON::PP is missing"

# ---- an upstream for forwarding ----
cat >"$T/up.zone" <<'EOF'
$ORIGIN upstream.test.
$TTL 300
@	IN SOA ns hostmaster 1 7200 3600 1209600 60
	IN NS ns
ns	IN A 192.0.2.53
www	IN A 198.51.100.1
EOF
uport=$(t_freeport)
t_start_musterd up -w 1 -l "127.0.0.1:$uport" -z "$T/up.zone"

# ---- the registry ----
t_start_redis r
redis-cli -s "$r_sock" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA" >/dev/null
fc() { redis-cli -s "$r_sock" FCALL "$1" 0 muster: "${@:2}" </dev/null >/dev/null; }
fc muster_node n1 192.0.2.1
fc muster_register web1 web 192.0.2.1 80 node n1 meta.version 1
fc muster_register web2 web 2001:db8::2 80
for i in $(seq 1 40); do
	fc muster_register "big$i" big "192.0.2.$i" $((8000 + i))
done
ninst=42

mport=$(t_freeport)
dport=$(t_freeport)
t_start_musterd d -w 2 -l "127.0.0.1:$dport" -r "unix://$r_sock" \
    --metrics "127.0.0.1:$mport" --forward "127.0.0.1:$uport" \
    --allow-recursion 127.0.0.1/32
scrape() { curl -fsS --max-time 5 "http://127.0.0.1:$mport/metrics"; }
metric() { scrape | awk -v m="$1" '$1 == m { print $2 }'; }
loaded() { [ "$(metric muster_registry_instances)" = "$ninst" ]; }
t_poll 10 loaded || t_fail "the registry did not load (metrics say $(metric muster_registry_instances))"

# ---- queries of each kind ----
q() { t_dig "$dport" "$@" >/dev/null; }
for t in A AAAA SRV TXT ANY; do q web.service.consul "$t"; done
q consul. SOA
q consul. NS
q consul. MX
q 1.2.0.192.in-addr.arpa PTR
q nosuch.service.consul A			# NXDOMAIN
q +tcp web.service.consul A			# TCP
q +tcp +keepopen web.service.consul SRV web.service.consul TXT
q +noedns +ignore big.service.consul A	# truncated over UDP
q +recurse www.upstream.test A			# forwarded
q +recurse -b 127.0.0.2 www.upstream.test A	# REFUSED (not allowed)

# ---- muster-probe's endpoint: a check of each outcome over time ----
pport=$(t_freeport)
redis-cli -s "$r_sock" FCALL muster_register 0 muster: probed-1 probed \
    127.0.0.1 "$mport" check http check_path /metrics interval 1000 >/dev/null
redis-cli -s "$r_sock" FCALL muster_register 0 muster: probed-2 probed \
    127.0.0.1 1 check tcp interval 1000 >/dev/null
t_bg "$T/probe.log" "$top_builddir/muster-probe" -f -r "unix://$r_sock" \
    --metrics "127.0.0.1:$pport"
pscrape() { curl -fsS --max-time 5 "http://127.0.0.1:$pport/metrics"; }
pchecked() { pscrape | awk '$1 ~ /^muster_probe_checks_total/ { n += $2 } END { exit !(n >= 2) }'; }
t_poll 15 pchecked || t_fail "muster-probe's metrics show no checks"
pscrape >"$T/pscrape"
out=$(perl "$EXPO" "$T/pscrape")
t_expect "muster-probe: the exposition is valid" \
    "$(printf '%s\n' "$out" | grep '^ERR')" ""
t_expect "muster-probe: holds the lease" \
    "$(awk '$1 == "muster_probe_lease_held" { print $2 }' "$T/pscrape")" 1
t_expect_match "muster-probe: an http check passed" "$(cat "$T/pscrape")" \
    'muster_probe_checks_total\{kind="http",outcome="passing"\} [1-9]'
t_expect_match "muster-probe: a tcp check failed" "$(cat "$T/pscrape")" \
    'muster_probe_checks_total\{kind="tcp",outcome="critical"\} [1-9]'

# ---- the exposition ----
curl -sS -D "$T/headers" -o "$T/mscrape" --max-time 5 \
    "http://127.0.0.1:$mport/metrics"
cat "$T/mscrape" "$T/pscrape" >"$T/scrape"	# the dashboard shows both
t_expect_match "HTTP 200" "$(head -n 1 "$T/headers")" '^HTTP/1\.[01] 200'
t_expect_match "text format 0.0.4" \
    "$(grep -i '^content-type:' "$T/headers")" 'text/plain; *version=0\.0\.4'
out=$(perl "$EXPO" "$T/scrape" "$DASH")
t_log "$(printf '%s\n' "$out" | grep -v '^ERR\|^MISSING' | paste -sd' ' -)"
t_expect "the exposition is valid" "$(printf '%s\n' "$out" | grep '^ERR')" ""
t_expect "every metric the dashboard uses is exposed" \
    "$(printf '%s\n' "$out" | grep '^MISSING')" ""
t_expect_match "the dashboard uses metrics" "$out" 'dashboard exprs [1-9][0-9]* names [1-9]'

# ---- the values ----
val() { awk -v m="$1" '$1 == m { print $2 }' "$T/scrape"; }
ge() { # ge WHAT SAMPLE MIN
	local v
	v=$(val "$2")
	t_expect "$1 ($2 = ${v:-missing} >= $3)" \
	    "$(awk -v v="${v:--1}" -v m="$3" 'BEGIN { print (v >= m) ? "yes" : "no" }')" yes
}
ge "UDP queries counted" 'muster_dns_queries_total{transport="udp"}' 10
ge "TCP queries counted" 'muster_dns_queries_total{transport="tcp"}' 3
for t in A AAAA SRV TXT ANY SOA NS MX PTR; do
	ge "$t queries counted" "muster_dns_queries_by_type_total{type=\"$t\"}" 1
done
ge "NOERROR counted" 'muster_dns_responses_total{rcode="NOERROR"}' 10
ge "NXDOMAIN counted" 'muster_dns_responses_total{rcode="NXDOMAIN"}' 1
ge "REFUSED counted" 'muster_dns_responses_total{rcode="REFUSED"}' 1
ge "truncation counted" muster_dns_truncated_total 1
ge "TCP connections accepted" muster_tcp_accepted_total 2
ge "EDNS queries counted" muster_dns_edns_queries_total 1
ge "forwarded" muster_forward_queries_total 1
ge "forwarded answers" muster_forward_answers_total 1
ge "forwarding latency observed" muster_forward_latency_seconds_count 1
t_expect "no forwarding failure" "$(val muster_forward_failures_total)" 0
# (the two instances registered for muster-probe above count too)
t_expect "registry instances" "$(val muster_registry_instances)" "$((ninst + 2))"
t_expect "registry services" "$(val muster_registry_services)" 3
t_expect "registry nodes" "$(val muster_registry_nodes)" 1
t_expect "connected to Redis" "$(val muster_sync_connected)" 1
t_expect "not stale" "$(val muster_sync_stale_seconds)" 0
ge "a full load" muster_sync_full_loads_total 1
t_expect_match "the version" "$(grep '^muster_build_info' "$T/scrape")" \
    'muster_build_info\{version="[^"]+"\} 1'

# the change stream and bad records move the counters
e0=$(val muster_sync_entries_total)
fc muster_register web3 web 192.0.2.3 80
redis-cli -s "$r_sock" HSET muster:instance:bad service bad address nonsense \
    port 1 </dev/null >/dev/null
redis-cli -s "$r_sock" SADD muster:instances bad </dev/null >/dev/null
redis-cli -s "$r_sock" XADD muster:changes '*' op register id bad service bad \
    address nonsense port 1 </dev/null >/dev/null
moved() { [ "$(metric muster_sync_entries_total)" -ge $((e0 + 2)) ]; }
t_poll 10 moved || t_fail "stream entries are not counted"
t_expect_match "a bad record is counted" "$(metric muster_sync_bad_records_total)" '^[1-9]'

# ---- the endpoint itself ----
t_expect "404 elsewhere" \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/")" 404
for i in $(seq 1 20); do scrape >/dev/null || t_fail "scrape $i failed"; done
t_expect "still answering DNS after the scrapes" \
    "$(t_dig "$dport" +short n1.node.consul A)" 192.0.2.1

# ---- the keepalived check (contrib/keepalived/check-musterd) ----
CHECK=$top_srcdir/contrib/keepalived/check-musterd
"$CHECK" 127.0.0.1 "$dport" consul. 2>"$T/check.err"
t_expect "check-musterd: musterd answers" "$?" 0
MUSTER_METRICS="http://127.0.0.1:$mport/metrics" MUSTER_MAX_STALE=60 \
    "$CHECK" 127.0.0.1 "$dport" consul. 2>>"$T/check.err"
t_expect "check-musterd: ... and follows Redis" "$?" 0
"$CHECK" 127.0.0.1 "$uport" consul. 2>>"$T/check.err"
t_expect "check-musterd: a server without the domain fails" "$?" 1
"$CHECK" 127.0.0.1 "$(t_freeport)" consul. 2>>"$T/check.err"
t_expect "check-musterd: no server fails" "$?" 1
kill "$r_pid"
stale_fails() {
	! MUSTER_METRICS="http://127.0.0.1:$mport/metrics" MUSTER_MAX_STALE=0 \
	    "$CHECK" 127.0.0.1 "$dport" consul.
}
t_poll 10 stale_fails ||
	t_fail "check-musterd: does not fail when musterd cannot follow Redis"
t_expect "check-musterd: without the staleness check it still passes" \
    "$("$CHECK" 127.0.0.1 "$dport" consul. 2>&1; echo "rc=$?")" rc=0

# ---- the scrape example ----
PROM=$top_srcdir/contrib/prometheus.yml
conf_metrics=$(sed -n 's/^metrics  *//p' "$top_srcdir/contrib/musterd.conf")
t_expect_match "prometheus.yml scrapes the sample configuration's metrics address" \
    "$(grep -E '^ *- [0-9.]+:[0-9]+' "$PROM" | tr -d ' -')" "^$conf_metrics\$"
t_expect_match "prometheus.yml has a musterd job" "$(cat "$PROM")" 'job_name: musterd'
if command -v promtool >/dev/null 2>&1; then
	t_expect_match "promtool check config" \
	    "$(promtool check config "$PROM" 2>&1; echo "rc=$?")" 'rc=0'
else
	t_log "promtool not installed: prometheus.yml only checked by pattern"
fi

t_done
