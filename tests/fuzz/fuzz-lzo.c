/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the capped LZO decompressor (hostile streams, bombs)
 * and for the round trip: whatever we compress must decompress to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "lzo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CAP (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT(FUZZ_CAP + 1);
	struct buf z = BUF_INIT(2 * size + 64);
	struct buf back = BUF_INIT(size + 1);

	if (lzo_decompress_append(&out, data, size, FUZZ_CAP) >= 0 && out.len > FUZZ_CAP)
		abort();
	buf_free(&out);
	if (lzo_compress_append(&z, data, size) >= 0) {
		if (lzo_decompress_append(&back, z.data, z.len, size) < 0)
			abort();
		if (back.len != size || (size && memcmp(back.data, data, size)))
			abort();
	}
	buf_free(&z);
	buf_free(&back);
	return 0;
}
