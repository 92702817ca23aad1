/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Classifying what a service manager passed in LISTEN_FDS: listening
 * sockets, one connected socket (Accept=yes), nothing, or garbage.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "activation.h"

static void pass_fds(int n)
{
	char pid[32], cnt[16];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(cnt, sizeof(cnt), "%d", n);
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", cnt, 1);
}

static int listener(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void put_at(int fd, int target)
{
	if (fd == target)
		return;
	assert_int_equal(dup2(fd, target), target);
	close(fd);
}

static void test_nothing_passed(void **state)
{
	struct activation a;

	(void)state;
	unsetenv("LISTEN_FDS");
	assert_int_equal(activation_from_env(&a), 0);
	assert_int_equal(a.kind, ACTIVATION_NONE);
	/* for another process */
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDS", "1", 1);
	assert_int_equal(activation_from_env(&a), 0);
	assert_int_equal(a.kind, ACTIVATION_NONE);
}

static void test_listening(void **state)
{
	struct activation a;

	(void)state;
	put_at(listener(), 3);
	put_at(listener(), 4);
	pass_fds(2);
	assert_int_equal(activation_from_env(&a), 0);
	assert_int_equal(a.kind, ACTIVATION_LISTEN);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.fds[0], 3);
	assert_int_equal(a.fds[1], 4);
	assert_null(getenv("LISTEN_FDS"));
	close(3);
	close(4);
}

static void test_named_stats_socket(void **state)
{
	struct activation a;

	(void)state;
	put_at(listener(), 3);
	put_at(listener(), 4);
	pass_fds(2);
	setenv("LISTEN_FDNAMES", "stats:distcc", 1);
	assert_int_equal(activation_from_env(&a), 0);
	assert_int_equal(a.kind, ACTIVATION_LISTEN);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.fds[0], 4);
	assert_int_equal(a.stats_fd, 3);
	assert_null(getenv("LISTEN_FDNAMES"));
	/* unnamed: both are compile ports */
	pass_fds(2);
	assert_int_equal(activation_from_env(&a), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.stats_fd, -1);
	/* a stats socket alone is refused */
	close(4);
	pass_fds(1);
	setenv("LISTEN_FDNAMES", "stats", 1);
	assert_int_equal(activation_from_env(&a), -EINVAL);
	close(3);
}

static void test_connected(void **state)
{
	struct activation a;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	put_at(sv[0], 3);
	pass_fds(1);
	assert_int_equal(activation_from_env(&a), 0);
	assert_int_equal(a.kind, ACTIVATION_CONNECTED);
	assert_int_equal(a.fds[0], 3);
	close(3);
	close(sv[1]);
}

static void test_garbage(void **state)
{
	struct activation a = { .kind = ACTIVATION_LISTEN };
	int sv[2], p[2];

	(void)state;
	/* two connected sockets */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	put_at(sv[0], 3);
	put_at(sv[1], 4);
	pass_fds(2);
	assert_int_equal(activation_from_env(&a), -EINVAL);
	/* a mix */
	put_at(listener(), 4);
	pass_fds(2);
	assert_int_equal(activation_from_env(&a), -EINVAL);
	/* a pipe */
	assert_int_equal(pipe(p), 0);
	put_at(p[0], 3);
	pass_fds(1);
	assert_int_equal(activation_from_env(&a), -EINVAL);
	/* a datagram socket */
	put_at(socket(AF_INET, SOCK_DGRAM, 0), 3);
	pass_fds(1);
	assert_int_equal(activation_from_env(&a), -EINVAL);
	assert_int_equal(a.kind, ACTIVATION_LISTEN); /* untouched on failure */
	close(3);
	close(4);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_passed),
		cmocka_unit_test(test_listening),
		cmocka_unit_test(test_named_stats_socket),
		cmocka_unit_test(test_connected),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
