/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict number parsing. No atoi, no unchecked strtol anywhere else in the
 * tree. String and string-vector helpers are in strv.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal only, whole string, no sign, no spaces. -EINVAL / -ERANGE. */
int parse_uint(const char *s, unsigned long long min, unsigned long long max,
	       unsigned long long *ret);
int parse_uint32(const char *s, unsigned min, unsigned max, unsigned *ret);
/* A byte count: decimal digits with an optional binary suffix K, M, G or T
 * (1024-based, either case), or "infinity" for UINT64_MAX. -EINVAL on
 * anything else, -ERANGE when it does not fit in 64 bits. */
int parse_size(const char *s, uint64_t *ret);
/* Seconds with optional fraction ("1", "0.5") into microseconds. */
int parse_seconds_usec(const char *s, unsigned long long *ret_usec);
/* "1"/"0" style booleans as distcc 3.4 reads them; @def when unset/unknown. */
bool parse_bool_value(const char *v, bool def);   /* NULL or other text: @def */
