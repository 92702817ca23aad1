/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * read_file_max() at its cap: a file of exactly @max bytes is read, one
 * byte more is -E2BIG, for regular files whose size stat() reports.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_file_max_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
