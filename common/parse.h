/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict number parsing and small string-vector helpers. No atoi, no
 * unchecked strtol anywhere else in the tree.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Decimal only, whole string, no sign, no spaces. -EINVAL / -ERANGE. */
int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *ret);
int parse_uint32(const char *s, unsigned min, unsigned max, unsigned *ret);
/* Seconds with optional fraction ("1", "0.5") into microseconds. */
int parse_seconds_usec(const char *s, unsigned long long *ret_usec);
/* "1"/"0" style booleans as distcc 3.4 reads them; @def when unset/unknown. */
bool parse_bool_value(const char *v, bool def);   /* NULL or other text: @def */

/* NULL-terminated string vectors. */
size_t strv_length(char *const *v);
char **strv_copy(char *const *v);
void strv_free(char **v);
/* Append a copy of @s; *v may be NULL. -ENOMEM leaves *v as it was. */
int strv_push(char ***v, const char *s);
bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
