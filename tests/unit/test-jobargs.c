/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Server-side argv scan and rewrite, and the job summary line format.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "jobargs.h"
#include "jobsum.h"
#include "srcext.h"
#include "strv.h"

#define srcext_preproc_as(p) srcext_preproc((p), true)

/* string literals as argv: the code under test never writes to them */
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"
#define V(...) ((char *[]){ __VA_ARGS__, NULL })

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

static void test_scan(void **state)
{
	struct job_args ja;

	(void)state;
	assert_int_equal(jobargs_scan(V("gcc", "-O2", "-c", "hello.c", "-o", "hello.o"), &ja), 0);
	assert_int_equal(ja.input, 3);
	assert_int_equal(ja.output, 4);
	assert_false(ja.output_joined);
	assert_string_equal(ja.in_ext, ".i");
	assert_string_equal(ja.out_ext, ".o");
	assert_int_equal(jobargs_scan(V("g++", "-S", "-ohello.s", "x.cc", "-MT", "y.c"), &ja), 0);
	assert_int_equal(ja.input, 3);
	assert_true(ja.output_joined);
	assert_string_equal(ja.out_ext, ".s");
	assert_string_equal(ja.in_ext, ".ii");
	assert_int_equal(jobargs_scan(V("clang", "-target", "x86_64-pc-linux-gnu", "-c", "a.c",
					"-o", "a.o"), &ja), 0);
	assert_int_equal(ja.input, 4);
}

static void test_scan_bad(void **state)
{
	struct job_args ja;

	(void)state;
	assert_int_equal(jobargs_scan(V("gcc", "hello.c", "-o", "a"), &ja), -EINVAL);   /* no -c */
	assert_int_equal(jobargs_scan(V("gcc", "-c", "-o", "a.o"), &ja), -EINVAL);     /* no input */
	assert_int_equal(jobargs_scan(V("gcc", "-c", "a.c", "b.c", "-o", "a.o"), &ja), -EINVAL);
	assert_int_equal(jobargs_scan(V("gcc", "-c", "a.c"), &ja), -EINVAL);            /* no -o */
	assert_int_equal(jobargs_scan(V("gcc", "-c", "a.c", "-o"), &ja), -EINVAL);
	assert_int_equal(jobargs_scan(V("gcc", "-c", "a.c", "-o", "x", "-o", "y"), &ja), -EINVAL);
	assert_int_equal(jobargs_scan(V("gcc", "-E", "-c", "a.c", "-o", "a.o"), &ja), -EINVAL);
	assert_int_equal(jobargs_scan(V("gcc", "-x", "c", "-c", "a", "-o", "a.o"), &ja), -EINVAL);
	assert_int_equal(jobargs_scan(V("gcc", "-c", "a.c", "lib.o", "-o", "a.o"), &ja), -EINVAL);
	assert_int_equal(jobargs_scan(V("gcc", "-c", "a.c", "-o", "a.o", "-I"), &ja), -EINVAL);
	assert_int_equal(jobargs_scan(V("gcc"), &ja), -EINVAL);
}

static void test_rewrite(void **state)
{
	struct job_args ja;
	char **v;

	(void)state;
	assert_int_equal(jobargs_scan(V("gcc", "-c", "a.c", "-o", "out/a.o", "-O2"), &ja), 0);
	assert_int_equal(jobargs_rewrite(V("gcc", "-c", "a.c", "-o", "out/a.o", "-O2"), &ja,
					 "input.i", "output.o", &v), 0);
	assert_string_equal(v[2], "input.i");
	assert_string_equal(v[3], "-o");
	assert_string_equal(v[4], "output.o");
	assert_string_equal(v[5], "-O2");
	assert_null(v[6]);
	strv_free(v);
	assert_int_equal(jobargs_scan(V("gcc", "-oa.o", "-c", "a.c"), &ja), 0);
	assert_int_equal(jobargs_rewrite(V("gcc", "-oa.o", "-c", "a.c"), &ja, "input.i",
					 "output.o", &v), 0);
	assert_string_equal(v[1], "-ooutput.o");
	assert_string_equal(v[3], "input.i");
	strv_free(v);
}

static void test_jobsum(void **state)
{
	char line[256];
	struct job_summary s = { .client = "127.0.0.1:4000", .result = JOB_COMPILE_ERROR,
				 .status = 1 << 8, .ret = 1, .duration = 1234567,
				 .compiler = "gcc", .input = "a.c" };

	(void)state;
	jobsum_format(&s, line, sizeof(line));
	assert_string_equal(line, "client: 127.0.0.1:4000 COMPILE_ERROR exit:1 sig:0 core:0 ret:1 "
				  "time:1234ms gcc a.c");
	s = (struct job_summary){ .client = "[::1]:1", .result = JOB_REJ_BAD_REQ, .status = -1 };
	jobsum_format(&s, line, sizeof(line));
	assert_string_equal(line, "client: [::1]:1 REJ_BAD_REQ exit:0 sig:0 core:0 ret:0 time:0ms");
	s.status = 9;   /* killed by SIGKILL */
	jobsum_format(&s, line, sizeof(line));
	assert_non_null(strstr(line, "sig:9"));
	for (int r = 0; r < _JOB_RESULT_MAX; r++)
		assert_int_equal(job_result_from_wait(job_result_to_exit(r) << 8), r);
	assert_int_equal(job_result_from_wait(9), JOB_OTHER);
	assert_int_equal(job_result_from_wait(100 << 8), JOB_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext),	cmocka_unit_test(test_scan),
		cmocka_unit_test(test_scan_bad), cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_jobsum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
