/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiler rewriting against a temporary PATH of fake executables:
 * gcc -> <triple>-gcc only when present (bare and path-qualified, C7),
 * clang -target (not twice, also --target=), cc/c++ through symlink chains
 * and through the --version probe (C8).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "rewrite.h"
#include "strv.h"

static char top[64];
static char bin[96], other[96], alt[96];
static char gt[96]; /* gcc triple */

static void write_script(const char *dir, const char *name, const char *body)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p); /* never write through an old symlink */
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(p, 0755), 0);
}

static void link_to(const char *target, const char *dir, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	const char *t = rewrite_host_triple();
	const char *pc = strstr(t, "-pc-");
	const char *unk = strstr(t, "-unknown-");

	(void)state;
	if (pc)
		snprintf(gt, sizeof(gt), "%.*s-%s", (int)(pc - t), t, pc + 4);
	else if (unk)
		snprintf(gt, sizeof(gt), "%.*s-%s", (int)(unk - t), t, unk + 9);
	else
		snprintf(gt, sizeof(gt), "%s", t);
	strcpy(top, "/tmp/test-rewrite.XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(bin, sizeof(bin), "%s/bin", top);
	snprintf(other, sizeof(other), "%s/other", top);
	snprintf(alt, sizeof(alt), "%s/alt", top);
	assert_int_equal(mkdir(bin, 0755), 0);
	assert_int_equal(mkdir(other, 0755), 0);
	assert_int_equal(mkdir(alt, 0755), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

static char **vec(const char *a0, const char *a1, const char *a2)
{
	char *const v[] = { (char *)a0, (char *)a1, (char *)a2, NULL };
	char **c = strv_copy(v);

	assert_non_null(c);
	return c;
}

static char *joined(char **v)
{
	static char buf[1024];

	buf[0] = 0;
	for (size_t i = 0; v[i]; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, v[i]);
	}
	return buf;
}

static void expect(const char *a0, const char *a1, const char *a2, const char *path,
		   const char *want)
{
	char **v = vec(a0, a1, a2);

	assert_int_equal(rewrite_compiler(&v, path), 0);
	if (strcmp(joined(v), want) != 0) {
		print_error("rewrite %s %s %s\n  want: %s\n  got:  %s\n", a0, a1 ? a1 : "",
			    a2 ? a2 : "", want, joined(v));
		fail();
	}
	strv_free(v);
}

static void test_triple(void **state)
{
	struct utsname u;

	(void)state;
	assert_int_equal(uname(&u), 0);
	if (strcmp(u.machine, "x86_64") == 0) {
		assert_string_equal(rewrite_host_triple(), "x86_64-pc-linux-gnu");
		assert_string_equal(gt, "x86_64-linux-gnu");
	}
	assert_non_null(strstr(rewrite_host_triple(), u.machine));
}

static void test_gcc_bare(void **state)
{
	char want[512], name[160];

	(void)state;
	snprintf(name, sizeof(name), "%s-gcc", gt);
	write_script(bin, name, "exit 0");
	snprintf(name, sizeof(name), "%s-gcc-12", gt);
	write_script(bin, name, "exit 0");
	snprintf(want, sizeof(want), "%s-gcc -c a.c", gt);
	expect("gcc", "-c", "a.c", bin, want);
	/* found on a later PATH entry too */
	snprintf(want, sizeof(want), "%s:%s", other, bin);
	{
		char w2[512];

		snprintf(w2, sizeof(w2), "%s-gcc -c a.c", gt);
		expect("gcc", "-c", "a.c", want, w2);
	}
	snprintf(want, sizeof(want), "%s-gcc-12 -c a.c", gt);
	expect("gcc-12", "-c", "a.c", bin, want);
	/* no <triple>-g++ there: unchanged; no PATH: unchanged */
	expect("g++", "-c", "a.cc", bin, "g++ -c a.cc");
	expect("gcc", "-c", "a.c", NULL, "gcc -c a.c");
	expect("gcc", "-c", "a.c", other, "gcc -c a.c");
	/* not gcc-like names */
	expect("gccgo", "-c", "a.go", bin, "gccgo -c a.go");
	expect("gcc-ar", "x", NULL, bin, "gcc-ar x");
}

static void test_gcc_qualified(void **state)
{
	char a0[512], want[512], name[160];

	(void)state;
	snprintf(name, sizeof(name), "%s-gcc", gt);
	write_script(bin, name, "exit 0");
	write_script(bin, "gcc", "exit 0");
	write_script(other, "gcc", "exit 0");
	snprintf(a0, sizeof(a0), "%s/gcc", bin);
	snprintf(want, sizeof(want), "%s/%s-gcc -c a.c", bin, gt);
	expect(a0, "-c", "a.c", bin, want);
	/* C7: no <dir>/<triple>-gcc: unchanged, never a PATH lookup or "<triple>-/dir/gcc" */
	snprintf(a0, sizeof(a0), "%s/gcc", other);
	snprintf(want, sizeof(want), "%s/gcc -c a.c", other);
	expect(a0, "-c", "a.c", bin, want);
}

static void test_clang_target(void **state)
{
	char a0[512], want[512];
	const char *t = rewrite_host_triple();

	(void)state;
	snprintf(want, sizeof(want), "clang -c a.c -target %s", t);
	expect("clang", "-c", "a.c", NULL, want);
	snprintf(want, sizeof(want), "clang-14 -c a.c -target %s", t);
	expect("clang-14", "-c", "a.c", NULL, want);
	snprintf(want, sizeof(want), "clang++-14.0 -c a.cc -target %s", t);
	expect("clang++-14.0", "-c", "a.cc", NULL, want);
	expect("clang", "-target", "armv7-linux-gnueabihf", NULL,
	       "clang -target armv7-linux-gnueabihf");
	expect("clang", "--target=aarch64-linux-gnu", "-c", NULL,
	       "clang --target=aarch64-linux-gnu -c");
	/* C7: path-qualified clang gets it too, if it exists */
	write_script(bin, "clang-19", "exit 0");
	snprintf(a0, sizeof(a0), "%s/clang-19", bin);
	snprintf(want, sizeof(want), "%s/clang-19 -c a.c -target %s", bin, t);
	expect(a0, "-c", "a.c", NULL, want);
	expect("/nonexistent/clang", "-c", "a.c", NULL, "/nonexistent/clang -c a.c");
	expect("clang-tidy", "a.c", NULL, NULL, "clang-tidy a.c");
}

static void test_cc_symlinks(void **state)
{
	char target[512], want[512], path[512], name[160];

	(void)state;
	/* Debian: cc -> /etc/alternatives/cc -> .../gcc -> gcc-12 -> <triple>-gcc-12 */
	write_script(other, "real-gcc-12", "exit 0");
	link_to("real-gcc-12", other, "gcc-12");
	link_to("gcc-12", other, "gcc");
	snprintf(target, sizeof(target), "%s/gcc", other);
	link_to(target, alt, "cc");
	snprintf(target, sizeof(target), "../alt/cc");
	link_to(target, bin, "cc");
	snprintf(name, sizeof(name), "%s-gcc", gt);
	write_script(bin, name, "exit 0");
	snprintf(want, sizeof(want), "%s-gcc -c a.c", gt);
	expect("cc", "-c", "a.c", bin, want);
	/* path-qualified cc keeps a path */
	snprintf(target, sizeof(target), "%s/cc", bin);
	snprintf(want, sizeof(want), "%s/gcc -c a.c", other);
	expect(target, "-c", "a.c", bin, want);
	/* c++ -> clang++ gets -target */
	write_script(other, "clang++", "exit 0");
	snprintf(target, sizeof(target), "%s/clang++", other);
	link_to(target, bin, "c++");
	snprintf(path, sizeof(path), "%s:%s", bin, other);
	snprintf(want, sizeof(want), "clang++ -c a.cc -target %s", rewrite_host_triple());
	expect("c++", "-c", "a.cc", path, want);
}

static void test_cc_probe(void **state)
{
	char want[512], path[512];

	(void)state;
	/* C8: a dispatcher script, not a symlink */
	write_script(bin, "cc", "echo 'Debian clang version 14.0.6'; echo 'Target: x'; exit 0");
	snprintf(want, sizeof(want), "cc -c a.c -target %s", rewrite_host_triple());
	expect("cc", "-c", "a.c", bin, want); /* no clang on PATH: name kept */
	write_script(other, "clang", "exit 0");
	snprintf(path, sizeof(path), "%s:%s", bin, other);
	snprintf(want, sizeof(want), "clang -c a.c -target %s", rewrite_host_triple());
	expect("cc", "-c", "a.c", path, want);
	/* the probe only reads the first line */
	write_script(bin, "cc", "echo 'cc (Debian 12.2.0-14) 12.2.0'; echo clang; exit 0");
	expect("cc", "-c", "a.c", path, "cc -c a.c");
	/* a probe that cannot run, or prints nothing, changes nothing */
	write_script(bin, "cc", "exit 3");
	expect("cc", "-c", "a.c", path, "cc -c a.c");
	{
		char p[256];
		FILE *f;

		snprintf(p, sizeof(p), "%s/cc", bin);
		unlink(p);
		f = fopen(p, "w");
		assert_non_null(f);
		fputs("#!/nonexistent/interpreter\n", f);
		fclose(f);
		assert_int_equal(chmod(p, 0755), 0);
		expect("cc", "-c", "a.c", path, "cc -c a.c");
	}
	/* no cc anywhere */
	expect("cc", "-c", "a.c", other, "cc -c a.c");
	expect("c++", "-c", "a.c", NULL, "c++ -c a.c");
}

static void test_bad_input(void **state)
{
	char **v = NULL;

	(void)state;
	assert_int_equal(rewrite_compiler(&v, NULL), -EINVAL);
	assert_int_equal(rewrite_compiler(NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_triple),
		cmocka_unit_test(test_gcc_bare),
		cmocka_unit_test(test_gcc_qualified),
		cmocka_unit_test(test_clang_target),
		cmocka_unit_test(test_cc_symlinks),
		cmocka_unit_test(test_cc_probe),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
