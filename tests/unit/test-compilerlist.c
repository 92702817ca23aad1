/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler list as a table: name stripping, path refusal, lookups in
 * real directories, failing closed when no directory is readable;
 * DISTCC_CMDLIST parsing, matching on the last NUMWORDS components, and
 * replacing the directories. (The
 * always-refused -fplugin=/-specs= arguments are test-jobscan.c's.)
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

#include "compilerlist.h"

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
	assert_string_equal(compilerlist_name("gcc"), "gcc");
	assert_string_equal(compilerlist_name("/usr/bin/gcc"), "gcc");
	assert_string_equal(compilerlist_name("/USR/BIN/gcc"), "gcc");
	assert_string_equal(compilerlist_name("/bin/cc"), "cc");
	assert_string_equal(compilerlist_name("/usr/local/bin/gcc"), "/usr/local/bin/gcc");
	assert_string_equal(compilerlist_name("/usr/bin/x/gcc"), "x/gcc");
}

static void test_table(void **state)
{
	char *dirs[] = { dir, NULL };
	struct compilerlist w = { .dirs = dirs };
	static const struct {
		const char *argv0;
		enum cl_verdict v;
	} t[] = {
		{ "gcc", CL_ALLOW },
		{ "/usr/bin/gcc", CL_ALLOW },
		{ "/bin/gcc", CL_ALLOW },
		{ "x86_64-linux-gnu-g++-12", CL_ALLOW },
		{ "g++", CL_NOT_LISTED },
		{ "notexec", CL_NOT_LISTED },
		{ "bin", CL_NOT_LISTED },
		{ "/usr/local/bin/gcc", CL_PATH },
		{ "/usr/bin/../bin/gcc", CL_PATH },
		{ "./gcc", CL_PATH },
		{ "../gcc", CL_PATH },
		{ "/tmp/gcc", CL_PATH },
		{ "", CL_BAD_NAME },
		{ "..", CL_BAD_NAME },
		{ ".", CL_BAD_NAME },
		{ "/usr/bin/", CL_BAD_NAME },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum cl_verdict v = compilerlist_check(&w, t[i].argv0);

		if (v != t[i].v)
			fail_msg("'%s': got %d want %d", t[i].argv0, v, t[i].v);
	}
}

static void test_fail_closed(void **state)
{
	char *none[] = { (char *)"/nonexistent/distcc-wl", NULL };
	char *empty[] = { NULL };
	char *second[] = { (char *)"/nonexistent/distcc-wl", dir, NULL };
	struct compilerlist w = { .dirs = none };

	(void)state;
	assert_int_equal(compilerlist_check(&w, "gcc"), CL_UNREADABLE);
	w.dirs = empty;
	assert_int_equal(compilerlist_check(&w, "gcc"), CL_UNREADABLE);
	w.dirs = NULL;
	assert_int_equal(compilerlist_check(&w, "gcc"), CL_UNREADABLE);
	w.dirs = second;     /* a missing first dir does not stop the search */
	assert_int_equal(compilerlist_check(&w, "gcc"), CL_ALLOW);
}

static void test_insecure(void **state)
{
	char *none[] = { (char *)"/nonexistent", NULL };
	struct compilerlist w = { .dirs = none, .insecure = true };

	(void)state;
	assert_int_equal(compilerlist_check(&w, "/opt/anything"), CL_ALLOW);
	assert_int_equal(compilerlist_check(&w, ""), CL_BAD_NAME);
}

static void test_cmdlist_parse(void **state)
{
	struct cmdlist l;

	(void)state;
	assert_int_equal(cmdlist_parse("/usr/bin/gcc\n\n# a comment\n  \n/opt/x/bin/cc \r\n"
				       "/last/no/newline", 1, &l), 0);
	assert_non_null(l.paths);
	assert_string_equal(l.paths[0], "/usr/bin/gcc");
	assert_string_equal(l.paths[1], "/opt/x/bin/cc");
	assert_string_equal(l.paths[2], "/last/no/newline");
	assert_null(l.paths[3]);
	cmdlist_free(&l);
	assert_int_equal(cmdlist_parse("", 1, &l), 0);
	assert_null(l.paths);                      /* empty: every lookup fails */
	assert_null(cmdlist_lookup(&l, "gcc"));
	cmdlist_free(&l);
	assert_int_equal(cmdlist_parse("/usr/bin/gcc", 0, &l), -EINVAL);
	assert_int_equal(cmdlist_parse("/usr/bin/gcc", CMDLIST_MAX_NUMWORDS + 1, &l), -EINVAL);
}

static void test_cmdlist_lookup(void **state)
{
	struct cmdlist l;

	(void)state;
	assert_int_equal(cmdlist_parse("/usr/bin/gcc\n/local/tools/gcc-3.3.3/bin/sh4-linux-gcc\n",
				       1, &l), 0);
	assert_string_equal(cmdlist_lookup(&l, "gcc"), "/usr/bin/gcc");
	assert_string_equal(cmdlist_lookup(&l, "/opt/elsewhere/gcc"), "/usr/bin/gcc");
	assert_string_equal(cmdlist_lookup(&l, "sh4-linux-gcc"),
			    "/local/tools/gcc-3.3.3/bin/sh4-linux-gcc");
	assert_null(cmdlist_lookup(&l, "cc"));
	assert_null(cmdlist_lookup(&l, "gcc-12"));
	assert_null(cmdlist_lookup(&l, ""));
	assert_null(cmdlist_lookup(&l, NULL));
	cmdlist_free(&l);
	/* NUMWORDS=3: 3.4's man page example, a remap between two trees */
	assert_int_equal(cmdlist_parse("/local/tools/gcc-3.3.3/bin/sh4-linux-gcc\n", 3, &l), 0);
	assert_string_equal(cmdlist_lookup(&l, "/shared/gcc-3.3.3/bin/sh4-linux-gcc"),
			    "/local/tools/gcc-3.3.3/bin/sh4-linux-gcc");
	assert_null(cmdlist_lookup(&l, "/shared/gcc-4.0/bin/sh4-linux-gcc"));
	assert_null(cmdlist_lookup(&l, "sh4-linux-gcc"));        /* fewer words: no match */
	cmdlist_free(&l);
}

static void test_cmdlist_replaces_dirs(void **state)
{
	struct cmdlist l;
	char *dirs[] = { dir, NULL };
	char *none[] = { (char *)"/nonexistent", NULL };
	struct compilerlist w = { .dirs = dirs, .cmdlist = &l };

	(void)state;
	assert_int_equal(cmdlist_parse("/usr/bin/cc\n", 1, &l), 0);
	/* gcc is in the masquerade dir, but the list is the only one that counts */
	assert_int_equal(compilerlist_check(&w, "gcc"), CL_NOT_IN_CMDLIST);
	assert_int_equal(compilerlist_check(&w, "cc"), CL_ALLOW);
	assert_int_equal(compilerlist_check(&w, "/usr/bin/cc"), CL_ALLOW);   /* paths match too */
	assert_int_equal(compilerlist_check(&w, ""), CL_BAD_NAME);
	w.dirs = none;                           /* no masquerade dir needed */
	assert_int_equal(compilerlist_check(&w, "cc"), CL_ALLOW);
	w.insecure = true;                       /* and insecure does not lift it */
	assert_int_equal(compilerlist_check(&w, "gcc"), CL_NOT_IN_CMDLIST);
	assert_string_equal(compilerlist_verdict_to_string(CL_NOT_IN_CMDLIST),
			    "compiler is not in DISTCC_CMDLIST");
	cmdlist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),	    cmocka_unit_test(test_table),
		cmocka_unit_test(test_fail_closed), cmocka_unit_test(test_insecure),
		cmocka_unit_test(test_cmdlist_parse), cmocka_unit_test(test_cmdlist_lookup),
		cmocka_unit_test(test_cmdlist_replaces_dirs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
