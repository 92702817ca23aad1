/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One growable byte buffer with a hard maximum, and a bounds-checked cursor
 * for parsing. Neither ever grows past what the caller allowed.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t len, cap, max;
};

#define BUF_INIT(m) ((struct buf){ .max = (m) })

/* Make room for @extra more bytes. -E2BIG past b->max, -ENOMEM. */
int buf_reserve(struct buf *b, size_t extra);
/* Append @n bytes. Same errors as buf_reserve(). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
/* Append printf output (NUL not counted in len but always present). */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ensure data[len] == 0 (for text use); does not change len. */
int buf_terminate(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Hand the data to the caller (NUL-terminated); b becomes empty. */
char *buf_steal(struct buf *b);

struct cursor {
	const uint8_t *p;
	size_t len, pos;
};

#define CURSOR(data, n) ((struct cursor){ .p = (const uint8_t *)(data), .len = (n) })

static inline size_t cursor_left(const struct cursor *c)
{
	return c->len - c->pos;
}

/* Take @n bytes: *ret points into the cursor's memory. -EBADMSG if short. */
int cursor_take(struct cursor *c, size_t n, const uint8_t **ret);
