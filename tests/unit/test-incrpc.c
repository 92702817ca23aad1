/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include server RPC codec: round trips, the exact bytes, and hostile
 * streams (truncations, huge counts, wrong tokens, relative paths, NULs).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wirelimits.h"
#include "pump/incrpc.h"

static int read_request(const char *bytes, size_t n, struct incrpc_request *req)
{
	struct cursor c = CURSOR(bytes, n);
	struct proto_src s = PROTO_SRC_MEM(&c);

	return incrpc_read_request(&s, req);
}

static int read_reply(const char *bytes, size_t n, struct incserver_closure *c, char **why)
{
	struct cursor cur = CURSOR(bytes, n);
	struct proto_src s = PROTO_SRC_MEM(&cur);

	return incrpc_read_reply(&s, c, why);
}

static const char request_bytes[] =
	"CDIR00000006/src/pARGC00000003ARGV00000003gccARGV00000002-cARGV00000003p.c"
	"CCPA0000000c/usr/bin/gcc";

static void test_request_round_trip(void **state)
{
	char a0[] = "gcc", a1[] = "-c", a2[] = "p.c";
	char *argv[] = { a0, a1, a2, NULL };
	struct buf out = BUF_INIT(1 << 20);
	struct incrpc_request req;

	(void)state;
	assert_int_equal(incrpc_put_request(&out, "/src/p", argv, "/usr/bin/gcc"), 0);
	assert_int_equal(out.len, sizeof(request_bytes) - 1);
	assert_memory_equal(out.data, request_bytes, out.len);
	assert_int_equal(read_request((char *)out.data, out.len, &req), 0);
	assert_string_equal(req.cwd, "/src/p");
	assert_string_equal(req.argv[0], "gcc");
	assert_string_equal(req.argv[2], "p.c");
	assert_null(req.argv[3]);
	assert_string_equal(req.compiler_path, "/usr/bin/gcc");
	incrpc_request_free(&req);
	buf_free(&out);
	assert_int_equal(incrpc_put_request(&out, "/", (char *[]){ NULL }, "/x"), -EINVAL);
	buf_free(&out);
}

static void test_request_hostile(void **state)
{
	struct incrpc_request req;
	size_t n = sizeof(request_bytes) - 1;

	(void)state;
	/* every truncation fails cleanly */
	for (size_t k = 0; k < n; k++)
		assert_true(read_request(request_bytes, k, &req) < 0);
	assert_int_equal(read_request("", 0, &req), -EPIPE);
	assert_int_equal(read_request("CDIR00000001/ARGC00000000", 25, &req), -EBADMSG);
	assert_int_equal(read_request("CDIR00000001/ARGCffffffff", 25, &req), -EBADMSG);
	/* announced count larger than what follows: no allocation on it */
	assert_int_equal(read_request("CDIR00000001/ARGC00010000ARGV00000001x", 38, &req), -EPIPE);
	assert_int_equal(read_request("CDIRffffffff/", 13, &req), -EBADMSG);
	assert_int_equal(read_request("CDIR00000002/\0ARGC00000001", 26, &req), -EBADMSG);
	assert_int_equal(read_request("DIST00000003", 12, &req), -EBADMSG);
	assert_int_equal(read_request("CDIR00000001/ARGC00000001ARGV00000001xCCPX00000001/", 51, &req),
			 -EBADMSG);
}

static void test_reply_round_trip(void **state)
{
	char n0[] = "/src/p/p.c", p0[] = "/tmp/c/1.lzo", n1[] = "/src/p/inc/link.h", t1[] = "my.h";
	struct incserver_entry e[] = {
		{ .name = n0, .kind = INCSERVER_FILE, .path = p0 },
		{ .name = n1, .kind = INCSERVER_LINK, .target = t1 },
	};
	struct incserver_closure in = { .n = 2, .entries = e }, got;
	static const char want[] =
		"NFIL00000002NAME0000000a/src/p/p.cFILE0000000c/tmp/c/1.lzo"
		"NAME00000011/src/p/inc/link.hLINK00000004my.h";
	struct buf out = BUF_INIT(1 << 20);
	char unchanged[] = "unchanged", *why = unchanged;

	(void)state;
	assert_int_equal(incrpc_put_reply(&out, &in, NULL), 0);
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.data, want, out.len);
	assert_int_equal(read_reply((char *)out.data, out.len, &got, &why), 0);
	assert_null(why);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.entries[0].name, "/src/p/p.c");
	assert_int_equal(got.entries[0].kind, INCSERVER_FILE);
	assert_string_equal(got.entries[0].path, "/tmp/c/1.lzo");
	assert_int_equal(got.entries[1].kind, INCSERVER_LINK);
	assert_string_equal(got.entries[1].target, "my.h");
	incserver_closure_free(&got);
	buf_free(&out);

	assert_int_equal(incrpc_put_reply(&out, NULL, "absolute include"), 0);
	assert_memory_equal(out.data, "NFIL00000000WHYS00000010absolute include", out.len);
	assert_int_equal(read_reply((char *)out.data, out.len, &got, &why), 0);
	assert_int_equal(got.n, 0);
	assert_string_equal(why, "absolute include");
	free(why);
	buf_free(&out);
}

static void test_reply_hostile(void **state)
{
	static const char good[] = "NFIL00000001NAME00000002/aFILE00000002/b";
	struct incserver_closure c;
	char *why;

	(void)state;
	for (size_t k = 0; k < sizeof(good) - 1; k++)
		assert_true(read_reply(good, k, &c, &why) < 0);
	assert_int_equal(read_reply(good, sizeof(good) - 1, &c, &why), 0);
	incserver_closure_free(&c);
	/* NFIL over the cap, and a big NFIL with nothing behind it */
	assert_int_equal(read_reply("NFILffffffff", 12, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00010001", 12, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00010000NAME00000002/aLINK00000001x", 39, &c, &why), -EPIPE);
	/* relative NAME, relative FILE path, empty LINK, unknown token */
	assert_int_equal(read_reply("NFIL00000001NAME00000001aFILE00000002/b", 39, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00000001NAME00000002/aFILE00000001b", 39, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00000001NAME00000002/aLINK00000000", 38, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00000001NAME00000002/aDOTI00000002/b", 40, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00000001NAME00000002/\0FILE00000002/b", 40, &c, &why), -EBADMSG);
	/* a string over its cap is refused before it is read */
	assert_int_equal(read_reply("NFIL00000001NAMEffffffff/", 25, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00000000WHYS00100000x", 25, &c, &why), -EBADMSG);
	assert_int_equal(read_reply("NFIL00000000", 12, &c, &why), -EPIPE);
	assert_int_equal(read_reply("NFIL00000000NAME00000001x", 25, &c, &why), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_request_hostile),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_reply_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
