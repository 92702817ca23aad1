/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LZO wrapper. Work memory is static: one compression at a time per
 * process, which is how both programs use it.
 */
#include <errno.h>
#include <lzo/lzo1x.h>
#include <string.h>

#include "lzo.h"

static int lzo_ready(void)
{
	static int state; /* 0 unknown, 1 ok, -1 broken */

	if (state == 0)
		state = lzo_init() == LZO_E_OK ? 1 : -1;
	return state > 0 ? 0 : -EIO;
}

int lzo_compress_append(struct buf *out, const void *in, size_t n)
{
	static lzo_align_t wrkmem[(LZO1X_1_MEM_COMPRESS + sizeof(lzo_align_t) - 1) /
				  sizeof(lzo_align_t)];
	lzo_uint olen;
	size_t bound;
	int r;

	if (n == 0)
		return 0;
	r = lzo_ready();
	if (r < 0)
		return r;
	if (n > (size_t)-1 / 2)
		return -E2BIG;
	bound = n + n / 16 + 64 + 3;
	r = buf_reserve(out, bound);
	if (r < 0)
		return r;
	olen = bound;
	if (lzo1x_1_compress(in, n, out->data + out->len, &olen, wrkmem) != LZO_E_OK)
		return -EIO;
	out->len += olen;
	out->data[out->len] = 0;
	return 0;
}

int lzo_decompress_append(struct buf *out, const void *in, size_t n, size_t max_out)
{
	size_t base = out->len, room;
	int r;

	if (n == 0)
		return 0;
	r = lzo_ready();
	if (r < 0)
		return r;
	room = n > max_out / 8 ? max_out : n * 8;
	if (room < 4096)
		room = max_out < 4096 ? max_out : 4096;
	for (;;) {
		lzo_uint olen = room;

		r = buf_reserve(out, room);
		if (r < 0)
			return r == -E2BIG ? -E2BIG : r;
		r = lzo1x_decompress_safe(in, n, out->data + base, &olen, NULL);
		if (r == LZO_E_OK) {
			out->len = base + olen;
			out->data[out->len] = 0;
			return 0;
		}
		if (r != LZO_E_OUTPUT_OVERRUN)
			return -EBADMSG;
		if (room >= max_out)
			return -E2BIG;
		room = room > max_out / 2 ? max_out : room * 2;
	}
}
