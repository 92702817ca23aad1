/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of -march=native resolution: splitting -### lines (gcc's
 * mixed quoting, clang's all-quoted words, escapes), finding the compiler
 * proper's line, the multiset difference that yields gcc's expansion, the
 * clang feature translation, and when gcc records its switches.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "native.h"
#include "strv.h"

/* Shortened real outputs of Debian 12's gcc 12 and clang 14. */
static const char *const GCC_NATIVE =
	"Using built-in specs.\n"
	"COLLECT_GCC=gcc\n"
	" /usr/lib/gcc/x86_64-linux-gnu/12/cc1 -quiet -imultiarch x86_64-linux-gnu /dev/null "
	"\"-march=znver3\" -mmmx -mno-fma4 --param \"l1-cache-size=48\" \"-mtune=znver3\" -quiet "
	"-dumpbase null -fasynchronous-unwind-tables -o /tmp/ccAAAAAA.s\n"
	" as --64 -o /dev/null /tmp/ccAAAAAA.s\n";
static const char *const GCC_BASE =
	" /usr/lib/gcc/x86_64-linux-gnu/12/cc1 -quiet -imultiarch x86_64-linux-gnu /dev/null -quiet "
	"-dumpbase null \"-mtune=generic\" \"-march=x86-64\" -fasynchronous-unwind-tables -o "
	"/tmp/ccBBBBBB.s\n";
static const char *const CLANG_NATIVE =
	"Debian clang version 14.0.6\n"
	" \"/usr/lib/llvm-14/bin/clang\" \"-cc1\" \"-triple\" \"x86_64-pc-linux-gnu\" \"-target-cpu\" "
	"\"znver3\" \"-target-feature\" \"+avx2\" \"-target-feature\" \"-avx512pf\" "
	"\"-target-feature\" \"+cx8\" \"-target-feature\" \"+sse2\" \"-tune-cpu\" \"znver3\" \"-o\" "
	"\"/dev/null\" \"-x\" \"c\" \"/dev/null\"\n";
static const char *const CLANG_BASE =
	" \"/usr/lib/llvm-14/bin/clang\" \"-cc1\" \"-triple\" \"x86_64-pc-linux-gnu\" \"-target-cpu\" "
	"\"znver3\" \"-target-feature\" \"+sse2\" \"-tune-cpu\" \"generic\"\n";

static void test_split(void **state)
{
	char **w = NULL;

	(void)state;
	assert_int_equal(native_split_words(" a \"b c\" \"d\\\"e\" f\\g \"\"", &w), 0);
	assert_int_equal(strv_length(w), 5);
	assert_string_equal(w[0], "a");
	assert_string_equal(w[1], "b c");
	assert_string_equal(w[2], "d\"e");
	assert_string_equal(w[3], "f\\g");
	assert_string_equal(w[4], "");
	strv_free(w);
	assert_int_equal(native_split_words("   ", &w), 0);
	assert_int_equal(strv_length(w), 0);
	strv_free(w);
	/* an unterminated quote ends with the line */
	assert_int_equal(native_split_words("\"abc", &w), 0);
	assert_string_equal(w[0], "abc");
	strv_free(w);
}

static void test_cc1_words(void **state)
{
	char **w = NULL;
	bool clang = true;

	(void)state;
	assert_int_equal(native_cc1_words(GCC_NATIVE, &w, &clang), 0);
	assert_false(clang);
	assert_string_equal(w[0], "/usr/lib/gcc/x86_64-linux-gnu/12/cc1");
	assert_string_equal(w[5], "-march=znver3");
	assert_string_equal(w[8], "--param=l1-cache-size=48");   /* joined */
	for (size_t i = 0; w[i]; i++)
		assert_null(strstr(w[i], "/tmp/cc"));                  /* temp output dropped */
	strv_free(w);
	assert_int_equal(native_cc1_words(CLANG_NATIVE, &w, &clang), 0);
	assert_true(clang);
	assert_string_equal(w[1], "-cc1");
	strv_free(w);
	assert_int_equal(native_cc1_words("gcc: error: unrecognized option\n", &w, &clang), -ENOENT);
	assert_int_equal(native_cc1_words("", &w, &clang), -ENOENT);
}

static void test_gcc_expansion(void **state)
{
	char **n = NULL, **b = NULL, **d = NULL;
	bool clang;

	(void)state;
	assert_int_equal(native_cc1_words(GCC_NATIVE, &n, &clang), 0);
	assert_int_equal(native_cc1_words(GCC_BASE, &b, &clang), 0);
	assert_int_equal(native_word_diff(n, b, &d), 0);
	assert_int_equal(strv_length(d), 5);
	assert_string_equal(d[0], "-march=znver3");
	assert_string_equal(d[1], "-mmmx");
	assert_string_equal(d[2], "-mno-fma4");
	assert_string_equal(d[3], "--param=l1-cache-size=48");
	assert_string_equal(d[4], "-mtune=znver3");
	strv_free(d);
	strv_free(n);
	strv_free(b);
}

static void test_word_diff_repeats(void **state)
{
	char *with[] = { (char *)"-x", (char *)"-mavx", (char *)"-y", (char *)"-mavx", NULL };
	char *without[] = { (char *)"-mavx", (char *)"-x", (char *)"-z", NULL };
	char **d = NULL;

	(void)state;
	/* the later copy (the user's own) is the one matched */
	assert_int_equal(native_word_diff(with, without, &d), 0);
	assert_int_equal(strv_length(d), 2);
	assert_string_equal(d[0], "-mavx");
	assert_string_equal(d[1], "-y");
	strv_free(d);
	assert_int_equal(native_word_diff(with, NULL, &d), 0);
	assert_int_equal(strv_length(d), 4);
	strv_free(d);
}

static void test_clang_flags(void **state)
{
	char **n = NULL, **b = NULL, **f = NULL, **t = NULL;
	bool clang;

	(void)state;
	assert_int_equal(native_cc1_words(CLANG_NATIVE, &n, &clang), 0);
	assert_int_equal(native_cc1_words(CLANG_BASE, &b, &clang), 0);
	assert_int_equal(native_clang_flags(n, b, true, false, &f), 0);
	/* +sse2 comes with the CPU, +cx8 with every x86-64: no flag for them */
	assert_int_equal(strv_length(f), 3);
	assert_string_equal(f[0], "-march=znver3");
	assert_string_equal(f[1], "-mavx2");
	assert_string_equal(f[2], "-mno-avx512pf");
	strv_free(f);
	assert_int_equal(native_clang_flags(n, n, false, true, &f), 0);
	assert_int_equal(strv_length(f), 1);
	assert_string_equal(f[0], "-mtune=znver3");
	strv_free(f);
	assert_int_equal(native_clang_target(n, &t), 0);
	/* sorted; cx8 left out */
	assert_int_equal(strv_length(t), 5);
	assert_string_equal(t[0], "+avx2");
	assert_string_equal(t[1], "+sse2");
	assert_string_equal(t[2], "-avx512pf");
	assert_string_equal(t[3], "cpu=znver3");
	assert_string_equal(t[4], "tune=znver3");
	strv_free(t);
	strv_free(n);
	strv_free(b);
}

static void test_records_switches(void **state)
{
	static const struct {
		const char *args[6];
		bool records;
	} cases[] = {
		{ { "gcc", "-O2", "-c", NULL }, false },
		{ { "gcc", "-g", "-c", NULL }, true },
		{ { "gcc", "-g3", NULL }, true },
		{ { "gcc", "-ggdb", NULL }, true },
		{ { "gcc", "-gdwarf-4", NULL }, true },
		{ { "gcc", "-g", "-g0", NULL }, false },
		{ { "gcc", "-g0", "-g", NULL }, true },
		{ { "gcc", "-g", "-gno-record-gcc-switches", NULL }, false },
		{ { "gcc", "-gno-record-gcc-switches", "-grecord-gcc-switches", "-g", NULL }, true },
		{ { "gcc", "-gsplit-dwarf", NULL }, false },
		{ { "gcc", "-gz", "-gcolumn-info", NULL }, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (native_gcc_records_switches((char *const *)cases[i].args) != cases[i].records)
			fail_msg("case %zu", i);
}

static void test_wanted(void **state)
{
	char *a[] = { (char *)"gcc", (char *)"-march=native", NULL };
	char *b[] = { (char *)"gcc", (char *)"-march=nativex", (char *)"-mtune=generic", NULL };
	char *c[] = { (char *)"-mcpu=native", NULL };   /* argv[0] is the compiler */
	char *d[] = { (char *)"cc", (char *)"-mcpu=native", NULL };

	(void)state;
	assert_true(native_wanted(a));
	assert_false(native_wanted(b));
	assert_false(native_wanted(c));
	assert_true(native_wanted(d));
	assert_false(native_wanted(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),		  cmocka_unit_test(test_cc1_words),
		cmocka_unit_test(test_gcc_expansion),	  cmocka_unit_test(test_word_diff_repeats),
		cmocka_unit_test(test_clang_flags),	  cmocka_unit_test(test_records_switches),
		cmocka_unit_test(test_wanted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
