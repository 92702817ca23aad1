/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source extensions: which names are sources and what their preprocessed
 * copy is called (client and daemon share the table).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>

#include "srcext.h"

#define srcext_preproc_as(p) srcext_preproc((p), true)

static void test_ext(void **state)
{
	(void)state;
	assert_string_equal(srcext_preproc_as("a.c"), ".i");
	assert_string_equal(srcext_preproc_as("dir.x/a.cpp"), ".ii");
	assert_string_equal(srcext_preproc_as("a.C"), ".ii");
	assert_string_equal(srcext_preproc_as("a.ii"), ".ii");
	assert_string_equal(srcext_preproc_as("a.m"), ".mi");
	assert_string_equal(srcext_preproc_as("a.mm"), ".mii");
	assert_string_equal(srcext_preproc_as("a.S"), ".s");
	assert_null(srcext_preproc_as("a.o"));
	assert_null(srcext_preproc_as("a"));
	assert_string_equal(srcext_preproc_as(".c"), ".i");   /* gcc: a C file named .c */
	assert_null(srcext_preproc_as("a.c/b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
