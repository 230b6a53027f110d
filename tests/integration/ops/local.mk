# tests/integration/ops/local.mk -- running muster as a service: make
# install, the systemd units and what they count on (readiness, least
# privilege), Redis ACL users, Sentinel failover, metrics and the
# dashboard.  Needs redis-sentinel, systemd (systemd-analyze; the unit
# test skips without it), curl and perl (contrib/test installs them).
#
# SPDX-License-Identifier: BSD-2-Clause
muster_ops_tests = \
	tests/integration/install/run.sh \
	tests/integration/systemd/units.sh \
	tests/integration/systemd/run.sh \
	tests/integration/redis-acl/run.sh \
	tests/integration/sentinel/run.sh \
	tests/integration/sentinel/lost-write.sh \
	tests/integration/sentinel/replica-resync.sh \
	tests/integration/metrics/run.sh
TESTS += $(muster_ops_tests)
EXTRA_DIST += $(muster_ops_tests) \
	tests/integration/sentinel/sentinel.sh \
	tests/integration/metrics/expo.pl
