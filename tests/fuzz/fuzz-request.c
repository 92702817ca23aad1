/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the wire codec as the daemon uses it: a request head
 * and its DOTI bulk (LZO for protocol 2), read from memory through
 * PROTO_SRC_MEM. The same bytes are also read as a reply of each version,
 * as the client does.
 */
#include <stdlib.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_PLAIN (1u << 20)

static void fuzz_request(const uint8_t *data, size_t size)
{
	struct cursor c = CURSOR(data, size);
	struct proto_src src = PROTO_SRC_MEM(&c);
	struct proto_request req = { 0 };
	struct buf doti = BUF_INIT(FUZZ_MAX_PLAIN);

	if (proto_read_request_head(&src, &req) < 0)
		return;
	if (!req.argv || !req.argv[0] || req.argv[req.argc])
		abort();
	(void)proto_read_bulk(&src, "DOTI", proto_compressed(req.version), FUZZ_MAX_PLAIN, &doti);
	if (doti.len > FUZZ_MAX_PLAIN)
		abort();
	buf_free(&doti);
	proto_request_free(&req);
}

static void fuzz_reply(const uint8_t *data, size_t size, uint32_t version)
{
	struct cursor c = CURSOR(data, size);
	struct proto_src src = PROTO_SRC_MEM(&c);
	struct proto_reply rep;

	proto_reply_init(&rep);
	(void)proto_read_reply(&src, version, &rep);
	proto_reply_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request(data, size);
	for (uint32_t v = 1; v <= 3; v++)
		fuzz_reply(data, size, v);
	return 0;
}
