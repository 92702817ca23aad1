/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pump-mode argv and .d location: the -MT distcc 3.4 appends, chosen so the
 * server's .d names the target a local -MD build writes, and the rules that
 * keep a job in plain mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../client/pumpargs.h"
#include "../../common/parse.h"

/* Classify @argv (must be REMOTE), build the pump args, join argv[1..]. */
static void build(const char *const *argv, char *joined, size_t n, char **ret_dotd)
{
	struct argscan_job j;
	enum argscan_verdict v;
	struct pump_args a;

	assert_int_equal(argscan_classify(argv, &j, &v), 0);
	assert_int_equal(v, ARGSCAN_REMOTE);
	assert_int_equal(pumpargs_build(&j, &a), 0);
	joined[0] = 0;
	for (size_t i = 1; a.argv[i]; i++) {
		strncat(joined, a.argv[i], n - strlen(joined) - 1);
		if (a.argv[i + 1])
			strncat(joined, " ", n - strlen(joined) - 1);
	}
	*ret_dotd = a.dotd ? strdup(a.dotd) : NULL;
	pumpargs_free(&a);
	argscan_job_free(&j);
}

static void check(const char *const *argv, const char *want_argv, const char *want_dotd)
{
	char got[1024];
	char *dotd;

	build(argv, got, sizeof(got), &dotd);
	assert_string_equal(got, want_argv);
	if (want_dotd)
		assert_string_equal(dotd, want_dotd);
	else
		assert_null(dotd);
	free(dotd);
}

static void test_no_deps(void **state)
{
	(void)state;
	/* full argv: nothing stripped, -o defaulted as gcc would */
	check((const char *const[]){ "gcc", "-DX=1", "-Iinc", "-iquote", "q", "-c", "a.c", NULL },
	      "-DX=1 -Iinc -iquote q -c a.c -o a.o", NULL);
	/* -MF without -MD/-MMD writes nothing locally either */
	check((const char *const[]){ "gcc", "-MF", "x.d", "-c", "a.c", "-o", "a.o", NULL },
	      "-MF x.d -c a.c -o a.o", NULL);
}

static void test_md_targets(void **state)
{
	(void)state;
	check((const char *const[]){ "gcc", "-MD", "-c", "sub/a.c", "-o", "out/a.o", NULL },
	      "-MD -c sub/a.c -o out/a.o -MT out/a.o", "out/a.d");
	/* no -o: gcc writes a.d in the current directory, target a.o */
	check((const char *const[]){ "gcc", "-MMD", "-c", "sub/a.c", NULL },
	      "-MMD -c sub/a.c -o a.o -MT a.o", "a.d");
	check((const char *const[]){ "gcc", "-MD", "-MF", "deps/a.dep", "-c", "a.c", "-o", "b.o",
				     NULL },
	      "-MD -MF deps/a.dep -c a.c -o b.o -MT b.o", "deps/a.dep");
	check((const char *const[]){ "gcc", "-MD", "-MFj.d", "-c", "a.c", NULL },
	      "-MD -MFj.d -c a.c -o a.o -MT a.o", "j.d");
}

static void test_user_target(void **state)
{
	(void)state;
	check((const char *const[]){ "gcc", "-MD", "-MT", "t", "-c", "a.c", NULL },
	      "-MD -MT t -c a.c -o a.o", "a.d");
	check((const char *const[]){ "gcc", "-MMD", "-MQ", "$t", "-c", "a.c", NULL },
	      "-MMD -MQ $t -c a.c -o a.o", "a.d");
}

static void test_wp_deps(void **state)
{
	(void)state;
	/* Kbuild style: gcc's cc1 names the input's basename as target */
	check((const char *const[]){ "gcc", "-Wp,-MMD,dir/.a.o.d", "-c", "dir/a.c", "-o", "dir/a.o",
				     NULL },
	      "-MMD -MF dir/.a.o.d -c dir/a.c -o dir/a.o -MT a.o", "dir/.a.o.d");
	/* clang's driver uses the -o value */
	check((const char *const[]){ "clang", "-Wp,-MD,x.d", "-c", "dir/a.c", "-o", "dir/a.o",
				     NULL },
	      "-MD -MF x.d -c dir/a.c -o dir/a.o -MT dir/a.o", "x.d");
}

static void test_blockers(void **state)
{
	struct client_config c = { .include_server_port = "/tmp/p/socket" };
	struct argscan_job j = {};

	(void)state;
	assert_null(pumpargs_blocker(&c, &j));
	j.preprocessed = true;
	assert_non_null(pumpargs_blocker(&c, &j));
	j.preprocessed = false;
	c.cpath_var = "CPATH";
	assert_non_null(pumpargs_blocker(&c, &j));
	c.cpath_var = NULL;
	c.deps_env_var = "DEPENDENCIES_OUTPUT";
	assert_non_null(pumpargs_blocker(&c, &j));
	c.deps_env_var = NULL;
	c.include_server_port = NULL;
	assert_non_null(pumpargs_blocker(&c, &j));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_deps),
		cmocka_unit_test(test_md_targets),
		cmocka_unit_test(test_user_target),
		cmocka_unit_test(test_wp_deps),
		cmocka_unit_test(test_blockers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
