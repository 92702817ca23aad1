/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include scanner on tricky sources: comments and literals that contain
 * #include, line continuations, raw strings, digraphs, include_next,
 * __has_include, computed includes and the definitions they use.
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

#include "pump/incscan.h"

static struct incscan_result scan(const char *text)
{
	struct incscan_result r;

	assert_int_equal(incscan_scan(text, strlen(text), &r), 0);
	return r;
}

/* "Q:name" "A:name" "C:text", with "+next" / "+probe" suffixes, joined by '|'. */
static char *summary(const struct incscan_result *r)
{
	static char out[4096];
	size_t n = 0;

	out[0] = 0;
	for (size_t i = 0; i < r->ninc; i++) {
		const struct incscan_include *c = &r->inc[i];

		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%c:%s%s%s", i ? "|" : "",
				      c->kind == INCSCAN_QUOTE ? 'Q' : c->kind == INCSCAN_ANGLE ? 'A' : 'C',
				      c->name, c->next ? "+next" : "", c->probe ? "+probe" : "");
	}
	return out;
}

static void expect(const char *text, const char *want)
{
	struct incscan_result r = scan(text);

	assert_string_equal(summary(&r), want);
	incscan_result_free(&r);
}

static void test_plain(void **state)
{
	(void)state;
	expect("#include <stdio.h>\n#include \"a.h\"\n", "A:stdio.h|Q:a.h");
	expect("  #  include<x/y.h>  // trailing\n", "A:x/y.h");
	expect("#import \"objc.h\"\n#include_next <limits.h>\n", "Q:objc.h|A:limits.h+next");
	expect("int x;\n#include \"no-newline-at-end.h\"", "Q:no-newline-at-end.h");
	expect("\xef\xbb\xbf#include <bom.h>\n", "A:bom.h");   /* gcc and clang skip a BOM */
}

static void test_ifs_do_not_matter(void **state)
{
	(void)state;
	expect("#if 0\n#include \"dead.h\"\n#else\n#include \"live.h\"\n#endif\n",
	       "Q:dead.h|Q:live.h");
	expect("#ifndef G\n#define G\n#include \"guarded.h\"\n#endif\n#pragma once\n",
	       "Q:guarded.h");
}

static void test_comments(void **state)
{
	(void)state;
	expect("/* #include \"no1.h\" */\n// #include \"no2.h\"\n#include \"yes.h\"\n", "Q:yes.h");
	expect("/*\n#include \"no.h\"\n*/ #include \"yes.h\"\n", "Q:yes.h");
	expect("/* c */ # /* c */ include /* c */ \"a.h\" /* c */\n", "Q:a.h");
	expect("// line comment \\\n#include \"continued-comment.h\"\n#include \"b.h\"\n", "Q:b.h");
	expect("#include /* spans\n lines */ <multi.h>\n", "A:multi.h");
	expect("x = 1 / 2; #include \"not-at-bol.h\"\n", "");
}

static void test_strings(void **state)
{
	(void)state;
	expect("const char *s = \"\\n#include <no.h>\";\n#include <yes.h>\n", "A:yes.h");
	expect("char c = '\"'; \n#include \"after-char.h\"\n", "Q:after-char.h");
	expect("const char *s = R\"x(\n#include \"raw-no.h\"\n)x\";\n#include \"raw-yes.h\"\n",
	       "Q:raw-yes.h");
	expect("const char *s = u8R\"(\n#include <no.h>\n)\";\n#include <yes.h>\n", "A:yes.h");
	/* a C++14 digit separator is no character literal */
	expect("int n = 1'000'000;\n#include \"sep.h\"\n", "Q:sep.h");
	/* an unterminated literal ends at the end of the line */
	expect("#error don't\n#include \"after-error.h\"\n", "Q:after-error.h");
}

static void test_continuations(void **state)
{
	(void)state;
	expect("#inc\\\nlude \"split.h\"\n", "Q:split.h");
	expect("#include \\\n  \"next-line.h\"\n", "Q:next-line.h");
	expect("#include \"a.h\" \\   \n#include \"eaten.h\"\n", "Q:a.h");
	expect("#include \"crlf.h\"\r\n#inc\\\r\nlude <x.h>\r\n", "Q:crlf.h|A:x.h");
	expect("%:include <digraph.h>\n", "A:digraph.h");
}

static void test_has_include(void **state)
{
	(void)state;
	expect("#if __has_include(<opt.h>) && __has_include (\"q.h\")\n#endif\n",
	       "A:opt.h+probe|Q:q.h+probe");
	expect("#elif defined(__has_include_next) && __has_include_next(<n.h>)\n",
	       "A:n.h+next+probe");
	expect("#define HAVE_X __has_include(<x.h>)\n", "A:x.h+probe");
	expect("#if __has_include(HDR)\n#endif\n", "C:HDR+probe");
	expect("int __has_include_bogus;\n#if my__has_include(<no.h>)\n#endif\n", "");
}

static void test_computed(void **state)
{
	struct incscan_result r;

	(void)state;
	expect("#include FT_FREETYPE_H\n#include STR(a) /* c */\n", "C:FT_FREETYPE_H|C:STR(a)");
	r = scan("#define FT_FREETYPE_H <freetype/freetype.h>\n"
		 "#define STR(x) #x\n#define CAT(a, b) a##b\n#define V(fmt, ...) fmt\n"
		 "#define OBJ (x)\n#define EMPTY\n#define LONG a \\\n  b /* c */ c\n");
	assert_int_equal(r.ndef, 7);
	assert_string_equal(r.def[0].name, "FT_FREETYPE_H");
	assert_null(r.def[0].params);
	assert_string_equal(r.def[0].body, "<freetype/freetype.h>");
	assert_string_equal(r.def[1].name, "STR");
	assert_non_null(r.def[1].params);
	assert_string_equal(r.def[1].params[0], "x");
	assert_null(r.def[1].params[1]);
	assert_string_equal(r.def[1].body, "#x");
	assert_string_equal(r.def[2].params[1], "b");
	assert_true(r.def[3].variadic);
	assert_string_equal(r.def[3].params[1], "__VA_ARGS__");
	assert_null(r.def[4].params);             /* space before '(': object-like */
	assert_string_equal(r.def[4].body, "(x)");
	assert_string_equal(r.def[5].body, "");
	assert_string_equal(r.def[6].body, "a   b   c");
	incscan_result_free(&r);
}

static void test_hostile(void **state)
{
	struct incscan_result r;
	char big[70000];

	(void)state;
	expect("", "");
	expect("#", "");
	expect("#include", "");
	expect("#include <unterminated\n#include \"ok.h\"\n", "C:<unterminated|Q:ok.h");
	expect("/* never closed\n#include <no.h>\n", "");
	expect("R\"abc", "");
	expect("#define\n#define (x) y\n#define F(a,\n#define G(1) x\n", "");
	/* NUL bytes inside the text */
	assert_int_equal(incscan_scan("#include <a.h>\n\0#include <b.h>\n", 31, &r), 0);
	assert_string_equal(summary(&r), "A:a.h|A:b.h");
	incscan_result_free(&r);
	memset(big, '\\', sizeof(big));
	assert_int_equal(incscan_scan(big, sizeof(big), &r), 0);
	assert_int_equal(r.ninc, 0);
	incscan_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_ifs_do_not_matter),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_continuations),
		cmocka_unit_test(test_has_include),
		cmocka_unit_test(test_computed),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
