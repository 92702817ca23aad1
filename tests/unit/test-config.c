/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccd option parsing: defaults, every distcc 3.4 option accepted, strict
 * numbers, unsupported features refused, and our additions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../daemon/config.h"

static int parse(struct daemon_config *c, enum config_action *a, ...)
{
	char *argv[64] = { (char *)"distccd" };
	int argc = 1;
	va_list ap;

	va_start(ap, a);
	for (char *s; (s = va_arg(ap, char *));)
		argv[argc++] = s;
	va_end(ap);
	config_init(c);
	return config_parse_argv(c, argc, argv, a);
}

static void test_defaults(void **state)
{
	struct daemon_config c;
	enum config_action a;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_int_equal(a, CONFIG_RUN);
	assert_int_equal(c.port, 3632);
	assert_int_equal(c.jobs, (unsigned)ncpu + 2);
	/* issue 10: one address gets half the slots, reading costs none */
	assert_int_equal(c.max_per_source, c.jobs / 2 ? c.jobs / 2 : 1);
	assert_true(c.max_per_source < c.jobs);
	assert_int_equal(c.max_connections, 8 * c.jobs);
	assert_int_equal(c.head_timeout, 5 * USEC_PER_SEC);
	assert_int_equal(c.job_lifetime, 300 * USEC_PER_SEC);
	assert_int_equal(c.nice, 5);
	assert_int_equal(c.mode, MODE_AUTO);
	assert_int_equal(c.log_level, LOG_NOTICE);
	assert_int_equal(c.io_timeout, 300 * USEC_PER_SEC);
	assert_false(c.allow_given);
	assert_false(c.insecure);
	assert_null(c.listen);
	config_done(&c);
}

static void test_all_34_options(void **state)
{
	struct daemon_config c;
	enum config_action a;

	(void)state;
	assert_int_equal(parse(&c, &a, "--daemon", "-a", "10.0.0.0/8", "--allow", "::1",
			       "--allow-private", "-j", "7", "--jobs", "9", "-N", "3", "--nice", "10",
			       "-p", "4000", "--port", "4001", "-P", "/run/x.pid", "--listen", "::",
			       "--listen", "127.0.0.1", "--user", "nobody", "--log-file", "/tmp/l",
			       "--log-level", "info", "--log-stderr", "--no-detach", "--no-fork",
			       "--no-fifo", "--lifetime", "30", "--job-lifetime", "2.5", "--stats",
			       "--stats-port", "4002", "--enable-tcp-insecure", NULL),
			 0);
	assert_int_equal(c.mode, MODE_DAEMON);
	assert_int_equal(c.jobs, 9);
	assert_int_equal(c.nice, 10);
	assert_int_equal(c.port, 4001);
	assert_string_equal(c.pid_file, "/run/x.pid");
	assert_string_equal(c.listen[0], "::");
	assert_string_equal(c.listen[1], "127.0.0.1");
	assert_null(c.listen[2]);
	assert_string_equal(c.user, "nobody");
	assert_int_equal(c.log_level, LOG_INFO);
	assert_true(c.log_stderr && c.no_detach && c.no_fork && c.stats && c.insecure);
	assert_true(c.allow_given);
	assert_int_equal(c.allow.n, 2 + 7);
	assert_int_equal(c.lifetime, 30 * USEC_PER_SEC);
	assert_int_equal(c.job_lifetime, 2500 * USEC_PER_MSEC);
	assert_int_equal(c.stats_port, 4002);
	config_done(&c);

	assert_int_equal(parse(&c, &a, "--job-address-space", "2G", "--job-file-size", "64m", NULL), 0);
	assert_true(c.job_as_bytes == 2ull << 30);
	assert_true(c.job_fsize_bytes == 64ull << 20);
	config_done(&c);
	assert_int_equal(parse(&c, &a, "--job-address-space", "infinity", "--job-file-size", "1M",
			       NULL), 0);
	assert_true(c.job_as_bytes == UINT64_MAX);
	assert_true(c.job_fsize_bytes == 1ull << 20);
	config_done(&c);
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_true(c.job_as_bytes == 0 && c.job_fsize_bytes == 0);   /* the sandbox's defaults */
	config_done(&c);

	assert_int_equal(parse(&c, &a, "--inetd", "--make-me-a-botnet", "--verbose", NULL), 0);
	assert_int_equal(c.mode, MODE_INETD);
	assert_true(c.insecure);
	assert_int_equal(c.log_level, LOG_DEBUG);
	config_done(&c);

	assert_int_equal(parse(&c, &a, "--wizard", NULL), 0);
	assert_true(c.no_detach && c.log_stderr);
	assert_int_equal(c.mode, MODE_DAEMON);
	config_done(&c);
}

static void test_ours(void **state)
{
	struct daemon_config c;
	enum config_action a;

	(void)state;
	assert_int_equal(parse(&c, &a, "--masquerade-dir", "/a", "--masquerade-dir", "/b",
			       "--io-timeout", "7", "--max-per-source", "3", "-j", "5", NULL), 0);
	assert_string_equal(c.masquerade_dirs[0], "/a");
	assert_string_equal(c.masquerade_dirs[1], "/b");
	assert_int_equal(c.io_timeout, 7 * USEC_PER_SEC);
	assert_int_equal(c.max_per_source, 3);
	assert_int_equal(c.max_connections, 40);
	config_done(&c);
	assert_int_equal(parse(&c, &a, "--head-timeout", "2", "--job-lifetime", "0",
			       "--max-per-source", "30", "--max-connections", "10", NULL), 0);
	assert_int_equal(c.head_timeout, 2 * USEC_PER_SEC);
	assert_int_equal(c.job_lifetime, 0);                  /* no wall-clock limit */
	assert_int_equal(c.max_connections, 60);              /* room for one source's share */
	config_done(&c);
}

static void test_help_version(void **state)
{
	struct daemon_config c;
	enum config_action a;

	(void)state;
	assert_int_equal(parse(&c, &a, "--help", NULL), 0);
	assert_int_equal(a, CONFIG_HELP);
	config_done(&c);
	assert_int_equal(parse(&c, &a, "--version", NULL), 0);
	assert_int_equal(a, CONFIG_VERSION);
	config_done(&c);
}

static void test_bad(void **state)
{
	static const char *const bad[][3] = {
		{ "--bogus" },		   { "-j", "0" },	    { "-j", "x" },
		{ "--jobs", "-1" },	   { "--jobs", "1e3" },	    { "-p", "0" },
		{ "-p", "65536" },	   { "--port", " 80" },	    { "-N", "abc" },
		{ "--allow", "10.0.0.1/33" }, { "-a", "nothost" }, { "--log-level", "loud" },
		{ "--lifetime", "soon" },  { "--head-timeout", "0" }, { "--io-timeout", "0" },
		{ "--max-per-source", "0" }, { "stray-arg" },	    { "-j" },
		{ "--stats-port", "99999" }, { "--max-connections", "0" }, { "--job-lifetime", "x" },
		{ "--job-address-space", "1023K" }, { "--job-address-space", "8GB" },
		{ "--job-file-size", "0" },  { "--job-file-size", "-1" },
		{ "--job-file-size", "huge" },
	};
	struct daemon_config c;
	enum config_action a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&c, &a, bad[i][0], bad[i][1], NULL), -EINVAL);
		config_done(&c);
	}
}

static void test_unsupported(void **state)
{
	static const char *const opts[][2] = {
		{ "--auth" }, { "--whitelist", "/f" }, { "--blacklist", "/f" },
		{ "--show-principal" },
	};
	struct daemon_config c;
	enum config_action a;

	(void)state;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		assert_int_equal(parse(&c, &a, opts[i][0], opts[i][1], NULL), -EOPNOTSUPP);
		config_done(&c);
	}
}

static void test_zeroconf(void **state)
{
	struct daemon_config c;
	enum config_action a;

	(void)state;
	assert_int_equal(parse(&c, &a, "--zeroconf", NULL, NULL), 0);
	assert_true(c.zeroconf);
	assert_false(c.zeroconf_publish);
	config_done(&c);
	assert_int_equal(parse(&c, &a, "--zeroconf-publish", NULL, NULL), 0);
	assert_true(c.zeroconf && c.zeroconf_publish);
	config_done(&c);
}

static void test_env(void **state)
{
	struct daemon_config c;
	enum config_action a;

	(void)state;
	setenv("DISTCCD_PATH", "/opt/cc/bin", 1);
	setenv("DISTCC_SAVE_TEMPS", "1", 1);
	setenv("DISTCC_IO_TIMEOUT", "12", 1);
	setenv("TMPDIR", "relative", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_int_equal(config_load_env(&c), 0);
	assert_string_equal(c.path, "/opt/cc/bin");
	assert_true(c.save_temps);
	assert_int_equal(c.io_timeout, 12 * USEC_PER_SEC);
	assert_string_equal(c.tmpdir, "/tmp");     /* relative TMPDIR ignored */
	assert_non_null(c.locale_env);
	config_done(&c);
	setenv("DISTCC_IO_TIMEOUT", "never", 1);
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_int_equal(config_load_env(&c), -EINVAL);
	config_done(&c);
	unsetenv("DISTCC_IO_TIMEOUT");
	unsetenv("DISTCCD_PATH");
	unsetenv("DISTCC_SAVE_TEMPS");
	unsetenv("TMPDIR");
}

static void test_env_cmdlist(void **state)
{
	char path[] = "/tmp/test-config-cmdlist-XXXXXX";
	struct daemon_config c;
	enum config_action a;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "/usr/bin/gcc\n", 13), 13);
	close(fd);
	setenv("DISTCC_CMDLIST", path, 1);
	setenv("DISTCC_CMDLIST_NUMWORDS", "2", 1);
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_int_equal(config_load_env(&c), 0);
	assert_true(c.has_cmdlist);
	assert_string_equal(c.cmdlist.paths[0], "/usr/bin/gcc");
	assert_int_equal(c.cmdlist.numwords, 2);
	config_done(&c);
	setenv("DISTCC_CMDLIST_NUMWORDS", "0", 1);      /* a bad setting, not a default */
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_int_equal(config_load_env(&c), -EINVAL);
	config_done(&c);
	unsetenv("DISTCC_CMDLIST_NUMWORDS");
	unlink(path);                                  /* unreadable: fail, never open */
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_int_equal(config_load_env(&c), -ENOENT);
	config_done(&c);
	unsetenv("DISTCC_CMDLIST");
	assert_int_equal(parse(&c, &a, NULL), 0);
	assert_int_equal(config_load_env(&c), 0);
	assert_false(c.has_cmdlist);
	config_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_all_34_options),
		cmocka_unit_test(test_env_cmdlist),
		cmocka_unit_test(test_ours),	     cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_bad),	     cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_zeroconf),
		cmocka_unit_test(test_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
