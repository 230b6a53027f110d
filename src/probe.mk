# src/probe.mk -- muster-probe, the health checker.
#
# Its code is linked into muster-probe only (not libcore.a), so that
# OpenSSL stays out of musterd and the tests that do not need it.
#
# SPDX-License-Identifier: BSD-2-Clause
sbin_PROGRAMS += muster-probe
muster_probe_SOURCES = \
	src/muster-probe.c \
	src/probe.c src/probe.h \
	src/lease.c src/lease.h \
	src/check.c src/check.h src/check_priv.h \
	src/check_tcp.c \
	src/check_http.c \
	src/check_ttl.c
muster_probe_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
muster_probe_LDADD = $(CORE_LIBS) $(OPENSSL_LIBS)

# The sample configuration (also read by tests/integration/probe/config.sh)
# and the 10,000-instance benchmark.
EXTRA_DIST += contrib/muster-probe.conf contrib/bench-probe
