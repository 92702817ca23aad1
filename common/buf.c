/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capped growable buffer and cursor. The cap is the point: a peer can make
 * us allocate at most what the caller set as max, never what it announced.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int buf_reserve(struct buf *b, size_t extra)
{
	size_t want, ncap;
	uint8_t *n;

	/* the NUL needs one byte more: len + extra == SIZE_MAX would wrap */
	if (extra > b->max || b->len > b->max - extra || b->len + extra == SIZE_MAX)
		return -E2BIG;
	want = b->len + extra + 1; /* room for a terminating NUL */
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if (ncap < want)
		ncap = want;
	n = realloc(b->data, ncap);
	if (!n)
		return -ENOMEM;
	n[b->len] = 0;       /* a fresh allocation keeps data[len] == 0 too */
	b->data = n;
	b->cap = ncap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int r = buf_reserve(b, n);

	if (r < 0)
		return r;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	r = buf_reserve(b, (size_t)n);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int buf_terminate(struct buf *b)
{
	int r = buf_reserve(b, 0);

	if (r < 0)
		return r;
	b->data[b->len] = 0;
	return 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_steal(struct buf *b)
{
	char *s;

	if (buf_terminate(b) < 0)
		return NULL;
	s = (char *)b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

int cursor_take(struct cursor *c, size_t n, const uint8_t **ret)
{
	if (n > cursor_left(c))
		return -EBADMSG;
	*ret = c->p + c->pos;
	c->pos += n;
	return 0;
}
