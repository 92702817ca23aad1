/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capacity: MemAvailable, /proc/self/cgroup lines (v1 and v2), limit files
 * and CPU quotas on fixed text, plus one live sample as a sanity check.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../daemon/capacity.h"

static void test_meminfo(void **state)
{
	uint64_t b = 7;

	(void)state;
	assert_int_equal(capacity_parse_meminfo("MemTotal:  100 kB\nMemFree: 5 kB\n"
						"MemAvailable:    2048 kB\nBuffers: 1 kB\n", &b), 0);
	assert_int_equal(b, 2048 * 1024);
	assert_int_equal(capacity_parse_meminfo("MemTotal: 100 kB\n", &b), -EINVAL);
	assert_int_equal(capacity_parse_meminfo("XMemAvailable: 1 kB\n", &b), -EINVAL);
	assert_int_equal(capacity_parse_meminfo("MemAvailable: kB\n", &b), -EINVAL);
	assert_int_equal(b, 2048 * 1024);
}

static void test_cgroup(void **state)
{
	static const char v1[] = "9:name=systemd:/\n4:memory:/a/b\n2:cpu,cpuacct:/c\n0::/\n";
	static const char v2[] = "0::/system.slice/distccd.service\n";
	char out[64];

	(void)state;
	assert_int_equal(capacity_parse_cgroup(v1, "memory", out, sizeof(out)), 0);
	assert_string_equal(out, "/a/b");
	assert_int_equal(capacity_parse_cgroup(v1, "cpu", out, sizeof(out)), 0);
	assert_string_equal(out, "/c");
	assert_int_equal(capacity_parse_cgroup(v1, "cpuset", out, sizeof(out)), -ENOENT);
	assert_int_equal(capacity_parse_cgroup(v1, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(capacity_parse_cgroup(v2, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "/system.slice/distccd.service");
	assert_int_equal(capacity_parse_cgroup(v2, "memory", out, sizeof(out)), -ENOENT);
	assert_int_equal(capacity_parse_cgroup(v2, NULL, out, 8), -EINVAL);
	assert_int_equal(capacity_parse_cgroup("0::relative\n", NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(capacity_parse_cgroup("garbage", NULL, out, sizeof(out)), -ENOENT);
}

static void test_limit_and_quota(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(capacity_parse_limit("max\n", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(capacity_parse_limit("9223372036854771712\n", &v), 0);   /* v1 none */
	assert_true(v == UINT64_MAX);
	assert_int_equal(capacity_parse_limit("104857600\n", &v), 0);
	assert_int_equal(v, 104857600);
	assert_int_equal(capacity_parse_limit("-1\n", &v), -EINVAL);   /* v1 quota "none" */
	assert_int_equal(capacity_parse_limit("x", &v), -EINVAL);
	assert_int_equal(capacity_millicpus_from_quota(50000, 100000), 500);
	assert_int_equal(capacity_millicpus_from_quota(150000, 100000), 1500);
	assert_int_equal(capacity_millicpus_from_quota(400000, 100000), 4000);
	assert_int_equal(capacity_millicpus_from_quota(1, 100000), 1);
	assert_int_equal(capacity_millicpus_from_quota(UINT64_MAX, 100000), UINT32_MAX);
	assert_int_equal(capacity_millicpus_from_quota(5, 0), UINT32_MAX);
}

static void test_live_sample(void **state)
{
	uint64_t mem = 0;
	unsigned cpus = 0;

	(void)state;
	capacity_sample(&mem, &cpus);
	assert_true(mem > 0);
	assert_true(cpus >= 1);   /* thousandths */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_limit_and_quota),
		cmocka_unit_test(test_live_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
