/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The job summary line distccd logs after every job, and the mapping
 * between job results and exit codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "jobsum.h"

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
		cmocka_unit_test(test_jobsum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
