/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the wire codec as the daemon uses it: a request head
 * and its DOTI bulk (LZO for protocol 2), or for protocol 3 its NFIL list
 * of NAME + FILE/LINK entries, read from memory through PROTO_SRC_MEM. The
 * same bytes are also read as a reply of each version, as the client does.
 */
#include <stdlib.h>

#include "proto.h"
#include "wirelimits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_PLAIN (1u << 20)

static void fuzz_pump_files(struct proto_src *src)
{
	struct proto_pump_budget b;
	struct proto_pump_entry e;

	if (proto_read_nfil(src, &b) < 0)
		return;
	while (b.left > 0 && proto_read_pump_entry(src, &b, &e) >= 0) {
		if (!e.name || !e.name[0] || (e.kind == PROTO_PUMP_LINK && !e.target) ||
		    e.body.len > MAX_PUMP_FILE || b.plain > MAX_PUMP_TOTAL)
			abort();
		proto_pump_entry_free(&e);
	}
}

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
	if (req.version == 3) {
		fuzz_pump_files(&src);
		proto_request_free(&req);
		return;
	}
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
