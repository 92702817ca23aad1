/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the real compiler past masquerade links: a directory of links to
 * a program named distcc is skipped, a real executable further on is found,
 * names with '/' are taken as given, and trimming drops only the
 * directories where the name is such a link.
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

#include "compilerpath.h"

static char top[64], masq[96], real[96], other[96];

static void touch(const char *dir, const char *name, int mode)
{
	char p[160];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT, mode);
	assert_true(fd >= 0);
	close(fd);
}

static int setup(void **state)
{
	char p[160], t[160];

	(void)state;
	strcpy(top, "/tmp/test-compilerpath-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	snprintf(masq, sizeof(masq), "%s/masq", top);
	snprintf(real, sizeof(real), "%s/bin", top);
	snprintf(other, sizeof(other), "%s/other", top);
	mkdir(masq, 0755);
	mkdir(real, 0755);
	mkdir(other, 0755);
	touch(other, "distcc", 0755);
	touch(real, "gcc", 0755);
	touch(real, "noexec", 0644);
	snprintf(p, sizeof(p), "%s/gcc", masq);
	snprintf(t, sizeof(t), "%s/distcc", other);
	if (symlink(t, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/noexec", masq);
	return symlink(t, p) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_find(void **state)
{
	char path[400], want[160], *got = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s:%s", masq, real);
	snprintf(want, sizeof(want), "%s/gcc", real);
	assert_int_equal(compilerpath_find("gcc", path, &got), 0);
	assert_string_equal(got, want);
	free(got);
	assert_int_equal(compilerpath_find("noexec", path, &got), -ENOENT);
	assert_int_equal(compilerpath_find("cc", path, &got), -ENOENT);
	assert_int_equal(compilerpath_find("gcc", masq, &got), -ENOENT);
	assert_int_equal(compilerpath_find("gcc", NULL, &got), -ENOENT);
	assert_int_equal(compilerpath_find("/opt/x/gcc", path, &got), 0);
	assert_string_equal(got, "/opt/x/gcc");
	free(got);
}

static void test_trim(void **state)
{
	char path[400], want[400], *got = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s:%s:%s", real, masq, other);
	snprintf(want, sizeof(want), "%s:%s", real, other);
	assert_int_equal(compilerpath_trim("gcc", path, &got), 0);
	assert_string_equal(got, want);
	free(got);
	/* a name that is no link there keeps every directory */
	assert_int_equal(compilerpath_trim("clang", path, &got), 0);
	assert_string_equal(got, path);
	free(got);
	assert_int_equal(compilerpath_trim("gcc", NULL, &got), 0);
	assert_string_equal(got, "");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_trim),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
