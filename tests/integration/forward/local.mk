# tests/integration/forward/local.mk -- forwarding, the recursion ACL, PTR,
# glibc's resolver against musterd, and the host resolver files of
# contrib/host/ (tested in tests/integration/hostconf).
#
# SPDX-License-Identifier: BSD-2-Clause
TESTS += \
	tests/integration/forward/run.sh \
	tests/integration/acl/run.sh \
	tests/integration/ptr/run.sh \
	tests/integration/glibc/run.sh \
	tests/integration/hostconf/run.sh
EXTRA_DIST += \
	tests/integration/forward/fwd.sh \
	tests/integration/forward/run.sh \
	tests/integration/forward/upstream.zone \
	tests/integration/forward/upstream-rev4.zone \
	tests/integration/forward/upstream-rev6.zone \
	tests/integration/forward/local-rev4.zone \
	tests/integration/acl/run.sh \
	tests/integration/ptr/run.sh \
	tests/integration/glibc/run.sh \
	tests/integration/hostconf/run.sh \
	contrib/host/resolv.conf.example \
	contrib/host/systemd-resolved/muster.conf \
	contrib/host/systemd-resolved/consul.negative \
	contrib/host/dnsmasq.conf \
	contrib/host/unbound.conf \
	contrib/host/reverse.zone \
	contrib/host/README.section
