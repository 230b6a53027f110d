#!/usr/bin/env bash
# glibc/run.sh -- resolv.conf pointed at musterd, and glibc for real.
#
# Runs itself again inside a private mount and network namespace
# (unshare -mn), where port 53 on loopback is ours: musterd listens on
# 127.0.0.1:53, the test upstream on 127.0.0.2:53, and resolv.conf (the
# shipped contrib/host/resolv.conf.example, unchanged),
# nsswitch.conf ("hosts: files dns", so no nss-resolve, mdns or myhostname
# answers in our place) and hosts are bind-mounted over /etc.  Skips,
# saying why, where namespaces are not permitted.
#
# Behaviours checked, with getent (getaddrinfo and gethostbyname2):
#  - getent hosts web.service.consul, and `web' through `search
#    service.consul'; a tag (primary.web), a node (n1.node.consul);
#  - getent ahosts for a v4-only service gives only its IPv4 addresses
#    (musterd answers AAAA with NODATA, not NXDOMAIN, so glibc keeps the
#    A answer); for an AAAA-only service its IPv6 address;
#  - over TCP (options use-vc) and with EDNS (options edns0);
#  - options ndots:5: "web.service.consul" is first tried below the
#    search domain, where musterd says NXDOMAIN at once, then as is;
#  - a forwarded name served by the upstream, with --forward-from naming
#    it in resolv.conf format (nameserver 127.0.0.2, port 53); the
#    file's line naming musterd itself is dropped with a warning;
#  - a file whose only nameservers are musterd itself stops the start;
#  - reverse lookups (getent hosts ADDRESS): the PTR names;
#  - unknown names fail at once (no timeout), with exit status 2;
#  - on a dual-stack host (an extra address of each family on lo, so
#    that AI_ADDRCONFIG sees both): ahostsv4 and ahosts as above;
#  - ping -c1 web, when ping is installed.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
. "$top_srcdir/tests/integration/forward/fwd.sh"

if [ "${1:-}" != --inside ]; then
	t_need unshare ip getent mount dig redis-server redis-cli
	if ! why=$(unshare -mn true 2>&1); then
		t_skip "unshare not permitted here: ${why:-unshare -mn failed}"
	fi
	unshare -mn -- "$BASH" "$0" --inside
	exit $?
fi

# ---- inside the namespaces ----
why=$(ip link set lo up 2>&1) || t_skip "cannot bring up lo in the namespace: $why"
t_poll 5 ip -4 addr show dev lo up ||
	t_skip "no IPv4 loopback in the namespace"

printf 'hosts: files dns\n' >"$T/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$T/hosts"
# the shipped example, as it is
cp "$top_srcdir/contrib/host/resolv.conf.example" "$T/resolv.conf"
for f in resolv.conf nsswitch.conf hosts; do
	why=$(mount --bind "$T/$f" "/etc/$f" 2>&1) ||
		t_skip "cannot bind-mount /etc/$f in the namespace: $why"
done
for d in /run/nscd /var/run/nscd; do	# never ask a host's nscd
	[ -d "$d" ] && mkdir -p "$T/empty" && mount --bind "$T/empty" "$d"
done
t_expect "resolv.conf is ours" "$(cat /etc/resolv.conf)" "$(cat "$T/resolv.conf")"

fwd_upstream up 127.0.0.2 53

# --forward-from: resolv.conf format; this musterd's own address is
# dropped; when nothing else is left, it does not start.
self=(-l 127.0.0.1:53)
printf 'nameserver 127.0.0.1\n' >"$T/self.conf"
if ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/'; then
	self+=(-l '[::1]:53')
	printf 'nameserver ::1\n' >>"$T/self.conf"
fi
out=$(timeout 10 "$MUSTERD" -f -w 1 "${self[@]}" --forward-from "$T/self.conf" 2>&1)
rc=$?
t_expect "forward-from naming only musterd itself: does not start" \
    "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo yes || echo "no (exit $rc)")" yes
t_expect_match "... and says why" "$out" "no forwarder left"
cat >"$T/upstream.conf" <<'EOF'
# the upstream resolvers of musterd (resolv.conf format)
search example.org
options ndots:2 timeout:1
nameserver 127.0.0.1
nameserver 127.0.0.2
EOF

fwd_redis redis
reg web1 web 127.0.0.10 80 node n1 tags primary
node n1 127.0.0.10
reg web2 web 127.0.0.11 80
reg api61 api6 2001:db8::6 8080
t_start_musterd d -w 2 -l 127.0.0.1:53 -r "unix://$R" --prefix "$P" \
    --forward-from "$T/upstream.conf" --forward-timeout 1000
t_expect_match "forward-from: its own address dropped" "$(cat "$T/d.log")" \
    "forward, 127\.0\.0\.1:53 is this server: not used"
t_poll 10 answers 53 "127.0.0.10 127.0.0.11 " web.service.consul A ||
	t_fail "the registry did not come up"

# addrs CMD...: the first column of the output, sorted, on one line
addrs() { "$@" 2>&1 | awk '{ print $1 }' | sort -u | tr '\n' ' '; }

t_expect "getent hosts web.service.consul" \
    "$(addrs getent hosts web.service.consul)" "127.0.0.10 127.0.0.11 "
t_expect "getent hosts web (search domain)" "$(addrs getent hosts web)" \
	"127.0.0.10 127.0.0.11 "
t_expect_match "getent hosts web: the full name" "$(getent hosts web)" \
    "^127\.0\.0\.1[01] +web\.service\.consul$"
t_expect "getent ahosts web: IPv4 only" "$(addrs getent ahosts web)" \
	"127.0.0.10 127.0.0.11 "
t_expect "AAAA of a v4-only name is NODATA" "$(rcode 53 web.service.consul AAAA)" \
	"NOERROR qr aa ra"
t_expect "getent ahosts api6 (AAAA only)" "$(addrs getent ahosts api6)" "2001:db8::6 "
t_expect "getent hosts api6" "$(addrs getent hosts api6)" "2001:db8::6 "
t_expect "A of an AAAA-only name is NODATA" "$(rcode 53 api6.service.consul A)" \
	"NOERROR qr aa ra"
t_expect "tag through the search domain" "$(addrs getent ahosts primary.web)" \
	"127.0.0.10 "
t_expect "node name" "$(addrs getent ahosts n1.node.consul)" "127.0.0.10 "
t_expect "over TCP (use-vc)" "$(RES_OPTIONS=use-vc addrs getent ahosts web)" \
	"127.0.0.10 127.0.0.11 "
t_expect "with EDNS (edns0)" "$(RES_OPTIONS=edns0 addrs getent ahosts api6)" \
	"2001:db8::6 "

t0=$(ms)
t_expect "ndots:5, a name with 2 dots" \
    "$(RES_OPTIONS=ndots:5 addrs getent ahosts web.service.consul)" \
    "127.0.0.10 127.0.0.11 "
dt=$(( $(ms) - t0 ))
t_expect "... the search candidate failed at once ($dt ms)" \
    "$([ "$dt" -lt 1500 ] && echo yes || echo "no ($dt ms)")" yes
t_expect "... because it is NXDOMAIN" \
    "$(rcode 53 web.service.consul.service.consul A)" "NXDOMAIN qr aa ra"

t_expect "forwarded: getent hosts (AAAA first)" \
    "$(addrs getent hosts www.upstream.test)" "2001:db8:100::1 "
t_expect "forwarded: getent ahosts (both)" \
    "$(addrs getent ahosts www.upstream.test)" "198.51.100.1 198.51.100.2 2001:db8:100::1 "
t_expect "forwarded through a CNAME" "$(addrs getent ahosts alias.upstream.test)" \
	"198.51.100.1 198.51.100.2 2001:db8:100::1 "

t_expect_match "reverse: registered IPv4" "$(getent hosts 127.0.0.10)" \
    "^127\.0\.0\.10 +n1\.node\.dc1\.consul$"
t_expect_match "reverse: registered IPv6" "$(getent hosts 2001:db8::6)" \
    "^2001:db8::6 +api6\.service\.dc1\.consul$"

for name in nope nope.service.consul nothere.upstream.test; do
	t0=$(ms)
	getent ahosts "$name" >/dev/null 2>&1
	rc=$?
	dt=$(( $(ms) - t0 ))
	t_expect "unknown $name: not found (2)" "$rc" 2
	t_expect "unknown $name: at once ($dt ms)" \
	    "$([ "$dt" -lt 1500 ] && echo yes || echo "no ($dt ms)")" yes
done

# A dual-stack host: getaddrinfo's AI_ADDRCONFIG (getent ahosts*) looks
# for addresses other than 127.0.0.1 and ::1; with only loopback it
# does not narrow, with both families it does not either, with one
# family it asks for that one only.
if ip -6 addr add fd00:99::1/128 dev lo 2>/dev/null &&
    ip addr add 10.99.0.1/32 dev lo 2>/dev/null; then
	t_expect "dual-stack: getent ahostsv4 web" "$(addrs getent ahostsv4 web)" \
		"127.0.0.10 127.0.0.11 "
	t_expect "dual-stack: getent ahosts api6" "$(addrs getent ahosts api6)" \
		"2001:db8::6 "
	t_expect "dual-stack: getent ahostsv4 www.upstream.test" \
	    "$(addrs getent ahostsv4 www.upstream.test)" "198.51.100.1 198.51.100.2 "
	t_expect "dual-stack: getent ahosts www.upstream.test" \
	    "$(addrs getent ahosts www.upstream.test)" \
	    "198.51.100.1 198.51.100.2 2001:db8:100::1 "
else
	t_log "no IPv6 in the namespace: the dual-stack checks are not run"
fi

if command -v ping >/dev/null 2>&1; then
	t_expect_match "ping -c1 web" "$(ping -c1 -W2 web 2>&1)" \
	    "^PING web\.service\.consul \(127\.0\.0\.1[01]\)"
else
	t_log "ping is not installed: the ping check is not run"
fi

t_done
