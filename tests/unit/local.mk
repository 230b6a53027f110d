# tests/unit/local.mk -- Criterion unit tests, one program per module.
if HAVE_CRITERION
UNIT_TESTS = \
	tests/unit/test_wire \
	tests/unit/test_dname \
	tests/unit/test_zones \
	tests/unit/test_db \
	tests/unit/test_enc \
	tests/unit/test_conf \
	tests/unit/test_arena \
	tests/unit/test_qsbr \
	tests/unit/test_listen \
	tests/unit/test_record \
	tests/unit/test_rconn \
	tests/unit/test_registry \
	tests/unit/test_hmap
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

tests_unit_test_hmap_SOURCES = tests/unit/test_hmap.c
tests_unit_test_hmap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_hmap_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
tests_unit_test_wire_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_wire_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_dname_SOURCES = tests/unit/test_dname.c
tests_unit_test_dname_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_dname_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_zones_SOURCES = tests/unit/test_zones.c
tests_unit_test_zones_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_zones_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_db_SOURCES = tests/unit/test_db.c
tests_unit_test_db_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_db_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_enc_SOURCES = tests/unit/test_enc.c
tests_unit_test_enc_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_enc_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_conf_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_arena_SOURCES = tests/unit/test_arena.c
tests_unit_test_arena_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_arena_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_qsbr_SOURCES = tests/unit/test_qsbr.c
tests_unit_test_qsbr_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_qsbr_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_listen_SOURCES = tests/unit/test_listen.c
tests_unit_test_listen_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_listen_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_record_SOURCES = tests/unit/test_record.c
tests_unit_test_record_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_record_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_rconn_SOURCES = tests/unit/test_rconn.c
tests_unit_test_rconn_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_rconn_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)

tests_unit_test_registry_SOURCES = tests/unit/test_registry.c
tests_unit_test_registry_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_registry_LDADD = $(CORE_LIBS) $(CRITERION_LIBS)
endif
