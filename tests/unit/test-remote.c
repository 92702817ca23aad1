/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol 3 request as distcc 3.4 sends it (DISTCC-REFERENCE 1.4/1.7):
 * DIST 3, CDIR, ARGC/ARGV, NFIL, NAME + FILE (body sent verbatim from the
 * cache file) / LINK, byte for byte over a socketpair; and the limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../client/remote.h"
#include "wirelimits.h"

#define S(x) ((char *)(x))

static char dir[] = "/tmp/test-remote-XXXXXX";

static void put(const char *name, const void *p, size_t n, char *path, size_t pn)
{
	int fd;

	snprintf(path, pn, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

/* Send on one end of a socketpair, read everything from the other. */
static size_t send_and_read(char *const argv[], const struct remote_file *f, size_t n,
			    uint8_t *out, size_t cap, int *ret, bool *local)
{
	int sv[2];
	size_t got = 0;
	ssize_t k;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	*ret = remote_send_pump(sv[0], "/src/p", argv, f, n, USEC_INFINITY, local);
	close(sv[0]);
	while ((k = read(sv[1], out + got, cap - got)) > 0)
		got += (size_t)k;
	close(sv[1]);
	return got;
}

static void test_capture(void **state)
{
	static const uint8_t lzo_c[] = { 0x11, 0x22, 0x33 }, lzo_h[] = { 0x11, 0x00, 0x00 };
	char *argv[] = { S("x86_64-linux-gnu-gcc"), S("-MD"), S("-c"), S("p.c"), S("-o"), S("p.o"), S("-MT"), S("p.o"),
			 NULL };
	char pc[256], ph[256];
	struct remote_file f[3];
	uint8_t out[4096];
	const char want[] = "DIST00000003CDIR00000006/src/pARGC00000008ARGV00000014x86_64-linux-gnu-gcc"
			    "ARGV00000003-MDARGV00000002-cARGV00000003p.cARGV00000002-oARGV00000003p.o"
			    "ARGV00000003-MTARGV00000003p.oNFIL00000003"
			    "NAME0000000a/src/p/p.cFILE00000003\x11\x22\x33"
			    "NAME0000000f/src/p/inc/my.hFILE00000003\x11\x00\x00"
			    "NAME00000011/src/p/inc/link.hLINK00000004my.h";
	bool local = true;
	size_t n;
	int r;

	(void)state;
	put("c.lzo", lzo_c, sizeof(lzo_c), pc, sizeof(pc));
	put("h.lzo", lzo_h, sizeof(lzo_h), ph, sizeof(ph));
	f[0] = (struct remote_file){ .name = "/src/p/p.c", .body = pc };
	f[1] = (struct remote_file){ .name = "/src/p/inc/my.h", .body = ph };
	f[2] = (struct remote_file){ .name = "/src/p/inc/link.h", .link = "my.h" };
	n = send_and_read(argv, f, 3, out, sizeof(out), &r, &local);
	assert_int_equal(r, 0);
	assert_false(local);
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(out, want, n);
	unlink(pc);
	unlink(ph);
}

static void test_missing_body_is_local(void **state)
{
	char *argv[] = { S("gcc"), S("-c"), S("a.c"), NULL };
	struct remote_file f = { .name = "/a.c", .body = "/nonexistent/cache/file" };
	uint8_t out[4096];
	bool local = false;
	int r;

	(void)state;
	(void)send_and_read(argv, &f, 1, out, sizeof(out), &r, &local);
	assert_int_equal(r, -ENOENT);
	assert_true(local); /* not the host's fault */
}

static void test_too_many_files(void **state)
{
	char *argv[] = { S("gcc"), S("-c"), S("a.c"), NULL };
	struct remote_file f = { .name = "/a.c", .link = "b" };
	bool local = false;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(remote_send_pump(sv[0], "/", argv, &f, MAX_NFIL + 1, USEC_INFINITY, &local),
			 -E2BIG);
	assert_true(local);
	close(sv[0]);
	close(sv[1]);
}

static void test_peer_gone_is_transport(void **state)
{
	char *argv[] = { S("gcc"), S("-c"), S("a.c"), NULL };
	struct remote_file f = { .name = "/a.c", .link = "b" };
	bool local = true;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	assert_true(remote_send_pump(sv[0], "/", argv, &f, 1, USEC_INFINITY, &local) < 0);
	assert_false(local);
	close(sv[0]);
}

static int setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_missing_body_is_local),
		cmocka_unit_test(test_too_many_files),
		cmocka_unit_test(test_peer_gone_is_transport),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
