/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Distribute-or-local decision on real build-system command lines (Kbuild,
 * autotools, libtool, CMake, meson, clang), with the derived output name,
 * local preprocessor argv and server argv; plus UPSTREAM-BUGS C3-C6
 * regressions and degenerate command lines.
 */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "argscan.h"
#include "srcext.h"

#define srcext_preproc_c(p) srcext_preproc((p), false)

#define R ARGSCAN_REMOTE
#define L ARGSCAN_LOCAL
#define LC ARGSCAN_LOCAL_CPP

struct tcase {
	const char *cmd;     /* space-separated argv */
	enum argscan_verdict v;
	const char *output;  /* expected output, or NULL */
	const char *argv;    /* expected job argv; NULL = same as cmd */
	const char *cpp;     /* REMOTE only */
	const char *server;  /* REMOTE only */
	const char *ext;     /* REMOTE only */
};

static const struct tcase cases[] = {
	/* Kbuild: -Wp,-MMD,dir/.x.o.d plus many -I/-D/-include */
	{ "gcc -Wp,-MMD,drivers/net/.dummy.o.d -nostdinc -I./arch/x86/include "
	  "-I./arch/x86/include/generated -I./include -include ./include/linux/kconfig.h "
	  "-include ./include/linux/compiler_types.h -D__KERNEL__ -fmacro-prefix-map=./= -Wall "
	  "-std=gnu11 -O2 -mno-red-zone -mcmodel=kernel -DMODULE -DKBUILD_BASENAME='\"dummy\"' "
	  "-D__KBUILD_MODNAME=kmod_dummy -c -o drivers/net/dummy.o drivers/net/dummy.c",
	  R, "drivers/net/dummy.o",
	  "gcc -MMD -MF drivers/net/.dummy.o.d -nostdinc -I./arch/x86/include "
	  "-I./arch/x86/include/generated -I./include -include ./include/linux/kconfig.h "
	  "-include ./include/linux/compiler_types.h -D__KERNEL__ -fmacro-prefix-map=./= -Wall "
	  "-std=gnu11 -O2 -mno-red-zone -mcmodel=kernel -DMODULE -DKBUILD_BASENAME='\"dummy\"' "
	  "-D__KBUILD_MODNAME=kmod_dummy -c -o drivers/net/dummy.o drivers/net/dummy.c",
	  "gcc -MMD -MF drivers/net/.dummy.o.d -nostdinc -I./arch/x86/include "
	  "-I./arch/x86/include/generated -I./include -include ./include/linux/kconfig.h "
	  "-include ./include/linux/compiler_types.h -D__KERNEL__ -fmacro-prefix-map=./= -Wall "
	  "-std=gnu11 -O2 -mno-red-zone -mcmodel=kernel -DMODULE -DKBUILD_BASENAME='\"dummy\"' "
	  "-D__KBUILD_MODNAME=kmod_dummy -E drivers/net/dummy.c",
	  "gcc -fmacro-prefix-map=./= -Wall -std=gnu11 -O2 -mno-red-zone -mcmodel=kernel -c "
	  "-o drivers/net/dummy.o drivers/net/dummy.c",
	  ".i" },
	/* Kbuild: -Wp,-MD and a joined -isystem, -D with a separate value */
	{ "gcc -Wp,-MD,arch/x86/kernel/.head64.o.d -isystem/usr/lib/gcc/include -D FOO=1 -O2 "
	  "-c arch/x86/kernel/head64.c -o arch/x86/kernel/head64.o",
	  R, "arch/x86/kernel/head64.o",
	  "gcc -MD -MF arch/x86/kernel/.head64.o.d -isystem/usr/lib/gcc/include -D FOO=1 -O2 "
	  "-c arch/x86/kernel/head64.c -o arch/x86/kernel/head64.o",
	  "gcc -MD -MF arch/x86/kernel/.head64.o.d -isystem/usr/lib/gcc/include -D FOO=1 -O2 "
	  "-E arch/x86/kernel/head64.c",
	  "gcc -O2 -c arch/x86/kernel/head64.c -o arch/x86/kernel/head64.o", ".i" },
	/* autotools: configure tests stay local */
	{ .cmd = "gcc -c -g -O2 conftest.c", .v = L, .output = NULL },
	{ .cmd = "gcc -o conftest -g -O2 conftest.c -lm", .v = L, .output = "conftest" },
	{ .cmd = "gcc -c /tmp/cfg/tmp.conftest.c -o x.o", .v = L, .output = "x.o" },
	/* automake depcomp (gcc3 mode) */
	{ "gcc -DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.o -MD -MP -MF .deps/foo.Tpo -c -o foo.o "
	  "foo.c",
	  R, "foo.o", NULL,
	  "gcc -DHAVE_CONFIG_H -I. -I.. -g -O2 -MT foo.o -MD -MP -MF .deps/foo.Tpo -E foo.c",
	  "gcc -g -O2 -c -o foo.o foo.c", ".i" },
	/* libtool PIC compile: -o after other options */
	{ "gcc -DHAVE_CONFIG_H -I. -g -O2 -MT libfoo_la-bar.lo -MD -MP -MF "
	  ".deps/libfoo_la-bar.Tpo -c bar.c -fPIC -DPIC -o .libs/libfoo_la-bar.o",
	  R, ".libs/libfoo_la-bar.o", NULL,
	  "gcc -DHAVE_CONFIG_H -I. -g -O2 -MT libfoo_la-bar.lo -MD -MP -MF "
	  ".deps/libfoo_la-bar.Tpo -E bar.c -fPIC -DPIC",
	  "gcc -g -O2 -c bar.c -fPIC -o .libs/libfoo_la-bar.o", ".i" },
	/* CMake (Makefile and Ninja generators) */
	{ "/usr/bin/c++ -DFOO_EXPORTS -I/src/include -isystem /usr/include/eigen3 -O3 -DNDEBUG "
	  "-std=gnu++17 -fPIC -MD -MT CMakeFiles/foo.dir/src/a.cpp.o -MF "
	  "CMakeFiles/foo.dir/src/a.cpp.o.d -o CMakeFiles/foo.dir/src/a.cpp.o -c /src/src/a.cpp",
	  R, "CMakeFiles/foo.dir/src/a.cpp.o", NULL,
	  "/usr/bin/c++ -DFOO_EXPORTS -I/src/include -isystem /usr/include/eigen3 -O3 -DNDEBUG "
	  "-std=gnu++17 -fPIC -MD -MT CMakeFiles/foo.dir/src/a.cpp.o -MF "
	  "CMakeFiles/foo.dir/src/a.cpp.o.d -E /src/src/a.cpp",
	  "/usr/bin/c++ -O3 -std=gnu++17 -fPIC -o CMakeFiles/foo.dir/src/a.cpp.o -c "
	  "/src/src/a.cpp",
	  ".ii" },
	/* meson */
	{ "cc -Ilibfoo.so.p -I. -I.. -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64 -Wall "
	  "-Winvalid-pch -std=c11 -O0 -g -fPIC -MD -MQ libfoo.so.p/foo.c.o -MF "
	  "libfoo.so.p/foo.c.o.d -o libfoo.so.p/foo.c.o -c ../foo.c",
	  R, "libfoo.so.p/foo.c.o", NULL,
	  "cc -Ilibfoo.so.p -I. -I.. -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64 -Wall "
	  "-Winvalid-pch -std=c11 -O0 -g -fPIC -MD -MQ libfoo.so.p/foo.c.o -MF "
	  "libfoo.so.p/foo.c.o.d -E ../foo.c",
	  "cc -fdiagnostics-color=always -Wall -Winvalid-pch -std=c11 -O0 -g -fPIC "
	  "-o libfoo.so.p/foo.c.o -c ../foo.c",
	  ".i" },
	/* driver-level -MD without -MF/-MT: cpp gets gcc's derived names */
	{ "gcc -MD -c src/a.c -o build/a.o", R, "build/a.o", NULL,
	  "gcc -MD -E src/a.c -MF build/a.d -MQ build/a.o", "gcc -c src/a.c -o build/a.o", ".i" },
	{ "gcc -MMD -MP -c src/x.c", R, "x.o", "gcc -MMD -MP -c src/x.c -o x.o",
	  "gcc -MMD -MP -E src/x.c -MF x.d -MQ x.o", "gcc -c src/x.c -o x.o", ".i" },
	/* without -o the target is <base>.o even for -S (gcc and clang) */
	{ "gcc -MD -S src/x.c", R, "x.s", "gcc -MD -S src/x.c -o x.s",
	  "gcc -MD -E src/x.c -MF x.d -MQ x.o", "gcc -S src/x.c -o x.s", ".i" },
	/* -Wp,-MD,file: gcc's cc1 picks its own target, clang's driver uses -o */
	{ "clang -Wp,-MMD,d/.y.o.d -c x.c -o d/y.o", R, "d/y.o",
	  "clang -MMD -MF d/.y.o.d -c x.c -o d/y.o", "clang -MMD -MF d/.y.o.d -E x.c -MQ d/y.o",
	  "clang -c x.c -o d/y.o", ".i" },
	{ "x86_64-linux-gnu-gcc -Wp,-MMD,d/.y.o.d -c x.c -o d/y.o", R, "d/y.o",
	  "x86_64-linux-gnu-gcc -MMD -MF d/.y.o.d -c x.c -o d/y.o",
	  "x86_64-linux-gnu-gcc -MMD -MF d/.y.o.d -E x.c", "x86_64-linux-gnu-gcc -c x.c -o d/y.o",
	  ".i" },
	{ "gcc -c -MD -MT tgt -MF dep.d a.c", R, "a.o", "gcc -c -MD -MT tgt -MF dep.d a.c -o a.o",
	  "gcc -E -MD -MT tgt -MF dep.d a.c", "gcc -c a.c -o a.o", ".i" },
	/* output defaulting: basename in cwd, .s for -S (which wins over -c) */
	{ "gcc -c src/x.c -O2", R, "x.o", "gcc -c src/x.c -O2 -o x.o", "gcc -E src/x.c -O2",
	  "gcc -c src/x.c -O2 -o x.o", ".i" },
	{ "g++ -S -c t.cc", R, "t.s", "g++ -S -c t.cc -o t.s", "g++ -E t.cc",
	  "g++ -S -c t.cc -o t.s", ".ii" },
	{ .cmd = "gcc -c noext", .v = L, .output = NULL },
	{ "gcc -c a.c -oa.o", R, "a.o", NULL, "gcc -E a.c", "gcc -c a.c -oa.o", ".i" },
	/* preprocessed inputs and languages */
	{ "gcc -c x.i -o x.o", R, "x.o", NULL, "gcc -E x.i", "gcc -c x.i -o x.o", ".i" },
	{ "g++ -c y.ii", R, "y.o", "g++ -c y.ii -o y.o", "g++ -E y.ii", "g++ -c y.ii -o y.o",
	  ".ii" },
	{ "g++ -x c++ -c a.c -o a.o", R, "a.o", NULL, "g++ -x c++ -E a.c", "g++ -x c++ -c a.c -o a.o",
	  ".ii" },
	{ "gcc -xobjective-c -c a.m", R, "a.o", "gcc -xobjective-c -c a.m -o a.o",
	  "gcc -xobjective-c -E a.m", "gcc -xobjective-c -c a.m -o a.o", ".mi" },
	{ "clang++ -c v.mm", R, "v.o", "clang++ -c v.mm -o v.o", "clang++ -E v.mm",
	  "clang++ -c v.mm -o v.o", ".mii" },
	{ .cmd = "gcc -x assembler-with-cpp -c a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -xc-header -c a.h", .v = L, .output = NULL },
	{ .cmd = "gcc -x c -c - -o a.o", .v = L, .output = "a.o" },
	/* C3: -iquote stripped, both forms; C4: the value after -X* is opaque */
	{ "clang -Werror -iquote inc -iquoteinc2 -Xclang -xfoo -Xclang -lbar -c a.c -o a.o", R,
	  "a.o", NULL, "clang -Werror -iquote inc -iquoteinc2 -Xclang -xfoo -Xclang -lbar -E a.c",
	  "clang -Werror -Xclang -xfoo -Xclang -lbar -c a.c -o a.o", ".i" },
	{ "gcc -Xlinker -o -Xassembler -E -c a.c -o a.o", R, "a.o", NULL,
	  "gcc -Xlinker -o -Xassembler -E -E a.c", "gcc -Xlinker -o -Xassembler -E -c a.c -o a.o",
	  ".i" },
	{ "gcc -Xpreprocessor -include -Xpreprocessor x.h -c a.c", R, "a.o",
	  "gcc -Xpreprocessor -include -Xpreprocessor x.h -c a.c -o a.o",
	  "gcc -Xpreprocessor -include -Xpreprocessor x.h -E a.c", "gcc -c a.c -o a.o", ".i" },
	/* C5: every -m...=native stays local */
	{ .cmd = "gcc -march=native -O2 -c a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -c a.c -mtune=native", .v = L, .output = NULL },
	{ .cmd = "gcc -mcpu=native -c a.c -o a.o", .v = L, .output = NULL },
	{ "gcc -march=x86-64-v3 -c a.c -o a.o", R, "a.o", NULL, "gcc -march=x86-64-v3 -E a.c",
	  "gcc -march=x86-64-v3 -c a.c -o a.o", ".i" },
	/* D8 (plain mode too): the .dwo of -gsplit-dwarf cannot come back */
	{ .cmd = "gcc -g -gsplit-dwarf -c a.c -o a.o", .v = L, .output = NULL },
	{ .cmd = "clang -gsplit-dwarf=split -c a.c", .v = L, .output = NULL },
	/* C6: LTO is distributed */
	{ "gcc -flto -O2 -c a.c -o a.o", R, "a.o", NULL, "gcc -flto -O2 -E a.c",
	  "gcc -flto -O2 -c a.c -o a.o", ".i" },
	/* preprocess only / dependency only */
	{ .cmd = "gcc -E a.c", .v = LC, .output = NULL },
	{ .cmd = "gcc -E -c a.c -o a.i", .v = LC, .output = NULL },
	{ .cmd = "gcc -M a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -MM -c a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -c -MM a.c -E", .v = L, .output = NULL },
	/* profiling, listings, code-loading options */
	{ .cmd = "gcc -fprofile-arcs -c a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -c --coverage a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -c -ftest-coverage a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -c -fprofile-generate=/tmp/p a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -c -fprofile-use a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -c -fauto-profile=x.afdo a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -Wa,-adhln=a.lst -c a.c", .v = L, .output = NULL },
	{ "gcc -Wa,--noexecstack -c a.c", R, "a.o", "gcc -Wa,--noexecstack -c a.c -o a.o",
	  "gcc -Wa,--noexecstack -E a.c", "gcc -Wa,--noexecstack -c a.c -o a.o", ".i" },
	{ .cmd = "gcc -specs=x.specs -c a.c", .v = L, .output = NULL },
	{ .cmd = "gcc -fplugin=./p.so -c a.c", .v = L, .output = NULL },
	{ .cmd = "gcc @args.rsp", .v = L, .output = NULL },
	/* shapes that are not one compile */
	{ .cmd = "gcc -c a.c b.c", .v = L, .output = NULL },
	{ .cmd = "gcc a.c -o a", .v = L, .output = "a" },
	{ .cmd = "gcc -c a.c -o -", .v = L, .output = NULL },
	{ .cmd = "gcc -c a.c -o a.o -o b.o", .v = L, .output = "a.o" },
	{ .cmd = "gcc -c a.s -o a.o", .v = L, .output = NULL },
	{ .cmd = "gcc -c start.S", .v = L, .output = NULL },
	{ .cmd = "gcc -c a.c x.o", .v = L, .output = NULL },
	{ .cmd = "gcc -c a.c -o", .v = L, .output = NULL },
	{ .cmd = "gcc -c -x", .v = L, .output = NULL },
	{ .cmd = "gcc", .v = L, .output = NULL },
	/* separate values are never read as sources */
	{ "gcc -c -I a.c b.c -o b.o", R, "b.o", NULL, "gcc -E -I a.c b.c", "gcc -c b.c -o b.o",
	  ".i" },
	{ "clang -target aarch64-linux-gnu -c a.c -D X.c -o a.o", R, "a.o", NULL,
	  "clang -target aarch64-linux-gnu -E a.c -D X.c",
	  "clang -target aarch64-linux-gnu -c a.c -o a.o", ".i" },
	/* the rest of 3.3's strip list */
	{ "g++ -Wp,-DFOO -Wl,-O1 -L/lib -L /lib64 -lm -l z -U BAR -UBAZ -stdlib=libc++ -nostdinc++ "
	  "-undef -nostdinc -MG -imacros m.h -iprefix p -iwithprefix w -iwithprefixbefore wb "
	  "-idirafter d -isystem s -c q.cpp",
	  R, "q.o",
	  "g++ -Wp,-DFOO -Wl,-O1 -L/lib -L /lib64 -lm -l z -U BAR -UBAZ -stdlib=libc++ -nostdinc++ "
	  "-undef -nostdinc -MG -imacros m.h -iprefix p -iwithprefix w -iwithprefixbefore wb "
	  "-idirafter d -isystem s -c q.cpp -o q.o",
	  "g++ -Wp,-DFOO -Wl,-O1 -L/lib -L /lib64 -lm -l z -U BAR -UBAZ -stdlib=libc++ -nostdinc++ "
	  "-undef -nostdinc -MG -imacros m.h -iprefix p -iwithprefix w -iwithprefixbefore wb "
	  "-idirafter d -isystem s -E q.cpp",
	  "g++ -c q.cpp -o q.o", ".ii" },
};

static char *join(char *const *v)
{
	size_t n = 1;
	char *s;

	if (!v)
		return NULL;
	for (size_t i = 0; v[i]; i++)
		n += strlen(v[i]) + 1;
	s = calloc(1, n);
	assert_non_null(s);
	for (size_t i = 0; v[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	return s;
}

static char **split(const char *cmd)
{
	char *copy = strdup(cmd), *save = NULL;
	char **v = calloc(strlen(cmd) + 2, sizeof(char *));
	size_t n = 0;

	assert_non_null(copy);
	assert_non_null(v);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		v[n++] = strdup(t);
	free(copy);
	return v;
}

static void check_vec(char *const *v, const char *want, const char *cmd, const char *what)
{
	char *got = join(v);

	if (!got || strcmp(got, want) != 0) {
		print_error("%s\n  %s:\n  want: %s\n  got:  %s\n", cmd, what, want,
			    got ? got : "(null)");
		free(got);
		fail();
	}
	free(got);
}

static bool is_pp(const char *in)
{
	const char *e = strrchr(in, '.');

	return e && (!strcmp(e, ".i") || !strcmp(e, ".ii") || !strcmp(e, ".mi") || !strcmp(e, ".mii"));
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		char **argv = split(c->cmd);
		struct argscan_job j;
		enum argscan_verdict v;

		assert_int_equal(argscan_classify((const char *const *)argv, &j, &v), 0);
		if (v != c->v) {
			print_error("%s\n  verdict %d want %d (%s)\n", c->cmd, v, c->v,
				    j.reason ? j.reason : "");
			fail();
		}
		assert_non_null(j.argv);
		if (c->v != R)
			assert_non_null(j.reason);
		if (c->output) {
			if (!j.output)
				print_error("%s: no output\n", c->cmd);
			assert_non_null(j.output);
			assert_string_equal(j.output, c->output);
		}
		if (c->v == R) {
			assert_null(j.reason);
			check_vec(j.argv, c->argv ? c->argv : c->cmd, c->cmd, "argv");
			check_vec(j.cpp_argv, c->cpp, c->cmd, "cpp_argv");
			check_vec(j.server_argv, c->server, c->cmd, "server_argv");
			assert_string_equal(j.cpp_ext, c->ext);
			assert_non_null(j.input);
			assert_int_equal(j.preprocessed, is_pp(j.input));
		}
		argscan_job_free(&j);
		for (size_t k = 0; argv[k]; k++)
			free(argv[k]);
		free(argv);
	}
}

static void test_reasons(void **state)
{
	static const struct {
		const char *cmd, *reason_part;
	} r[] = {
		{ "gcc -c conftest.c", "autoconf" },
		{ "gcc -c a.c b.c", "two input" },
		{ "gcc a.c", "no -c" },
		{ "gcc -c a.c -o -", "stdout" },
		{ "gcc -E a.c", "-E" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		char **argv = split(r[i].cmd);
		struct argscan_job j;
		enum argscan_verdict v;

		assert_int_equal(argscan_classify((const char *const *)argv, &j, &v), 0);
		assert_non_null(strstr(j.reason, r[i].reason_part));
		argscan_job_free(&j);
		for (size_t k = 0; argv[k]; k++)
			free(argv[k]);
		free(argv);
	}
}

static void test_source_names(void **state)
{
	static const char *const yes[] = { "a.c", "d/a.cc", "a.cpp", "a.cxx", "a.cp", "a.c++",
					   "a.C", "a.i", "a.ii", "a.m", "a.mm", "a.mi", "a.mii",
					   "a.M", "x.y/a.c", NULL };
	static const char *const no[] = { "a.s", "a.S", "a.h", "a.o", "a", "x.c/a", "a.", ".c/x",
					  "a.CPP", "a.f90", NULL };

	(void)state;
	for (size_t i = 0; yes[i]; i++)
		assert_non_null(srcext_preproc_c(yes[i]));
	for (size_t i = 0; no[i]; i++)
		assert_null(srcext_preproc_c(no[i]));
	assert_string_equal(srcext_preproc_c("a.c"), ".i");
	assert_string_equal(srcext_preproc_c("a.C"), ".ii");
	assert_string_equal(srcext_preproc_c("a.m"), ".mi");
	assert_string_equal(srcext_preproc_c("a.M"), ".mii");
	assert_null(srcext_preproc_c("a.s"));
}

static void test_degenerate(void **state)
{
	const char *const empty[] = { NULL };
	const char *const one[] = { "", NULL };
	struct argscan_job j = {};
	enum argscan_verdict v;

	(void)state;
	assert_int_equal(argscan_classify(empty, &j, &v), -EINVAL);
	assert_int_equal(argscan_classify(one, &j, &v), 0);
	assert_int_equal(v, ARGSCAN_LOCAL);
	argscan_job_free(&j);
	argscan_job_free(&j);
	argscan_job_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_source_names),
		cmocka_unit_test(test_degenerate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
