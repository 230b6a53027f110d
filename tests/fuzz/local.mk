# tests/fuzz/local.mk -- libFuzzer targets, one per parser of outside bytes.
#
# Built only with ./configure --enable-fuzz CC=clang and CFLAGS that carry
# -fsanitize=fuzzer-no-link (see contrib/test), by `make fuzz'.  The seed
# corpora and dictionaries are distributed so that a tarball can fuzz too.
FUZZ_TARGETS = tests/fuzz/fuzz_query tests/fuzz/fuzz_zone \
	tests/fuzz/fuzz_conf tests/fuzz/fuzz_dname tests/fuzz/fuzz_record \
	tests/fuzz/fuzz_registry tests/fuzz/fuzz_state tests/fuzz/fuzz_http \
	tests/fuzz/fuzz_url
FUZZ_CHECK = tests/fuzz/msgcheck.c tests/fuzz/msgcheck.h

noinst_PROGRAMS =
if ENABLE_FUZZ
noinst_PROGRAMS += $(FUZZ_TARGETS)
fuzz: $(FUZZ_TARGETS)
else
fuzz:
	@echo "configure with --enable-fuzz CC=clang to build the fuzz targets"; exit 1
endif
.PHONY: fuzz

tests_fuzz_fuzz_query_SOURCES = tests/fuzz/fuzz_query.c $(FUZZ_CHECK)
tests_fuzz_fuzz_query_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_query_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_zone_SOURCES = tests/fuzz/fuzz_zone.c $(FUZZ_CHECK)
tests_fuzz_fuzz_zone_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_zone_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_conf_SOURCES = tests/fuzz/fuzz_conf.c
tests_fuzz_fuzz_conf_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_conf_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_dname_SOURCES = tests/fuzz/fuzz_dname.c
tests_fuzz_fuzz_dname_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_dname_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_record_SOURCES = tests/fuzz/fuzz_record.c
tests_fuzz_fuzz_record_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_record_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_registry_SOURCES = tests/fuzz/fuzz_registry.c $(FUZZ_CHECK)
tests_fuzz_fuzz_registry_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_registry_LDADD = $(CORE_LIBS)
tests_fuzz_fuzz_state_SOURCES = tests/fuzz/fuzz_state.c $(FUZZ_CHECK)
tests_fuzz_fuzz_state_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_state_LDADD = $(CORE_LIBS)
# the http check's parser lives with muster-probe's checks (src/probe.mk)
tests_fuzz_fuzz_http_SOURCES = tests/fuzz/fuzz_http.c src/check.c \
	src/check_tcp.c src/check_http.c src/check_ttl.c
tests_fuzz_fuzz_http_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
tests_fuzz_fuzz_http_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_http_LDADD = $(CORE_LIBS) $(OPENSSL_LIBS)
tests_fuzz_fuzz_url_SOURCES = tests/fuzz/fuzz_url.c
tests_fuzz_fuzz_url_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_url_LDADD = $(CORE_LIBS)

# whole directories: automake copies them recursively
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/query.dict tests/fuzz/zone.dict \
	tests/fuzz/conf.dict tests/fuzz/dname.dict tests/fuzz/record.dict \
	tests/fuzz/registry.dict tests/fuzz/state.dict tests/fuzz/http.dict \
	tests/fuzz/url.dict
