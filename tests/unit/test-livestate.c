/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * livestate: both stats pages parsed (our /metrics as distccd formats it,
 * distcc 3.4's page as Debian's distccd prints it), hostile pages refused,
 * the limit policy (slots, load, memory, the last slot), and the cache
 * record round trip.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../client/livestate.h"
#include "../../daemon/stats.h"

#define MB (1024ull * 1024ull)

static const char PAGE_34[] =
	"HTTP/1.0 200 OK\nContent-Type: text/plain\nConnection: close\n\n"
	"argv /distccd\n<distccstats>\ndcc_tcp_accept 12\ndcc_rej_bad_req 1\n"
	"dcc_rej_overload 2\ndcc_compile_ok 9\ndcc_compile_error 1\ndcc_compile_timeout 3\n"
	"dcc_cli_disconnect 0\ndcc_other 4\ndcc_longest_job a b.c\n"
	"dcc_longest_job_compiler gcc\ndcc_longest_job_time_msecs 50\ndcc_max_kids 6\n"
	"dcc_avg_kids1 0\ndcc_avg_kids2 0\ndcc_avg_kids3 0\ndcc_current_load 1\n"
	"dcc_load1 1.50\ndcc_load2 0.20\ndcc_load3 0.10\ndcc_num_compiles1 30\n"
	"dcc_num_compiles2 9\ndcc_num_compiles3 9\ndcc_num_procstate_D 0\ndcc_max_RSS 100\n"
	"dcc_max_RSS_name (bash)\ndcc_io_rate -1\ndcc_free_space 1234 MB\n</distccstats>\n";

static void test_parse_34(void **state)
{
	struct live_state s;

	(void)state;
	assert_int_equal(livestate_parse(PAGE_34, strlen(PAGE_34), &s), 0);
	assert_false(s.ours);
	assert_int_equal(s.max_jobs, 6);
	assert_float_equal(s.load1, 1.5, 1e-9);
	assert_int_equal(s.compiles1, 30);
	assert_int_equal(s.failures, 1 + 2 + 3 + 4);
	assert_false(s.has_mem);
	assert_int_equal(s.compiling, 0);
}

static void test_parse_master_free_mem(void **state)
{
	char page[sizeof(PAGE_34) + 64];
	struct live_state s;
	char *end;

	(void)state;
	strcpy(page, PAGE_34);
	end = strstr(page, "</distccstats>");
	strcpy(end, "dcc_free_mem 300 MB\n</distccstats>\n");
	assert_int_equal(livestate_parse(page, strlen(page), &s), 0);
	assert_true(s.has_mem);
	assert_int_equal(s.mem_available, 300 * MB);
}

/* The page our daemon serves, through its own formatter. */
static void test_parse_our_metrics(void **state)
{
	struct stats st;
	struct stats_host h = { .load = { 0.75, 0, 0 }, .mem_available = 2048 * MB, .millicpus = 3500,
				.io_rate = -1 };
	struct buf b = BUF_INIT(1 << 20);
	struct live_state s;

	(void)state;
	stats_init(&st, 8, 1000000);
	stats_job_started(&st, 1000000);
	stats_job_started(&st, 1000000);
	stats_slots(&st, 2, 3);
	stats_job_finished(&st, JOB_COMPILE_TIMEOUT, 2000000);
	assert_int_equal(stats_format_metrics(&st, &h, &b), 0);
	assert_int_equal(livestate_parse((const char *)b.data, b.len, &s), 0);
	assert_true(s.ours);
	assert_int_equal(s.max_jobs, 8);
	assert_int_equal(livestate_limit(&s, 0, 0), 7);   /* 2 a CPU */
	assert_int_equal(s.compiling, 2);
	assert_int_equal(s.queued, 3);
	assert_true(s.has_mem);
	assert_int_equal(s.mem_available, 2048 * MB);
	assert_float_equal(s.cpus, 3.5, 1e-9);
	assert_float_equal(s.load1, 0.75, 1e-9);
	assert_int_equal(s.failures, 1);
	assert_int_equal(s.compiles1, 1);
	assert_non_null(strstr((const char *)b.data, "distccd_free_slots 6\n"));
	buf_free(&b);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"HTTP/1.0 200 OK\n\n<html>hello</html>\n",
		"HTTP/1.0 200 OK\n\n<distccstats>\ndcc_load1 1.0\n</distccstats>\n", /* no slots */
		"# TYPE other gauge\ndistccd_max_jobs 4\n",                          /* not ours */
	};
	struct live_state s = { .max_jobs = 77 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(livestate_parse(bad[i], strlen(bad[i]), &s), -EBADMSG);
	assert_int_equal(s.max_jobs, 77);   /* untouched */
}

static void test_parse_hostile_numbers(void **state)
{
	static const char page[] =
		"<distccstats>\ndcc_max_kids 99999999999\ndcc_load1 -5\ndcc_load1 nan\n"
		"dcc_num_compiles1 1e400\n</distccstats>\n";
	struct live_state s;

	(void)state;
	assert_int_equal(livestate_parse(page, strlen(page), &s), 0);
	assert_int_equal(s.max_jobs, LIVE_MAX_JOBS);
	assert_float_equal(s.load1, 0, 1e-9);
	assert_int_equal(s.compiles1, 0);
}

static void test_limit(void **state)
{
	struct live_state s = { .ours = true, .max_jobs = 8, .cpus = 4 };

	(void)state;
	assert_int_equal(livestate_limit(&s, 0, 100), 8);
	/* load from our own compiles does not count */
	s.compiling = 4;
	s.load1 = 4.0;
	assert_int_equal(livestate_limit(&s, 0, 100), 8);
	/* two CPUs busy with other work: half the slots */
	s.load1 = 6.0;
	assert_int_equal(livestate_limit(&s, 0, 100), 4);
	assert_int_equal(livestate_limit(&s, 0, 50), 6);
	assert_int_equal(livestate_limit(&s, 0, 0), 8);
	/* overloaded: load never takes the last slot */
	s.load1 = 40.0;
	assert_int_equal(livestate_limit(&s, 0, 100), 1);
	/* memory: compiling jobs keep theirs, new ones need job_mem each */
	s.load1 = 0;
	s.has_mem = true;
	s.mem_available = 300 * MB;
	assert_int_equal(livestate_limit(&s, 256 * MB, 100), 4 + 1);
	s.compiling = 0;
	s.mem_available = 100 * MB;
	assert_int_equal(livestate_limit(&s, 256 * MB, 100), 0);
	assert_int_equal(livestate_limit(&s, 0, 100), 8);
	/* a CPU quota: 2 jobs a CPU, at least 1, never above --jobs */
	s.has_mem = false;
	s.cpus = 0.5;
	assert_int_equal(livestate_limit(&s, 0, 0), 1);
	s.cpus = 0.1;
	assert_int_equal(livestate_limit(&s, 0, 0), 1);
	s.cpus = 2.5;
	assert_int_equal(livestate_limit(&s, 0, 0), 5);
	s.cpus = 64;
	assert_int_equal(livestate_limit(&s, 0, 0), 8);
	s.max_jobs = 0;
	assert_int_equal(livestate_limit(&s, 0, 100), 0);
}

static void test_others(void **state)
{
	struct live_state s = { .compiling = 3, .queued = 2 };

	(void)state;
	assert_int_equal(livestate_others(&s, 0), 5);
	assert_int_equal(livestate_others(&s, 4), 1);
	assert_int_equal(livestate_others(&s, 9), 0);
}

/* The next job goes where jobs per slot are fewest: a host with twice the
 * slots takes two jobs for each one of the other. */
static void test_load(void **state)
{
	(void)state;
	assert_true(livestate_load(2, 0) < livestate_load(1, 0));   /* 0.5 < 1 */
	assert_true(livestate_load(2, 1) == livestate_load(1, 0));  /* tie */
	assert_true(livestate_load(2, 2) > livestate_load(1, 0));   /* 1.5 > 1 */
	assert_true(livestate_load(4, 3) < livestate_load(1, 1));
	assert_true(isinf(livestate_load(0, 0)));
}

static void test_record(void **state)
{
	struct live_entry e = { .when = 123456789, .up = true, .reported = false, .mine = 3,
				.st = { .ours = true, .max_jobs = 5, .compiling = 2, .queued = 1,
					.load1 = 1.25, .has_mem = true, .mem_available = 5 * MB,
					.cpus = 0.5, .compiles1 = 17, .failures = 2 } };
	struct live_entry d;
	char line[LIVE_RECORD_MAX];

	(void)state;
	assert_int_equal(live_entry_encode(&e, line, sizeof(line)), 0);
	assert_int_equal(live_entry_decode(line, &d), 0);
	assert_true(d.when == e.when && d.up && !d.reported && d.st.ours);
	assert_int_equal(d.mine, 3);
	assert_int_equal(d.st.max_jobs, 5);
	assert_int_equal(d.st.queued, 1);
	assert_int_equal(d.st.mem_available, 5 * MB);
	assert_float_equal(d.st.load1, 1.25, 1e-9);
	assert_int_equal(d.st.failures, 2);
	assert_float_equal(d.st.cpus, 0.5, 1e-9);
	assert_int_equal(live_entry_encode(&e, line, 10), -ENOBUFS);
	assert_int_equal(live_entry_decode("live2 1 2 0 0 0 1 0 0 0.00 0 0 0 0 0\n", &d), -EBADMSG);
	assert_int_equal(live_entry_decode("live2 1 1 0 0 0 1 0 0 0.00 0 0 0 0\n", &d), -EBADMSG);
	assert_int_equal(live_entry_decode("live2 1 1 0 0 0 1 0 0 0.00 0 0 0 0 0\njunk", &d),
			 -EBADMSG);
	assert_int_equal(live_entry_decode("", &d), -EBADMSG);
	/* the format before "mine" (a cache left by an older distcc): refetched */
	assert_int_equal(live_entry_decode("live1 1 1 0 0 1 0 0 0.00 0 0 0 0 0\n", &d), -EBADMSG);
}

static void test_stale(void **state)
{
	struct live_entry e = { .when = 10 * 1000000ull };

	(void)state;
	assert_false(live_entry_stale(&e, 10500000, 1000000));
	assert_true(live_entry_stale(&e, 11500000, 1000000));
	assert_true(live_entry_stale(&e, 5, 1000000));   /* from the future: a reboot */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_34),
		cmocka_unit_test(test_parse_master_free_mem),
		cmocka_unit_test(test_parse_our_metrics),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_hostile_numbers),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_others),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
