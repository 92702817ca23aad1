/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capability drop, checked in forked children against the kernel's own
 * report in /proc/self/status (not against libcap's view of itself).
 * Needs root; skipped otherwise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>
#include <cmocka.h>

#include "capdrop.h"

static unsigned long long status_hex(const char *key)
{
	char line[256];
	unsigned long long v = ~0ull;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0)
			v = strtoull(line + strlen(key), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* Run @fn in a child; return its exit code. */
static int in_child(int (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int full_drop(void)
{
	bool dropped;

	if (capdrop_bounding(&dropped) < 0 || !dropped)
		return 10;
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0)
		return 11;
	if (capdrop_clear() < 0)
		return 12;
	if (capdrop_verify(true) != 0)
		return 13;
	if (status_hex("CapBnd:") || status_hex("CapPrm:") || status_hex("CapEff:") ||
	    status_hex("CapInh:") || status_hex("CapAmb:"))
		return 14;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 15;
	/* root is gone for good */
	if (setresuid(0, 0, 0) == 0)
		return 16;
	return 0;
}

static int verify_without_drop(void)
{
	/* still root with capabilities: must refuse */
	return capdrop_verify(false) == -EPERM ? 0 : 1;
}

static int clear_but_keep_bounding(void)
{
	if (capdrop_clear() < 0)
		return 1;
	if (status_hex("CapPrm:") || status_hex("CapEff:"))
		return 2;
	/* sets empty and NNP set, but the bounding set is still full */
	if (capdrop_verify(false) != 0)
		return 3;
	return capdrop_verify(true) == -EPERM ? 0 : 4;
}

static int no_nnp(void)
{
	bool dropped;

	if (capdrop_bounding(&dropped) < 0)
		return 1;
	if (setresuid(65534, 65534, 65534) < 0)
		return 2;
	/* caps gone with the uid change, but NO_NEW_PRIVS not set yet */
	return capdrop_verify(true) == -EPERM ? 0 : 3;
}

static void test_full_drop(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_child(full_drop), 0);
}

static void test_verify_refuses_leftovers(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_child(verify_without_drop), 0);
	assert_int_equal(in_child(clear_but_keep_bounding), 0);
	assert_int_equal(in_child(no_nnp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_drop),
		cmocka_unit_test(test_verify_refuses_leftovers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
