/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backoff decision and file names (distcc 3.4's, shared with it), and the
 * mark/check/clear cycle in a scratch directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../client/backoff.h"

static void test_decision(void **state)
{
	(void)state;
	assert_true(backoff_active(1000, 1000, 60));
	assert_true(backoff_active(1000, 1059, 60));
	assert_false(backoff_active(1000, 1060, 60));
	assert_false(backoff_active(1000, 5000, 60));
	assert_false(backoff_active(1000, 1000, 0));  /* 0 disables */
	assert_true(backoff_active(2000, 1000, 60));  /* clock stepped back */
}

static void test_names(void **state)
{
	struct host t = { .mode = HOST_TCP, .hostname = (char *)"127.0.0.1", .port = 4000 };
	struct host s = { .mode = HOST_SSH, .hostname = (char *)"box" };
	char b[64];

	(void)state;
	assert_int_equal(backoff_name(&t, b, sizeof(b)), 0);
	assert_string_equal(b, "backoff_tcp_127.0.0.1_4000_0");
	assert_int_equal(backoff_name(&s, b, sizeof(b)), 0);
	assert_string_equal(b, "backoff_ssh_box_0");
	assert_int_equal(backoff_name(&t, b, 8), -ENAMETOOLONG);
}

static void test_cycle(void **state)
{
	struct host t = { .mode = HOST_TCP, .hostname = (char *)"h", .port = 1 };
	char dir[64];
	bool exists = true;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-backoff-%ld", (long)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_false(backoff_check(fd, &t, 60, &exists));
	assert_false(exists);
	backoff_mark(fd, &t, 0); /* disabled: no file */
	assert_false(backoff_check(fd, &t, 60, &exists));
	backoff_mark(fd, &t, 60);
	assert_true(backoff_check(fd, &t, 60, &exists));
	assert_true(exists);
	assert_false(backoff_check(fd, &t, 0, &exists));
	backoff_clear(fd, &t, 60);
	assert_false(backoff_check(fd, &t, 60, &exists));
	assert_false(exists);
	close(fd);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
