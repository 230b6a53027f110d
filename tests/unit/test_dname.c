/*
 * test_dname.c -- unit tests for dname.c: wire names, text, suffixes.
 *
 * Names are written as literal wire bytes next to their text form, so a
 * failure shows the bytes that differ.  Covers dname_from_str() escapes
 * and limits, dname_to_str() escaping and round trips, label-boundary
 * suffix tests, case-insensitive equality, hashing and the small helpers.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dname.h"

static const uint8_t WWW[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p',
	'l', 'e', 3, 'c', 'o', 'm', 0 };
static const uint8_t EXAMPLE[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
	'c', 'o', 'm', 0 };
static const uint8_t XEXAMPLE[] = { 8, 'x', 'e', 'x', 'a', 'm', 'p', 'l',
	'e', 3, 'c', 'o', 'm', 0 };
static const uint8_t COM[] = { 3, 'c', 'o', 'm', 0 };
static const uint8_t ROOT[] = { 0 };

/* Build a text name of labels with the given lengths ("aaa.bb..."). */
static void
text_name(char *s, const int *lens, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(s, 'a' + i, (size_t)lens[i]);
		s += lens[i];
		*s++ = '.';
	}
	*s = '\0';
}

/* ---- dname_from_str ---- */

Test(dname, from_str_absolute)
{
	uint8_t out[DNAME_MAXLEN];
	const char *why = "unset";

	cr_assert_eq(dname_from_str(out, "www.example.com.", &why), 17);
	cr_assert_arr_eq(out, WWW, sizeof(WWW));
	cr_assert_null(why);
}

Test(dname, from_str_relative_reads_as_absolute)
{
	uint8_t out[DNAME_MAXLEN];
	const char *why;

	cr_assert_eq(dname_from_str(out, "www.example.com", &why), 17);
	cr_assert_arr_eq(out, WWW, sizeof(WWW));
}

Test(dname, from_str_keeps_case)
{
	uint8_t out[DNAME_MAXLEN];
	const char *why;

	cr_assert_eq(dname_from_str(out, "WwW.Example.COM", &why), 17);
	cr_assert_eq(out[1], 'W');
	cr_assert_eq(out[2], 'w');
	cr_assert_eq(out[5], 'E');
	cr_assert_eq(out[13], 'C');
}

Test(dname, from_str_root)
{
	uint8_t out[DNAME_MAXLEN];
	const char *why;

	cr_assert_eq(dname_from_str(out, ".", &why), 1);
	cr_assert_eq(out[0], 0);
}

Test(dname, from_str_escaped_dot)
{
	static const uint8_t want[] = { 3, 'a', '.', 'b', 3, 'c', 'o', 'm',
	    0 };
	uint8_t out[DNAME_MAXLEN];
	const char *why;

	cr_assert_eq(dname_from_str(out, "a\\.b.com.", &why), 9);
	cr_assert_arr_eq(out, want, sizeof(want));
}

Test(dname, from_str_decimal_escapes)
{
	static const uint8_t want[] = { 4, 'A', 0, ' ', 0xff, 0 };
	uint8_t out[DNAME_MAXLEN];
	const char *why;

	cr_assert_eq(dname_from_str(out, "\\065\\000\\032\\255", &why), 6);
	cr_assert_arr_eq(out, want, sizeof(want));
}

Test(dname, from_str_escaped_other_char)
{
	static const uint8_t want[] = { 3, 'a', '\\', 'b', 0 };
	uint8_t out[DNAME_MAXLEN];
	const char *why;

	cr_assert_eq(dname_from_str(out, "a\\\\b", &why), 5);
	cr_assert_arr_eq(out, want, sizeof(want));
}

Test(dname, from_str_rejects_empty_name)
{
	uint8_t out[DNAME_MAXLEN];
	const char *why = NULL;

	cr_assert_eq(dname_from_str(out, "", &why), -1);
	cr_assert_not_null(why);
}

Test(dname, from_str_rejects_empty_label)
{
	uint8_t out[DNAME_MAXLEN];
	const char *why = NULL;

	cr_assert_eq(dname_from_str(out, "a..com", &why), -1);
	cr_assert_not_null(why);
	cr_assert_eq(dname_from_str(out, ".com", &why), -1);
	cr_assert_eq(dname_from_str(out, "com..", &why), -1);
	cr_assert_eq(dname_from_str(out, "..", &why), -1);
}

Test(dname, from_str_rejects_bad_escape)
{
	uint8_t out[DNAME_MAXLEN];
	const char *why = NULL;

	cr_assert_eq(dname_from_str(out, "a\\256", &why), -1);
	cr_assert_not_null(why);
	why = NULL;
	cr_assert_eq(dname_from_str(out, "a\\", &why), -1,
	    "trailing backslash");
	cr_assert_not_null(why);
}

Test(dname, from_str_label_63_ok_64_rejected)
{
	uint8_t out[DNAME_MAXLEN];
	char s[80];
	const char *why = NULL;
	int n63[] = { 63 }, n64[] = { 64 };

	text_name(s, n63, 1);
	cr_assert_eq(dname_from_str(out, s, &why), 65);
	cr_assert_eq(out[0], 63);
	text_name(s, n64, 1);
	cr_assert_eq(dname_from_str(out, s, &why), -1);
	cr_assert_not_null(why);
}

Test(dname, from_str_label_limit_counts_escapes_once)
{
	uint8_t out[DNAME_MAXLEN];
	char s[300] = "";
	const char *why = NULL;
	int i;

	for (i = 0; i < 63; i++)
		strcat(s, "\\065");
	cr_assert_eq(dname_from_str(out, s, &why), 65, "63 escaped bytes");
	strcat(s, "\\065");
	cr_assert_eq(dname_from_str(out, s, &why), -1, "64 escaped bytes");
}

Test(dname, from_str_name_255_ok_256_rejected)
{
	uint8_t out[DNAME_MAXLEN + 8];
	char s[300];
	const char *why = NULL;
	int ok[] = { 63, 63, 63, 61 }, bad[] = { 63, 63, 63, 62 };
	int small[127];
	int i;

	text_name(s, ok, 4);
	cr_assert_eq(dname_from_str(out, s, &why), 255);
	text_name(s, bad, 4);
	cr_assert_eq(dname_from_str(out, s, &why), -1);
	cr_assert_not_null(why);
	for (i = 0; i < 127; i++)
		small[i] = 1;
	text_name(s, small, 127);
	cr_assert_eq(dname_from_str(out, s, &why), 255, "127 labels");
	strcat(s, "z");
	cr_assert_eq(dname_from_str(out, s, &why), -1, "128 labels");
}

/* ---- dname_to_str ---- */

Test(dname, to_str_plain)
{
	char buf[DNAME_STRLEN];

	cr_assert_str_eq(dname_to_str(buf, sizeof(buf), WWW),
	    "www.example.com.");
	cr_assert_str_eq(dname_to_str(buf, sizeof(buf), ROOT), ".");
}

Test(dname, to_str_escapes)
{
	static const uint8_t name[] = { 3, 'a', '.', 'b', 4, ' ', 0xff, '"',
	    '\\', 2, '@', '$', 2, '(', ';', 0 };
	char buf[DNAME_STRLEN];

	cr_assert_str_eq(dname_to_str(buf, sizeof(buf), name),
	    "a\\.b.\\032\\255\\\"\\\\.\\@\\$.\\(\\;.");
}

Test(dname, to_str_keeps_case)
{
	static const uint8_t name[] = { 3, 'W', 'w', 'W', 0 };
	char buf[DNAME_STRLEN];

	cr_assert_str_eq(dname_to_str(buf, sizeof(buf), name), "WwW.");
}

/* A name holding bytes first..last, in labels of up to 63 bytes. */
static size_t
byte_name(uint8_t *name, unsigned first, unsigned last)
{
	size_t o = 0;
	unsigned b = first;

	while (b <= last) {
		size_t lab = o++;

		while (b <= last && o - lab <= 63)
			name[o++] = (uint8_t)b++;
		name[lab] = (uint8_t)(o - lab - 1);
	}
	name[o++] = 0;
	return o;
}

Test(dname, round_trip_every_byte)
{
	static const unsigned range[][2] = { { 0, 188 }, { 189, 255 } };
	uint8_t name[DNAME_MAXLEN], back[DNAME_MAXLEN];
	char buf[DNAME_STRLEN];
	const char *why;
	size_t i, n;

	for (i = 0; i < 2; i++) {
		n = byte_name(name, range[i][0], range[i][1]);
		cr_assert_leq(n, DNAME_MAXLEN);
		dname_to_str(buf, sizeof(buf), name);
		cr_assert_eq(dname_from_str(back, buf, &why), (int)n, "%s",
		    buf);
		cr_assert_arr_eq(back, name, n, "%s", buf);
	}
}

Test(dname, round_trip_escaped_names)
{
	static const char *names[] = { "a\\.b.example.", "\\032x.",
	    "\\@.\\$.", "x\\\\y.", "\\\"q\\\".", "\\(\\).\\;.", "." };
	uint8_t wire[DNAME_MAXLEN];
	char buf[DNAME_STRLEN];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_assert_gt(dname_from_str(wire, names[i], &why), 0, "%s",
		    names[i]);
		cr_assert_str_eq(dname_to_str(buf, sizeof(buf), wire),
		    names[i]);
	}
}

Test(dname, to_str_small_buffer_terminates)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	dname_to_str(buf, sizeof(buf), WWW);
	cr_assert_lt(strlen(buf), sizeof(buf));
	cr_assert_eq(strncmp(buf, "www.example.com.", strlen(buf)), 0,
	    "a prefix of the name, not garbage: \"%s\"", buf);
}

/* ---- dname_is_sub ---- */

Test(dname, is_sub_equal_and_below)
{
	cr_assert(dname_is_sub(EXAMPLE, sizeof(EXAMPLE), EXAMPLE,
	    sizeof(EXAMPLE)));
	cr_assert(dname_is_sub(WWW, sizeof(WWW), EXAMPLE, sizeof(EXAMPLE)));
	cr_assert(dname_is_sub(WWW, sizeof(WWW), COM, sizeof(COM)));
	cr_assert(dname_is_sub(WWW, sizeof(WWW), ROOT, sizeof(ROOT)));
	cr_assert(dname_is_sub(ROOT, sizeof(ROOT), ROOT, sizeof(ROOT)));
}

Test(dname, is_sub_not_above)
{
	cr_assert_not(dname_is_sub(EXAMPLE, sizeof(EXAMPLE), WWW,
	    sizeof(WWW)));
	cr_assert_not(dname_is_sub(COM, sizeof(COM), EXAMPLE,
	    sizeof(EXAMPLE)));
	cr_assert_not(dname_is_sub(ROOT, sizeof(ROOT), COM, sizeof(COM)));
}

Test(dname, is_sub_label_boundary)
{
	/* xexample.com. ends in the bytes of "example.com." but is not
	   below it: the last 13 bytes start inside a label */
	cr_assert_not(dname_is_sub(XEXAMPLE, sizeof(XEXAMPLE), EXAMPLE,
	    sizeof(EXAMPLE)));
	cr_assert(dname_is_sub(XEXAMPLE, sizeof(XEXAMPLE), COM,
	    sizeof(COM)));
}

Test(dname, is_sub_bytewise_suffix_inside_label)
{
	/* one label "x\003com": its last five bytes equal "\003com\0" */
	static const uint8_t trick[] = { 5, 'x', 3, 'c', 'o', 'm', 0 };

	cr_assert_not(dname_is_sub(trick, sizeof(trick), COM, sizeof(COM)));
	cr_assert(dname_is_sub(trick, sizeof(trick), ROOT, sizeof(ROOT)));
}

Test(dname, is_sub_sibling)
{
	static const uint8_t other[] = { 3, 'f', 't', 'p', 7, 'e', 'x', 'a',
	    'm', 'p', 'l', 'f', 3, 'c', 'o', 'm', 0 };

	cr_assert_not(dname_is_sub(other, sizeof(other), EXAMPLE,
	    sizeof(EXAMPLE)));
}

/* ---- dname_equal ---- */

Test(dname, equal_ignores_case)
{
	static const uint8_t upper[] = { 3, 'W', 'W', 'W', 7, 'E', 'x', 'A',
	    'm', 'P', 'l', 'E', 3, 'C', 'O', 'M', 0 };

	cr_assert(dname_equal(WWW, upper));
	cr_assert(dname_equal(upper, WWW));
	cr_assert(dname_equal(ROOT, ROOT));
}

Test(dname, equal_differs)
{
	/* "ab." against "a.b.": same letters, other labels */
	static const uint8_t ab[] = { 2, 'a', 'b', 0 };
	static const uint8_t a_b[] = { 1, 'a', 1, 'b', 0 };
	static const uint8_t wwx[] = { 3, 'w', 'w', 'x', 7, 'e', 'x', 'a',
	    'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };

	cr_assert_not(dname_equal(ab, a_b));
	cr_assert_not(dname_equal(WWW, EXAMPLE));
	cr_assert_not(dname_equal(WWW, wwx));
	cr_assert_not(dname_equal(ROOT, COM));
	cr_assert_not(dname_equal(COM, ROOT));
}

Test(dname, equal_does_not_fold_non_letters)
{
	/* '@' (0x40) and '`' (0x60) differ by the case bit but are not
	   letters; neither are '[' and '{' */
	static const uint8_t at[] = { 1, '@', 0 };
	static const uint8_t tick[] = { 1, '`', 0 };
	static const uint8_t br[] = { 1, '[', 0 };
	static const uint8_t cbr[] = { 1, '{', 0 };

	cr_assert_not(dname_equal(at, tick));
	cr_assert_not(dname_equal(br, cbr));
}

/* ---- hashing ---- */

Test(dname, hash_equal_for_equal_input)
{
	uint8_t copy[sizeof(WWW)];

	memcpy(copy, WWW, sizeof(WWW));
	cr_assert_eq(dname_hash(WWW, sizeof(WWW), 42),
	    dname_hash(copy, sizeof(copy), 42));
}

Test(dname, hash_seeds_differ)
{
	cr_assert_neq(dname_hash(WWW, sizeof(WWW), 1),
	    dname_hash(WWW, sizeof(WWW), 2));
	cr_assert_neq(dname_hash(ROOT, 1, 1), dname_hash(ROOT, 1, 2));
}

Test(dname, hash_names_differ)
{
	static const uint8_t wwx[] = { 3, 'w', 'w', 'x', 7, 'e', 'x', 'a',
	    'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };

	cr_assert_neq(dname_hash(WWW, sizeof(WWW), 7),
	    dname_hash(wwx, sizeof(wwx), 7));
	cr_assert_neq(dname_hash(WWW, sizeof(WWW), 7),
	    dname_hash(EXAMPLE, sizeof(EXAMPLE), 7));
	/* lengths 1..16 of zero bytes must not collide (tail handling) */
	{
		static const uint8_t zeros[16];
		uint64_t h[17];
		size_t i, j;

		for (i = 1; i <= 16; i++)
			h[i] = dname_hash(zeros, i, 7);
		for (i = 1; i <= 16; i++)
			for (j = i + 1; j <= 16; j++)
				cr_assert_neq(h[i], h[j], "%zu vs %zu", i, j);
	}
}

/* ---- small helpers ---- */

Test(dname, len_and_labels)
{
	cr_assert_eq(dname_len(WWW), 17);
	cr_assert_eq(dname_len(ROOT), 1);
	cr_assert_eq(dname_len(COM), 5);
	cr_assert_eq(dname_count_labels(WWW), 3);
	cr_assert_eq(dname_count_labels(EXAMPLE), 2);
	cr_assert_eq(dname_count_labels(ROOT), 0);
}

Test(dname, copy_lower)
{
	static const uint8_t upper[] = { 3, 'W', 'w', 'W', 7, 'E', 'X', 'A',
	    'M', 'P', 'L', 'E', 3, 'C', 'O', 'M', 0 };
	uint8_t out[sizeof(upper)];

	dname_copy_lower(out, upper, sizeof(upper));
	cr_assert_arr_eq(out, WWW, sizeof(WWW));
	cr_assert_eq(dname_lower('Z'), 'z');
	cr_assert_eq(dname_lower('@'), '@');
	cr_assert_eq(dname_lower('['), '[');
	cr_assert_eq(dname_lower(0xc4), 0xc4, "no folding above ASCII");
}

Test(dname, label_is_ldh)
{
	cr_assert(dname_label_is_ldh((const uint8_t *)"web", 3));
	cr_assert(dname_label_is_ldh((const uint8_t *)"a-b", 3));
	cr_assert(dname_label_is_ldh((const uint8_t *)"_tcp", 4));
	cr_assert(dname_label_is_ldh((const uint8_t *)"A9", 2));
	cr_assert_not(dname_label_is_ldh((const uint8_t *)"-ab", 3));
	cr_assert_not(dname_label_is_ldh((const uint8_t *)"ab-", 3));
	cr_assert_not(dname_label_is_ldh((const uint8_t *)"a.b", 3));
	cr_assert_not(dname_label_is_ldh((const uint8_t *)"a b", 3));
	cr_assert_not(dname_label_is_ldh((const uint8_t *)"", 0));
	{
		uint8_t l[64];

		memset(l, 'a', sizeof(l));
		cr_assert(dname_label_is_ldh(l, 63));
		cr_assert_not(dname_label_is_ldh(l, 64));
	}
}
