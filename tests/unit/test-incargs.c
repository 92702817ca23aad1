/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include options of a command line, and the compiler's default
 * directories parsed from `-v` output (incdefaults_parse), gcc's and
 * clang's real formats.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strv.h"
#include "pump/incargs.h"
#include "pump/incdefaults.h"

static const char *join(char **v)
{
	static char out[4096];
	size_t n = 0;

	out[0] = 0;
	for (size_t i = 0; v && v[i]; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i ? " " : "", v[i]);
	return out;
}

static void parse_ok(const char *const *argv, struct incargs *a)
{
	const char *why = NULL;
	int r = incargs_parse((char *const *)argv, a, &why);

	if (r != 1)
		fail_msg("not covered: %s", why ? why : "(error)");
}

static void expect_refused(const char *const *argv, const char *why_part)
{
	struct incargs a;
	const char *why = NULL;

	assert_int_equal(incargs_parse((char *const *)argv, &a, &why), 0);
	assert_non_null(why);
	if (!strstr(why, why_part))
		fail_msg("'%s' lacks '%s'", why, why_part);
}

static void test_chains(void **state)
{
	const char *argv[] = {
		"gcc", "-Ia", "-I", "b", "-iquote", "q1", "-iquoteq2", "-isystem", "s", "-idirafter",
		"after", "--include-directory=c", "-include", "f.h", "-imacros", "m.h", "-DX=1",
		"-D", "Y", "-c", "-o", "x.o", "x.c", "-MF", "x.d", "-Wp,-MD,dep.d,-DZ", NULL,
	};
	struct incargs a;

	(void)state;
	parse_ok(argv, &a);
	assert_string_equal(a.source, "x.c");
	assert_string_equal(a.lang, "c");
	assert_string_equal(join(a.bracket_dirs), "a b c");
	assert_string_equal(join(a.quote_dirs), "q1 q2");
	assert_string_equal(join(a.system_dirs), "s");
	assert_string_equal(join(a.after_dirs), "after");
	assert_string_equal(join(a.includes), "f.h");
	assert_string_equal(join(a.imacros), "m.h");
	assert_string_equal(join(a.defines), "X=1 Y Z");
	assert_null(a.probe_flags);
	incargs_free(&a);
}

static void test_probe_flags_and_sysroot(void **state)
{
	const char *argv[] = {
		"clang++", "-c", "-x", "c++", "y.c", "-target", "x86_64-pc-linux-gnu", "-m32",
		"--sysroot=/sr", "-I=/inc", "-isystem", "$SYSROOT/sys", "-stdlib=libc++", "-nostdinc++",
		NULL,
	};
	const char *pre[] = { "gcc", "-iprefix", "/p/", "-iwithprefix", "w", "-iwithprefixbefore",
			      "b", "-c", "z.cc", NULL };
	struct incargs a;

	(void)state;
	parse_ok(argv, &a);
	assert_string_equal(a.lang, "c++");
	assert_string_equal(a.sysroot, "/sr");
	assert_string_equal(join(a.bracket_dirs), "/sr/inc");
	assert_string_equal(join(a.system_dirs), "/sr/sys");
	assert_string_equal(join(a.probe_flags),
			    "-target x86_64-pc-linux-gnu -m32 --sysroot /sr -stdlib=libc++ -nostdinc++");
	incargs_free(&a);
	parse_ok(pre, &a);
	assert_string_equal(a.lang, "c++");
	assert_string_equal(join(a.bracket_dirs), "/p/b");
	assert_string_equal(join(a.after_dirs), "/p/w");
	incargs_free(&a);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused((const char *[]){ "gcc", "-c", "x.i", NULL }, "preprocessed");
	expect_refused((const char *[]){ "gcc", "-c", "-x", "cpp-output", "x.c", NULL }, "language");
	expect_refused((const char *[]){ "gcc", "-c", "x.s", NULL }, "no source");
	expect_refused((const char *[]){ "gcc", "-c", "a.c", "b.c", NULL }, "two input");
	expect_refused((const char *[]){ "gcc", "-c", "-", NULL }, "stdin");
	expect_refused((const char *[]){ "gcc", "-I-", "-c", "a.c", NULL }, "does not model");
	expect_refused((const char *[]){ "clang", "-fmodules", "-c", "a.c", NULL }, "does not model");
	expect_refused((const char *[]){ "gcc", "-Xpreprocessor", "-I/x", "-c", "a.c", NULL },
		       "does not model");
	expect_refused((const char *[]){ "gcc", "-Wp,-I/x", "-c", "a.c", NULL }, "-Wp,");
	expect_refused((const char *[]){ "gcc", "@args", "-c", "a.c", NULL }, "response file");
	expect_refused((const char *[]){ "gcc", "-c", "a.c", "-I", NULL }, "without a value");
	expect_refused((const char *[]){ "gcc", "-iwithprefix", "x", "-c", "a.c", NULL }, "-iprefix");
	expect_refused((const char *[]){ "gcc", "-iunknown", "-c", "a.c", NULL }, "does not know");
}

static const char gcc_v[] =
	"Using built-in specs.\n"
	"ignoring nonexistent directory \"/usr/local/include/x86_64-linux-gnu\"\n"
	"#include \"...\" search starts here:\n"
	"#include <...> search starts here:\n"
	" /usr/lib/gcc/x86_64-linux-gnu/12/include\n"
	" /usr/local/include\n"
	" /usr/include/x86_64-linux-gnu\n"
	" /usr/include\n"
	"End of search list.\n";

static const char clang_v[] =
	"clang version 14.0.6\n"
	"#include \"...\" search starts here:\n"
	" /quote/only\n"
	"#include <...> search starts here:\n"
	" /usr/lib/llvm-14/lib/clang/14.0.6/include\r\n"
	" /Library/Frameworks (framework directory)\n"
	" /usr/include\n"
	"End of search list.\n"
	" /not/a/dir\n";

static void test_defaults_parse(void **state)
{
	char **q = NULL, **b = NULL;

	(void)state;
	assert_int_equal(incdefaults_parse(gcc_v, &q, &b), 0);
	assert_null(q);
	assert_string_equal(join(b), "/usr/lib/gcc/x86_64-linux-gnu/12/include /usr/local/include "
				     "/usr/include/x86_64-linux-gnu /usr/include");
	strv_free(b);
	assert_int_equal(incdefaults_parse(clang_v, &q, &b), 0);
	assert_string_equal(join(q), "/quote/only");
	assert_string_equal(join(b), "/usr/lib/llvm-14/lib/clang/14.0.6/include /usr/include");
	strv_free(q);
	strv_free(b);
	assert_int_equal(incdefaults_parse("gcc: fatal error: no input files\n", &q, &b), -ENOMSG);
	assert_int_equal(incdefaults_parse("", &q, &b), -ENOMSG);
}

static void test_defaults_probe(void **state)
{
	char **b = NULL;

	(void)state;
	assert_int_equal(incdefaults_probe("/usr/bin/gcc", "c", NULL, deadline_in(60 * USEC_PER_SEC),
					   &b), 0);
	assert_non_null(b);
	assert_non_null(strstr(join(b), "/usr/include"));
	strv_free(b);
	b = NULL;
	assert_int_equal(incdefaults_probe("/usr/bin/gcc", "c", (char *[]){ (char *)"-nostdinc", NULL },
					   deadline_in(60 * USEC_PER_SEC), &b), 0);
	assert_null(b);
	assert_int_equal(incdefaults_probe("/usr/bin/false", "c", NULL, deadline_in(60 * USEC_PER_SEC),
					   &b), -ECHILD);
	assert_true(incdefaults_probe("/nonexistent/cc", "c", NULL, deadline_in(60 * USEC_PER_SEC),
				      &b) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_probe_flags_and_sysroot),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_defaults_parse),
		cmocka_unit_test(test_defaults_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
