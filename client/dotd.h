/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pump-mode .d file as the compiler would have written it here. The
 * server's compiler wrapped the dependency rule while the paths still
 * carried its temporary root, so after the root is removed the line breaks
 * fall elsewhere than in a local build. This re-wraps the first rule the
 * way gcc (72 columns) or clang (75) does; the rest is kept as it is.
 * Pure: text in, text out.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

enum dotd_style { DOTD_GCC, DOTD_CLANG };

/* The style of compiler @argv0 (clang's driver for names with "clang"). */
enum dotd_style dotd_style_of(const char *argv0);
/* Append the re-wrapped @in to @out. Text that does not parse as a make
 * rule is appended unchanged. -ENOMEM / -E2BIG from @out only. */
int dotd_rewrap(const char *in, size_t n, enum dotd_style style, struct buf *out);
