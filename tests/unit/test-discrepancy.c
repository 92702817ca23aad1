/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pump discrepancy counter: its name next to the include server's
 * socket (3.4's rule), counting, and the one note that reaches the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../client/discrepancy.h"

static void test_path(void **state)
{
	char *p = NULL;

	(void)state;
	assert_int_equal(discrepancy_path("/tmp/distcc-pump.x/socket", &p), 0);
	assert_string_equal(p, "/tmp/distcc-pump.x/discrepancy_counter");
	free(p);
	assert_int_equal(discrepancy_path("/tmp/x/sock", &p), -ENOENT);
	assert_int_equal(discrepancy_path("socket", &p), -ENOENT);
	assert_int_equal(discrepancy_path(NULL, &p), -ENOENT);
}

static void test_count_and_note(void **state)
{
	char dir[] = "/tmp/test-discrepancy-XXXXXX";
	char path[64];
	bool reached = true;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/" DISCREPANCY_FILE, dir);
	assert_int_equal(discrepancy_count(path), 0);
	assert_int_equal(discrepancy_count(NULL), 0);
	assert_int_equal(discrepancy_note(path, 2, &reached), 0);
	assert_false(reached);
	assert_int_equal(discrepancy_count(path), 1);
	assert_int_equal(discrepancy_note(path, 2, &reached), 0);
	assert_true(reached);
	assert_int_equal(discrepancy_note(path, 2, &reached), 0);
	assert_false(reached); /* only the note that reaches it */
	assert_int_equal(discrepancy_count(path), 3);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_count_and_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
