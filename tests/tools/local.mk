# tests/tools/local.mk -- helper programs used by the tests (not tests).
check_PROGRAMS += tests/tools/freeport
tests_tools_freeport_SOURCES = tests/tools/freeport.c
