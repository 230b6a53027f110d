# contrib/local.mk -- the registration script and the registry's Functions.
#
# musterctl finds muster.lua next to itself in the source tree and in
# $(pkgdatadir) (../share/muster/ from $(bindir)) once installed.
#
# SPDX-License-Identifier: BSD-2-Clause
dist_bin_SCRIPTS = contrib/musterctl
dist_pkgdata_DATA = contrib/muster.lua
EXTRA_DIST += contrib/musterd.conf
# contrib/bench: musterd next to NSD and Knot DNS (results: contrib/bench.md)
EXTRA_DIST += contrib/bench contrib/bench.md
