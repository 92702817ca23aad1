/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plain mode's preprocessing choice: directives-only for gcc-family
 * compilers and sources it can be trusted on, full otherwise; the options
 * it adds to the local preprocessor and to the server's argv; and the
 * macros that make a job stay local.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../client/argscan.h"
#include "../../client/cppmode.h"
#include "../../common/strv.h"

static void classify(struct argscan_job *j, const char *const *argv)
{
	enum argscan_verdict v;

	assert_int_equal(argscan_classify(argv, j, &v), 0);
	assert_int_equal(v, ARGSCAN_REMOTE);
}

static enum cppmode choose(const char *const *argv, bool wanted, const char **why)
{
	struct argscan_job j;
	enum cppmode m;

	classify(&j, argv);
	m = cppmode_choose(&j, wanted, why);
	argscan_job_free(&j);
	return m;
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_gcc_family(void **state)
{
	static const char *const gccs[] = {
		"gcc", "g++", "/usr/bin/gcc", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++-12",
		"gcc-12", "g++-12.2", "aarch64-linux-gnu-gcc",
	};
	static const char *const others[] = {
		"clang", "clang++-14", "cc", "c++", "icc", "mygcc", "gccx", "tcc", "x86_64-linux-gnu-gcc-ar",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(gccs) / sizeof(*gccs); i++) {
		assert_int_equal(choose(ARGV(gccs[i], "-c", "a.c"), true, &why),
				 CPPMODE_DIRECTIVES_ONLY);
		assert_null(why);
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++) {
		assert_int_equal(choose(ARGV(others[i], "-c", "a.c"), true, &why), CPPMODE_FULL);
		assert_non_null(why);
	}
	assert_int_equal(choose(ARGV("gcc", "-c", "a.c"), false, &why), CPPMODE_FULL);
	assert_non_null(strstr(why, "DISTCC_DIRECTIVES_ONLY=0"));
}

static void test_options_that_keep_full(void **state)
{
	static const char *const opts[] = {
		"-C", "-CC", "-traditional-cpp", "-fpreprocessed", "-fdirectives-only", "-dD", "-g3",
		"-Wp,-C", "-Wunused-macros", "-Werror=unused-macros",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++)
		assert_int_equal(choose(ARGV("gcc", opts[i], "-c", "a.c"), true, &why),
				 CPPMODE_FULL);
	assert_int_equal(choose(ARGV("gcc", "-Xpreprocessor", "-C", "-c", "a.c"), true, &why),
			 CPPMODE_FULL);
	/* already preprocessed: nothing to do */
	assert_int_equal(choose(ARGV("gcc", "-c", "a.i"), true, &why), CPPMODE_FULL);
	/* ordinary options do not matter, -Wp,-MD is expanded by argscan */
	assert_int_equal(choose(ARGV("gcc", "-O2", "-g", "-DX=1", "-Iinc", "-Wp,-MD,a.d", "-c",
				     "a.c", "-o", "a.o"), true, &why),
			 CPPMODE_DIRECTIVES_ONLY);
}

static void test_apply(void **state)
{
	struct argscan_job j;
	size_t nc, ns;

	(void)state;
	classify(&j, ARGV("gcc", "-DX=1", "-O2", "-c", "a.c", "-o", "a.o"));
	nc = strv_length(j.cpp_argv);
	ns = strv_length(j.server_argv);
	assert_int_equal(cppmode_apply(CPPMODE_FULL, &j), 0);
	assert_int_equal(strv_length(j.cpp_argv), nc);
	assert_int_equal(cppmode_apply(CPPMODE_DIRECTIVES_ONLY, &j), 0);
	assert_int_equal(strv_length(j.cpp_argv), nc + 1);
	assert_string_equal(j.cpp_argv[nc], "-fdirectives-only");
	assert_string_equal(j.cpp_argv[1], "-DX=1");       /* the defines stay local */
	assert_int_equal(strv_length(j.server_argv), ns + 2);
	assert_string_equal(j.server_argv[ns], "-fpreprocessed");
	assert_string_equal(j.server_argv[ns + 1], "-fdirectives-only");
	for (size_t i = 0; j.server_argv[i]; i++)
		assert_null(strstr(j.server_argv[i], "-DX"));
	argscan_job_free(&j);
}

static void test_output_is_local(void **state)
{
	static const char plain[] = "# 1 \"a.c\"\n#define F(x) ((x) + 1)\nint v = F(__LINE__);\n";
	static const char base[] = "const char *b = __BASE_FILE__;\n";
	static const char stamp[] = "const char *t = __TIMESTAMP__;";

	(void)state;
	assert_false(cppmode_output_is_local(plain, sizeof(plain) - 1));
	assert_true(cppmode_output_is_local(base, sizeof(base) - 1));
	assert_true(cppmode_output_is_local(stamp, sizeof(stamp) - 1));
	assert_true(cppmode_output_is_local("__DATE__ \" \" __TIME__", 8));
	assert_true(cppmode_output_is_local("x = __TIME__;", 13));
	assert_false(cppmode_output_is_local(stamp, 20)); /* cut before the name ends */
	assert_false(cppmode_output_is_local("", 0));
	/* named only in comments, strings or longer identifiers: compiled remotely */
	static const char *const remote[] = {
		"/* uses __DATE__ */ int x;", "// __TIME__\nint x;", "const char *s = \"__DATE__\";",
		"const char *s = \"a\\\"__DATE__\";", "int c = '_'; int __DATE__x; int my__TIME__;",
		"/* unclosed __DATE__", "/*/ __DATE__ */",
	};
	static const char *const local[] = {
		"#define V __DATE__", "x = \"a\" __TIME__;", "/* c */ __DATE__ /* d */",
		"// c\n__TIMESTAMP__", "char c = '\"'; const char *d = __DATE__;",
	};
	for (size_t i = 0; i < sizeof(remote) / sizeof(*remote); i++)
		assert_false(cppmode_output_is_local(remote[i], strlen(remote[i])));
	for (size_t i = 0; i < sizeof(local) / sizeof(*local); i++)
		assert_true(cppmode_output_is_local(local[i], strlen(local[i])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcc_family),
		cmocka_unit_test(test_options_that_keep_full),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_output_is_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
