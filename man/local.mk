# man/local.mk -- manual pages (mdoc); check with mandoc -Tlint.
#
# SPDX-License-Identifier: BSD-2-Clause
dist_man_MANS = man/musterctl.1 man/muster-registry.7
dist_man_MANS += man/muster-probe.8
