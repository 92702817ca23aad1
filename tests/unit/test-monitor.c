/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's directory rules: prefix selection, stale unlink, bad
 * records, dead pids, host/slot ordering; and the exact line format.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "monitor.h"

static char dir[64];

static void put(const char *name, const struct monstate *s, size_t len, int age_sec)
{
	char p[256];
	uint8_t rec[MONSTATE_SIZE];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	monstate_encode(s, rec);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(rec, 1, len, f), len);
	fclose(f);
	if (age_sec) {
		struct timeval tv[2];

		gettimeofday(&tv[0], NULL);
		tv[0].tv_sec -= age_sec;
		tv[1] = tv[0];
		assert_int_equal(utimes(p, tv), 0);
	}
}

static struct monstate mk(unsigned long pid, const char *file, const char *host, int slot,
			  enum mon_phase ph)
{
	struct monstate s = { .pid = pid, .slot = slot, .phase = ph };

	snprintf(s.file, sizeof(s.file), "%s", file);
	snprintf(s.host, sizeof(s.host), "%s", host);
	return s;
}

static void test_poll_rules(void **state)
{
	unsigned long me = (unsigned long)getpid();
	struct monstate s, *v = NULL;
	char p[256];
	size_t n = 0;

	(void)state;
	strcpy(dir, "/tmp/test-monitor.XXXXXX");
	assert_non_null(mkdtemp(dir));
	s = mk(me, "b.c", "hostB", 1, PHASE_COMPILE);
	put("binstate_1", &s, MONSTATE_SIZE, 0);
	s = mk(me, "a.c", "hostA", 2, PHASE_SEND);
	put("binstate_2", &s, MONSTATE_SIZE, 0);
	s = mk(me, "c.c", "hostA", 0, PHASE_CPP);
	put("binstate_3", &s, MONSTATE_SIZE, 0);
	s = mk(me, "stale.c", "hostA", 0, PHASE_COMPILE);
	put("binstate_4", &s, MONSTATE_SIZE, 120);
	s = mk(me, "short.c", "hostA", 0, PHASE_COMPILE);
	put("binstate_5", &s, 200, 0);
	s = mk(me, "other.c", "hostA", 0, PHASE_COMPILE);
	put("notstate_6", &s, MONSTATE_SIZE, 0);
	put(".tmp-binstate_7.1", &s, MONSTATE_SIZE, 0);
	s = mk(0x7ffffffe, "dead.c", "hostA", 0, PHASE_COMPILE);
	put("binstate_8", &s, MONSTATE_SIZE, 0);
	snprintf(p, sizeof(p), "%s/binstate_9", dir);
	assert_int_equal(mkdir(p, 0755), 0);

	assert_int_equal(monitor_poll(dir, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].file, "c.c"); /* hostA slot 0 */
	assert_string_equal(v[1].file, "a.c"); /* hostA slot 2 */
	assert_string_equal(v[2].file, "b.c"); /* hostB */
	free(v);
	/* the stale record was unlinked, the others left alone */
	snprintf(p, sizeof(p), "%s/binstate_4", dir);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/binstate_8", dir);
	assert_int_equal(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

static void test_missing_dir(void **state)
{
	struct monstate *v = (struct monstate *)1;
	size_t n = 7;

	(void)state;
	assert_int_equal(monitor_poll("/nonexistent/state", &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void test_format(void **state)
{
	struct monstate s = mk(18429, "hello.c", "127.0.0.1", 0, PHASE_COMPILE);
	char line[512];
	int len;

	(void)state;
	len = monitor_format_line(&s, line, sizeof(line));
	assert_int_equal(len, (int)strlen(line));
	assert_string_equal(line, " 18429  Compile     hello.c                                       "
				  "127.0.0.1[0]\n");
	s = mk(7, "a-very-long-file-name-that-is-cut-at-thirty.c",
	       "a.very.long.host.name.example.org", 12, PHASE_CPP);
	monitor_format_line(&s, line, sizeof(line));
	assert_string_equal(line, "     7  Preprocess  a-very-long-file-name-that-is- "
				  "a.very.long.host.name.ex[12]\n");
	assert_int_equal(monitor_format_line(&s, line, 10), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll_rules),
		cmocka_unit_test(test_missing_dir),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
