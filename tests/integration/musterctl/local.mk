# tests/integration/musterctl/local.mk -- the registry's writers: the
# Functions of contrib/muster.lua and contrib/musterctl, against real
# throwaway redis-servers.
#
# SPDX-License-Identifier: BSD-2-Clause
TESTS += tests/integration/functions/run.sh tests/integration/musterctl/run.sh
EXTRA_DIST += tests/integration/functions/run.sh \
	tests/integration/musterctl/run.sh \
	tests/integration/musterctl/registry.sh
