# muster_systemd.m4 -- where the systemd units and sysusers.d file go.
#
# MUSTER_SYSTEMD: --with-systemdsystemunitdir=DIR (default
# PREFIX/lib/systemd/system; "no" installs no units) and
# --with-sysusersdir=DIR (default PREFIX/lib/sysusers.d).  Both default
# under the prefix so that `make install' and `make distcheck' never
# write outside it; a package passes /lib/systemd/system and
# /usr/lib/sysusers.d.  Defines the conditional INSTALL_SYSTEMD_UNITS.
#
# SPDX-License-Identifier: BSD-2-Clause
AC_DEFUN([MUSTER_SYSTEMD], [
AC_ARG_WITH([systemdsystemunitdir],
	[AS_HELP_STRING([--with-systemdsystemunitdir=DIR],
	    [install the systemd units into DIR (default PREFIX/lib/systemd/system; no: do not install them)])],
	[], [with_systemdsystemunitdir=yes])
AS_IF([test "x$with_systemdsystemunitdir" = xyes],
	[with_systemdsystemunitdir='${prefix}/lib/systemd/system'])
AC_ARG_WITH([sysusersdir],
	[AS_HELP_STRING([--with-sysusersdir=DIR],
	    [install the sysusers.d file creating the daemons' users into DIR (default PREFIX/lib/sysusers.d)])],
	[], [with_sysusersdir=yes])
AS_IF([test "x$with_sysusersdir" = xyes || test "x$with_sysusersdir" = xno],
	[with_sysusersdir='${prefix}/lib/sysusers.d'])
AC_SUBST([systemdsystemunitdir], [$with_systemdsystemunitdir])
AC_SUBST([sysusersdir], [$with_sysusersdir])
AM_CONDITIONAL([INSTALL_SYSTEMD_UNITS],
	[test "x$with_systemdsystemunitdir" != xno])
])
