/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Invocation modes, masquerade PATH trimming (with a fake filesystem), and
 * the recursion rule.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../client/invoke.h"

/* gcc exists in /masq and /usr/bin; cc only in /usr/bin */
static bool fake_exec(const char *dir, const char *name)
{
	if (strcmp(name, "gcc") == 0)
		return strcmp(dir, "/masq") == 0 || strcmp(dir, "/usr/bin") == 0;
	return strcmp(name, "cc") == 0 && strcmp(dir, "/usr/bin") == 0;
}

static void test_explicit(void **state)
{
	const char *argv[] = { "distcc", "gcc", "-c", "x.c", NULL };
	struct invocation inv;

	(void)state;
	assert_int_equal(invoke_parse(4, argv, "/usr/bin", fake_exec, &inv), 0);
	assert_int_equal(inv.mode, INVOKE_EXPLICIT);
	assert_string_equal(inv.argv[0], "gcc");
	assert_string_equal(inv.argv[2], "x.c");
	assert_null(inv.argv[3]);
	assert_null(inv.path);
	invocation_free(&inv);
}

static void test_implicit(void **state)
{
	const char *a1[] = { "/usr/bin/distcc", "-c", "x.c", NULL };
	const char *a2[] = { "distcc", "x.c", "-c", NULL };
	struct invocation inv;

	(void)state;
	assert_int_equal(invoke_parse(3, a1, NULL, fake_exec, &inv), 0);
	assert_int_equal(inv.mode, INVOKE_IMPLICIT);
	assert_string_equal(inv.argv[0], "cc");
	assert_string_equal(inv.argv[1], "-c");
	invocation_free(&inv);
	assert_int_equal(invoke_parse(3, a2, NULL, fake_exec, &inv), 0);
	assert_int_equal(inv.mode, INVOKE_IMPLICIT);
	assert_string_equal(inv.argv[0], "cc");
	invocation_free(&inv);
}

static void test_no_args(void **state)
{
	const char *argv[] = { "distcc", NULL };
	struct invocation inv;

	(void)state;
	assert_int_equal(invoke_parse(1, argv, NULL, fake_exec, &inv), -EINVAL);
}

static void test_masquerade_by_path_lookup(void **state)
{
	const char *argv[] = { "gcc", "-c", "x.c", NULL };
	struct invocation inv;

	(void)state;
	assert_int_equal(invoke_parse(3, argv, "/bin:/masq:/usr/bin:/x", fake_exec, &inv), 0);
	assert_int_equal(inv.mode, INVOKE_MASQUERADE);
	assert_string_equal(inv.argv[0], "gcc");
	assert_string_equal(inv.path, "/usr/bin:/x");
	invocation_free(&inv);
}

static void test_masquerade_with_dir(void **state)
{
	const char *argv[] = { "/opt/lib/distcc/g++", "-c", "x.cc", NULL };
	struct invocation inv;

	(void)state;
	assert_int_equal(invoke_parse(3, argv, "/opt/lib/distcc:/usr/bin", fake_exec, &inv), 0);
	assert_int_equal(inv.mode, INVOKE_MASQUERADE);
	assert_string_equal(inv.argv[0], "g++"); /* found again on the trimmed PATH */
	assert_string_equal(inv.path, "/usr/bin");
	invocation_free(&inv);
}

static void test_trim_edges(void **state)
{
	char *p = NULL;

	(void)state;
	assert_int_equal(invoke_trim_path("/usr/bin", "gcc", fake_exec, &p), 0);
	assert_string_equal(p, ""); /* last component */
	free(p);
	assert_int_equal(invoke_trim_path("/a:/b", "/c/gcc", fake_exec, &p), -ENOENT);
	assert_int_equal(invoke_trim_path(NULL, "gcc", fake_exec, &p), -ENOENT);
	assert_int_equal(invoke_trim_path("/a:/masqx:/masq/:/masq:/z", "/masq/gcc", fake_exec, &p),
			 0);
	assert_string_equal(p, "/z"); /* exact component match only */
	free(p);
}

static void test_recursion_rule(void **state)
{
	(void)state;
	assert_false(invoke_is_recursion(0, false));
	assert_true(invoke_is_recursion(1, false));
	assert_false(invoke_is_recursion(1, true));
	assert_true(invoke_is_recursion(2, true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explicit),
		cmocka_unit_test(test_implicit),
		cmocka_unit_test(test_no_args),
		cmocka_unit_test(test_masquerade_by_path_lookup),
		cmocka_unit_test(test_masquerade_with_dir),
		cmocka_unit_test(test_trim_edges),
		cmocka_unit_test(test_recursion_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
