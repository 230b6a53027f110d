/*
 * dname.c -- domain names in wire form: case, hashing, suffixes, text.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dname.h"

#define L(c) ((uint8_t)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c)))
#define R4(b) L(b), L(b + 1), L(b + 2), L(b + 3)
#define R16(b) R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
#define R64(b) R16(b), R16(b + 16), R16(b + 32), R16(b + 48)

const uint8_t dname_lower_tab[256] = {
	R64(0), R64(64), R64(128), R64(192)
};

size_t
dname_len(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p != 0)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

unsigned
dname_count_labels(const uint8_t *name)
{
	unsigned n = 0;

	while (*name != 0) {
		name += *name + 1;
		n++;
	}
	return n;
}

void
dname_copy_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = dname_lower_tab[src[i]];
}

bool
dname_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		uint8_t n = *a;
		unsigned i;

		if (n != *b)
			return false;
		if (n == 0)
			return true;
		for (i = 1; i <= n; i++)
			if (dname_lower_tab[a[i]] != dname_lower_tab[b[i]])
				return false;
		a += n + 1;
		b += n + 1;
	}
}

bool
dname_is_sub(const uint8_t *name, size_t len, const uint8_t *parent,
    size_t plen)
{
	if (plen > len)
		return false;
	while (len > plen) {
		len -= (size_t)*name + 1;
		name += *name + 1;
	}
	return len == plen && memcmp(name, parent, plen) == 0;
}

static inline uint64_t
dname_mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t
dname_hash(const uint8_t *p, size_t len, uint64_t seed)
{
	uint64_t h = seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL);
	uint64_t v;

	while (len >= 8) {
		memcpy(&v, p, 8);
		h = dname_mix(h ^ v, 0xa0761d6478bd642fULL);
		p += 8;
		len -= 8;
	}
	v = 0;
	memcpy(&v, p, len);
	return dname_mix(h ^ v ^ 0xe7037ed1a0b428dbULL,
	    0x8ebc6af09c88c6e3ULL ^ len);
}

int
dname_from_str(uint8_t *out, const char *s, const char **why)
{
	size_t pos = 0, lab;

	*why = NULL;
	if (s[0] == '\0') {
		*why = "empty name";
		return -1;
	}
	if (s[0] == '.' && s[1] == '\0') {
		out[0] = 0;
		return 1;
	}
	while (*s != '\0') {
		lab = pos++;
		while (*s != '\0' && *s != '.') {
			int c = (unsigned char)*s++;

			if (c == '\\') {
				if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0'
				    && s[1] <= '9' && s[2] >= '0' && s[2] <= '9') {
					c = (s[0] - '0') * 100 + (s[1] - '0') * 10
					    + (s[2] - '0');
					if (c > 255) {
						*why = "bad \\DDD escape";
						return -1;
					}
					s += 3;
				} else if (*s != '\0') {
					c = (unsigned char)*s++;
				} else {
					*why = "trailing backslash";
					return -1;
				}
			}
			if (pos - lab > DNAME_MAXLABEL) {
				*why = "label longer than 63 bytes";
				return -1;
			}
			if (pos >= DNAME_MAXLEN) {
				*why = "name longer than 255 bytes";
				return -1;
			}
			out[pos++] = (uint8_t)c;
		}
		if (pos - lab == 1) {
			*why = "empty label";
			return -1;
		}
		out[lab] = (uint8_t)(pos - lab - 1);
		if (*s == '.')
			s++;
	}
	if (pos + 1 > DNAME_MAXLEN) {
		*why = "name longer than 255 bytes";
		return -1;
	}
	out[pos++] = 0;
	return (int)pos;
}

char *
dname_to_str(char *buf, size_t size, const uint8_t *name)
{
	size_t o = 0;

	if (size == 0)
		return buf;
	if (*name == 0) {
		snprintf(buf, size, ".");
		return buf;
	}
	while (*name != 0 && o + 6 < size) {
		unsigned n = *name++, i;

		for (i = 0; i < n && o + 6 < size; i++) {
			uint8_t c = *name++;

			if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')'
			    || c == ';' || c == '@' || c == '$') {
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else if (c <= 0x20 || c >= 0x7f) {
				o += (size_t)snprintf(buf + o, size - o, "\\%03u", c);
			} else {
				buf[o++] = (char)c;
			}
		}
		if (i < n)
			break;
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

bool
dname_label_is_ldh(const uint8_t *label, size_t len)
{
	size_t i;

	if (len == 0 || len > DNAME_MAXLABEL)
		return false;
	for (i = 0; i < len; i++) {
		uint8_t c = label[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || c == '_')
			continue;
		if (c == '-' && i != 0 && i != len - 1)
			continue;
		return false;
	}
	return true;
}
