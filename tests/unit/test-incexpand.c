/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Computed includes under the multi-valued macro semantics: every
 * definition seen may apply; #, ##, argument pre-expansion, variadics,
 * recursion and explosion bounds.
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

#include "pump/incexpand.h"

struct table {
	struct incscan_result scan;
	const struct incscan_define *v[64];
	size_t n;
};

static void lookup(void *userdata, const char *name, const struct incscan_define *const **ret,
		   size_t *n)
{
	struct table *t = userdata;

	t->n = 0;
	for (size_t i = 0; i < t->scan.ndef; i++)
		if (strcmp(t->scan.def[i].name, name) == 0)
			t->v[t->n++] = &t->scan.def[i];
	*ret = t->v;
	*n = t->n;
}

/* Expand @operand with the #defines in @defs: "Q:a|A:b" sorted as found. */
static int expand(const char *defs, const char *operand, char *out, size_t outlen)
{
	struct table t = { 0 };
	struct incexpand_result res;
	size_t k = 0;
	int r;

	assert_int_equal(incscan_scan(defs, strlen(defs), &t.scan), 0);
	r = incexpand_operand(operand, lookup, &t, &res);
	out[0] = 0;
	if (r == 0) {
		for (size_t i = 0; i < res.n; i++)
			k += (size_t)snprintf(out + k, outlen - k, "%s%c:%s", i ? "|" : "",
					      res.v[i].kind == INCSCAN_QUOTE ? 'Q' : 'A', res.v[i].name);
		incexpand_result_free(&res);
	}
	incscan_result_free(&t.scan);
	return r;
}

static void expect(const char *defs, const char *operand, const char *want)
{
	char out[4096];

	assert_int_equal(expand(defs, operand, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void test_object_like(void **state)
{
	(void)state;
	expect("#define H \"a.h\"\n", "H", "Q:a.h");
	expect("#define H <sys/a.h>\n", "H", "A:sys/a.h");
	expect("#define FT_CONFIG_CONFIG_H <freetype/config/ftconfig.h>\n"
	       "#define FT_FREETYPE_H FT_CONFIG_CONFIG_H\n", "FT_FREETYPE_H",
	       "A:freetype/config/ftconfig.h");
	expect("", "\"literal.h\"", "Q:literal.h");
	expect("", "UNDEFINED", "");
}

static void test_multi_valued(void **state)
{
	(void)state;
	expect("#ifdef X\n#define H \"x.h\"\n#else\n#define H \"y.h\"\n#endif\n#define H <z.h>\n",
	       "H", "Q:x.h|Q:y.h|A:z.h");
	/* combinations of two multi-valued macros through one function */
	expect("#define A a\n#define A b\n#define B 1\n#define B 2\n#define S(x) #x\n"
	       "#define XS(x) S(x)\n#define CAT(x, y) XS(x##y.h)\n", "CAT(A, B)",
	       "Q:AB.h");   /* ## operands are not pre-expanded */
	expect("#define A a\n#define A b\n#define B 1\n#define B 2\n#define S(x) #x\n"
	       "#define XS(x) S(x)\n#define P(x, y) XS(x/y.h)\n", "P(A, B)",
	       "Q:a/1.h|Q:b/1.h|Q:a/2.h|Q:b/2.h");
}

static void test_function_like(void **state)
{
	(void)state;
	/* the classic: stringify after the argument is expanded */
	expect("#define STR2(x) #x\n#define STR(x) STR2(x)\n#define NAME foo.h\n", "STR(NAME)",
	       "Q:foo.h");
	expect("#define STR2(x) #x\n#define NAME foo.h\n", "STR2(NAME)", "Q:NAME");
	expect("#define HDR(x) <x.h>\n", "HDR(stdio)", "A:stdio.h");
	expect("#define HDR(dir, x) <dir/x>\n", "HDR( sys , types.h )", "A:sys/types.h");
	expect("#define PASTE(a, b) a##b\n#define SYS_H \"sys.h\"\n", "PASTE(SYS, _H)", "Q:sys.h");
	expect("#define V(...) <__VA_ARGS__>\n", "V(a.h)", "A:a.h");
	expect("#define F(x) <x>\n", "F", "");          /* named without arguments */
	expect("#define F() <empty.h>\n", "F()", "A:empty.h");
	expect("#define F(x, y) <x.h>\n", "F(a)", "");  /* wrong argument count */
	expect("#define PLATFORM(f) <plat/f>\n#define BOARD PLATFORM(board.h)\n", "BOARD",
	       "A:plat/board.h");
}

static void test_bounds(void **state)
{
	char out[4096];
	char defs[8192];
	size_t k = 0;

	(void)state;
	expect("#define SELF SELF\n", "SELF", "");                 /* no endless recursion */
	expect("#define A B\n#define B A\n", "A", "");
	/* 2^12 combinations: refused, not computed */
	for (int i = 0; i < 12; i++)
		k += (size_t)snprintf(defs + k, sizeof(defs) - k, "#define M%d a\n#define M%d b\n", i, i);
	k += (size_t)snprintf(defs + k, sizeof(defs) - k,
			      "#define S(x) #x\n#define J(a,b,c,d,e,f,g,h,i,j,l,m) S(a/b/c/d/e/f/g/h/i/j/l/m)\n");
	assert_int_equal(expand(defs, "J(M0,M1,M2,M3,M4,M5,M6,M7,M8,M9,M10,M11)", out, sizeof(out)),
			 -E2BIG);
	/* unbalanced and hostile operands */
	expect("#define F(x) <x>\n", "F(", "");
	expect("#define F(x) <x>\n", ")))", "");
	expect("", "<unterminated", "");
	expect("", "\"", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_like),
		cmocka_unit_test(test_multi_valued),
		cmocka_unit_test(test_function_like),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
