/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parsers and string vectors. Pure.
 */
#include <ctype.h>
#include <errno.h>
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

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **strv_copy(char *const *v)
{
	size_t n = strv_length(v);
	char **c = calloc(n + 1, sizeof(char *));

	if (!c)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		c[i] = strdup(v[i]);
		if (!c[i]) {
			strv_free(c);
			return NULL;
		}
	}
	return c;
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_length(*v);
	char *d = strdup(s);
	char **nv;

	if (!d)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(d);
		return -ENOMEM;
	}
	nv[n] = d;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}
