/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The toolchain map: parsing (comments, prefixes, leading arguments, every
 * refused line with its line number), lookups (exact over prefix, longest
 * prefix, the bare prefix is no name), the inverse used for listing, and
 * the argv it builds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strv.h"
#include "toolmap.h"

static const char *const MAP =
	"# client name                     local compiler        leading args\n"
	"armv6j-hardfloat-linux-gnueabi-*   arm-linux-gnueabihf-*\n"
	"\n"
	"   i686-linux-gnu-gcc  x86_64-linux-gnu-gcc   -m32   # the chroot\n"
	"gcc\tgcc-11\n"
	"arm-*  armv7-*\n"
	"arm-none-*  arm-none-eabi-\n";

static void test_parse_ok(void **state)
{
	struct toolmap m;
	unsigned line = 0;
	const char *why = NULL;

	(void)state;
	/* the last line's local prefix lacks '*': refused */
	assert_int_equal(toolmap_parse(MAP, &m, &line, &why), -EINVAL);
	assert_int_equal(line, 7);
	assert_non_null(strstr(why, "prefix"));

	assert_int_equal(toolmap_parse("", &m, &line, &why), 0);
	assert_int_equal(m.n, 0);
	toolmap_free(&m);
	assert_int_equal(toolmap_parse(NULL, &m, &line, &why), 0);
	toolmap_free(&m);

	assert_int_equal(toolmap_parse("a b -x -y\r\n# c\n  \nc* d*", &m, &line, &why), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.entries[0].from, "a");
	assert_string_equal(m.entries[0].to, "b");
	assert_int_equal(strv_length(m.entries[0].args), 2);
	assert_string_equal(m.entries[0].args[1], "-y");
	assert_false(m.entries[0].prefix);
	assert_true(m.entries[1].prefix);
	assert_string_equal(m.entries[1].from, "c");
	assert_int_equal(strv_length(m.entries[1].args), 0);
	assert_int_equal(m.entries[1].line, 4);
	toolmap_free(&m);
}

static void test_parse_refused(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *why;
	} bad[] = {
		{ "gcc\n", 1, "expected" },
		{ "ok ok2\n/usr/bin/gcc gcc\n", 2, "plain" },
		{ "gcc /opt/gcc\n", 1, "plain" },
		{ "gcc ..\n", 1, "plain" },
		{ "-gcc gcc\n", 1, "plain" },
		{ "g*cc gcc\n", 1, "plain" },
		{ "gcc* gcc\n", 1, "prefix" },
		{ "gcc gcc-11*\n", 1, "prefix" },
		{ "gcc gcc-11 -o/tmp/x\n", 1, "output" },
		{ "gcc gcc-11 -c\n", 1, "output" },
		{ "gcc gcc-11 m32\n", 1, "options" },
		{ "gcc gcc-11 -\n", 1, "options" },
		{ "gcc gcc-11\n\ngcc gcc-12\n", 3, "twice" },
		{ "* x*\n", 1, "plain" },
	};
	struct toolmap m = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned line = 0;
		const char *why = NULL;

		assert_int_equal(toolmap_parse(bad[i].text, &m, &line, &why), -EINVAL);
		assert_int_equal(line, bad[i].line);
		assert_non_null(why);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': reason '%s' lacks '%s'", bad[i].text, why, bad[i].why);
		assert_null(m.entries);   /* untouched on failure */
	}
}

static void test_parse_limits(void **state)
{
	char *text = malloc(TOOLMAP_MAX_LINE + 16), *many = NULL;
	struct toolmap m = { 0 };
	unsigned line = 0;
	const char *why = NULL;
	size_t len = 0;

	(void)state;
	memset(text, 'a', TOOLMAP_MAX_LINE + 8);
	text[TOOLMAP_MAX_LINE + 8] = 0;
	assert_int_equal(toolmap_parse(text, &m, &line, &why), -EINVAL);
	assert_non_null(strstr(why, "too long"));
	free(text);

	many = malloc((TOOLMAP_MAX_ENTRIES + 2) * 32);
	for (unsigned i = 0; i <= TOOLMAP_MAX_ENTRIES; i++)
		len += (size_t)sprintf(many + len, "c%u l%u\n", i, i);
	assert_int_equal(toolmap_parse(many, &m, &line, &why), -EINVAL);
	assert_int_equal(line, TOOLMAP_MAX_ENTRIES + 1);
	free(many);

	text = strdup("gcc gcc-11 -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a -a "
		      "-a -a -a -a -a -a -a -a -a -a -a\n");
	assert_int_equal(toolmap_parse(text, &m, &line, &why), -EINVAL);
	assert_non_null(strstr(why, "too many"));
	free(text);
}

static void lookup(const struct toolmap *m, const char *name, const char *want)
{
	const struct toolmap_entry *e = NULL;
	char *local = NULL;
	int r = toolmap_lookup(m, name, &e, &local);

	if (!want) {
		assert_int_equal(r, 0);
		assert_null(local);
		return;
	}
	assert_int_equal(r, 1);
	assert_non_null(e);
	assert_string_equal(local, want);
	free(local);
}

static void test_lookup(void **state)
{
	struct toolmap m;
	unsigned line;
	const char *why;
	const char *text = "armv6j-hardfloat-linux-gnueabi-*   arm-linux-gnueabihf-*\n"
			   "i686-linux-gnu-gcc x86_64-linux-gnu-gcc -m32\n"
			   "gcc gcc-11\n"
			   "arm-* armv7-*\n"
			   "arm-none-* arm-none-eabi-*\n"
			   "arm-none-gcc special-gcc\n";

	(void)state;
	assert_int_equal(toolmap_parse(text, &m, &line, &why), 0);
	lookup(&m, "armv6j-hardfloat-linux-gnueabi-gcc", "arm-linux-gnueabihf-gcc");
	lookup(&m, "armv6j-hardfloat-linux-gnueabi-g++-12", "arm-linux-gnueabihf-g++-12");
	lookup(&m, "armv6j-hardfloat-linux-gnueabi-", NULL);    /* the prefix alone */
	lookup(&m, "i686-linux-gnu-gcc", "x86_64-linux-gnu-gcc");
	lookup(&m, "i686-linux-gnu-gcc-12", NULL);             /* exact means exact */
	lookup(&m, "gcc", "gcc-11");
	lookup(&m, "g++", NULL);
	lookup(&m, "arm-foo-gcc", "armv7-foo-gcc");
	lookup(&m, "arm-none-g++", "arm-none-eabi-g++");        /* longest prefix */
	lookup(&m, "arm-none-gcc", "special-gcc");              /* exact over prefix */
	lookup(NULL, "gcc", NULL);
	toolmap_free(&m);
	toolmap_free(&m);   /* twice is harmless */
}

static void test_client_name(void **state)
{
	struct toolmap m;
	unsigned line;
	const char *why;
	bool oom;
	char *s;

	(void)state;
	assert_int_equal(toolmap_parse("a-* b-*\ngcc gcc-11\n", &m, &line, &why), 0);
	s = toolmap_client_name(&m.entries[0], "b-gcc", &oom);
	assert_string_equal(s, "a-gcc");
	free(s);
	assert_null(toolmap_client_name(&m.entries[0], "b-", &oom));
	assert_false(oom);
	assert_null(toolmap_client_name(&m.entries[0], "c-gcc", &oom));
	s = toolmap_client_name(&m.entries[1], "gcc-11", &oom);
	assert_string_equal(s, "gcc");
	free(s);
	assert_null(toolmap_client_name(&m.entries[1], "gcc-12", &oom));
	assert_false(oom);
	toolmap_free(&m);
}

static void test_build_argv(void **state)
{
	char *argv[] = { (char *)"i686-linux-gnu-gcc", (char *)"-O2", (char *)"-c", (char *)"a.c",
			 (char *)"-o", (char *)"a.o", NULL };
	char *args[] = { (char *)"-m32", NULL };
	char **v = NULL;

	(void)state;
	assert_int_equal(toolmap_build_argv(argv, "x86_64-linux-gnu-gcc", args, &v), 0);
	assert_int_equal(strv_length(v), 7);
	assert_string_equal(v[0], "x86_64-linux-gnu-gcc");
	assert_string_equal(v[1], "-m32");
	assert_string_equal(v[2], "-O2");
	assert_string_equal(v[6], "a.o");
	strv_free(v);
	assert_int_equal(toolmap_build_argv(argv, argv[0], NULL, &v), 0);
	assert_int_equal(strv_length(v), 6);
	assert_string_equal(v[0], "i686-linux-gnu-gcc");
	strv_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),     cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_parse_limits), cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_client_name),  cmocka_unit_test(test_build_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
