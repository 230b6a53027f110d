#!/usr/bin/env bash
# systemd/run.sh -- what the systemd units count on, without systemd:
# readiness notification and least privilege.
#
# Readiness (sd_notify, NOTIFY_SOCKET, read here by a small perl
# listener): with its registry unreachable musterd serves (zones) but
# does not say READY=1; once the registry is loaded it says READY=1,
# and a query made right then is answered from the registry; SIGHUP
# gives RELOADING=1 then READY=1; SIGTERM gives STOPPING=1.
# Privileges (as root only): musterd refuses to serve as root unless
# allowed; -u nobody binds a privileged port as root, then runs as
# nobody/nogroup with no capability left, writes its state file, and
# answers; started as nobody with only CAP_NET_BIND_SERVICE (what the
# unit gives: setpriv) it binds the privileged port and answers, and
# without that capability it fails with a message.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
t_need dig perl redis-server redis-cli
MUSTER_LUA=$top_srcdir/contrib/muster.lua

# ---- a NOTIFY_SOCKET listener ----
t_bg "$T/notify.out" perl -MIO::Socket::UNIX -MSocket -e '
	$| = 1;
	my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $ARGV[0])
	    or die "listen: $!";
	chmod 0777, $ARGV[0];
	print "listening\n";
	while (defined $s->recv(my $m, 4096)) {
		print join(" ", split(/\n/, $m)), "\n";
	}' "$T/notify.sock"
t_poll 5 grep -q '^listening' "$T/notify.out" || { t_fail "no notify listener"; exit 1; }
said() { grep -q "$1" "$T/notify.out"; }
count() { grep -c "$1" "$T/notify.out"; }

# ---- readiness ----
t_start_redis r
redis-cli -s "$r_sock" -x FUNCTION LOAD REPLACE <"$MUSTER_LUA" >/dev/null
redis-cli -s "$r_sock" FCALL muster_register 0 muster: web1 web 192.0.2.10 80 \
    </dev/null >/dev/null
# musterd's registry socket appears only later (a symlink to r's)
dport=$(t_freeport)
NOTIFY_SOCKET=$T/notify.sock t_start_musterd d -w 1 -l "127.0.0.1:$dport" \
    -r "unix://$T/later.sock"
t_poll 10 grep -q "retrying" "$T/d.log" || t_fail "musterd did not try the registry"
t_expect "zones are served meanwhile" \
    "$(t_dig "$dport" +short consul. SOA | awk '{ print $1 }')" ns.consul.
t_expect "no READY=1 while the registry is not loaded" "$(count READY=1)" 0
ln -s "$r_sock" "$T/later.sock"
t_poll 15 said READY=1 || t_fail "no READY=1 once the registry is there"
t_expect "when READY=1 came, the registry was served" \
    "$(t_dig "$dport" +short web.service.consul A)" 192.0.2.10
t_expect_match "with a STATUS" "$(grep READY=1 "$T/notify.out")" 'STATUS=serving'
kill -HUP "$d_pid"
two_ready() { [ "$(count READY=1)" -ge 2 ]; }
t_poll 10 two_ready || t_fail "no READY=1 after SIGHUP"
t_expect "SIGHUP: RELOADING=1, then READY=1" \
    "$(grep -o 'RELOADING=1\|READY=1' "$T/notify.out" | paste -sd' ' -)" \
    "READY=1 RELOADING=1 READY=1"
kill "$d_pid"
t_poll 10 said STOPPING=1 || t_fail "no STOPPING=1 at SIGTERM"
t_wait_gone "$d_pid" 10 || t_fail "musterd did not stop"

# ---- privileges (root only) ----
if [ "$(id -u)" -ne 0 ]; then
	t_log "not root: the privilege checks are left out"
	t_done
fi
t_need setpriv
# privport: a free UDP+TCP port below 1024 on 127.0.0.1 (random; the
# kernel gives no such port by itself)
privport() {
	perl -MIO::Socket::INET -e '
	for (1 .. 200) {
		my $p = 600 + int(rand(424));
		my $u = IO::Socket::INET->new(Proto => "udp",
		    LocalAddr => "127.0.0.1", LocalPort => $p) or next;
		my $t = IO::Socket::INET->new(Proto => "tcp",
		    LocalAddr => "127.0.0.1", LocalPort => $p, ReuseAddr => 1)
		    or next;
		print "$p\n";
		exit 0;
	}
	exit 1;'
}
uid=$(id -u nobody) || t_skip "no user nobody"
gid=$(id -g nobody)

pport=$(privport) || t_skip "no free port below 1024"
out=$(env -u MUSTERD_ALLOW_ROOT "$MUSTERD" -f -l "127.0.0.1:$pport" 2>&1)
t_expect "as root without -u: exit 1" "$?" 1
t_expect_match "... refusing to serve as root" "$out" "refusing to serve as root"
out=$(env -u MUSTERD_ALLOW_ROOT "$MUSTERD" -f -u no-such-user-here \
    -l "127.0.0.1:$pport" 2>&1)
t_expect_match "-u with an unknown user is refused" "$out" 'no such user'

# -u nobody: bind as root, then drop
mkdir -p "$T/state"
chown nobody "$T/state"
chmod 755 "$T"
pport=$(privport) || t_skip "no free port below 1024"
MUSTERD_ALLOW_ROOT='' t_start_musterd u -w 1 -l "127.0.0.1:$pport" -u nobody \
    -r "redis://127.0.0.1:$r_port" --state-file "$T/state/registry.state"
st() { awk -v k="$1:" '$1 == k { $1 = ""; print substr($0, 2) }' "/proc/$u_pid/status"; }
t_expect_match "-u nobody: runs as nobody" "$(st Uid)" "^$uid\s+$uid\s+$uid\s+$uid\$"
t_expect_match "-u nobody: with nobody's group" "$(st Gid)" "^$gid\s+$gid\s+$gid\s+$gid\$"
t_expect "-u nobody: no capability left" "$(st CapEff)" 0000000000000000
t_expect "-u nobody: no capability to regain" "$(st CapPrm)" 0000000000000000
t_expect_match "-u nobody: says so" "$(cat "$T/u.log")" "running as nobody"
t_poll 10 sh -c "dig +short +norecurse +time=1 +tries=1 @127.0.0.1 -p $pport \
    web.service.consul A | grep -q 192.0.2.10" ||
	t_fail "-u nobody: does not answer on the privileged port"
t_poll 15 test -s "$T/state/registry.state" ||
	t_fail "-u nobody: no state file written"
t_expect "-u nobody: the state file is nobody's" \
    "$(stat -c %u "$T/state/registry.state" 2>/dev/null)" "$uid"
kill "$u_pid"
t_wait_gone "$u_pid" 10 || t_fail "musterd -u nobody did not stop"

# as the unit starts it: not root, only CAP_NET_BIND_SERVICE
pport=$(privport) || t_skip "no free port below 1024"
t_bg "$T/cap.log" setpriv --reuid nobody --regid nogroup --clear-groups \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
    --bounding-set=-all,+net_bind_service -- \
    "$MUSTERD" -f -w 1 -l "127.0.0.1:$pport" -r "redis://127.0.0.1:$r_port"
cap_pid=$t_last_pid
t_poll 10 grep -q "musterd .* started" "$T/cap.log" || {
	cat "$T/cap.log"
	t_fail "as nobody with CAP_NET_BIND_SERVICE: did not start"
}
t_poll 10 sh -c "dig +short +norecurse +time=1 +tries=1 @127.0.0.1 -p $pport \
    web.service.consul A | grep -q 192.0.2.10" ||
	t_fail "as nobody with CAP_NET_BIND_SERVICE: no answer on port $pport"
caps=$(awk '$1 == "CapEff:" { print $2 }' "/proc/$cap_pid/status")
t_expect "... keeps CAP_NET_BIND_SERVICE only" "$caps" 0000000000000400
kill "$cap_pid"
t_wait_gone "$cap_pid" 10 || t_fail "musterd (setpriv) did not stop"

pport=$(privport) || t_skip "no free port below 1024"
out=$(setpriv --reuid nobody --regid nogroup --clear-groups \
    --inh-caps=-all --bounding-set=-all -- \
    "$MUSTERD" -f -w 1 -l "127.0.0.1:$pport" 2>&1)
t_expect "as nobody without the capability: exit 1" "$?" 1
t_expect_match "... says why" "$out" "bind: Permission denied"

t_done
