/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Computed includes (#include MACRO) under a multi-valued macro semantics:
 * every #define of a name that the analysis has seen may be the one in
 * force, so an operand expands to a set of header names. Object-like and
 * function-like macros, argument pre-expansion, # and ## are handled; the
 * work is bounded. Pure: definitions come from a caller's lookup function.
 */
#pragma once

#include <stddef.h>

#include "incscan.h"

/* All definitions of @name seen so far: *ret points to @n pointers. */
typedef void (*incexpand_lookup_fn)(void *userdata, const char *name,
				    const struct incscan_define *const **ret, size_t *n);

struct incexpand_name {
	enum incscan_kind kind;        /* INCSCAN_QUOTE or INCSCAN_ANGLE */
	char *name;
};

struct incexpand_result {
	struct incexpand_name *v;
	size_t n;
};

/* Expand @text. On success *ret holds every distinct header name it can
 * become (possibly none). -E2BIG when the expansion exceeds its bounds (the
 * caller cannot vouch for the include then), -ENOMEM. */
int incexpand_operand(const char *text, incexpand_lookup_fn lookup, void *userdata,
		      struct incexpand_result *ret);
void incexpand_result_free(struct incexpand_result *r);
