/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The /proc parsers behind the stats page's host figures, on fixed text
 * (including hostile process names), plus one live sample as a sanity check.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemon/sysinfo.h"

static void test_loadavg(void **state)
{
	double load[3];
	int running = -1;

	(void)state;
	assert_int_equal(sysinfo_parse_loadavg("0.52 0.58 1.59 2/345 12345\n", load, &running), 0);
	assert_float_equal(load[0], 0.52, 1e-9);
	assert_float_equal(load[2], 1.59, 1e-9);
	assert_int_equal(running, 2);
	assert_int_equal(sysinfo_parse_loadavg("0.52 0.58 2/345 1\n", load, &running), -EINVAL);
	assert_int_equal(sysinfo_parse_loadavg("0.52 0.58 1.59 x/345 1\n", load, &running), -EINVAL);
	assert_int_equal(sysinfo_parse_loadavg("0.52 0.58 1.59 345 1\n", load, &running), -EINVAL);
	assert_int_equal(sysinfo_parse_loadavg("nan 0.58 1.59 1/345 1\n", load, &running), -EINVAL);
	assert_int_equal(sysinfo_parse_loadavg("", load, &running), -EINVAL);
}

static void test_proc_stat(void **state)
{
	struct sysinfo_proc p;

	(void)state;
	assert_int_equal(sysinfo_parse_proc_stat(
				 "123 (cc1) R 1 123 123 0 -1 4194304 100 0 0 0 5 1 0 0 20 0 1 0 "
				 "500 1000000 777 18446744073709551615 1 1 0 0 0\n", &p), 0);
	assert_int_equal(p.state, 'R');
	assert_string_equal(p.name, "(cc1)");
	assert_int_equal(p.rss_pages, 777);
	/* a name with spaces and ')' is taken up to the last ')' */
	assert_int_equal(sysinfo_parse_proc_stat(
				 "9 (a) b) D) D 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 1 42\n", &p), 0);
	assert_int_equal(p.state, 'D');
	assert_string_equal(p.name, "(a) b) D)");
	assert_int_equal(p.rss_pages, 42);
	assert_int_equal(sysinfo_parse_proc_stat("9 (x) S 1 2 3\n", &p), -EINVAL);
	assert_int_equal(sysinfo_parse_proc_stat("9 x S 1 2 3\n", &p), -EINVAL);
	assert_int_equal(sysinfo_parse_proc_stat("9 (x)", &p), -EINVAL);
	assert_int_equal(sysinfo_parse_proc_stat("", &p), -EINVAL);
}

static void test_compiler_names(void **state)
{
	(void)state;
	assert_true(sysinfo_is_compiler_name("(gcc)"));
	assert_true(sysinfo_is_compiler_name("(g++)"));
	assert_true(sysinfo_is_compiler_name("(x86_64-linux-gnu-gcc)"));
	assert_false(sysinfo_is_compiler_name("(cc1)"));
	assert_false(sysinfo_is_compiler_name("(python3)"));
	assert_false(sysinfo_is_compiler_name("()"));
}

static bool only_sd(const char *dev, void *ud)
{
	(void)ud;
	return strncmp(dev, "sd", 2) == 0 && strlen(dev) == 3;
}

static void test_diskstats(void **state)
{
	static const char text[] =
		"   8       0 sda 100 0 1000 10 50 0 400 20 0 30 30 0 0 0 0\n"
		"   8       1 sda1 90 0 900 10 40 0 300 20 0 30 30\n"
		"   7       0 loop0 1 0 8 0 0 0 0 0 0 0 0\n";
	uint64_t sectors = 0;

	(void)state;
	assert_int_equal(sysinfo_parse_diskstats(text, only_sd, NULL, &sectors), 0);
	assert_int_equal(sectors, 1400);
	assert_int_equal(sysinfo_parse_diskstats(text, NULL, NULL, &sectors), 0);
	assert_int_equal(sectors, 1400 + 1200 + 8);
	assert_int_equal(sysinfo_parse_diskstats("8 0 sda 1 2\n", NULL, NULL, &sectors), -EINVAL);
	assert_int_equal(sysinfo_parse_diskstats("", NULL, NULL, &sectors), 0);
	assert_int_equal(sectors, 0);
}

static void test_rate(void **state)
{
	struct sysinfo_state st = SYSINFO_STATE_INIT;

	(void)state;
	sysinfo_update_rate(&st, 1000, 10 * USEC_PER_SEC);
	assert_int_equal(st.rate, -1);
	sysinfo_update_rate(&st, 1000, 10 * USEC_PER_SEC); /* no time passed */
	assert_int_equal(st.rate, -1);
	sysinfo_update_rate(&st, 3000, 12 * USEC_PER_SEC);
	assert_int_equal(st.rate, 1000);
	sysinfo_update_rate(&st, 100, 13 * USEC_PER_SEC);  /* counter reset: keep old rate */
	assert_int_equal(st.rate, 1000);
}

static void test_live_sample(void **state)
{
	struct sysinfo_state st = SYSINFO_STATE_INIT;
	struct stats_host h;

	(void)state;
	sysinfo_sample(&st, "/tmp", 1, &h);
	assert_true(h.running_tasks >= 1);   /* at least this process */
	assert_true(h.max_rss_kb > 0);
	assert_true(h.max_rss_name[0] == '(');
	assert_true(h.free_bytes > 0);
	assert_int_equal(h.io_rate, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loadavg),
		cmocka_unit_test(test_proc_stat),
		cmocka_unit_test(test_compiler_names),
		cmocka_unit_test(test_diskstats),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_live_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
