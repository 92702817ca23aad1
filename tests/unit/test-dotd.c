/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Re-wrapping a server's .d file: real gcc 12 and clang 14 outputs (quoted
 * names, -MT/-MQ targets, -MP phony rules) are reproduced byte for byte from
 * the same rule wrapped elsewhere, as a server with a longer root wraps it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../client/dotd.h"

/* gcc -MD -MP -Iinc -I"sp ace" -c q.c -MT 'x$y.o' -MQ 'q$q.o' */
static const char GCC_D[] =
	"x$y.o q$$q.o: q.c /usr/include/stdc-predef.h sp\\ ace/z.h inc/my.h \\\n"
	" inc/link.h /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\n"
	"/usr/include/stdc-predef.h:\nsp\\ ace/z.h:\ninc/my.h:\ninc/link.h:\n"
	"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h:\n";
/* what the server wrote before its root was removed */
static const char GCC_D_SERVER[] =
	"x$y.o q$$q.o: q.c \\\n /usr/include/stdc-predef.h \\\n sp\\ ace/z.h \\\n inc/my.h \\\n"
	" inc/link.h \\\n /usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h\n"
	"/usr/include/stdc-predef.h:\nsp\\ ace/z.h:\ninc/my.h:\ninc/link.h:\n"
	"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h:\n";

/* clang -MD -Iinc -I"sp ace" -c q.c -MT aaa...a.o -MQ 'q$q.o' */
static const char CLANG_D[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.o q$$q.o: q.c \\\n"
	"  sp\\ ace/z.h inc/my.h inc/link.h \\\n"
	"  /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h \\\n"
	"  /usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h\n";
static const char CLANG_D_SERVER[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.o \\\n  q$$q.o: q.c \\\n"
	"  sp\\ ace/z.h \\\n  inc/my.h \\\n  inc/link.h \\\n"
	"  /usr/lib/llvm-14/lib/clang/14.0.6/include/stddef.h \\\n"
	"  /usr/lib/llvm-14/lib/clang/14.0.6/include/__stddef_max_align_t.h\n";

static void check(const char *in, enum dotd_style st, const char *want)
{
	struct buf b = BUF_INIT(1 << 20);

	assert_int_equal(dotd_rewrap(in, strlen(in), st, &b), 0);
	assert_int_equal(buf_terminate(&b), 0);
	assert_string_equal((char *)b.data, want);
	buf_free(&b);
}

static void test_gcc(void **state)
{
	(void)state;
	check(GCC_D, DOTD_GCC, GCC_D);
	check(GCC_D_SERVER, DOTD_GCC, GCC_D);
	check("a.o: a.c\n", DOTD_GCC, "a.o: a.c\n");
	check("a.o:\n", DOTD_GCC, "a.o:\n");
}

static void test_clang(void **state)
{
	(void)state;
	check(CLANG_D, DOTD_CLANG, CLANG_D);
	check(CLANG_D_SERVER, DOTD_CLANG, CLANG_D);
}

static void test_not_a_rule(void **state)
{
	(void)state;
	check("", DOTD_GCC, "");
	check("no colon here\n", DOTD_GCC, "no colon here\n");
	check("a\\:b c\n", DOTD_GCC, "a\\:b c\n");
}

static void test_style(void **state)
{
	(void)state;
	assert_int_equal(dotd_style_of("gcc"), DOTD_GCC);
	assert_int_equal(dotd_style_of("x86_64-linux-gnu-g++"), DOTD_GCC);
	assert_int_equal(dotd_style_of("/usr/bin/clang++-14"), DOTD_CLANG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcc),
		cmocka_unit_test(test_clang),
		cmocka_unit_test(test_not_a_rule),
		cmocka_unit_test(test_style),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
