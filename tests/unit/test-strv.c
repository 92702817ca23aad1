/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * String vectors and string helpers: NULL handling, deep copies, append,
 * the cleanup helper, prefix/suffix and basename on edge cases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "macro.h"
#include "strv.h"

static void test_length_and_free_null(void **state)
{
	(void)state;
	assert_int_equal(strv_length(NULL), 0);
	strv_free(NULL);
}

static void test_push_copy(void **state)
{
	char **v = NULL, **c;

	(void)state;
	assert_int_equal(strv_push(&v, "gcc"), 0);
	assert_int_equal(strv_push(&v, "-c"), 0);
	assert_int_equal(strv_push(&v, ""), 0);
	assert_int_equal(strv_length(v), 3);
	assert_null(v[3]);
	c = strv_copy(v);
	assert_non_null(c);
	assert_int_equal(strv_length(c), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(c[i], v[i]);
		assert_ptr_not_equal(c[i], v[i]);   /* deep */
	}
	strv_free(v);
	strv_free(c);
}

static void test_copy_null_is_empty(void **state)
{
	char **c = strv_copy(NULL);

	(void)state;
	assert_non_null(c);
	assert_null(c[0]);
	strv_free(c);
}

static void test_freep(void **state)
{
	char **v = NULL;

	(void)state;
	{
		_cleanup_(strv_freep) char **w = NULL;

		assert_int_equal(strv_push(&w, "x"), 0);
		assert_int_equal(strv_length(w), 1);
	}
	assert_int_equal(strv_push(&v, "y"), 0);
	strv_freep(&v);
	assert_null(v);
	strv_freep(&v);   /* twice is fine */
}

static void test_prefix_suffix(void **state)
{
	(void)state;
	assert_true(str_has_prefix("-fplugin=x", "-fplugin="));
	assert_true(str_has_prefix("abc", ""));
	assert_false(str_has_prefix("-f", "-fplugin"));
	assert_true(str_has_suffix("a.c", ".c"));
	assert_true(str_has_suffix(".c", ".c"));
	assert_false(str_has_suffix("c", ".c"));
	assert_false(str_has_suffix("a.cc", ".c"));
}

static void test_basename(void **state)
{
	const char *p = "/usr/bin/gcc";

	(void)state;
	assert_string_equal(str_basename(p), "gcc");
	assert_ptr_equal(str_basename(p), p + 9);
	assert_string_equal(str_basename("gcc"), "gcc");
	assert_string_equal(str_basename("dir/"), "");
	assert_string_equal(str_basename("/"), "");
	assert_string_equal(str_basename(""), "");
	assert_string_equal(str_basename(NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_and_free_null),
		cmocka_unit_test(test_push_copy),
		cmocka_unit_test(test_copy_null_is_empty),
		cmocka_unit_test(test_freep),
		cmocka_unit_test(test_prefix_suffix),
		cmocka_unit_test(test_basename),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
