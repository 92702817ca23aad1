/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LZO1X-1 through the system liblzo2, as distcc 3.4 uses it: raw streams
 * with no header and no length. Decompression grows its output up to a hard
 * cap the caller chooses and fails past it (a bomb costs at most that).
 */
#pragma once

#include <stddef.h>

#include "buf.h"

/* Append the LZO1X-1 compression of @in to @out. */
int lzo_compress_append(struct buf *out, const void *in, size_t n);
/* Append the decompression of @in to @out; never more than @max_out bytes.
 * -E2BIG past @max_out, -EBADMSG for a corrupt stream. An empty input is an
 * empty output (distcc sends zero-length payloads as no bytes at all). */
int lzo_decompress_append(struct buf *out, const void *in, size_t n, size_t max_out);
