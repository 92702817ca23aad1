/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * read_file_max() at its cap: a file of exactly @max bytes is read, one
 * byte more is -E2BIG, for regular files whose size stat() reports.
 * The deadlines of xread_full/xreader_read/xwrite_all/xcopy_fd against a
 * socketpair whose peer stalls, trickles or hangs up: a stalled peer gives
 * -ETIMEDOUT, never before the deadline; EOF gives -ENODATA or -EPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "io.h"

static void write_n(const char *path, size_t n)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc('a' + (int)(i % 26), f);
	assert_int_equal(fclose(f), 0);
}

static void check_size(size_t n, size_t max, int want)
{
	char path[] = "/tmp/test-io-XXXXXX";
	char *data = NULL;
	size_t len = 0;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_n(path, n);
	assert_int_equal(read_file_max(path, max, &data, &len), want);
	if (want == 0) {
		assert_int_equal(len, n);
		assert_int_equal(data[n], 0);
		assert_int_equal(data[n - 1], 'a' + (int)((n - 1) % 26));
	} else
		assert_null(data);
	free(data);
	unlink(path);
}

static void test_read_file_max_cap(void **state)
{
	(void)state;
	check_size(100, 100, 0);
	check_size(101, 100, -E2BIG);
	check_size(99, 100, 0);
	check_size(10000, 10000, 0);    /* past the 4 KiB minimum buffer */
	check_size(10001, 10000, -E2BIG);
}

#define MS USEC_PER_MSEC

static void pair(int sv[2], bool nonblock)
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	if (nonblock) {
		assert_int_equal(fd_set_nonblock(sv[0], 1), 0);
		assert_int_equal(fd_set_nonblock(sv[1], 1), 0);
	}
}

/* A child that writes @n pieces of @piece bytes, @gap_ms apart, then
 * closes (or, with @stall, keeps the connection open for 10 s). */
static pid_t writer(int fd, size_t n, size_t piece, unsigned gap_ms, bool stall)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[4096];

		memset(buf, 'p', sizeof(buf));
		for (size_t i = 0; i < n; i++) {
			if (write(fd, buf, piece) != (ssize_t)piece)
				_exit(1);
			usleep(gap_ms * 1000);
		}
		if (stall)
			sleep(10);
		_exit(0);
	}
	close(fd);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_read_stalled_peer_times_out(void **state)
{
	int sv[2];
	char buf[64];
	usec_t deadline;
	pid_t pid;

	(void)state;
	pair(sv, false);
	pid = writer(sv[1], 1, 10, 0, true);          /* 10 of 64 bytes, then silence */
	deadline = deadline_in(200 * MS);
	assert_int_equal(xread_full(sv[0], buf, sizeof(buf), deadline), -ETIMEDOUT);
	assert_true(now_usec() >= deadline);           /* never early */
	reap(pid);
	close(sv[0]);
}

static void test_read_past_deadline_does_not_block(void **state)
{
	int sv[2];
	char c;

	(void)state;
	pair(sv, false);
	assert_int_equal(xread_full(sv[0], &c, 1, now_usec() - 1), -ETIMEDOUT);
	assert_int_equal(xread_full(sv[0], &c, 1, deadline_in(0)), -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

static void test_read_trickle_within_deadline(void **state)
{
	int sv[2];
	char buf[50];
	pid_t pid;
	int status;

	(void)state;
	pair(sv, false);
	pid = writer(sv[1], 5, 10, 20, false);         /* 5 x 10 bytes, 20 ms apart */
	assert_int_equal(xread_full(sv[0], buf, sizeof(buf), deadline_in(20 * USEC_PER_SEC)), 0);
	assert_int_equal(buf[49], 'p');
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	close(sv[0]);
}

static void test_read_eof(void **state)
{
	int sv[2];
	char buf[16];

	(void)state;
	pair(sv, false);
	close(sv[1]);
	assert_int_equal(xread_full(sv[0], buf, 4, USEC_INFINITY), -ENODATA);   /* nothing */
	close(sv[0]);
	pair(sv, false);
	assert_int_equal(write(sv[1], "abc", 3), 3);
	close(sv[1]);
	assert_int_equal(xread_full(sv[0], buf, 4, USEC_INFINITY), -EPIPE);     /* short */
	close(sv[0]);
}

static void test_read_some(void **state)
{
	int sv[2];
	char buf[16];

	(void)state;
	pair(sv, true);
	assert_int_equal(xread_some(sv[0], buf, sizeof(buf), deadline_in(50 * MS), true),
			 -ETIMEDOUT);
	assert_int_equal(write(sv[1], "abc", 3), 3);
	assert_int_equal(xread_some(sv[0], buf, sizeof(buf), USEC_INFINITY, true), 3);
	assert_int_equal(write(sv[1], "de", 2), 2);
	assert_int_equal(xread_some(sv[0], buf, sizeof(buf), USEC_INFINITY, false), 2);
	close(sv[1]);
	assert_int_equal(xread_some(sv[0], buf, sizeof(buf), USEC_INFINITY, true), 0);
	close(sv[0]);
}

static void check_reader(bool nonblock)
{
	uint8_t rbuf[16], big[40], small[3];
	int sv[2];
	struct xreader r;

	pair(sv, nonblock);
	r = XREADER_BUF(sv[0], deadline_in(10 * USEC_PER_SEC), rbuf, sizeof(rbuf), nonblock);
	for (int i = 0; i < 60; i++) {
		uint8_t c = (uint8_t)i;

		assert_int_equal(write(sv[1], &c, 1), 1);
	}
	/* small reads come from the read-ahead, in order */
	assert_int_equal(xreader_read(&r, small, 3), 0);
	assert_int_equal(small[0], 0);
	assert_int_equal(small[2], 2);
	/* a large read drains the read-ahead first, then reads directly */
	assert_int_equal(xreader_read(&r, big, sizeof(big)), 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(big[i], i + 3);
	/* 17 bytes left; ask for 20 after the peer leaves: short */
	close(sv[1]);
	assert_int_equal(xreader_read(&r, big, 20), -EPIPE);
	assert_int_equal(xreader_read(&r, big, 1), -ENODATA);
	close(sv[0]);
}

static void test_reader_buffered(void **state)
{
	(void)state;
	check_reader(false);
	check_reader(true);
}

static void test_reader_stalled_peer_times_out(void **state)
{
	uint8_t rbuf[64], out[10];
	int sv[2];
	struct xreader r;
	pid_t pid;

	(void)state;
	pair(sv, true);
	pid = writer(sv[1], 1, 4, 0, true);
	r = XREADER_BUF(sv[0], deadline_in(150 * MS), rbuf, sizeof(rbuf), true);
	assert_int_equal(xreader_read(&r, out, sizeof(out)), -ETIMEDOUT);
	assert_true(now_usec() >= r.deadline);
	reap(pid);
	close(sv[0]);
}

static void test_write_stalled_peer_times_out(void **state)
{
	static uint8_t data[4 << 20];     /* far more than the socket buffers */
	int sv[2];
	usec_t deadline;

	(void)state;
	pair(sv, true);                   /* peer never reads */
	deadline = deadline_in(200 * MS);
	assert_int_equal(xwrite_all(sv[0], data, sizeof(data), deadline), -ETIMEDOUT);
	assert_true(now_usec() >= deadline);
	close(sv[0]);
	close(sv[1]);
}

static void test_write_closed_peer(void **state)
{
	int sv[2];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	pair(sv, true);
	close(sv[1]);
	assert_int_equal(xwrite_all(sv[0], "x", 1, deadline_in(USEC_PER_SEC)), -EPIPE);
	close(sv[0]);
}

static void test_copy_fd(void **state)
{
	static uint8_t chunk[1 << 16];
	char path[] = "/tmp/test-io-copy-XXXXXX";
	int fd = mkstemp(path), sv[2];
	usec_t deadline;
	char got[5];

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	for (int i = 0; i < 64; i++)       /* 4 MiB */
		assert_int_equal(write(fd, chunk, sizeof(chunk)), (ssize_t)sizeof(chunk));
	/* a peer that never reads: the deadline holds for the copy too */
	pair(sv, true);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	deadline = deadline_in(200 * MS);
	assert_int_equal(xcopy_fd(fd, sv[0], 64ull << 16, deadline), -ETIMEDOUT);
	assert_true(now_usec() >= deadline);
	close(sv[0]);
	close(sv[1]);
	/* a file shorter than announced: -EPIPE */
	pair(sv, true);
	assert_int_equal(ftruncate(fd, 5), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(pwrite(fd, "hello", 5, 0), 5);
	assert_int_equal(xcopy_fd(fd, sv[0], 6, deadline_in(USEC_PER_SEC)), -EPIPE);
	assert_int_equal(read(sv[1], got, 5), 5);
	assert_memory_equal(got, "hello", 5);
	close(sv[0]);
	close(sv[1]);
	close(fd);
}

static void test_deadline_saturates(void **state)
{
	(void)state;
	assert_true(deadline_in(USEC_INFINITY) == USEC_INFINITY);
	assert_true(deadline_in(USEC_INFINITY - 1) == USEC_INFINITY);
	assert_true(deadline_in(0) <= now_usec());
}

/* xreader_pace: the deadline is the pace start plus the grace plus one
 * second per @rate bytes received, whatever the absolute deadline says. */
static void test_xreader_pace(void **state)
{
	char got[12];
	struct xreader r;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(write(sv[1], "ARGC00000002ARGC00000003", 24), 24);
	r = XREADER(sv[0], USEC_INFINITY);
	/* no progress for longer than the grace: cut, though bytes are waiting */
	xreader_pace(&r, now_usec() - 2 * USEC_PER_SEC, USEC_PER_SEC / 2, 1000);
	assert_int_equal(xreader_read(&r, got, sizeof(got)), -ETIMEDOUT);
	/* the same start, but 2000 bytes received at 1000 B/s: 2 s earned */
	r.pace_got = 2000;
	assert_int_equal(xreader_read(&r, got, sizeof(got)), 0);
	assert_memory_equal(got, "ARGC00000002", 12);
	assert_int_equal(r.pace_got, 2012);
	/* the absolute deadline still holds under a generous pace */
	r.deadline = now_usec() - 1;
	xreader_pace(&r, now_usec(), 60 * USEC_PER_SEC, 1000);
	assert_int_equal(xreader_read(&r, got, sizeof(got)), -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_file_max_cap),
		cmocka_unit_test(test_read_stalled_peer_times_out),
		cmocka_unit_test(test_read_past_deadline_does_not_block),
		cmocka_unit_test(test_read_trickle_within_deadline),
		cmocka_unit_test(test_read_eof),
		cmocka_unit_test(test_read_some),
		cmocka_unit_test(test_reader_buffered),
		cmocka_unit_test(test_reader_stalled_peer_times_out),
		cmocka_unit_test(test_write_stalled_peer_times_out),
		cmocka_unit_test(test_write_closed_peer),
		cmocka_unit_test(test_copy_fd),
		cmocka_unit_test(test_deadline_saturates),
		cmocka_unit_test(test_xreader_pace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
