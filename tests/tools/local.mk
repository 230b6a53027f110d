# tests/tools/local.mk -- helper programs used by the tests (not tests).
check_PROGRAMS += tests/tools/freeport
tests_tools_freeport_SOURCES = tests/tools/freeport.c
check_PROGRAMS += tests/tools/dnsq
tests_tools_dnsq_SOURCES = tests/tools/dnsq.c
check_PROGRAMS += tests/tools/hcserver
tests_tools_hcserver_SOURCES = tests/tools/hcserver.c
check_PROGRAMS += tests/tools/dnsload
tests_tools_dnsload_SOURCES = tests/tools/dnsload.c
