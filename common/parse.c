/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parsers of numbers and booleans. Pure.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "parse.h"

int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != 0)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_uint32(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long long v;
	int r = parse_uint(s, min, max, &v);

	if (r >= 0)
		*ret = (unsigned)v;
	return r;
}

int parse_size(const char *s, uint64_t *ret)
{
	static const char suffixes[] = "KMGT";
	char digits[32];
	const char *sfx;
	unsigned long long v;
	size_t n;
	int r;

	if (s && strcmp(s, "infinity") == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	if (!s || !*s)
		return -EINVAL;
	n = strlen(s);
	sfx = strchr(suffixes, toupper((unsigned char)s[n - 1]));
	if (sfx)
		n--;
	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(digits))        /* more digits than any 64-bit number has */
		return -ERANGE;
	memcpy(digits, s, n);
	digits[n] = 0;
	r = parse_uint(digits, 0, ULLONG_MAX, &v);
	if (r < 0)
		return r;
	for (const char *k = suffixes; sfx && k <= sfx; k++) {
		if (v > UINT64_MAX / 1024)
			return -ERANGE;
		v *= 1024;
	}
	*ret = v;
	return 0;
}

int parse_seconds_usec(const char *s, unsigned long long *ret_usec)
{
	unsigned long long whole = 0, frac = 0, scale = 1000000;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > 1000000000ull)
			return -ERANGE;
		whole = whole * 10 + (unsigned long long)(*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (unsigned long long)(*p - '0') * scale;
			}
		}
	}
	if (*p)
		return -EINVAL;
	*ret_usec = whole * 1000000ull + frac;
	return 0;
}

bool parse_bool_value(const char *v, bool def)
{
	if (!v)
		return def;
	if (strcmp(v, "1") == 0)
		return true;
	if (strcmp(v, "0") == 0)
		return false;
	return def;
}
