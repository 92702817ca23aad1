/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The logging sink's line format: distcc 3.4's severity words ("ERROR: ",
 * "Warning: ", nothing for notice/info/debug), which users grep for, in the
 * log file and on the capture buffer the daemon sends back on SERR.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../common/log.h"

static void test_prefixes(void **state)
{
	(void)state;
	assert_string_equal(log_severity_prefix(LOG_EMERG), "EMERGENCY! ");
	assert_string_equal(log_severity_prefix(LOG_ALERT), "ALERT! ");
	assert_string_equal(log_severity_prefix(LOG_CRIT), "CRITICAL! ");
	assert_string_equal(log_severity_prefix(LOG_ERR), "ERROR: ");
	assert_string_equal(log_severity_prefix(LOG_WARNING), "Warning: ");
	assert_string_equal(log_severity_prefix(LOG_NOTICE), "");
	assert_string_equal(log_severity_prefix(LOG_INFO), "");
	assert_string_equal(log_severity_prefix(LOG_DEBUG), "");
}

/* Everything written to the file after its "YYYY-MM-DD HH:MM:SS " stamp. */
static char *file_lines_without_stamps(const char *path)
{
	static char out[4096];
	char line[1024];
	FILE *f = fopen(path, "r");
	size_t len = 0;

	assert_non_null(f);
	out[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		assert_true(strlen(line) > 20 && line[4] == '-' && line[13] == ':' && line[19] == ' ');
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s", line + 20);
	}
	fclose(f);
	return out;
}

static void test_file_lines(void **state)
{
	char path[] = "/tmp/distcc-test-log-XXXXXX", want[1024];
	int fd = mkstemp(path);
	long pid = (long)getpid();

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	log_set_ident("distccd");
	log_set_max_level(LOG_DEBUG);
	assert_int_equal(log_to_file(path), 0);
	log_error("cannot open '%s'", "x");
	assert_int_equal(log_warning_errno(-ENOENT, "no '%s': %m", "y"), -ENOENT);
	log_notice("listening");
	log_info("client: 127.0.0.1 COMPILE_OK");
	log_debug("detail");
	log_crit("bad");
	log_to_stderr();
	snprintf(want, sizeof(want),
		 "distccd[%ld] ERROR: cannot open 'x'\n"
		 "distccd[%ld] Warning: no 'y': %s\n"
		 "distccd[%ld] listening\n"
		 "distccd[%ld] client: 127.0.0.1 COMPILE_OK\n"
		 "distccd[%ld] detail\n"
		 "distccd[%ld] CRITICAL! bad\n",
		 pid, pid, strerror(ENOENT), pid, pid, pid, pid);
	assert_string_equal(file_lines_without_stamps(path), want);
	unlink(path);
}

static void test_capture(void **state)
{
	struct buf b = BUF_INIT(4096);
	char want[256];

	(void)state;
	log_set_ident("distccd");
	log_set_max_level(LOG_CRIT); /* captured even when not shown */
	log_capture(&b, LOG_WARNING);
	log_warning("refusing '%s'", "-fplugin=x");
	log_info("not captured");
	log_capture(NULL, LOG_WARNING);
	snprintf(want, sizeof(want), "distccd[%ld] Warning: refusing '-fplugin=x'\n", (long)getpid());
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_file_lines),
		cmocka_unit_test(test_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
