# muster_cflag.m4 -- add a compiler flag to a variable if the compiler takes it.
#
# MUSTER_CFLAG_IFOK(VARIABLE, FLAG)
#   Compiles an empty program with FLAG (and -Werror, so that compilers which
#   only warn about unknown flags say no) and appends FLAG to VARIABLE when
#   that works.  autoconf-archive is not installed on Debian by default, so
#   this stands in for AX_CHECK_COMPILE_FLAG.
#
# SPDX-License-Identifier: BSD-2-Clause
AC_DEFUN([MUSTER_CFLAG_IFOK], [
	AS_VAR_PUSHDEF([muster_cv], [muster_cv_cflag_$2])
	AC_CACHE_CHECK([whether $CC accepts $2], [muster_cv], [
		muster_save_CFLAGS=$CFLAGS
		CFLAGS="$CFLAGS -Werror $2"
		AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
			[AS_VAR_SET([muster_cv], [yes])], [AS_VAR_SET([muster_cv], [no])])
		CFLAGS=$muster_save_CFLAGS])
	AS_VAR_IF([muster_cv], [yes], [$1="$$1 $2"])
	AS_VAR_POPDEF([muster_cv])
])
