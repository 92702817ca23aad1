/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Taking the job root out of dependency files and messages. The pairs are
 * real: the same tree compiled locally and under a root, by gcc 12 and by
 * clang 14 (-MMD -MP -MT main.o); the stripped server file must be the
 * local one byte for byte (the wrapping changes with the path lengths).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "depfile.h"

#define ROOT "/tmp/psx/distccd_0123456789abcdef/root"
#define S "/src/project/include/subsystem"

static const char gcc_local[] =
	"main.o: " S "/main.c \\\n"
	" " S "/alpha_header.h \\\n"
	" " S "/beta_header_file.h \\\n"
	" " S "/gamma.h\n"
	S "/alpha_header.h:\n" S "/beta_header_file.h:\n" S "/gamma.h:\n";
static const char gcc_server[] =
	"main.o: \\\n"
	" " ROOT S "/main.c \\\n"
	" " ROOT S "/alpha_header.h \\\n"
	" " ROOT S "/beta_header_file.h \\\n"
	" " ROOT S "/gamma.h\n"
	ROOT S "/alpha_header.h:\n" ROOT S "/beta_header_file.h:\n" ROOT S "/gamma.h:\n";
static const char clang_local[] =
	"main.o: " S "/main.c \\\n"
	"  " S "/alpha_header.h \\\n"
	"  " S "/beta_header_file.h \\\n"
	"  " S "/gamma.h\n"
	"\n" S "/alpha_header.h:\n\n" S "/beta_header_file.h:\n\n" S "/gamma.h:\n";
static const char clang_server[] =
	"main.o: \\\n"
	"  " ROOT S "/main.c \\\n"
	"  " ROOT S "/alpha_header.h \\\n"
	"  " ROOT S "/beta_header_file.h \\\n"
	"  " ROOT S "/gamma.h\n"
	"\n" ROOT S "/alpha_header.h:\n\n" ROOT S "/beta_header_file.h:\n\n" ROOT S "/gamma.h:\n";

static void check(const char *server, const char *local)
{
	struct buf out = BUF_INIT(1 << 20);

	assert_int_equal(depfile_unroot(server, strlen(server), ROOT, &out), 0);
	assert_int_equal(out.len, strlen(local));
	assert_memory_equal(out.data, local, out.len);
	buf_free(&out);
}

static void test_real_pairs(void **state)
{
	(void)state;
	check(gcc_server, gcc_local);
	check(clang_server, clang_local);
	/* a file without the root comes back unchanged, in either style */
	check(gcc_local, gcc_local);
	check(clang_local, clang_local);
}

static void test_short_rules(void **state)
{
	(void)state;
	check("p.o: p.c inc/my.h\n", "p.o: p.c inc/my.h\n");
	check("p.o: " ROOT "/a.c\n", "p.o: /a.c\n");
	check("a b: x\\ y.c\n", "a b: x\\ y.c\n");
	check("p.o:\n", "p.o:\n");
}

static void test_not_a_rule(void **state)
{
	struct buf out = BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(depfile_unroot("no colon here\n", 14, ROOT, &out), -EBADMSG);
	assert_int_equal(out.len, 0);
	assert_int_equal(depfile_unroot("", 0, ROOT, &out), -EBADMSG);
	buf_free(&out);
}

static void test_text(void **state)
{
	static const char in[] = ROOT "/src/a.c:3:1: error: x\n"
				 "In file included from " ROOT "/inc/b.h:2,\n"
				 ROOT "x/not-the-root " ROOT;
	static const char want[] = "/src/a.c:3:1: error: x\n"
				   "In file included from /inc/b.h:2,\n"
				   ROOT "x/not-the-root " ROOT;
	struct buf out = BUF_INIT(1 << 20);

	(void)state;
	assert_int_equal(depfile_unroot_text(in, sizeof(in) - 1, ROOT, &out), 0);
	assert_int_equal(out.len, sizeof(want) - 1);
	assert_memory_equal(out.data, want, out.len);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_pairs),
		cmocka_unit_test(test_short_rules),
		cmocka_unit_test(test_not_a_rule),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
