/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's argument policy against large tables: real command lines
 * from kernel, autotools, CMake and Meson builds (as distcc 3.4 clients send
 * them) must pass; every refused class must be refused, with its reason and
 * the offending argument.
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

#include "argpolicy.h"
#include "macro.h"

#define MAXW 256

/* Split on single spaces (test command lines have no quoted blanks). */
static size_t split(const char *line, char *store, const char *argv[MAXW])
{
	size_t n = 0;

	strcpy(store, line);
	for (char *p = strtok(store, " "); p && n < MAXW - 1; p = strtok(NULL, " "))
		argv[n++] = p;
	argv[n] = NULL;
	return n;
}

static struct argpolicy_verdict check(const char *line, unsigned protover)
{
	static char store[16384];
	const char *argv[MAXW];
	struct argpolicy_verdict v = { 0 };

	assert_true(strlen(line) < sizeof(store));
	split(line, store, argv);
	assert_int_equal(argpolicy_check(argv, protover, &v), 0);
	return v;
}

static const char *const allowed_v2[] = {
	/* kernel (Linux 6.1 x86_64 defconfig object, as a 3.4 client strips it) */
	"x86_64-linux-gnu-gcc -Wall -Wundef -Werror=strict-prototypes -Wno-trigraphs "
	"-fno-strict-aliasing -fno-common -fshort-wchar -fno-PIE "
	"-Werror=implicit-function-declaration -Werror=implicit-int -Werror=return-type "
	"-Wno-format-security -std=gnu11 -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx "
	"-fcf-protection=none -m64 -falign-jumps=1 -falign-loops=1 -mno-80387 "
	"-mno-fp-ret-in-387 -mpreferred-stack-boundary=3 -mskip-rax-setup -mtune=generic "
	"-mno-red-zone -mcmodel=kernel -Wno-sign-compare -fno-asynchronous-unwind-tables "
	"-mindirect-branch=thunk-extern -mindirect-branch-register "
	"-mindirect-branch-cs-prefix -mfunction-return=thunk-extern -fno-jump-tables "
	"-mharden-sls=all -fpatchable-function-entry=16,16 -fno-delete-null-pointer-checks "
	"-Wno-frame-address -Wno-format-truncation -Wno-format-overflow "
	"-Wno-address-of-packed-member -O2 -fno-allow-store-data-races "
	"-Wframe-larger-than=2048 -fstack-protector-strong -Wno-main "
	"-Wno-unused-but-set-variable -Wno-unused-const-variable -Wno-dangling-pointer "
	"-fomit-frame-pointer -ftrivial-auto-var-init=zero -fno-stack-clash-protection "
	"-fzero-call-used-regs=used-gpr -pg -mrecord-mcount -mfentry -DCC_USING_FENTRY "
	"-falign-functions=16 -Wdeclaration-after-statement -Wvla -Wno-pointer-sign "
	"-Wcast-function-type -Wno-stringop-truncation -Wno-stringop-overflow -Wno-restrict "
	"-Wno-maybe-uninitialized -Wno-array-bounds -Wno-alloc-size-larger-than "
	"-Wimplicit-fallthrough=5 -fno-strict-overflow -fno-stack-check -fconserve-stack "
	"-Werror=date-time -Werror=incompatible-pointer-types -Werror=designated-init "
	"-Wno-packed-not-aligned -g -gdwarf-5 -fsanitize=bounds -fsanitize=shift "
	"-fmacro-prefix-map=./= --param=allow-store-data-races=0 "
	"-DKBUILD_MODFILE=\"kernel/fork\" -DKBUILD_BASENAME=\"fork\" "
	"-DKBUILD_MODNAME=\"fork\" -D__KBUILD_MODNAME=kmod_fork -c -o kernel/fork.o "
	"kernel/fork.c",
	/* kernel, clang LLVM=1 */
	"clang -Qunused-arguments -fmacro-prefix-map=./= -Wall -Wundef -fno-strict-aliasing "
	"-fno-common -fshort-wchar -fno-PIE -std=gnu11 --target=x86_64-linux-gnu "
	"-fintegrated-as -Werror=unknown-warning-option -Werror=ignored-optimization-argument "
	"-mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -fcf-protection=branch "
	"-fno-jump-tables -m64 -falign-loops=1 -mno-80387 -mstack-alignment=8 "
	"-mtune=generic -mno-red-zone -mcmodel=kernel -mretpoline-external-thunk "
	"-mfunction-return=thunk-extern -fpatchable-function-entry=16,16 -O2 "
	"-fstack-protector-strong -ftrivial-auto-var-init=zero -fno-stack-clash-protection "
	"-pg -mfentry -DCC_USING_NOP_MCOUNT -fno-lto -flto=thin -fsplit-lto-unit "
	"-fvisibility=hidden -fsanitize=kcfi -g -gdwarf-5 -mllvm -x86-asm-syntax=intel "
	"-c -o fs/open.o fs/open.c",
	/* autotools (libtool -fPIC object, Debian hardening flags) */
	"gcc -DHAVE_CONFIG_H -g -O2 -ffile-prefix-map=/build/pkg-1.0=. "
	"-fstack-protector-strong -Wformat -Werror=format-security -Wdate-time "
	"-D_FORTIFY_SOURCE=2 -fPIC -DPIC -c libfoo.c -o .libs/libfoo.o",
	"cc -g -O2 -Wall -pthread -MD -MP -MT foo.o -c foo.c",
	"cc -g -O2 -MT src/main.o -MD -MP -MF src/.deps/main.Tpo -c -o src/main.o src/main.c",
	/* CMake (Ninja generator, C++) */
	"/usr/bin/c++ -DFOO_EXPORTS -O3 -DNDEBUG -std=gnu++17 -fPIC -Wall -Wextra "
	"-Wpedantic -fvisibility=hidden -fvisibility-inlines-hidden -MD -MT "
	"CMakeFiles/foo.dir/src/a.cpp.o -MF CMakeFiles/foo.dir/src/a.cpp.o.d -o "
	"CMakeFiles/foo.dir/src/a.cpp.o -c /home/u/foo/src/a.cpp",
	/* Meson */
	"cc -Ilibfoo.so.p -I. -I.. -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64 -Wall "
	"-Winvalid-pch -Wextra -std=c11 -O0 -g -fPIC -MD -MQ libfoo.so.p/foo.c.o -MF "
	"libfoo.so.p/foo.c.o.d -o libfoo.so.p/foo.c.o -c ../foo.c",
	/* preprocessed input, explicit language, -S */
	"gcc -x cpp-output -O2 -S hello.i -o hello.s",
	"gcc -xc -c hello.i -o hello.o",
	"clang -target x86_64-pc-linux-gnu -c hello.c -o hello.o",
	"clang++ -stdlib=libc++ -std=c++20 -fcolor-diagnostics -c x.cc -o x.o",
	/* sanitizers, LTO, debug knobs */
	"gcc -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer "
	"-flto=auto -ffat-lto-objects -gno-split-dwarf -gz=zlib -ggdb3 -c t.c -o t.o",
	/* assembler options that kbuild and distros pass */
	"gcc -Wa,--noexecstack -Wa,-mx86-used-note=no -Wa,--gdwarf-5 -Xassembler --64 "
	"-c a.c -o a.o",
	"arm-linux-gnueabihf-gcc -march=armv7-a -mfpu=neon -mfloat-abi=hard -mthumb "
	"-Wa,-mimplicit-it=thumb -c a.c -o a.o",
	/* kbuild's dependency flag */
	"gcc -Wp,-MMD,kernel/.fork.o.d -nostdinc -c kernel/fork.c -o kernel/fork.o",
	/* include directories only: nothing is read from preprocessed input */
	"gcc -I/usr/include/foo -isystem /opt/x/include -iquote . -idirafter /y "
	"-c a.c -o a.o",
	/* option spellings and misc flags */
	"gcc -O -Os -Ofast -Og -O3 -w -W -pedantic-errors -ansi -pipe -v -c a.c",
	"clang -Xclang -fno-pch-timestamp -fno-integrated-as -c a.c -o a.o",
	"gcc -fopt-info-vec-missed -fstack-usage -fcallgraph-info=su,da -ftime-report "
	"-fdebug-prefix-map=/home/u=/src -fno-profile-arcs -c a.c -o a.o",
	"gcc -fexec-charset=UTF-8 -finput-charset=ISO-8859-1 -frandom-seed=abc123 "
	"-fdiagnostics-format=json -c a.c -o a.o",
	"gcc -S -c a.c",
	NULL,
};

static void test_allowed_real_world(void **state)
{
	(void)state;
	for (size_t i = 0; allowed_v2[i]; i++) {
		for (unsigned pv = 1; pv <= 3; pv++) {
			struct argpolicy_verdict v = check(allowed_v2[i], pv);
			if (!v.allowed)
				fail_msg("refused (v%u) at arg %u '%s': %s\n  in: %s", pv, v.index,
					 v.arg, v.reason, allowed_v2[i]);
			assert_non_null(v.argv);
			argpolicy_verdict_done(&v);
		}
	}
}

struct refused {
	const char *line;
	const char *bad;      /* the offending argument */
	const char *reason;   /* a word of the reason */
};

static const struct refused refused[] = {
	/* running or loading code */
	{ "gcc -wrapper sh,-c,touch\\ /tmp/x -c a.c", "-wrapper", "run or load" },
	{ "gcc -B/tmp/evil/ -c a.c", "-B/tmp/evil/", "run or load" },
	{ "gcc -B /tmp/evil/ -c a.c", "-B", "run or load" },
	{ "gcc -specs=/tmp/evil.specs -c a.c", "-specs=/tmp/evil.specs", "run or load" },
	{ "gcc -fplugin=/tmp/evil.so -c a.c", "-fplugin=/tmp/evil.so", "run or load" },
	{ "gcc -fplugin-arg-evil-x=y -c a.c", "-fplugin-arg-evil-x=y", "run or load" },
	{ "clang -fpass-plugin=/tmp/p.so -c a.c", "-fpass-plugin=/tmp/p.so", "run or load" },
	{ "gcc -iplugindir=/tmp -c a.c", "-iplugindir=/tmp", "run or load" },
	{ "clang -gcc-toolchain /tmp/tc -c a.c", "-gcc-toolchain", "run or load" },
	{ "clang --gcc-toolchain=/tmp/tc -c a.c", "--gcc-toolchain=/tmp/tc", "reviewed" },
	{ "clang -ccc-gcc-name /tmp/x -c a.c", "-ccc-gcc-name", "run or load" },
	{ "gcc -fcompare-debug=-fplugin=/tmp/e.so -c a.c", "-fcompare-debug=-fplugin=/tmp/e.so",
	  "run or load" },
	{ "clang -Xclang -load -Xclang /tmp/p.so -c a.c", "-Xclang", "past the driver" },
	{ "clang -Xclang -plugin -Xclang x -c a.c", "-Xclang", "past the driver" },
	{ "clang -Xclang -add-plugin -Xclang x -c a.c", "-Xclang", "past the driver" },
	{ "clang -Xclang -fmodule-file=/etc/x.pcm -c a.c", "-Xclang", "past the driver" },
	{ "clang -mllvm -info-output-file=/tmp/x -c a.c", "-mllvm", "past the driver" },
	{ "clang -mllvm -load=/tmp/p.so -c a.c", "-mllvm", "past the driver" },
	{ "gcc -Xpreprocessor -fplugin=/x -c a.c", "-Xpreprocessor", "past the driver" },
	{ "gcc -Wp,-include,/etc/passwd -c a.c", "-Wp,-include,/etc/passwd", "past the driver" },
	{ "gcc -Wa,-a=/tmp/listing -c a.c", "-Wa,-a=/tmp/listing", "past the driver" },
	{ "gcc -Wa,-adhln=/tmp/l -c a.c", "-Wa,-adhln=/tmp/l", "past the driver" },
	{ "gcc -Wa,--MD,/tmp/d -c a.c", "-Wa,--MD,/tmp/d", "past the driver" },
	{ "gcc -Wa,@/etc/passwd -c a.c", "-Wa,@/etc/passwd", "past the driver" },
	{ "gcc -Xassembler -o -Xassembler /tmp/x -c a.c", "-Xassembler", "past the driver" },
	{ "gcc -Wa,-mfoo=/tmp/x -c a.c", "-Wa,-mfoo=/tmp/x", "past the driver" },
	/* response files, anywhere */
	{ "gcc @/etc/passwd -c a.c", "@/etc/passwd", "response" },
	{ "gcc -D @/etc/passwd -c a.c", "@/etc/passwd", "response" },
	{ "gcc -c a.c -o @x", "@x", "response" },
	/* reading server files */
	{ "gcc -include /etc/shadow -c a.c", "-include", "read a file" },
	{ "gcc -include/etc/shadow -c a.c", "-include/etc/shadow", "read a file" },
	{ "gcc -imacros /etc/shadow -c a.c", "-imacros", "read a file" },
	{ "gcc --include=/etc/shadow -c a.c", "--include=/etc/shadow", "reviewed" },
	{ "clang -fsanitize-blacklist=/etc/shadow -c a.c", "-fsanitize-blacklist=/etc/shadow",
	  "read a file" },
	{ "clang -fsanitize-ignorelist=/x -c a.c", "-fsanitize-ignorelist=/x", "read a file" },
	{ "clang -fxray-attr-list=/x -c a.c", "-fxray-attr-list=/x", "read a file" },
	{ "clang -fthinlto-index=/x -c a.c", "-fthinlto-index=/x", "read a file" },
	{ "gcc -fprofile-use=/etc -c a.c", "-fprofile-use=/etc", "profile" },
	{ "gcc -fauto-profile=/etc/x -c a.c", "-fauto-profile=/etc/x", "profile" },
	{ "clang -fprofile-instr-use=/x -c a.c", "-fprofile-instr-use=/x", "profile" },
	{ "clang -fprofile-sample-use=/x -c a.c", "-fprofile-sample-use=/x", "profile" },
	{ "clang -fmodules -c a.c", "-fmodules", "modules" },
	{ "clang -fmodules-cache-path=/tmp/m -c a.c", "-fmodules-cache-path=/tmp/m", "modules" },
	{ "g++ -fmodules-ts -c a.cc", "-fmodules-ts", "modules" },
	{ "g++ -fmodule-mapper=|/bin/sh -c a.cc", "-fmodule-mapper=|/bin/sh", "modules" },
	{ "clang -fbasic-block-sections=list=/etc/x -c a.c",
	  "-fbasic-block-sections=list=/etc/x", "read a file" },
	/* writing outside the job directory */
	{ "gcc -save-temps -c a.c", "-save-temps", "write" },
	{ "gcc -save-temps=obj -c a.c", "-save-temps=obj", "write" },
	{ "gcc --save-temps -c a.c", "--save-temps", "reviewed" },
	{ "gcc -dumpdir /tmp/ -c a.c", "-dumpdir", "dumps" },
	{ "gcc -dumpbase /tmp/x -c a.c", "-dumpbase", "dumps" },
	{ "gcc -dumpbase-ext .c -c a.c", "-dumpbase-ext", "dumps" },
	{ "gcc -fdump-tree-all -c a.c", "-fdump-tree-all", "dumps" },
	{ "gcc -fdump-rtl-expand=/tmp/x -c a.c", "-fdump-rtl-expand=/tmp/x", "dumps" },
	{ "gcc -fdump-go-spec=/tmp/x -c a.c", "-fdump-go-spec=/tmp/x", "dumps" },
	{ "gcc -dr -c a.c", "-dr", "dumps" },
	{ "gcc -fopt-info-vec=/tmp/x -c a.c", "-fopt-info-vec=/tmp/x", "write" },
	{ "gcc -aux-info /tmp/x -c a.c", "-aux-info", "write" },
	{ "clang -MJ /tmp/x.json -c a.c", "-MJ", "write" },
	{ "clang --serialize-diagnostics /tmp/x -c a.c", "--serialize-diagnostics", "reviewed" },
	{ "clang -foptimization-record-file=/tmp/x -c a.c",
	  "-foptimization-record-file=/tmp/x", "write" },
	{ "clang -fcrash-diagnostics-dir=/tmp -c a.c", "-fcrash-diagnostics-dir=/tmp", "write" },
	{ "clang -fproc-stat-report=/tmp/x -c a.c", "-fproc-stat-report=/tmp/x", "write" },
	{ "gcc -fdiagnostics-format=json-file -c a.c", "-fdiagnostics-format=json-file",
	  "write" },
	{ "gcc -fprofile-arcs -c a.c", "-fprofile-arcs", "profile" },
	{ "gcc --coverage -c a.c", "--coverage", "profile" },
	{ "gcc -ftest-coverage -c a.c", "-ftest-coverage", "profile" },
	{ "gcc -fprofile-generate=/tmp/p -c a.c", "-fprofile-generate=/tmp/p", "profile" },
	/* not a compile */
	{ "gcc -E a.c", "-E", "not a compile" },
	{ "gcc -M a.c", "-M", "not a compile" },
	{ "gcc a.c -o a", "gcc", "not a compile" },
	{ "gcc -c", "gcc", "exactly one input" },
	{ "gcc -c a.c b.c", "b.c", "exactly one input" },
	{ "gcc -c - -o a.o", "-", "standard input" },
	{ "gcc -c a.c -o a.o -o b.o", "-o", "more than one" },
	{ "gcc -c a.c -o-", "-o-", "standard input" },
	{ "gcc -c a.c -o", "-o", "missing" },
	{ "gcc -c a.c -o -fplugin=/x", "-fplugin=/x", "looks like an option" },
	{ "gcc -c a.c -D -fplugin=/x", "-fplugin=/x", "looks like an option" },
	/* host CPU */
	{ "gcc -march=native -c a.c", "-march=native", "profile data or CPU" },
	{ "gcc -g -gsplit-dwarf -c a.c", "-gsplit-dwarf", "cannot return the .dwo" },
	{ "clang -gsplit-dwarf=single -c a.c", "-gsplit-dwarf=single", "cannot return the .dwo" },
	{ "gcc -mtune=native -c a.c", "-mtune=native", "profile data or CPU" },
	/* unknown or unreviewed shapes */
	{ "gcc -fself-test=/tmp -c a.c", "-fself-test=/tmp", "read a file" },
	{ "gcc -fno-such-value=1 -c a.c", "-fno-such-value=1", "reviewed" },
	{ "gcc -ffoo=/x -c a.c", "-ffoo=/x", "reviewed" },
	{ "gcc -mfoo=/x -c a.c", "-mfoo=/x", "reviewed" },
	{ "gcc -Wfoo=/x -c a.c", "-Wfoo=/x", "reviewed" },
	{ "gcc -x go -c a.c", "-x", "value" },
	{ "gcc -std=/etc/x -c a.c", "-std=/etc/x", "value" },
	{ "gcc -gcc -c a.c", "-gcc", "reviewed" },
	{ "gcc -print-prog-name=cc1 -c a.c", "-print-prog-name=cc1", "reviewed" },
	{ "gcc --prefix=/tmp/ -c a.c", "--prefix=/tmp/", "reviewed" },
	{ "gcc --pref=/tmp/ -c a.c", "--pref=/tmp/", "reviewed" },
	{ "gcc --specs=/tmp/x -c a.c", "--specs=/tmp/x", "reviewed" },
	{ "clang --driver-mode=cl -c a.c", "--driver-mode=cl", "reviewed" },
	{ "gcc -V 4 -c a.c", "-V", "reviewed" },
	{ "clang -objcmt-allowlist-dir-path=/x -c a.c", "-objcmt-allowlist-dir-path=/x",
	  "reviewed" },
	{ "gcc -f -c a.c", "-f", "reviewed" },
	{ "gcc -Z -c a.c", "-Z", "reviewed" },
	{ NULL, NULL, NULL },
};

static void test_refused_classes(void **state)
{
	(void)state;
	for (size_t i = 0; refused[i].line; i++) {
		struct argpolicy_verdict v = check(refused[i].line, 2);
		if (v.allowed)
			fail_msg("allowed: %s", refused[i].line);
		assert_null(v.argv);
		assert_non_null(v.reason);
		if (strcmp(v.arg, refused[i].bad) || !strstr(v.reason, refused[i].reason))
			fail_msg("%s\n  got '%s': %s\n  want '%s': ...%s...", refused[i].line, v.arg,
				 v.reason, refused[i].bad, refused[i].reason);
	}
}

static void assert_argv(const struct argpolicy_verdict *v, const char *want)
{
	_cleanup_free_ char *got = NULL;
	size_t len = 0;

	for (size_t i = 0; v->argv[i]; i++)
		len += strlen(v->argv[i]) + 1;
	got = calloc(1, len + 1);
	assert_non_null(got);
	for (size_t i = 0; v->argv[i]; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, v->argv[i]);
	}
	assert_string_equal(got, want);
}

static void test_rewrites(void **state)
{
	struct argpolicy_verdict v;

	(void)state;
	v = check("gcc -Wp,-MMD,kernel/.fork.o.d -c fork.c -o fork.o", 2);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 1);
	assert_argv(&v, "gcc -MMD -c fork.c -o fork.o");
	argpolicy_verdict_done(&v);

	v = check("gcc -MD -MF /home/u/x.d -MT x.o -c x.c -o x.o", 2);
	assert_true(v.allowed);
	assert_argv(&v, "gcc -MD -MT x.o -c x.c -o x.o");
	argpolicy_verdict_done(&v);

	v = check("gcc --sysroot=/opt/sdk -isysroot /opt/sdk -L/x -lm -Wl,-z,now -Xlinker "
		  "--as-needed -fuse-ld=/tmp/evil -T link.ld -c x.c -o x.o", 2);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 8);
	assert_argv(&v, "gcc -c x.c -o x.o");
	argpolicy_verdict_done(&v);

	/* pump: the sysroot would be read, so it is refused */
	v = check("gcc --sysroot=/opt/sdk -c x.c -o x.o", 3);
	assert_false(v.allowed);
	assert_string_equal(v.arg, "--sysroot=/opt/sdk");
}

static void test_pump_includes(void **state)
{
	struct argpolicy_verdict v;

	(void)state;
	v = check("gcc -include config.h -I../inc -c x.c -o x.o", 3);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 0);
	argpolicy_verdict_done(&v);
	v = check("gcc -include ../../../../etc/shadow -c x.c -o x.o", 3);
	assert_false(v.allowed);
	v = check("gcc -include config.h -c x.c -o x.o", 2);
	assert_false(v.allowed);
}

static void test_unchanged_copy(void **state)
{
	const char *argv[] = { "gcc", "-O2", "-c", "a.c", "-o", "a.o", NULL };
	struct argpolicy_verdict v;

	(void)state;
	assert_int_equal(argpolicy_check(argv, 1, &v), 0);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 0);
	for (size_t i = 0; argv[i]; i++) {
		assert_string_equal(v.argv[i], argv[i]);
		assert_ptr_not_equal(v.argv[i], argv[i]);
	}
	assert_null(v.argv[6]);
	argpolicy_verdict_done(&v);
	argpolicy_verdict_done(&v);
}

static void test_bad_calls(void **state)
{
	const char *empty[] = { NULL };
	struct argpolicy_verdict v;

	(void)state;
	assert_int_equal(argpolicy_check(NULL, 2, &v), -EINVAL);
	assert_int_equal(argpolicy_check(empty, 2, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_real_world),
		cmocka_unit_test(test_refused_classes),
		cmocka_unit_test(test_rewrites),
		cmocka_unit_test(test_pump_includes),
		cmocka_unit_test(test_unchanged_copy),
		cmocka_unit_test(test_bad_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
