# tests/integration/proto/local.mk -- protocol, TCP, reload and daemon tests.
# They send raw messages with tests/tools/dnsq, built from hex by msg.sh.
TESTS += \
	tests/integration/protocol/run.sh \
	tests/integration/tcp/run.sh \
	tests/integration/reload/run.sh \
	tests/integration/daemon/run.sh
EXTRA_DIST += \
	tests/integration/proto/msg.sh \
	tests/integration/protocol/run.sh \
	tests/integration/tcp/run.sh \
	tests/integration/reload/run.sh \
	tests/integration/daemon/run.sh
