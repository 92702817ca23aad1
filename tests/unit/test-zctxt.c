/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Zeroconf records: 3.4's TXT set plus options=, the subtype, what a client
 * reads back, host lines (IPv6 bracketed, link-local refused) and the
 * +zeroconf expansion of a host list.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strv.h"
#include "zctxt.h"

static void test_txt_build(void **state)
{
	struct zc_server_info i = { .cpus = 2, .jobs = 4, .cc_machine = "x86_64-linux-gnu",
				    .cc_version = "12", .gnuhost = "x86_64-pc-linux-gnu",
				    .lzo = true, .cpp = true };
	char **v = NULL;

	(void)state;
	assert_int_equal(zc_txt_build(&i, &v), 0);
	assert_int_equal(strv_length(v), 8);
	assert_string_equal(v[0], "txtvers=1");
	assert_string_equal(v[1], "cpus=2");
	assert_string_equal(v[2], "jobs=4");
	assert_string_equal(v[3], "distcc=3.4");
	assert_string_equal(v[4], "gnuhost=x86_64-pc-linux-gnu");
	assert_string_equal(v[5], "cc_version=12");
	assert_string_equal(v[6], "cc_machine=x86_64-linux-gnu");
	assert_string_equal(v[7], "options=lzo,cpp");
	strv_free(v);
	i.cpp = false;
	i.cc_machine = NULL;
	assert_int_equal(zc_txt_build(&i, &v), 0);
	assert_int_equal(strv_length(v), 7);
	assert_string_equal(v[6], "options=lzo");
	strv_free(v);
}

static void test_subtype(void **state)
{
	char buf[128];
	char longname[80];

	(void)state;
	assert_int_equal(zc_subtype("x86_64-linux-gnu", "12", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "_x86-64-linux-gnu--12._sub._distcc._tcp");
	assert_int_equal(zc_subtype("ARM_Linux", "12.2.0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "_arm-linux--12-2-0._sub._distcc._tcp");
	assert_int_equal(zc_subtype(NULL, "12", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(zc_subtype("x86", "", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(zc_subtype("a", "1", buf, 10), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(zc_subtype(longname, "12", buf, sizeof(buf)), -EINVAL);
}

static void test_txt_parse(void **state)
{
	const char *ours[] = { "txtvers=1", "jobs=6", "options=lzo,cpp", NULL };
	const char *debian[] = { "txtvers=1", "cpus=2", "jobs=4", "distcc=3.4", NULL };
	const char *bad[] = { "jobs=x", "jobs=", "jobs=0", "options=cpp", NULL };
	const char *huge[] = { "jobs=99999999", "options=zstd,lzo", NULL };
	struct zc_found f;

	(void)state;
	zc_txt_parse(ours, &f);
	assert_int_equal(f.jobs, 6);
	assert_true(f.lzo && f.cpp);
	zc_txt_parse(debian, &f);
	assert_int_equal(f.jobs, 4);
	assert_false(f.lzo || f.cpp);
	zc_txt_parse(bad, &f);
	assert_int_equal(f.jobs, ZC_DEFAULT_JOBS);
	assert_false(f.cpp);           /* cpp without lzo is no host spec */
	zc_txt_parse(huge, &f);
	assert_int_equal(f.jobs, ZC_MAX_JOBS);
	assert_true(f.lzo);
	assert_false(f.cpp);
	zc_txt_parse(NULL, &f);
	assert_int_equal(f.jobs, ZC_DEFAULT_JOBS);
}

static void test_host_line(void **state)
{
	struct zc_found f = { .jobs = 6, .lzo = true, .cpp = true };
	struct zc_found plain = { .jobs = 4 };
	char buf[ZC_LINE_MAX];

	(void)state;
	assert_int_equal(zc_host_line("10.203.0.1", 3632, &f, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.203.0.1:3632/6,lzo,cpp");
	assert_int_equal(zc_host_line("10.0.0.5", 4000, &plain, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.5:4000/4");
	assert_int_equal(zc_host_line("fd00::1", 3632, &plain, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[fd00::1]:3632/4");
	assert_int_equal(zc_host_line("fe80::1", 3632, &plain, buf, sizeof(buf)), -EADDRNOTAVAIL);
	assert_int_equal(zc_host_line("host.local", 3632, &plain, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(zc_host_line("10.0.0.5", 0, &plain, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(zc_host_line("10.0.0.5", 3632, &plain, buf, 8), -EINVAL);
}

static void test_expand(void **state)
{
	char *out = NULL;
	bool used;

	(void)state;
	assert_true(zc_mentioned("+zeroconf 10.0.0.5/8"));
	assert_true(zc_mentioned("a\n+zeroconf#x"));
	assert_false(zc_mentioned("# +zeroconf\n10.0.0.5"));
	assert_false(zc_mentioned("x+zeroconf +zeroconfy"));
	assert_false(zc_mentioned(NULL));
	assert_int_equal(zc_expand("+zeroconf 10.0.0.5/8", "1.2.3.4:3632/4\n", &out, &used), 0);
	assert_true(used);
	assert_string_equal(out, " 1.2.3.4:3632/4\n  10.0.0.5/8");
	free(out);
	assert_int_equal(zc_expand("a # +zeroconf\nb", "X", &out, &used), 0);
	assert_false(used);
	assert_string_equal(out, "a # +zeroconf\nb");
	free(out);
	assert_int_equal(zc_expand("+zeroconf", "", &out, &used), 0);
	assert_true(used);
	assert_string_equal(out, "  ");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_build), cmocka_unit_test(test_subtype),
		cmocka_unit_test(test_txt_parse), cmocka_unit_test(test_host_line),
		cmocka_unit_test(test_expand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
