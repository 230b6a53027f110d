#!/usr/bin/env bash
# systemd/units.sh -- the systemd units, as built (contrib/systemd/*.in
# with the configured paths): `systemd-analyze verify` passes without a
# word, the hardening asked for is there (and `systemd-analyze security`
# rates it OK), the users they run as come from the sysusers.d file, the
# man pages they name exist.  Skipped where systemd-analyze is missing.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 ||
	t_skip "systemd-analyze is not installed (Debian package systemd): the units are not verified"

U=$top_builddir/contrib/systemd
SYSUSERS=$top_srcdir/contrib/systemd/muster.sysusers
for u in musterd muster-probe; do
	[ -f "$U/$u.service" ] || { t_fail "$U/$u.service was not built"; continue; }
	t_expect "$u.service: no @VARIABLE@ left" \
	    "$(grep -c '@[a-z_]*@' "$U/$u.service")" 0
	# the same unit, its programs taken from the build tree
	exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$U/$u.service")
	t_expect "$u.service: ExecStart= runs $u" "${exe##*/}" "$u"
	sed "s|${exe%/*}/|$top_builddir/|" "$U/$u.service" >"$T/$u.service"
	[ -x "$top_builddir/$u" ] || { t_log "$u is not built: not verified"; continue; }
	out=$(cd "$T" && systemd-analyze verify --man=no "$T/$u.service" 2>&1)
	t_expect "systemd-analyze verify $u.service: exit 0" "$?" 0
	t_expect "systemd-analyze verify $u.service: no complaint" "$out" ""
	out=$(systemd-analyze security --offline=yes "$T/$u.service" 2>&1 |
	    grep 'Overall exposure level')
	t_log "$u.service: ${out#→ }"
	t_expect_match "$u.service: exposure rated OK" "$out" ' OK'

	has() { grep -qx "$1" "$U/$u.service" || t_fail "$u.service: no $1"; t_checks=$((t_checks + 1)); }
	has 'ExecReload=/bin/kill -HUP $MAINPID'
	has 'Restart=on-failure'
	has 'NoNewPrivileges=yes'
	has 'ProtectSystem=strict'
	has 'ProtectHome=yes'
	has 'PrivateTmp=yes'
	has 'PrivateDevices=yes'
	has 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'
	has 'SystemCallArchitectures=native'
	t_expect_match "$u.service: starts after Redis" \
	    "$(grep '^After=' "$U/$u.service")" 'redis-server\.service'
	t_expect_match "$u.service: wants Redis" \
	    "$(grep '^Wants=' "$U/$u.service")" 'redis-server\.service'
	t_expect_match "$u.service: in the foreground (-f)" \
	    "$(grep '^ExecStart=' "$U/$u.service")" " -f "
	user=$(sed -n 's/^User=//p' "$U/$u.service")
	t_expect_match "$u.service: its own user" "$user" '^[a-z][a-z-]*$'
	t_expect "$u.service: the user comes from muster.sysusers" \
	    "$(awk -v u="$user" '$1 == "u" && $2 == u { print "yes" }' "$SYSUSERS")" yes
	for m in $(sed -n 's/^Documentation=//p' "$U/$u.service"); do
		page=${m#man:}
		name=${page%(*}
		sect=${page#*(}
		sect=${sect%)}
		t_expect "$u.service: Documentation=$m exists in man/" \
		    "$(ls "$top_srcdir/man/$name.$sect" "$top_srcdir/man/$name.$sect.in" \
		    2>/dev/null | head -n 1 | grep -c .)" 1
	done
done

# musterd: notify, only CAP_NET_BIND_SERVICE, its state directory
f=$U/musterd.service
for l in 'Type=notify' 'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' 'StateDirectory=musterd'; do
	t_checks=$((t_checks + 1))
	grep -qx "$l" "$f" || t_fail "musterd.service: no $l"
done
t_expect "the sample state-file lies in the StateDirectory" \
    "$(sed -n 's/^state-file  *//p' "$top_srcdir/contrib/musterd.conf" | cut -d/ -f1-4)" \
    /var/lib/musterd
# muster-probe: readiness (Type=notify), no capability
f=$U/muster-probe.service
for l in 'Type=notify' 'CapabilityBoundingSet=' 'AmbientCapabilities='; do
	t_checks=$((t_checks + 1))
	grep -qx "$l" "$f" || t_fail "muster-probe.service: no $l"
done

# the sysusers.d file makes both users
if command -v systemd-sysusers >/dev/null 2>&1; then
	mkdir -p "$T/root/etc"
	grep -v '^#' "$SYSUSERS" | systemd-sysusers --root="$T/root" - >/dev/null 2>&1
	t_expect "systemd-sysusers makes the users" \
	    "$(cut -d: -f1 "$T/root/etc/passwd" 2>/dev/null | sort | paste -sd' ' -)" \
	    "muster-probe musterd"
else
	t_log "systemd-sysusers is not installed: muster.sysusers not tried"
fi

t_done
