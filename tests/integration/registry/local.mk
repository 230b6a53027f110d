# tests/integration/registry/local.mk -- musterd serving the registry in
# Redis: name forms, health, answer order, the change stream, Redis
# outages and the state file, bad data.  Real redis-servers and musterds
# on loopback and Unix sockets.
#
# SPDX-License-Identifier: BSD-2-Clause
TESTS += tests/integration/registry/names/run.sh \
	tests/integration/registry/health/run.sh \
	tests/integration/registry/order/run.sh \
	tests/integration/registry/stream/run.sh \
	tests/integration/registry/outage/run.sh \
	tests/integration/registry/baddata/run.sh \
	tests/integration/registry/trimlive/run.sh \
	tests/integration/registry/churn/run.sh
EXTRA_DIST += tests/integration/registry/reg.sh \
	tests/integration/registry/names/run.sh \
	tests/integration/registry/health/run.sh \
	tests/integration/registry/order/run.sh \
	tests/integration/registry/stream/run.sh \
	tests/integration/registry/outage/run.sh \
	tests/integration/registry/baddata/run.sh \
	tests/integration/registry/trimlive/run.sh \
	tests/integration/registry/churn/run.sh
