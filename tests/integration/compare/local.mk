# tests/integration/compare/local.mk -- musterd against NSD and Knot DNS.
TESTS += tests/integration/compare/run.sh
EXTRA_DIST += tests/integration/compare/run.sh \
	tests/integration/compare/compare.zone \
	tests/integration/compare/child.zone \
	tests/integration/compare/queries.txt \
	tests/integration/compare/exceptions.txt \
	tests/integration/compare/normalize.awk \
	tests/integration/compare/verdict.awk \
	tests/integration/compare/nsd.conf.in \
	tests/integration/compare/knot.conf.in \
	tests/integration/compare/local.mk
