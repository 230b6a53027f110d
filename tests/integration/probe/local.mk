# tests/integration/probe/local.mk -- muster-probe end to end: real redis,
# musterd and loopback TCP/HTTP(S) targets (tests/tools/hcserver).
#
# SPDX-License-Identifier: BSD-2-Clause
TESTS += \
	tests/integration/probe/checks.sh \
	tests/integration/probe/lease.sh \
	tests/integration/probe/outage.sh \
	tests/integration/probe/config.sh
EXTRA_DIST += \
	tests/integration/probe/probe.sh \
	tests/integration/probe/checks.sh \
	tests/integration/probe/lease.sh \
	tests/integration/probe/outage.sh \
	tests/integration/probe/config.sh
