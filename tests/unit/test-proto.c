/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The token codec against distcc 3.4's real captures (DISTCC-REFERENCE 1.7)
 * and against hostile streams.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "wirelimits.h"
#include "lzo.h"
#include "macro.h"
#include "proto.h"

static void test_header_format(void **state)
{
	char h[12];

	(void)state;
	proto_format_header(h, "ARGV", 0x14);
	assert_memory_equal(h, "ARGV00000014", 12);
	proto_format_header(h, "DOTI", 0x461c);
	assert_memory_equal(h, "DOTI0000461c", 12);
	proto_format_header(h, "STAT", 0xffffffffu);
	assert_memory_equal(h, "STATffffffff", 12);
}

static void test_header_parse(void **state)
{
	char tok[5];
	uint32_t v;

	(void)state;
	assert_int_equal(proto_parse_header((const uint8_t *)"DOTO0000025E", tok, &v), 0);
	assert_string_equal(tok, "DOTO");
	assert_int_equal(v, 0x25e);
	assert_int_equal(proto_parse_header((const uint8_t *)"DOTO0000025g", tok, &v), -EBADMSG);
	assert_int_equal(proto_parse_header((const uint8_t *)"DOTO 0000025", tok, &v), -EBADMSG);
	assert_int_equal(proto_parse_header((const uint8_t *)"dist00000001", tok, &v), -EBADMSG);
	assert_int_equal(proto_parse_header((const uint8_t *)"DIST+0000001", tok, &v), -EBADMSG);
}

static const char v1_request[] =
	"DIST00000001ARGC00000005ARGV00000014x86_64-linux-gnu-gccARGV00000002-c"
	"ARGV00000007hello.cARGV00000002-oARGV00000007hello.oDOTI00000005hello";

static void test_v1_request_capture(void **state)
{
	const char *argv[] = { "x86_64-linux-gnu-gcc", "-c", "hello.c", "-o", "hello.o", NULL };
	struct buf out = BUF_INIT(1 << 20);
	struct cursor c = CURSOR(v1_request, sizeof(v1_request) - 1);
	struct proto_src src = PROTO_SRC_MEM(&c);
	struct proto_request req;
	struct buf doti = BUF_INIT(MAX_BULK_PLAIN);

	(void)state;
	assert_int_equal(proto_put_request_head(&out, 1, NULL, argv), 0);
	assert_int_equal(proto_put_bulk(&out, "DOTI", "hello", 5, false), 0);
	assert_int_equal(out.len, sizeof(v1_request) - 1);
	assert_memory_equal(out.data, v1_request, out.len);

	assert_int_equal(proto_read_request_head(&src, &req), 0);
	assert_int_equal(req.version, 1);
	assert_int_equal(req.argc, 5);
	assert_string_equal(req.argv[0], "x86_64-linux-gnu-gcc");
	assert_string_equal(req.argv[4], "hello.o");
	assert_null(req.argv[5]);
	assert_int_equal(proto_read_bulk(&src, "DOTI", false, MAX_BULK_PLAIN, &doti), 0);
	assert_int_equal(doti.len, 5);
	assert_memory_equal(doti.data, "hello", 5);
	proto_request_free(&req);
	buf_free(&doti);
	buf_free(&out);
}

static void test_v1_reply_capture(void **state)
{
	static const char want[] = "DONE00000001STAT00000000SERR00000000SOUT00000000DOTO00000004\x7f"
				   "ELF";
	struct proto_reply r, back;
	struct buf out = BUF_INIT(1 << 20);
	struct cursor c;
	struct proto_src src;

	(void)state;
	proto_reply_init(&r);
	r.version = 1;
	assert_int_equal(buf_append(&r.doto, "\x7f" "ELF", 4), 0);
	assert_int_equal(proto_put_reply(&out, &r), 0);
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.data, want, out.len);

	c = CURSOR(out.data, out.len);
	src = PROTO_SRC_MEM(&c);
	proto_reply_init(&back);
	assert_int_equal(proto_read_reply(&src, 1, &back), 0);
	assert_int_equal(back.status, 0);
	assert_int_equal(back.doto.len, 4);
	proto_reply_free(&back);
	proto_reply_free(&r);
	buf_free(&out);
}

static void test_v2_failing_reply(void **state)
{
	struct proto_reply r, back;
	struct buf out = BUF_INIT(1 << 20);
	struct cursor c;
	struct proto_src src;
	const char *msg = "hello.c:1:1: error: expected ';' before '}' token\n";

	(void)state;
	proto_reply_init(&r);
	r.version = 2;
	r.status = 0x100;
	assert_int_equal(buf_append_str(&r.serr, msg), 0);
	assert_int_equal(proto_put_reply(&out, &r), 0);
	assert_memory_equal(out.data, "DONE00000002STAT00000100SERR", 28);
	/* zero-length payloads are sent as no bytes even when compressed */
	assert_non_null(memmem(out.data, out.len, "SOUT00000000DOTO00000000", 24));
	c = CURSOR(out.data, out.len);
	src = PROTO_SRC_MEM(&c);
	proto_reply_init(&back);
	assert_int_equal(proto_read_reply(&src, 2, &back), 0);
	assert_int_equal(back.status, 0x100);
	assert_int_equal(back.serr.len, strlen(msg));
	assert_memory_equal(back.serr.data, msg, strlen(msg));
	assert_int_equal(cursor_left(&c), 0);
	proto_reply_free(&back);
	proto_reply_free(&r);
	buf_free(&out);
}

static int read_head(const char *bytes, size_t n)
{
	struct cursor c = CURSOR(bytes, n);
	struct proto_src src = PROTO_SRC_MEM(&c);
	struct proto_request req;
	int r = proto_read_request_head(&src, &req);

	if (r >= 0)
		proto_request_free(&req);
	return r;
}

#define HEAD(s) read_head(s, sizeof(s) - 1)

static void test_hostile_heads(void **state)
{
	(void)state;
	assert_int_equal(HEAD("DIST00000000ARGC00000001"), -EPROTO);
	assert_int_equal(HEAD("DIST00000004ARGC00000001"), -EPROTO);
	assert_int_equal(HEAD("DIST00000001ARGCffffffff"), -EBADMSG);
	assert_int_equal(HEAD("DIST00000001ARGC05f5e100"), -EBADMSG);
	assert_int_equal(HEAD("DIST00000001ARGC00000000"), -EBADMSG);
	assert_int_equal(HEAD("DIST00000001ARGC00000001ARGVffffffff"), -EBADMSG);
	/* the largest count allowed, then the peer stops after one string */
	assert_int_equal(HEAD("DIST00000001ARGC00010000ARGV00000003gcc"), -ENODATA);
	assert_int_equal(HEAD("DIST00000001ARGC00000001ARGV00000005ab"), -EPIPE);
	assert_int_equal(HEAD("DIST00000001ARGC00000001ARGV00000002a\0"), -EBADMSG);
	assert_int_equal(HEAD("DIST0000"), -EPIPE);
	assert_int_equal(HEAD(""), -ENODATA);
	assert_int_equal(HEAD("DISTzzzzzzzz"), -EBADMSG);
	assert_int_equal(HEAD("DOTI00000001"), -EBADMSG);
	assert_int_equal(HEAD("DIST00000003CDIR00000002/xARGC00000001ARGV00000003gcc"), 0);
}

static void test_lzo_roundtrip(void **state)
{
	struct buf z = BUF_INIT(1 << 24), back = BUF_INIT(1 << 24);
	char src[20000];

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = "int main(void) { return 0; }\n"[i % 29];
	assert_int_equal(lzo_compress_append(&z, src, sizeof(src)), 0);
	assert_true(z.len < sizeof(src) / 4);
	assert_int_equal(lzo_decompress_append(&back, z.data, z.len, sizeof(src)), 0);
	assert_int_equal(back.len, sizeof(src));
	assert_memory_equal(back.data, src, sizeof(src));
	/* the cap holds: one byte less than needed is refused */
	buf_reset(&back);
	assert_int_equal(lzo_decompress_append(&back, z.data, z.len, sizeof(src) - 1), -E2BIG);
	/* truncated stream */
	buf_reset(&back);
	assert_int_equal(lzo_decompress_append(&back, z.data, z.len / 2, 1 << 24), -EBADMSG);
	/* the 3-byte EOF stream pump sends for empty files */
	buf_reset(&back);
	assert_int_equal(lzo_decompress_append(&back, "\x11\0\0", 3, 100), 0);
	assert_int_equal(back.len, 0);
	buf_free(&z);
	buf_free(&back);
}

static void test_lzo_bomb(void **state)
{
	struct buf z = BUF_INIT(128u << 20), back = BUF_INIT(MAX_BULK_PLAIN);
	size_t n = 64u << 20;
	char *zeros = calloc(1, n);

	(void)state;
	assert_non_null(zeros);
	assert_int_equal(lzo_compress_append(&z, zeros, n), 0);
	free(zeros);
	assert_true(z.len < n / 100);
	/* a tiny stream that expands past the cap is refused, memory stays bounded */
	assert_int_equal(lzo_decompress_append(&back, z.data, z.len, 1u << 20), -E2BIG);
	assert_true(back.cap <= (2u << 20)); /* doubling: at most twice the cap */
	buf_free(&z);
	buf_free(&back);
}

static void test_bulk_over_cap(void **state)
{
	static const char s[] = "DOTI10000001";
	struct cursor c = CURSOR(s, sizeof(s) - 1);
	struct proto_src src = PROTO_SRC_MEM(&c);
	struct buf b = BUF_INIT(MAX_BULK_PLAIN);

	(void)state;
	assert_int_equal(proto_read_bulk(&src, "DOTI", false, MAX_BULK_PLAIN, &b), -EBADMSG);
	assert_null(b.data);
}

/* A header announcing 200 MiB followed by 3 bytes: memory follows what
 * arrived, not what was announced. */
static void test_bulk_announced_size_not_allocated(void **state)
{
	static const char wire[] = "DOTI0c800000abc";
	struct cursor c = CURSOR(wire, sizeof(wire) - 1);
	struct proto_src src = PROTO_SRC_MEM(&c);
	struct buf b = BUF_INIT(MAX_BULK_PLAIN);

	(void)state;
	assert_int_equal(proto_read_bulk(&src, "DOTI", false, MAX_BULK_PLAIN, &b), -EPIPE);
	assert_true(b.cap <= (4u << 20));
	assert_int_equal(b.len, 0);
	buf_free(&b);
	c = CURSOR(wire, sizeof(wire) - 1);
	src = PROTO_SRC_MEM(&c);
	assert_int_equal(proto_read_bulk(&src, "DOTI", true, MAX_BULK_PLAIN, &b), -EPIPE);
	assert_null(b.data);
}

/* A reply with small and large fields, read through the read-ahead buffer
 * from a socket: buffer smaller than a token (refills mid-header), small
 * (bodies bypass it), and large; blocking and non-blocking fds. Then EOF at
 * a token boundary (-ENODATA), inside one (-EPIPE), and a deadline. */
static void read_buffered_once(const struct buf *wire, size_t cap, bool nonblock,
			       const struct proto_reply *want)
{
	uint8_t rbuf[64 * 1024];
	struct proto_reply back;
	struct proto_src src;
	int sv[2];

	assert_true(cap <= sizeof(rbuf));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(write(sv[1], wire->data, wire->len), (ssize_t)wire->len);
	close(sv[1]);
	if (nonblock)
		assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	src = PROTO_SRC_FD_BUF(sv[0], deadline_in(10 * USEC_PER_SEC), rbuf, cap, nonblock);
	proto_reply_init(&back);
	assert_int_equal(proto_read_reply(&src, 2, &back), 0);
	assert_int_equal(src.bytes, wire->len);
	assert_int_equal(back.status, want->status);
	assert_int_equal(back.serr.len, want->serr.len);
	assert_memory_equal(back.serr.data, want->serr.data, want->serr.len);
	assert_int_equal(back.doto.len, want->doto.len);
	assert_memory_equal(back.doto.data, want->doto.data, want->doto.len);
	proto_reply_free(&back);
	close(sv[0]);
}

static int read_truncated(const struct buf *wire, size_t len)
{
	uint8_t rbuf[32];
	struct proto_reply back;
	struct proto_src src;
	int sv[2], r;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(write(sv[1], wire->data, len), (ssize_t)len);
	close(sv[1]);
	src = PROTO_SRC_FD_BUF(sv[0], deadline_in(10 * USEC_PER_SEC), rbuf, sizeof(rbuf), false);
	proto_reply_init(&back);
	r = proto_read_reply(&src, 2, &back);
	proto_reply_free(&back);
	close(sv[0]);
	return r;
}

static void test_buffered_fd_source(void **state)
{
	static const size_t caps[] = { 5, 12, 100, 64 * 1024 };
	struct proto_reply r;
	struct buf wire = BUF_INIT(1 << 20);
	uint8_t rbuf[16];
	struct proto_src src;
	int sv[2];

	(void)state;
	proto_reply_init(&r);
	r.version = 2;
	r.status = 0;
	assert_int_equal(buf_append_str(&r.serr, "x.c:1: warning: something\n"), 0);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(buf_printf(&r.doto, "%08x", (unsigned)i * 2654435761u), 0);
	assert_int_equal(proto_put_reply(&wire, &r), 0);
	for (size_t i = 0; i < ELEMENTSOF(caps); i++) {
		read_buffered_once(&wire, caps[i], false, &r);
		read_buffered_once(&wire, caps[i], true, &r);
	}
	assert_int_equal(read_truncated(&wire, 0), -ENODATA);
	assert_int_equal(read_truncated(&wire, 30), -EPIPE);
	assert_int_equal(read_truncated(&wire, wire.len - 1), -EPIPE);
	proto_reply_free(&r);

	/* nothing arrives: the deadline ends the wait */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
	src = PROTO_SRC_FD_BUF(sv[0], deadline_in(50 * 1000), rbuf, sizeof(rbuf), true);
	proto_reply_init(&r);
	assert_int_equal(proto_read_reply(&src, 2, &r), -ETIMEDOUT);
	proto_reply_free(&r);
	close(sv[0]);
	close(sv[1]);
	buf_free(&wire);
}

/* ---- protocol 3 ---- */

/* DISTCC-REFERENCE 1.7's pump request, with our own file contents. */
static void build_v3_request(struct buf *out)
{
	const char *argv[] = { "x86_64-linux-gnu-gcc", "-MD", "-c", "p.c", "-o", "p.o",
			       "-MT", "p.o", NULL };
	static const char src[] = "#include \"inc/my.h\"\nint x = MYV;\n";

	assert_int_equal(proto_put_request_head(out, 3, "/src/p", argv), 0);
	assert_int_equal(proto_put_nfil(out, 4), 0);
	assert_int_equal(proto_put_pump_file(out, "/src/p/p.c", src, sizeof(src) - 1), 0);
	assert_int_equal(proto_put_pump_file(out, "/src/p/inc/my.h", "#define MYV 3\n", 14), 0);
	assert_int_equal(proto_put_pump_link(out, "/src/p/inc/link.h", "my.h"), 0);
	assert_int_equal(proto_put_pump_file(out, "/src/p/inc/empty.h", "", 0), 0);
}

static void test_v3_request_roundtrip(void **state)
{
	struct buf wire = BUF_INIT(1 << 20);
	struct proto_request req;
	struct proto_pump_budget b;
	struct proto_pump_entry e;
	struct cursor c;
	struct proto_src src;
	static const char head[] = "DIST00000003CDIR00000006/src/pARGC00000008"
				   "ARGV00000014x86_64-linux-gnu-gccARGV00000003-MD";

	(void)state;
	build_v3_request(&wire);
	assert_memory_equal(wire.data, head, sizeof(head) - 1);
	/* the empty file is the 3-byte LZO end-of-stream, as 3.4's include server sends it */
	assert_memory_equal(wire.data + wire.len - 15, "FILE00000003\x11\x00\x00", 15);
	c = CURSOR(wire.data, wire.len);
	src = PROTO_SRC_MEM(&c);
	assert_int_equal(proto_read_request_head(&src, &req), 0);
	assert_string_equal(req.cwd, "/src/p");
	assert_int_equal(req.argc, 8);
	assert_int_equal(proto_read_nfil(&src, &b), 0);
	assert_int_equal(b.left, 4);
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), 0);
	assert_int_equal(e.kind, PROTO_PUMP_FILE);
	assert_string_equal(e.name, "/src/p/p.c");
	assert_int_equal(e.body.len, 33);
	assert_memory_equal(e.body.data, "#include \"inc/my.h\"\nint x = MYV;\n", 33);
	proto_pump_entry_free(&e);
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), 0);
	assert_string_equal(e.name, "/src/p/inc/my.h");
	assert_int_equal(e.body.len, 14);
	proto_pump_entry_free(&e);
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), 0);
	assert_int_equal(e.kind, PROTO_PUMP_LINK);
	assert_string_equal(e.name, "/src/p/inc/link.h");
	assert_string_equal(e.target, "my.h");
	proto_pump_entry_free(&e);
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), 0);
	assert_int_equal(e.kind, PROTO_PUMP_FILE);
	assert_int_equal(e.body.len, 0);
	proto_pump_entry_free(&e);
	/* all NFIL entries read: nothing more is taken from the stream */
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), -ERANGE);
	assert_int_equal(cursor_left(&c), 0);
	assert_int_equal(b.plain, 33 + 14);
	assert_int_equal(b.wire, wire.len - (size_t)(strstr((char *)wire.data, "NFIL") -
						    (char *)wire.data) - 12 - 12 * 8 -
				 strlen("/src/p/p.c/src/p/inc/my.h/src/p/inc/link.hmy.h/src/p/inc/empty.h"));
	assert_int_equal(b.names, strlen("/src/p/p.c/src/p/inc/my.h/src/p/inc/link.hmy.h"
					 "/src/p/inc/empty.h"));
	proto_request_free(&req);
	buf_free(&wire);
}

/* Read a whole v3 request from @n bytes of @data: the last error, or 0. */
static int read_v3(const void *data, size_t n, uint32_t *ret_entries)
{
	struct cursor c = CURSOR(data, n);
	struct proto_src src = PROTO_SRC_MEM(&c);
	struct proto_request req;
	struct proto_pump_budget b;
	struct proto_pump_entry e;
	int r;

	*ret_entries = 0;
	r = proto_read_request_head(&src, &req);
	if (r < 0)
		return r;
	r = proto_read_nfil(&src, &b);
	while (r >= 0 && b.left > 0) {
		r = proto_read_pump_entry(&src, &b, &e);
		if (r >= 0) {
			(*ret_entries)++;
			proto_pump_entry_free(&e);
		}
	}
	proto_request_free(&req);
	return r;
}

static void test_v3_truncated_everywhere(void **state)
{
	struct buf wire = BUF_INIT(1 << 20);
	uint32_t n;

	(void)state;
	build_v3_request(&wire);
	assert_int_equal(read_v3(wire.data, wire.len, &n), 0);
	assert_int_equal(n, 4);
	for (size_t cut = 0; cut < wire.len; cut++) {
		int r = read_v3(wire.data, cut, &n);

		assert_true(r == -EPIPE || r == -ENODATA);
		assert_true(n < 4);
	}
	buf_free(&wire);
}

/* The request head of a v3 job, then @tail. */
static int read_v3_tail(const char *tail, size_t n, uint32_t *ret_entries)
{
	struct buf wire = BUF_INIT(1 << 20);
	const char *argv[] = { "gcc", "-c", "a.c", "-o", "a.o", NULL };
	int r;

	assert_int_equal(proto_put_request_head(&wire, 3, "/w", argv), 0);
	assert_int_equal(buf_append(&wire, tail, n), 0);
	r = read_v3(wire.data, wire.len, ret_entries);
	buf_free(&wire);
	return r;
}

#define TAIL(s) s, sizeof(s) - 1

static void test_v3_hostile_lists(void **state)
{
	uint32_t n;

	(void)state;
	/* NFIL over the cap: refused before any entry is read */
	assert_int_equal(read_v3_tail(TAIL("NFILffffffff"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00010001"), &n), -EBADMSG);
	/* an announced count that never arrives costs nothing */
	assert_int_equal(read_v3_tail(TAIL("NFIL00010000"), &n), -EPIPE);
	assert_int_equal(n, 0);
	/* NFIL 0 is an empty list */
	assert_int_equal(read_v3_tail(TAIL("NFIL00000000"), &n), 0);
	/* order: FILE or LINK before NAME, two NAMEs, another token after NAME */
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001FILE00000003\x11\x00\x00"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001LINK00000001x"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aNAME00000002/b"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aDOTI00000000"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/afile00000000"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aFILE0000000z"), &n), -EBADMSG);
	/* empty name or target, NUL inside a name */
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000000FILE00000000"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aLINK00000000"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000003/\0aFILE00000000"), &n), -EBADMSG);
	/* FILE is always LZO: raw text is a corrupt stream, a zero length is empty */
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aFILE00000005hello"), &n),
			 -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aFILE00000000"), &n), 0);
	assert_int_equal(n, 1);
	/* sizes announced over the caps are refused before they are read */
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00100001"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aFILE04000001"), &n), -EBADMSG);
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aFILEffffffff"), &n), -EBADMSG);
	/* more entries than NFIL announced are not read */
	assert_int_equal(read_v3_tail(TAIL("NFIL00000001NAME00000002/aLINK00000001b"
					  "NAME00000002/cLINK00000001d"), &n), 0);
	assert_int_equal(n, 1);
}

/* A FILE that decompresses past MAX_PUMP_FILE: refused once the cap is
 * reached, having decompressed no more than that. */
static void test_v3_lzo_bomb(void **state)
{
	const size_t plain = MAX_PUMP_FILE + 4096;
	_cleanup_free_ uint8_t *zeros = calloc(1, plain);
	struct buf tail = BUF_INIT(2 * (size_t)MAX_PUMP_FILE);
	uint32_t n;

	(void)state;
	assert_non_null(zeros);
	assert_int_equal(proto_put_nfil(&tail, 1), 0);
	assert_int_equal(proto_put_pump_file(&tail, "/bomb.h", zeros, plain), 0);
	assert_true(tail.len < plain / 64);        /* a small request... */
	assert_int_equal(read_v3_tail((const char *)tail.data, tail.len, &n), -EBADMSG);
	assert_int_equal(n, 0);
	buf_free(&tail);
}

/* The per-request totals: what is left, not a fresh cap per file. */
static void test_v3_request_totals(void **state)
{
	struct buf wire = BUF_INIT(1 << 20);
	struct cursor c;
	struct proto_src src;
	struct proto_pump_budget b = { .left = 1, .plain = MAX_PUMP_TOTAL - 10 };
	struct proto_pump_entry e;

	(void)state;
	assert_int_equal(proto_put_pump_file(&wire, "/a.h", "0123456789", 10), 0);
	c = CURSOR(wire.data, wire.len);
	src = PROTO_SRC_MEM(&c);
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), 0);     /* exactly the rest */
	proto_pump_entry_free(&e);
	assert_int_equal(b.plain, MAX_PUMP_TOTAL);

	buf_reset(&wire);
	assert_int_equal(proto_put_pump_file(&wire, "/a.h", "01234567890", 11), 0);
	c = CURSOR(wire.data, wire.len);
	src = PROTO_SRC_MEM(&c);
	b = (struct proto_pump_budget){ .left = 1, .plain = MAX_PUMP_TOTAL - 10 };
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), -EBADMSG);
	c.pos = 0;
	b = (struct proto_pump_budget){ .left = 1, .wire = MAX_PUMP_TOTAL - 2 };
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), -EBADMSG);
	c.pos = 0;
	b = (struct proto_pump_budget){ .left = 1, .names = MAX_PUMP_NAMES_BYTES - 3 };
	assert_int_equal(proto_read_pump_entry(&src, &b, &e), -EBADMSG);
	buf_free(&wire);
}

/* DOTD follows DOTO only in protocol 3 and only when the compile succeeded. */
static void test_v3_reply_dotd(void **state)
{
	struct proto_reply r, back;
	struct buf wire = BUF_INIT(1 << 20);
	struct cursor c;
	struct proto_src src;

	(void)state;
	proto_reply_init(&r);
	r.version = 3;
	assert_int_equal(buf_append_str(&r.doto, "object"), 0);
	assert_int_equal(buf_append_str(&r.dotd, "p.o: p.c inc/my.h\n"), 0);
	assert_int_equal(proto_put_reply(&wire, &r), 0);
	c = CURSOR(wire.data, wire.len);
	src = PROTO_SRC_MEM(&c);
	proto_reply_init(&back);
	assert_int_equal(proto_read_reply(&src, 3, &back), 0);
	assert_true(back.has_dotd);
	assert_int_equal(back.dotd.len, 18);
	assert_memory_equal(back.dotd.data, "p.o: p.c inc/my.h\n", 18);
	assert_int_equal(cursor_left(&c), 0);
	proto_reply_free(&back);

	buf_reset(&wire);
	r.status = 1 << 8;
	assert_int_equal(proto_put_reply(&wire, &r), 0);
	assert_null(memmem(wire.data, wire.len, "DOTD", 4));
	r.version = 2;
	r.status = 0;
	buf_reset(&wire);
	assert_int_equal(proto_put_reply(&wire, &r), 0);
	assert_null(memmem(wire.data, wire.len, "DOTD", 4));
	proto_reply_free(&r);
	buf_free(&wire);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_format),
		cmocka_unit_test(test_header_parse),
		cmocka_unit_test(test_v1_request_capture),
		cmocka_unit_test(test_v1_reply_capture),
		cmocka_unit_test(test_v2_failing_reply),
		cmocka_unit_test(test_hostile_heads),
		cmocka_unit_test(test_lzo_roundtrip),
		cmocka_unit_test(test_lzo_bomb),
		cmocka_unit_test(test_bulk_over_cap),
		cmocka_unit_test(test_bulk_announced_size_not_allocated),
		cmocka_unit_test(test_buffered_fd_source),
		cmocka_unit_test(test_v3_request_roundtrip),
		cmocka_unit_test(test_v3_truncated_everywhere),
		cmocka_unit_test(test_v3_hostile_lists),
		cmocka_unit_test(test_v3_lzo_bomb),
		cmocka_unit_test(test_v3_request_totals),
		cmocka_unit_test(test_v3_reply_dotd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
