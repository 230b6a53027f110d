#!/usr/bin/env bash
# hostconf/run.sh -- the host resolver files of contrib/host/, for real.
#
# The shipped files are rendered by sed with this test's ports (8600 ->
# musterd's port) and, for the reverse zone, with their commented
# example lines for 10.in-addr.arpa enabled; nothing else is changed.
# musterd serves the registry on a free port, without forwarders (it sits
# behind the resolver), with contrib/host/reverse.zone for 10.in-addr.arpa.
#
# Behaviours checked:
#  - dnsmasq with dnsmasq.conf (and stop-dns-rebind, bogus-priv): A,
#    AAAA and SRV of services with private addresses, NXDOMAIN, PTR of a
#    registered address, NXDOMAIN for another 10.x reverse name; other
#    names still go to dnsmasq's own upstream;
#  - unbound with unbound.conf included into a validating configuration
#    (root trust anchor, private-address on): the same answers; without
#    the file's domain-insecure line the consul. answers are SERVFAIL
#    (the line is needed); unbound-checkconf accepts the file as shipped;
#  - systemd-resolved: the drop-in is found by `systemd-analyze
#    cat-config' under a private root, and holds only [Resolve] and keys
#    resolved.conf(5) knows, with a DNS= address:port that parses; the
#    negative trust anchor file names consul.  (resolved itself is not run:
#    installing it takes over /etc/resolv.conf.)
# Parts whose program is missing are skipped with a message; the test is
# skipped when none can run.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/forward/fwd.sh"
t_need dig redis-server redis-cli

HOST=$top_srcdir/contrib/host
PATH=$PATH:/usr/sbin:/sbin
ran=0

fwd_upstream up
fwd_redis redis
reg web1 web 10.1.2.3 80 node n1
node n1 10.1.2.3
reg web2 web 10.1.2.4 80
reg api61 api6 fd00::6 8080
fwd_musterd m -z "10.in-addr.arpa=$HOST/reverse.zone"
mport=$m_port
t_poll 10 answers "$mport" "10.1.2.3 10.1.2.4 " web.service.consul A ||
	t_fail "the registry did not come up"

# render FILE: the shipped FILE with musterd's port for 8600 and the
# commented example lines ("#word", "#<tab>word", also indented) enabled
render() {
	sed -e "s/127\.0\.0\.1#8600/127.0.0.1#$mport/g" \
	    -e "s/127\.0\.0\.1@8600/127.0.0.1@$mport/g" \
	    -e 's/^\([[:space:]]*\)#\([^ ]\)/\1\2/' "$1"
}

# through NAME PORT: the checks every resolver in front must pass
through() {
	local name=$1 p=$2
	t_expect "$name: web.service.consul A" \
	    "$(t_dig "$p" +recurse +short web.service.consul A | sort | tr '\n' ' ')" \
	    "10.1.2.3 10.1.2.4 "
	t_expect "$name: api6.service.consul AAAA" \
	    "$(t_dig "$p" +recurse +short api6.service.consul AAAA)" "fd00::6"
	t_expect "$name: _web._tcp.service.consul SRV" \
	    "$(t_dig "$p" +recurse +short _web._tcp.service.consul SRV | wc -l)" "2"
	t_expect_match "$name: unknown service NXDOMAIN" \
	    "$(t_dig "$p" +recurse nope.service.consul A)" "status: NXDOMAIN,"
	t_expect "$name: PTR of a registered address" \
	    "$(t_dig "$p" +recurse +short -x 10.1.2.3)" "n1.node.dc1.consul."
	t_expect_match "$name: PTR of another 10.x address: NXDOMAIN" \
	    "$(t_dig "$p" +recurse -x 10.9.9.9)" "status: NXDOMAIN,"
	t_expect "$name: other names go elsewhere" \
	    "$(t_dig "$p" +recurse +short www.upstream.test A | sort | tr '\n' ' ')" \
	    "198.51.100.1 198.51.100.2 "
}

# ---- dnsmasq ----
if command -v dnsmasq >/dev/null 2>&1; then
	ran=1
	render "$HOST/dnsmasq.conf" >"$T/dnsmasq.conf"
	t_expect "dnsmasq.conf rendered" \
	    "$(grep -c "^server=/.*/127\.0\.0\.1#$mport$" "$T/dnsmasq.conf")" 2
	t_expect_match "dnsmasq.conf: syntax" \
	    "$(dnsmasq --test --conf-file="$T/dnsmasq.conf" 2>&1)" "syntax check OK"
	t_expect_match "dnsmasq.conf as shipped: syntax" \
	    "$(dnsmasq --test --conf-file="$HOST/dnsmasq.conf" 2>&1)" "syntax check OK"
	dport=$(t_freeport)
	t_bg "$T/dnsmasq.log" dnsmasq -k --conf-file="$T/dnsmasq.conf" \
	    --port="$dport" --listen-address=127.0.0.1 --bind-interfaces \
	    --no-resolv --no-hosts --server="127.0.0.1#$up_port" \
	    --stop-dns-rebind --rebind-domain-ok=/upstream.test/ --bogus-priv \
	    --pid-file= --log-facility=- \
	    --user="$(id -un)" --group="$(id -gn)"
	if t_poll 10 answers "$dport" "10.1.2.3 10.1.2.4 " web.service.consul A; then
		through dnsmasq "$dport"
	else
		cat "$T/dnsmasq.log"
		t_fail "dnsmasq did not answer"
	fi
else
	t_log "dnsmasq is not installed (Debian: dnsmasq-base): its checks are not run"
fi

# ---- unbound ----
if command -v unbound >/dev/null 2>&1 && command -v unbound-checkconf >/dev/null 2>&1; then
	ran=1
	render "$HOST/unbound.conf" >"$T/muster-unbound.conf"
	sed -e "s/127\.0\.0\.1@8600/127.0.0.1@$mport/g" "$HOST/unbound.conf" \
	    >"$T/muster-unbound-shipped.conf"
	grep -v '^[[:space:]]*domain-insecure: "consul"' "$T/muster-unbound.conf" \
	    >"$T/muster-unbound-nodi.conf"
	t_expect "unbound.conf rendered" \
	    "$(grep -c "stub-addr: 127\.0\.0\.1@$mport$" "$T/muster-unbound.conf")" 2
	# unbound_conf PORT SNIPPET: a validating resolver including SNIPPET
	unbound_conf() {
		cat <<-EOF
		server:
			interface: 127.0.0.1
			port: $1
			do-ip6: no
			do-daemonize: no
			chroot: ""
			username: ""
			directory: "$T"
			pidfile: "$T/unbound-$1.pid"
			use-syslog: no
			logfile: ""
			verbosity: 1
			num-threads: 1
			so-reuseport: no
			access-control: 127.0.0.0/8 allow
			module-config: "validator iterator"
			trust-anchor: ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
			private-address: 10.0.0.0/8
			private-address: fd00::/8
			domain-insecure: "upstream.test"
			# test. is one of unbound's RFC 6761 local zones
			local-zone: "test." nodefault
		include: "$2"
		# everything else to the test upstream, never the internet
		forward-zone:
			name: "."
			forward-addr: 127.0.0.1@$up_port
		EOF
	}
	uport=$(t_freeport)
	unbound_conf "$uport" "$T/muster-unbound.conf" >"$T/unbound.conf"
	unbound_conf "$uport" "$T/muster-unbound-shipped.conf" >"$T/unbound-shipped.conf"
	t_expect_match "unbound-checkconf" \
	    "$(unbound-checkconf "$T/unbound.conf" 2>&1)" "no errors"
	t_expect_match "unbound-checkconf, the file as shipped" \
	    "$(unbound-checkconf "$T/unbound-shipped.conf" 2>&1)" "no errors"
	t_bg "$T/unbound.log" unbound -d -c "$T/unbound.conf"
	if t_poll 10 answers "$uport" "10.1.2.3 10.1.2.4 " web.service.consul A; then
		through unbound "$uport"
		t_expect_match "unbound: RA, not AA" \
		    "$(t_dig "$uport" +recurse web.service.consul A)" "flags: qr rd ra;"
	else
		cat "$T/unbound.log"
		t_fail "unbound did not answer"
	fi
	nport=$(t_freeport)
	unbound_conf "$nport" "$T/muster-unbound-nodi.conf" >"$T/unbound-nodi.conf"
	t_bg "$T/unbound-nodi.log" unbound -d -c "$T/unbound-nodi.conf"
	if t_poll 10 answers "$nport" "198.51.100.1 198.51.100.2 " www.upstream.test A; then
		t_expect_match "unbound without domain-insecure: consul.: SERVFAIL" \
		    "$(t_dig "$nport" +recurse web.service.consul A)" "status: SERVFAIL,"
	else
		cat "$T/unbound-nodi.log"
		t_fail "unbound (no domain-insecure) did not answer"
	fi
else
	t_log "unbound is not installed: its checks are not run"
fi

# ---- systemd-resolved ----
dropin=$HOST/systemd-resolved/muster.conf
bad=$(awk '/^[[:space:]]*([#;].*)?$/ { next }
	/^\[Resolve\]$/ { next }
	{ split($0, kv, "=")
	  if (kv[1] !~ /^(DNS|FallbackDNS|Domains|LLMNR|MulticastDNS|DNSSEC|DNSOverTLS|Cache|CacheFromLocalhost|DNSStubListener|DNSStubListenerExtra|ReadEtcHosts|ResolveUnicastSingleLabel|StaleRetentionSec)$/)
		print "unknown line: " $0 }' "$dropin")
t_expect "resolved drop-in: only [Resolve] and known keys" "$bad" ""
t_expect "resolved drop-in: [Resolve] first" \
    "$(grep -v '^[[:space:]]*\([#;].*\)\{0,1\}$' "$dropin" | head -1)" "[Resolve]"
t_expect "resolved drop-in: DNS=" "$(sed -n 's/^DNS=//p' "$dropin")" "127.0.0.1:8600"
t_expect "resolved drop-in: Domains=" "$(sed -n 's/^Domains=//p' "$dropin")" "~consul"
t_expect "negative trust anchor: consul" \
    "$(grep -v '^[[:space:]]*\([;#].*\)\{0,1\}$' "$HOST/systemd-resolved/consul.negative")" \
    "consul"
if command -v systemd-analyze >/dev/null 2>&1; then
	ran=1
	mkdir -p "$T/root/etc/systemd/resolved.conf.d"
	cp "$dropin" "$T/root/etc/systemd/resolved.conf.d/muster.conf"
	out=$(systemd-analyze cat-config --root="$T/root" systemd/resolved.conf 2>&1)
	t_expect_match "systemd-analyze cat-config finds the drop-in" "$out" \
	    "^# $T/root/etc/systemd/resolved.conf.d/muster.conf$"
	t_expect_match "... with its DNS=" "$out" "^DNS=127\.0\.0\.1:8600$"
else
	t_log "systemd-analyze is not installed: the drop-in is only linted"
fi
if command -v resolvectl >/dev/null 2>&1 && resolvectl status >/dev/null 2>&1; then
	t_log "systemd-resolved runs here, but this test does not change the host's"
fi

[ "$ran" = 1 ] || t_skip "none of dnsmasq, unbound, systemd-analyze is installed"
t_done
