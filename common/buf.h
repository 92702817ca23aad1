/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One growable byte buffer with a hard maximum, and a bounds-checked cursor
 * for parsing. Neither ever grows past what the caller allowed.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * struct buf: bytes (binary or text) that grow on demand, never past @max.
 *
 * Invariants, true after every buf_* call (the caller may rely on them):
 *  - len <= max. A call that would pass it fails with -E2BIG and changes
 *    nothing; max itself is the caller's and no buf_* call changes it.
 *  - data == NULL exactly when cap == 0 (BUF_INIT, after buf_free or
 *    buf_steal); an empty buffer allocates nothing until the first append.
 *  - When data != NULL: len < cap <= max + 1, and data[len] == 0, so data
 *    can be used as a C string when it holds text (it may also hold NULs;
 *    len, not strlen, is its length).
 *  - A failed call (-E2BIG, -ENOMEM) leaves len and the bytes unchanged.
 *
 * One exception, made by the caller, for reading straight into the buffer:
 * after buf_reserve(b, n) it may write up to n bytes at data + len and add
 * what it wrote to len; data[len] == 0 then holds again only after
 * buf_terminate() (or any later append).
 *
 * Ownership: data is malloc'd and owned by the struct; buf_free() releases
 * it (the struct can be reused with the same max), buf_steal() hands it over.
 */
struct buf {
	uint8_t *data;
	size_t len, cap, max;
};

/* An empty buffer that may grow to @m bytes. Needs no buf_free() until used. */
#define BUF_INIT(m) ((struct buf){ .max = (m) })

/* Make room for @extra more bytes (plus the NUL): afterwards
 * cap > len + extra. -E2BIG when len + extra would pass max, -ENOMEM. */
int buf_reserve(struct buf *b, size_t extra);
/* Append @n bytes. Same errors as buf_reserve(). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
/* Append printf output (its NUL is not counted in len). -E2BIG, -ENOMEM,
 * -EINVAL on a bad format. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Restore data[len] == 0 (allocating it for an empty buffer); len unchanged. */
int buf_terminate(struct buf *b);
/* Empty the buffer, keeping its memory for reuse. */
void buf_reset(struct buf *b);
/* Release the memory; the buffer is empty again (max kept). NULL data is fine. */
void buf_free(struct buf *b);
/* Hand the data to the caller (NUL-terminated, malloc'd, also for an empty
 * buffer); b becomes empty. NULL on -ENOMEM, b unchanged. */
char *buf_steal(struct buf *b);

/*
 * struct cursor: a read-only view of @len bytes the caller owns, consumed
 * front to back. Invariant: pos <= len; nothing reads outside p[0..len).
 * A failed take leaves pos unchanged.
 */
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
