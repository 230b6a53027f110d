/*
 * fuzz_dname.c -- libFuzzer target: names in text and in wire form.
 *
 * Text: whatever dname_from_str() accepts must be a valid wire name, and
 * dname_to_str() of it must read back to the same bytes (escapes and
 * case included); to_str() into every small buffer size must stay inside
 * the buffer and stay a prefix of the full text.
 * Wire: wire_skip_name() on the input from a few offsets must stop
 * inside it, only after labels ending in the root or a backwards
 * pointer.  An uncompressed name it accepts must satisfy the other
 * dname.h functions (length, labels, lowercase equality, hashing,
 * suffixes, canonical order) and round-trip through text.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "wire.h"
#include "zones.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fd_fail(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_dname: %s%s%s\n", what, text ? ": " : "",
	    text ? text : "");
	abort();
}

/* Is name[0..len) a valid uncompressed wire name of exactly len bytes? */
static int
fd_valid(const uint8_t *name, size_t len)
{
	size_t o = 0;

	if (len == 0 || len > DNAME_MAXLEN)
		return 0;
	while (o < len) {
		if (name[o] > DNAME_MAXLABEL)
			return 0;
		if (name[o] == 0)
			return o + 1 == len;
		o += (size_t)name[o] + 1;
	}
	return 0;
}

/*
 * to_str into small exact-size heap buffers: no overflow, a prefix of
 * the whole text, and the whole text once there are 6 bytes to spare
 * (it stops when fewer than 7 bytes are left, the longest escape).
 */
static void
fd_small_buffers(const uint8_t *name, const char *full)
{
	size_t size, flen = strlen(full);

	for (size = 1; size <= 24; size++) {
		char *buf = malloc(size);

		if (buf == NULL)
			return;
		dname_to_str(buf, size, name);
		if (strlen(buf) >= size || strncmp(buf, full, strlen(buf)) != 0
		    || (strlen(buf) < flen && flen + 6 < size))
			fd_fail("dname_to_str into a small buffer", full);
		free(buf);
	}
}

/* text -> wire -> text -> wire */
static void
fd_text(const uint8_t *data, size_t size)
{
	uint8_t wire[DNAME_MAXLEN], again[DNAME_MAXLEN];
	char *s, text[DNAME_STRLEN];
	const char *why;
	int n, m;

	if ((s = malloc(size + 1)) == NULL)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	n = dname_from_str(wire, s, &why);
	if (n < 0) {
		if (why == NULL)
			fd_fail("rejected without a reason", s);
		free(s);
		return;
	}
	if (why != NULL || !fd_valid(wire, (size_t)n)
	    || dname_len(wire) != (size_t)n)
		fd_fail("from_str made an invalid name", s);
	dname_to_str(text, sizeof(text), wire);
	if (strlen(text) + 1 >= sizeof(text))
		fd_fail("to_str filled its buffer", s);
	m = dname_from_str(again, text, &why);
	if (m != n || memcmp(wire, again, (size_t)n) != 0)
		fd_fail("to_str output does not read back", text);
	fd_small_buffers(wire, text);
	free(s);
}

/* Every promise of dname.h about one valid name. */
static void
fd_wire_name(const uint8_t *name, size_t len)
{
	uint8_t lower[DNAME_MAXLEN], again[DNAME_MAXLEN];
	char text[DNAME_STRLEN];
	const char *why;
	size_t o, labels = 0;
	int n;

	if (dname_len(name) != len)
		fd_fail("dname_len disagrees with wire_skip_name", NULL);
	for (o = 0; name[o] != 0; o += (size_t)name[o] + 1)
		labels++;
	if (dname_count_labels(name) != labels)
		fd_fail("dname_count_labels", NULL);
	dname_copy_lower(lower, name, len);
	if (!dname_equal(name, lower) || !dname_equal(lower, name))
		fd_fail("a name differs from its lowercase copy", NULL);
	if (zones_name_cmp(lower, lower) != 0)
		fd_fail("zones_name_cmp of a name with itself", NULL);
	if (dname_hash(lower, len, 42) != dname_hash(lower, len, 42))
		fd_fail("dname_hash not a function", NULL);
	for (o = 0; ; o += (size_t)lower[o] + 1) {
		if (!dname_is_sub(lower, len, lower + o, len - o))
			fd_fail("a name is not below its own suffix", NULL);
		if (o > 0 && (zones_name_cmp(lower + o, lower) >= 0
		    || dname_is_sub(lower + o, len - o, lower, len)))
			fd_fail("a suffix does not sort before its name", NULL);
		if (lower[o] == 0)
			break;
		(void)dname_label_is_ldh(name + o + 1, name[o]);
	}
	dname_to_str(text, sizeof(text), name);
	n = dname_from_str(again, text, &why);
	if (n < 0 || (size_t)n != len || memcmp(again, name, len) != 0)
		fd_fail("wire name does not round-trip through text", text);
}

/* wire_skip_name from offsets 0, 1 and the one in the first byte. */
static void
fd_wire(const uint8_t *data, size_t size)
{
	size_t starts[3] = { 0, 1, size > 0 ? data[0] : 0 }, i;

	for (i = 0; i < 3; i++) {
		size_t off = starts[i], o;

		if (wire_skip_name(data, size, &off) < 0)
			continue;
		if (off <= starts[i] || off > size)
			fd_fail("wire_skip_name moved outside the input", NULL);
		for (o = starts[i]; o < off - 1; o += (size_t)data[o] + 1)
			if ((data[o] & 0xc0) == 0xc0)
				break;
		if (o >= off)
			fd_fail("labels do not end where wire_skip_name did",
			    NULL);
		if ((data[o] & 0xc0) == 0xc0) {
			if (o + 2 != off || ((size_t)(data[o] & 0x3f) << 8
			    | data[o + 1]) >= o)
				fd_fail("a bad pointer accepted", NULL);
			continue;
		}
		if (o + 1 != off || data[o] != 0
		    || off - starts[i] > DNAME_MAXLEN)
			fd_fail("a name accepted without its root", NULL);
		fd_wire_name(data + starts[i], off - starts[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fd_text(data, size);
	fd_wire(data, size);
	return 0;
}
