# tests/integration/manpages/local.mk -- the manual pages against the
# daemons' --help, the sample configuration, and mandoc -Tlint.
#
# SPDX-License-Identifier: BSD-2-Clause
TESTS += tests/integration/manpages/run.sh
EXTRA_DIST += tests/integration/manpages/run.sh
