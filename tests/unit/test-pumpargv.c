/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The argv a protocol 3 job runs: absolute paths under the root (joined and
 * separate), relative ones left to resolve from <root><CDIR>, the output in
 * the job directory, the .d options, client prefix maps moved with the
 * root, and the root's own prefix map first.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pumpargv.h"
#include "strv.h"

#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"
#define V(...) ((char *[]){ __VA_ARGS__, NULL })
#define ROOT "/tmp/distccd_00/root"
#define P(i, o) { .index = (i), .offset = (o) }

static void assert_argv(char **got, char *const want[])
{
	size_t i;

	for (i = 0; want[i]; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
	strv_free(got);
}

static void test_paths_and_output(void **state)
{
	char *const *argv = V("gcc", "-I/src/inc", "-I", "/src/inc2", "-Irel", "-iquote", "q",
			       "-include", "/src/pre.h", "--sysroot=/sr", "-iprefix", "/pfx/",
			       "-iwithprefix", "/sub", "-c", "/src/a.c", "-o", "a.o");
	const struct pumpargv_path paths[] = {
		P(1, 2), P(3, 0), P(4, 2), P(6, 0), P(8, 0), P(9, 10), P(11, 0),
		{ .index = 13, .under_prefix = true }, P(15, 0),
	};
	struct pumpargv_spec sp = {
		.root = ROOT, .output = "/tmp/distccd_00/output.o", .deps = "/tmp/distccd_00/output.d",
		.input = 15, .output_index = 16, .out_ext = ".o", .paths = paths, .n_paths = 9,
	};
	char **got = NULL;

	(void)state;
	assert_int_equal(pumpargv_build(argv, &sp, &got), 0);
	assert_argv(got, V("gcc", "-ffile-prefix-map=" ROOT "=", "-I" ROOT "/src/inc", "-I",
			   ROOT "/src/inc2", "-Irel", "-iquote", "q", "-include", ROOT "/src/pre.h",
			   "--sysroot=" ROOT "/sr", "-iprefix", ROOT "/pfx/", "-iwithprefix", "/sub",
			   "-c", ROOT "/src/a.c", "-o", "/tmp/distccd_00/output.o",
			   "-MMD", "-MQ", "a.o", "-MF", "/tmp/distccd_00/output.d"));
}

static void test_deps_as_sent(void **state)
{
	char *const *argv = V("cc", "-MD", "-MT", "obj/x.o", "-c", "x.c", "-oobj/x.o");
	const struct pumpargv_path in = P(5, 0);
	struct pumpargv_spec sp = {
		.root = ROOT, .output = "/j/output.o", .deps = "/j/output.d", .input = 5,
		.output_index = 6, .output_joined = true, .out_ext = ".o", .md = true,
		.n_targets = 1, .paths = &in, .n_paths = 1,
	};
	char **got = NULL;

	(void)state;
	assert_int_equal(pumpargv_build(argv, &sp, &got), 0);
	assert_argv(got, V("cc", "-ffile-prefix-map=" ROOT "=", "-MD", "-MT", "obj/x.o", "-c",
			   "x.c", "-o/j/output.o", "-MF", "/j/output.d"));
}

static void test_no_output_and_prefix_maps(void **state)
{
	char *const *argv = V("gcc", "-ffile-prefix-map=/build/src=.", "-fdebug-prefix-map=rel=x",
			       "-fmacro-prefix-map=/m=/n", "-MMD", "-S", "sub/x.c");
	const struct pumpargv_path in = P(6, 0);
	struct pumpargv_spec sp = {
		.root = ROOT, .output = "/j/output.o", .deps = "/j/output.d", .input = 6,
		.out_ext = ".s", .mmd = true, .paths = &in, .n_paths = 1,
	};
	char **got = NULL;

	(void)state;
	assert_int_equal(pumpargv_build(argv, &sp, &got), 0);
	assert_argv(got, V("gcc", "-ffile-prefix-map=" ROOT "=",
			   "-ffile-prefix-map=" ROOT "/build/src=.", "-fdebug-prefix-map=rel=x",
			   "-fmacro-prefix-map=" ROOT "/m=/n", "-MMD", "-S", "sub/x.c",
			   "-o", "/j/output.o", "-MQ", "x.s", "-MF", "/j/output.d"));
}

static void test_bad_indexes(void **state)
{
	char *const *argv = V("gcc", "-c", "a.c", "-o", "a.o");
	struct pumpargv_path p = P(9, 0);
	struct pumpargv_spec sp = {
		.root = ROOT, .output = "/j/o", .deps = "/j/d", .input = 2, .output_index = 3,
		.out_ext = ".o", .paths = &p, .n_paths = 1,
	};
	char **got = NULL;

	(void)state;
	assert_int_equal(pumpargv_build(argv, &sp, &got), -EINVAL);
	p = (struct pumpargv_path)P(2, 4);
	assert_int_equal(pumpargv_build(argv, &sp, &got), -EINVAL);
	p = (struct pumpargv_path)P(2, 0);
	sp.output_index = 4;          /* "-o" must have its value after it */
	assert_int_equal(pumpargv_build(argv, &sp, &got), -EINVAL);
	sp.output_index = 3;
	sp.input = 0;
	assert_int_equal(pumpargv_build(argv, &sp, &got), -EINVAL);
	assert_null(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_and_output),
		cmocka_unit_test(test_deps_as_sent),
		cmocka_unit_test(test_no_output_and_prefix_maps),
		cmocka_unit_test(test_bad_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
