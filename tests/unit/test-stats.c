/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stats counters, their time windows, the child->parent record codec
 * (including hostile records) and both pages, against fixed times and a
 * fixed host sample.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemon/stats.h"

#define T0 (1000 * USEC_PER_SEC)
#define SEC(x) (T0 + (usec_t)(x) * USEC_PER_SEC)

static const struct stats_host host = {
	.running_tasks = 2,
	.load = { 0.5, 1.25, 10 },
	.procs_d = 1,
	.max_rss_kb = 123456,
	.max_rss_name = "(python3)",
	.io_rate = -1,
	.free_bytes = 2048ull * 1024 * 1024 + 5,
};

static char *format(int (*fn)(const struct stats *, const struct stats_host *, struct buf *),
		    const struct stats *s)
{
	struct buf b = BUF_INIT(1 << 16);

	assert_int_equal(fn(s, &host, &b), 0);
	return buf_steal(&b);
}

static void test_initial_page_exact(void **state)
{
	static const char want[] =
		"HTTP/1.0 200 OK\nContent-Type: text/plain\nConnection: close\n\n"
		"argv /distccd\n<distccstats>\n"
		"dcc_tcp_accept 0\ndcc_rej_bad_req 0\ndcc_rej_overload 0\ndcc_compile_ok 0\n"
		"dcc_compile_error 0\ndcc_compile_timeout 0\ndcc_cli_disconnect 0\ndcc_other 0\n"
		"dcc_longest_job none\ndcc_longest_job_compiler none\n"
		"dcc_longest_job_time_msecs -1\ndcc_max_kids 4\n"
		"dcc_avg_kids1 0\ndcc_avg_kids2 0\ndcc_avg_kids3 0\ndcc_current_load 2\n"
		"dcc_load1 0.50\ndcc_load2 1.25\ndcc_load3 10.00\n"
		"dcc_num_compiles1 0\ndcc_num_compiles2 0\ndcc_num_compiles3 0\n"
		"dcc_num_procstate_D 1\ndcc_max_RSS 123456\ndcc_max_RSS_name (python3)\n"
		"dcc_io_rate -1\ndcc_free_space 2048 MB\n</distccstats>\n";
	struct stats s;
	char *page;

	(void)state;
	stats_init(&s, 4, T0);
	page = format(stats_format_distcc, &s);
	assert_string_equal(page, want);
	free(page);
}

static void test_counters(void **state)
{
	struct stats s;
	char *page;

	(void)state;
	stats_init(&s, 2, T0);
	for (int i = 0; i < 7; i++) {
		stats_accepted(&s);
		stats_job_started(&s, SEC(i));
	}
	assert_int_equal(s.running, 7);
	stats_job_finished(&s, JOB_COMPILE_OK, SEC(10));
	stats_job_finished(&s, JOB_COMPILE_OK, SEC(10));
	stats_job_finished(&s, JOB_COMPILE_ERROR, SEC(10));
	stats_job_finished(&s, JOB_COMPILE_TIMEOUT, SEC(10));
	stats_job_finished(&s, JOB_CLI_DISCONN, SEC(10));
	stats_job_finished(&s, JOB_REJ_BAD_REQ, SEC(10));
	stats_job_finished(&s, (enum job_result)99, SEC(10));
	assert_int_equal(s.running, 0);
	stats_job_finished(&s, JOB_OTHER, SEC(10)); /* never below zero */
	assert_int_equal(s.running, 0);
	stats_job_duration(&s, "a.c", "gcc", 20);
	stats_job_duration(&s, "b.c", "clang", 10);  /* shorter: ignored */
	stats_job_duration(&s, "dir/c d.c", "cc\n", 30);
	page = format(stats_format_distcc, &s);
	assert_non_null(strstr(page, "\ndcc_tcp_accept 7\ndcc_rej_bad_req 1\ndcc_rej_overload 0\n"
				     "dcc_compile_ok 2\ndcc_compile_error 1\ndcc_compile_timeout 1\n"
				     "dcc_cli_disconnect 1\ndcc_other 2\n"
				     "dcc_longest_job dir/c_d.c\ndcc_longest_job_compiler cc?\n"
				     "dcc_longest_job_time_msecs 30\ndcc_max_kids 2\n"));
	/* rejections and "other" are not compiles */
	assert_non_null(strstr(page, "dcc_num_compiles1 5\n"));
	free(page);
}

static void test_windows(void **state)
{
	struct stats s;

	(void)state;
	stats_init(&s, 4, T0);
	stats_job_started(&s, SEC(0));
	stats_job_finished(&s, JOB_COMPILE_OK, SEC(30));
	stats_advance(&s, SEC(60));
	assert_float_equal(stats_avg_running(&s, 1), 0.5, 1e-3);
	assert_int_equal(stats_recent_compiles(&s, 1), 1);
	/* after 10 s of uptime the average is over those 10 s */
	stats_init(&s, 4, T0);
	stats_job_started(&s, SEC(0));
	stats_job_started(&s, SEC(5));
	stats_advance(&s, SEC(10));
	assert_float_equal(stats_avg_running(&s, 15), 1.5, 1e-3);
	/* two jobs for 2 minutes: the 1-minute average is 2, the 5-minute one 2 */
	stats_advance(&s, SEC(130));
	assert_float_equal(stats_avg_running(&s, 1), 2.0, 1e-3);
	stats_job_finished(&s, JOB_COMPILE_OK, SEC(130));
	stats_job_finished(&s, JOB_COMPILE_ERROR, SEC(130));
	stats_advance(&s, SEC(250));
	assert_float_equal(stats_avg_running(&s, 1), 0.0, 1e-3);
	assert_int_equal(stats_recent_compiles(&s, 1), 0);
	assert_int_equal(stats_recent_compiles(&s, 5), 2);
	assert_int_equal(stats_recent_compiles(&s, 15), 2);
	stats_advance(&s, SEC(130 + 901));
	assert_int_equal(stats_recent_compiles(&s, 15), 0);
	assert_float_equal(stats_avg_running(&s, 15), 0.0, 1e-3);
}

static void test_long_gap_and_time_backwards(void **state)
{
	struct stats s;

	(void)state;
	stats_init(&s, 4, T0);
	stats_job_started(&s, SEC(0));
	stats_job_started(&s, SEC(0));
	stats_job_started(&s, SEC(0));
	stats_advance(&s, SEC(86400 * 365)); /* a year of three jobs: bounded work */
	assert_float_equal(stats_avg_running(&s, 1), 3.0, 1e-3);
	assert_float_equal(stats_avg_running(&s, 15), 3.0, 1e-3);
	stats_advance(&s, SEC(10));          /* earlier: ignored */
	assert_int_equal(s.last, SEC(86400 * 365));
	char *page = format(stats_format_distcc, &s);
	assert_non_null(strstr(page, "dcc_avg_kids1 3\ndcc_avg_kids2 3\ndcc_avg_kids3 3\n"));
	free(page);
}

static void test_record_roundtrip(void **state)
{
	uint8_t wire[STATS_RECORD_SIZE];
	struct stats_record in, out;
	char longname[300];

	(void)state;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	stats_record_fill(&in, 4242, JOB_COMPILE_TIMEOUT, 1234, longname, "gcc\nx");
	stats_record_encode(&in, wire);
	/* explicit little-endian layout */
	assert_memory_equal(wire, "\x31\x52\x63\x64\x92\x10\x00\x00\x02\x00\x00\x00\xd2\x04\x00\x00", 16);
	assert_int_equal(stats_record_decode(wire, &out), 0);
	assert_int_equal(out.pid, 4242);
	assert_int_equal(out.result, JOB_COMPILE_TIMEOUT);
	assert_int_equal(out.msecs, 1234);
	assert_int_equal(strlen(out.input), STATS_NAME_MAX - 1);
	assert_string_equal(out.compiler, "gcc?x");
	stats_record_fill(&in, 1, JOB_COMPILE_OK, 0, NULL, NULL);
	stats_record_encode(&in, wire);
	assert_int_equal(stats_record_decode(wire, &out), 0);
	assert_string_equal(out.input, "");
}

static void test_record_hostile(void **state)
{
	uint8_t wire[STATS_RECORD_SIZE], bad[STATS_RECORD_SIZE];
	struct stats_record in, out;

	(void)state;
	stats_record_fill(&in, 7, JOB_COMPILE_OK, 5, "a.c", "gcc");
	stats_record_encode(&in, wire);
	memcpy(bad, wire, sizeof(bad));
	bad[0] ^= 1;
	assert_int_equal(stats_record_decode(bad, &out), -EBADMSG);
	memcpy(bad, wire, sizeof(bad));
	bad[8] = _JOB_RESULT_MAX;
	assert_int_equal(stats_record_decode(bad, &out), -EBADMSG);
	memcpy(bad, wire, sizeof(bad));
	bad[11] = 0xff;
	assert_int_equal(stats_record_decode(bad, &out), -EBADMSG);
	memcpy(bad, wire, sizeof(bad));
	memset(bad + 16, 'A', STATS_NAME_MAX);             /* input not terminated */
	assert_int_equal(stats_record_decode(bad, &out), -EBADMSG);
	memcpy(bad, wire, sizeof(bad));
	memset(bad + 16 + STATS_NAME_MAX, 'A', STATS_NAME_MAX);
	assert_int_equal(stats_record_decode(bad, &out), -EBADMSG);
	memset(bad, 0xff, sizeof(bad));
	assert_int_equal(stats_record_decode(bad, &out), -EBADMSG);
}

static void test_request_routing(void **state)
{
	(void)state;
#define PAGE(s) stats_page_for_request(s, sizeof(s) - 1)
	assert_int_equal(PAGE("GET /metrics HTTP/1.1\r\n"), STATS_PAGE_METRICS);
	assert_int_equal(PAGE("GET /metrics?x=1 HTTP/1.0\n"), STATS_PAGE_METRICS);
	assert_int_equal(PAGE("GET /metrics\n"), STATS_PAGE_METRICS);
	assert_int_equal(PAGE("GET /metricsx HTTP/1.1\r\n"), STATS_PAGE_DISTCC);
	assert_int_equal(PAGE("GET / HTTP/1.1\r\n"), STATS_PAGE_DISTCC);
	assert_int_equal(PAGE("POST /metrics HTTP/1.1\r\n"), STATS_PAGE_DISTCC);
	assert_int_equal(PAGE("GET /metrics"), STATS_PAGE_DISTCC);  /* incomplete */
	assert_int_equal(PAGE(""), STATS_PAGE_DISTCC);
	assert_int_equal(PAGE("\x00\xff"), STATS_PAGE_DISTCC);
	assert_false(stats_request_complete("GET /metrics", 12));
	assert_true(stats_request_complete("GET /metrics\r\n", 14));
#undef PAGE
}

static void test_metrics_page(void **state)
{
	struct stats s;
	char *page, *body;

	(void)state;
	stats_init(&s, 3, T0);
	page = format(stats_format_metrics, &s);
	assert_true(strncmp(page, "HTTP/1.0 200 OK\r\nContent-Type: application/openmetrics-text; "
				  "version=1.0.0; charset=utf-8\r\n", 82) == 0);
	body = strstr(page, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	assert_true(strncmp(body, "# TYPE distccd_connections counter\n", 35) == 0);
	assert_non_null(strstr(body, "\ndistccd_jobs_total{result=\"COMPILE_OK\"} 0\n"));
	assert_non_null(strstr(body, "\ndistccd_max_jobs 3\n"));
	/* no longest job yet: the family has no sample */
	assert_non_null(strstr(body, "# HELP distccd_longest_job_seconds Duration of the longest "
				     "successful job, with its input and compiler.\n# TYPE "
				     "distccd_average_running_jobs gauge\n"));
	assert_null(strstr(body, "\ndistccd_host_disk_io_sectors_per_second "));
	assert_non_null(strstr(body, "\ndistccd_tmpdir_free_bytes 2147483653\n"));
	assert_int_equal(strcmp(body + strlen(body) - 6, "# EOF\n"), 0);
	free(page);

	stats_job_started(&s, SEC(0));
	stats_job_finished(&s, JOB_COMPILE_OK, SEC(2));
	stats_job_duration(&s, "we\"ird\\.c", "gcc", 2001);
	page = format(stats_format_metrics, &s);
	assert_non_null(strstr(page, "\ndistccd_jobs_total{result=\"COMPILE_OK\"} 1\n"));
	assert_non_null(strstr(page, "\ndistccd_longest_job_seconds{input=\"we\\\"ird\\\\.c\","
				     "compiler=\"gcc\"} 2.001\n"));
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_page_exact),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_long_gap_and_time_backwards),
		cmocka_unit_test(test_record_roundtrip),
		cmocka_unit_test(test_record_hostile),
		cmocka_unit_test(test_request_routing),
		cmocka_unit_test(test_metrics_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
