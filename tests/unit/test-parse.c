/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The strict parsers: whole decimal strings only (no sign, space, hex or
 * trailing text), ranges as -ERANGE, overflow, fractional seconds, byte
 * sizes with K/M/G/T suffixes, and distcc 3.4's "1"/"0" booleans.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse.h"

static void test_uint_accepts(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(parse_uint("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_uint("0010", 0, 10, &v), 0);   /* decimal, not octal */
	assert_int_equal(v, 10);
	assert_int_equal(parse_uint("18446744073709551615", 0, ULLONG_MAX, &v), 0);
	assert_true(v == ULLONG_MAX);
}

static void test_uint_rejects(void **state)
{
	static const char *const bad[] = { "", " 1", "1 ", "+1", "-1", "0x10", "1e3", "1.0",
					   "12abc", "abc", "\t3", "1\n" };
	unsigned long long v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_uint(bad[i], 0, ULLONG_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint(NULL, 0, 10, &v), -EINVAL);
	assert_int_equal(v, 42);   /* ret_ is written only on success */
}

static void test_uint_ranges(void **state)
{
	unsigned long long v = 42;

	(void)state;
	assert_int_equal(parse_uint("18446744073709551616", 0, ULLONG_MAX, &v), -ERANGE);
	assert_int_equal(parse_uint("99999999999999999999999", 0, ULLONG_MAX, &v), -ERANGE);
	assert_int_equal(parse_uint("0", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("11", 1, 10, &v), -ERANGE);
	assert_int_equal(parse_uint("1", 1, 10, &v), 0);
	assert_int_equal(parse_uint("10", 1, 10, &v), 0);
	assert_int_equal(v, 10);
}

static void test_uint32(void **state)
{
	unsigned v = 5;

	(void)state;
	assert_int_equal(parse_uint32("4294967295", 0, UINT_MAX, &v), 0);
	assert_true(v == UINT_MAX);
	assert_int_equal(parse_uint32("4294967296", 0, UINT_MAX, &v), -ERANGE);
	assert_true(v == UINT_MAX);
	assert_int_equal(parse_uint32("x", 0, UINT_MAX, &v), -EINVAL);
	assert_int_equal(parse_uint32("3", 4, 8, &v), -ERANGE);
}

static void test_seconds(void **state)
{
	unsigned long long u = 0;

	(void)state;
	assert_int_equal(parse_seconds_usec("1", &u), 0);
	assert_true(u == 1000000);
	assert_int_equal(parse_seconds_usec("0.5", &u), 0);
	assert_true(u == 500000);
	assert_int_equal(parse_seconds_usec("2.000001", &u), 0);
	assert_true(u == 2000001);
	/* digits past microseconds are ignored, not rounded */
	assert_int_equal(parse_seconds_usec("0.0000019", &u), 0);
	assert_true(u == 1);
	assert_int_equal(parse_seconds_usec("3.", &u), 0);
	assert_true(u == 3000000);
	assert_int_equal(parse_seconds_usec("0", &u), 0);
	assert_true(u == 0);
}

static void test_seconds_rejects(void **state)
{
	static const char *const bad[] = { "", ".5", "-1", "+1", "1s", "1.5x", " 1", "1..2", "abc" };
	unsigned long long u = 77;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_seconds_usec(bad[i], &u), -EINVAL);
	assert_int_equal(parse_seconds_usec("99999999999999999999", &u), -ERANGE);
	assert_true(u == 77);
}

static void test_size(void **state)
{
	uint64_t v = 9;

	(void)state;
	assert_int_equal(parse_size("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(parse_size("4096", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(parse_size("64k", &v), 0);
	assert_true(v == 64 << 10);
	assert_int_equal(parse_size("512M", &v), 0);
	assert_true(v == 512ull << 20);
	assert_int_equal(parse_size("8G", &v), 0);
	assert_true(v == 8ull << 30);
	assert_int_equal(parse_size("2t", &v), 0);
	assert_true(v == 2ull << 40);
	assert_int_equal(parse_size("infinity", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_size("16777215T", &v), 0);     /* (2^24 - 1) * 2^40 */
	assert_true(v == ((1ull << 24) - 1) << 40);
}

static void test_size_rejects(void **state)
{
	static const char *const bad[] = { "", "K", "G1", "1.5G", "-1", "+1", " 1", "1 ", "1KB",
					   "1P", "0x10", "inf", "Infinity", "1e3" };
	uint64_t v = 9;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_size(bad[i], &v), -EINVAL);
	assert_int_equal(parse_size(NULL, &v), -EINVAL);
	assert_int_equal(parse_size("16777216T", &v), -ERANGE);        /* 2^64 */
	assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_size("00000000000000000000000000000000001", &v), -ERANGE);
	assert_true(v == 9);
}

static void test_bool(void **state)
{
	(void)state;
	assert_true(parse_bool_value("1", false));
	assert_false(parse_bool_value("0", true));
	assert_true(parse_bool_value(NULL, true));
	assert_false(parse_bool_value(NULL, false));
	/* 3.4 reads only "1" and "0"; anything else keeps the default */
	assert_true(parse_bool_value("yes", true));
	assert_false(parse_bool_value("yes", false));
	assert_false(parse_bool_value("", false));
	assert_false(parse_bool_value("01", false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uint_accepts),	 cmocka_unit_test(test_uint_rejects),
		cmocka_unit_test(test_uint_ranges),	 cmocka_unit_test(test_uint32),
		cmocka_unit_test(test_seconds),		 cmocka_unit_test(test_seconds_rejects),
		cmocka_unit_test(test_size),		 cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
