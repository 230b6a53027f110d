#!/usr/bin/env bash
# install/run.sh -- `make install DESTDIR=...' and `make uninstall'.
#
# Installs the build tree into $T/root and checks that everything is
# where contrib/ops.mk says: programs, man pages, musterctl and the
# Function library (musterctl finds it, installed), the example
# configurations (valid for `musterd -n' and `muster-probe -n'), the
# systemd units (pointing at the installed programs and configuration)
# and sysusers.d file, the Redis ACL file, the keepalived check, the
# dashboard, the scrape example, the deployment notes.  A changed
# configuration survives a second install and the uninstall; apart from
# it, uninstall leaves no file behind.
#
# SPDX-License-Identifier: BSD-2-Clause
. "${top_srcdir:-$(dirname "$0")/../../..}/tests/lib.sh"
t_need make redis-server redis-cli
[ -f "$top_builddir/Makefile" ] || t_skip "no Makefile in $top_builddir"

D=$T/root
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" "$@"; }
dirs=$(mk --no-print-directory --eval='muster-print-dirs: ; @echo "prefix=$(prefix) bindir=$(bindir) sbindir=$(sbindir) sysconfdir=$(sysconfdir) pkgdatadir=$(pkgdatadir) mandir=$(mandir) docdir=$(docdir) unitdir=$(systemdsystemunitdir) sysusersdir=$(sysusersdir)"' \
    muster-print-dirs 2>/dev/null | grep '^prefix=' | tail -n 1)
[ -n "$dirs" ] || t_skip "make cannot print the install directories (GNU make --eval)"
eval "$dirs"
t_log "$dirs"

out=$(mk install DESTDIR="$D" 2>&1)
t_expect "make install DESTDIR: exit 0" "$?" 0
[ -n "$out" ] && printf '%s\n' "$out" | grep -v '^ \|^  \|make\[' | head -5 | sed 's/^/# /'

must() { # must FILE [x]: installed (and executable)
	t_checks=$((t_checks + 1))
	if [ ! -f "$D$1" ]; then
		t_fail "not installed: $1"
	elif [ "${2:-}" = x ] && [ ! -x "$D$1" ]; then
		t_fail "installed, not executable: $1"
	fi
}
must "$sbindir/musterd" x
[ -x "$top_builddir/muster-probe" ] && must "$sbindir/muster-probe" x
must "$bindir/musterctl" x
must "$mandir/man8/musterd.8"
must "$mandir/man8/muster-probe.8"
must "$mandir/man1/musterctl.1"
must "$mandir/man7/muster-registry.7"
must "$pkgdatadir/muster.lua"
must "$pkgdatadir/redis/users.acl"
must "$pkgdatadir/redis/README"
must "$pkgdatadir/keepalived/check-musterd" x
must "$pkgdatadir/grafana/muster.json"
must "$pkgdatadir/prometheus.yml"
must "$docdir/deployment.md"
for c in musterd.conf muster-probe.conf; do
	must "$sysconfdir/muster/$c"
	must "$sysconfdir/muster/$c.example"
done
if [ "$unitdir" != no ]; then
	must "$unitdir/musterd.service"
	must "$unitdir/muster-probe.service"
	must "$sysusersdir/muster.conf"
fi

# the units run the installed programs with the installed configuration
for u in musterd muster-probe; do
	f=$D$unitdir/$u.service
	[ -f "$f" ] || continue
	# shellcheck disable=SC2046 # the words of ExecStart=
	set -- $(sed -n 's/^ExecStart=//p' "$f")
	t_expect "$u.service runs $sbindir/$u" "$1" "$sbindir/$u"
	conf=$(printf '%s\n' "$@" | sed -n '/^-c$/{n;p;}')
	t_expect "$u.service reads $sysconfdir/muster/$u.conf" "$conf" \
	    "$sysconfdir/muster/$u.conf"
done

# the installed examples are valid
out=$("$D$sbindir/musterd" -n -c "$D$sysconfdir/muster/musterd.conf" 2>&1)
rc=$?
t_expect "musterd -n accepts the installed musterd.conf" "$rc" 0
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | head -5
if [ -x "$D$sbindir/muster-probe" ]; then
	out=$("$D$sbindir/muster-probe" -n -c "$D$sysconfdir/muster/muster-probe.conf" 2>&1)
	t_expect "muster-probe -n accepts the installed muster-probe.conf" "$?" 0
fi

# the installed musterctl finds the installed Function library
t_start_redis r
out=$(env -u MUSTER_FUNCTIONS "$D$bindir/musterctl" -s "$r_sock" load-functions 2>&1)
t_expect "the installed musterctl loads the installed muster.lua" "$out" \
    "loaded library muster from $D$bindir/../share/muster/muster.lua"

# a changed configuration is kept by a second install and by uninstall
echo "# changed here" >>"$D$sysconfdir/muster/musterd.conf"
mk install DESTDIR="$D" >/dev/null 2>&1
t_expect "a second install keeps a changed musterd.conf" \
    "$(tail -n 1 "$D$sysconfdir/muster/musterd.conf")" "# changed here"
t_expect "... and refreshes the example" \
    "$(cmp -s "$D$sysconfdir/muster/musterd.conf.example" \
    "$top_srcdir/contrib/musterd.conf" && echo same)" same
out=$(mk uninstall DESTDIR="$D" 2>&1)
t_expect "make uninstall: exit 0" "$?" 0
t_expect "uninstall keeps the changed configuration, only it" \
    "$(cd "$D" && find . -type f | sort)" ".$sysconfdir/muster/musterd.conf"

t_done
