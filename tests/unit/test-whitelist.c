/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler whitelist as a table: name stripping, path refusal, lookups
 * in real directories, failing closed when no directory is readable, and
 * the always-refused -fplugin=/-specs= arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "whitelist.h"

static char dir[64];

static int setup(void **state)
{
	char p[128];
	int fd;

	(void)state;
	strcpy(dir, "/tmp/test-whitelist-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(p, sizeof(p), "%s/gcc", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0755);
	close(fd);
	snprintf(p, sizeof(p), "%s/notexec", dir);
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	close(fd);
	snprintf(p, sizeof(p), "%s/bin", dir);   /* makepkg's masquerade subdir */
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/x86_64-linux-gnu-g++-12", dir);
	return symlink("/bin/true", p);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_name(void **state)
{
	(void)state;
	assert_string_equal(whitelist_compiler_name("gcc"), "gcc");
	assert_string_equal(whitelist_compiler_name("/usr/bin/gcc"), "gcc");
	assert_string_equal(whitelist_compiler_name("/USR/BIN/gcc"), "gcc");
	assert_string_equal(whitelist_compiler_name("/bin/cc"), "cc");
	assert_string_equal(whitelist_compiler_name("/usr/local/bin/gcc"), "/usr/local/bin/gcc");
	assert_string_equal(whitelist_compiler_name("/usr/bin/x/gcc"), "x/gcc");
}

static void test_table(void **state)
{
	char *dirs[] = { dir, NULL };
	struct whitelist w = { .dirs = dirs };
	static const struct {
		const char *argv0;
		enum wl_verdict v;
	} t[] = {
		{ "gcc", WL_ALLOW },
		{ "/usr/bin/gcc", WL_ALLOW },
		{ "/bin/gcc", WL_ALLOW },
		{ "x86_64-linux-gnu-g++-12", WL_ALLOW },
		{ "g++", WL_NOT_LISTED },
		{ "notexec", WL_NOT_LISTED },
		{ "bin", WL_NOT_LISTED },
		{ "/usr/local/bin/gcc", WL_PATH },
		{ "/usr/bin/../bin/gcc", WL_PATH },
		{ "./gcc", WL_PATH },
		{ "../gcc", WL_PATH },
		{ "/tmp/gcc", WL_PATH },
		{ "", WL_BAD_NAME },
		{ "..", WL_BAD_NAME },
		{ ".", WL_BAD_NAME },
		{ "/usr/bin/", WL_BAD_NAME },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum wl_verdict v = whitelist_check_compiler(&w, t[i].argv0);

		if (v != t[i].v)
			fail_msg("'%s': got %d want %d", t[i].argv0, v, t[i].v);
	}
}

static void test_fail_closed(void **state)
{
	char *none[] = { (char *)"/nonexistent/distcc-wl", NULL };
	char *empty[] = { NULL };
	char *second[] = { (char *)"/nonexistent/distcc-wl", dir, NULL };
	struct whitelist w = { .dirs = none };

	(void)state;
	assert_int_equal(whitelist_check_compiler(&w, "gcc"), WL_UNREADABLE);
	w.dirs = empty;
	assert_int_equal(whitelist_check_compiler(&w, "gcc"), WL_UNREADABLE);
	w.dirs = NULL;
	assert_int_equal(whitelist_check_compiler(&w, "gcc"), WL_UNREADABLE);
	w.dirs = second;     /* a missing first dir does not stop the search */
	assert_int_equal(whitelist_check_compiler(&w, "gcc"), WL_ALLOW);
}

static void test_insecure(void **state)
{
	char *none[] = { (char *)"/nonexistent", NULL };
	struct whitelist w = { .dirs = none, .insecure = true };
	char *plugin[] = { (char *)"gcc", (char *)"-c", (char *)"-fplugin=/tmp/x.so", NULL };

	(void)state;
	assert_int_equal(whitelist_check_compiler(&w, "/opt/anything"), WL_ALLOW);
	assert_int_equal(whitelist_check_compiler(&w, ""), WL_BAD_NAME);
	/* arguments are refused even when insecure */
	assert_int_equal(whitelist_check(&w, plugin), WL_PLUGIN);
}

static void test_args(void **state)
{
	char *dirs[] = { dir, NULL };
	struct whitelist w = { .dirs = dirs };
	char *ok[] = { (char *)"gcc", (char *)"-c", (char *)"a.c", (char *)"-o", (char *)"a.o", NULL };
	char *plugin[] = { (char *)"gcc", (char *)"-fplugin=x.so", (char *)"-c", NULL };
	char *specs[] = { (char *)"gcc", (char *)"-c", (char *)"-specs=evil", NULL };
	char *specs2[] = { (char *)"gcc", (char *)"--specs=evil", NULL };
	char *both[] = { (char *)"g++", (char *)"-fplugin=x.so", NULL };

	(void)state;
	assert_int_equal(whitelist_check(&w, ok), WL_ALLOW);
	assert_int_equal(whitelist_check(&w, plugin), WL_PLUGIN);
	assert_int_equal(whitelist_check(&w, specs), WL_SPECS);
	assert_int_equal(whitelist_check(&w, specs2), WL_SPECS);
	assert_int_equal(whitelist_check(&w, both), WL_NOT_LISTED);   /* compiler first */
	assert_non_null(whitelist_verdict_to_string(WL_PLUGIN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),	    cmocka_unit_test(test_table),
		cmocka_unit_test(test_fail_closed), cmocka_unit_test(test_insecure),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
