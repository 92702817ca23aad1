/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's environment reader: defaults, every variable, and invalid
 * values that must keep the default and be reported.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../client/config.h"

static void test_defaults(void **state)
{
	const char *env[] = { "HOME=/home/u", NULL };
	struct client_config c;
	const char *bad = "x";

	(void)state;
	assert_int_equal(config_parse(env, 1000, &c, &bad), 0);
	assert_null(bad);
	assert_null(c.hosts);
	assert_string_equal(c.dir, "/home/u/.distcc");
	assert_false(c.verbose);
	assert_null(c.log_file);
	assert_int_equal(c.err_fd, -1);
	assert_true(c.fallback);
	assert_false(c.skip_local_retry);
	assert_int_equal(c.backoff_sec, 60);
	assert_true(c.io_timeout == 300 * USEC_PER_SEC);
	assert_int_equal(c.pause_msec, 1000);
	assert_false(c.save_temps);
	assert_false(c.no_rewrite_cross);
	assert_string_equal(c.tmpdir, "/tmp");
	assert_null(c.ssh);
	assert_int_equal(c.safeguard, 0);
	assert_null(c.include_server_port);
	assert_int_equal(c.max_discrepancy, 1);
	assert_null(c.cpath_var);
	assert_null(c.deps_env_var);
	config_free(&c);
}

static void test_pump_vars(void **state)
{
	const char *env[] = { "HOME=/h", "INCLUDE_SERVER_PORT=/tmp/p/socket",
			"DISTCC_MAX_DISCREPANCY=3", "CPLUS_INCLUDE_PATH=", "SUNPRO_DEPENDENCIES=x",
			NULL };
	const char *bad_env[] = { "HOME=/h", "DISTCC_MAX_DISCREPANCY=0", "INCLUDE_SERVER_PORT=",
			NULL };
	struct client_config c;
	const char *bad = "x";

	(void)state;
	assert_int_equal(config_parse(env, 0, &c, &bad), 0);
	assert_null(bad);
	assert_string_equal(c.include_server_port, "/tmp/p/socket");
	assert_int_equal(c.max_discrepancy, 3);
	assert_string_equal(c.cpath_var, "CPLUS_INCLUDE_PATH"); /* set, even empty */
	assert_string_equal(c.deps_env_var, "SUNPRO_DEPENDENCIES");
	config_free(&c);
	assert_int_equal(config_parse(bad_env, 0, &c, &bad), 0);
	assert_string_equal(bad, "DISTCC_MAX_DISCREPANCY");
	assert_int_equal(c.max_discrepancy, 1);
	assert_null(c.include_server_port);
	config_free(&c);
}

static void test_all_set(void **state)
{
	const char *env[] = { "DISTCC_HOSTS=", "DISTCC_DIR=/d", "DISTCC_VERBOSE=1", "DISTCC_LOG=/l",
			"UNCACHED_ERR_FD=7", "DISTCC_FALLBACK=0", "DISTCC_SKIP_LOCAL_RETRY=",
			"DISTCC_BACKOFF_PERIOD=0", "DISTCC_IO_TIMEOUT=5",
			"DISTCC_PAUSE_TIME_MSEC=20", "DISTCC_SAVE_TEMPS=1",
			"DISTCC_NO_REWRITE_CROSS=1", "TMPDIR=/t", "DISTCC_SSH=ssh -p 2",
			"PATH=/a:/b", "_DISTCC_SAFEGUARD=2", "HOME=/h", NULL };
	struct client_config c;
	const char *bad = "x";

	(void)state;
	assert_int_equal(config_parse(env, 0, &c, &bad), 0);
	assert_null(bad);
	assert_non_null(c.hosts);
	assert_string_equal(c.hosts, ""); /* set but empty is a list with no hosts */
	assert_string_equal(c.dir, "/d");
	assert_true(c.verbose);
	assert_string_equal(c.log_file, "/l");
	assert_int_equal(c.err_fd, 7);
	assert_false(c.fallback);
	assert_true(c.skip_local_retry);
	assert_int_equal(c.backoff_sec, 0);
	assert_true(c.io_timeout == 5 * USEC_PER_SEC);
	assert_int_equal(c.pause_msec, 20);
	assert_true(c.save_temps);
	assert_true(c.no_rewrite_cross);
	assert_string_equal(c.tmpdir, "/t");
	assert_string_equal(c.ssh, "ssh -p 2");
	assert_string_equal(c.path, "/a:/b");
	assert_int_equal(c.safeguard, 2);
	config_free(&c);
}

static void test_invalid_keeps_default(void **state)
{
	const char *env[] = { "DISTCC_IO_TIMEOUT=abc", "DISTCC_BACKOFF_PERIOD=-1",
			"DISTCC_VERBOSE=yes", "DISTCC_FALLBACK=2", NULL };
	struct client_config c;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(config_parse(env, 42, &c, &bad), 0);
	assert_string_equal(bad, "DISTCC_BACKOFF_PERIOD"); /* first in reading order */
	assert_true(c.io_timeout == 300 * USEC_PER_SEC);
	assert_int_equal(c.backoff_sec, 60);
	assert_false(c.verbose);   /* only "1" and "0" mean anything */
	assert_true(c.fallback);
	assert_string_equal(c.dir, "/tmp/distcc-42"); /* no HOME */
	config_free(&c);
}

static void test_io_timeout_zero_rejected(void **state)
{
	const char *env[] = { "DISTCC_IO_TIMEOUT=0", "UNCACHED_ERR_FD=x", NULL };
	struct client_config c;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(config_parse(env, 1, &c, &bad), 0);
	assert_string_equal(bad, "DISTCC_IO_TIMEOUT");
	assert_true(c.io_timeout == 300 * USEC_PER_SEC);
	assert_int_equal(c.err_fd, -1);
	config_free(&c);
}

static void test_getenv_exact_name(void **state)
{
	const char *env[] = { "DISTCC_HOSTSX=a", "DISTCC_HOST=b", "DISTCC_HOSTS=c", NULL };

	(void)state;
	assert_string_equal(config_getenv(env, "DISTCC_HOSTS"), "c");
	assert_null(config_getenv(env, "DISTCC"));
	assert_null(config_getenv(NULL, "PATH"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_pump_vars),
		cmocka_unit_test(test_all_set),
		cmocka_unit_test(test_invalid_keeps_default),
		cmocka_unit_test(test_io_timeout_zero_rejected),
		cmocka_unit_test(test_getenv_exact_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
