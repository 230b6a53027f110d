# tests/integration/local.mk -- end-to-end tests: real daemons on loopback.
TESTS += tests/integration/auth/run.sh
EXTRA_DIST += tests/integration/auth/run.sh tests/integration/auth/example.zone
