/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's argv scanner. Policy: real command lines from kernel,
 * autotools, CMake and Meson builds (as distcc 3.4 clients send them) must
 * pass; every refused class must be refused, with its reason and the
 * offending argument; options the compilers read with the next word are
 * refused unless reviewed. Facts: input, output, language, deps options and
 * the paths the compiler reads; every allowed argv can be rewritten into a
 * job. Hostile argv too.
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

#include "jobscan.h"
#include "macro.h"
#include "strv.h"

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

static struct jobscan check(const char *line, unsigned protover)
{
	static char store[16384];
	const char *argv[MAXW];
	struct jobscan v = { 0 };

	assert_true(strlen(line) < sizeof(store));
	split(line, store, argv);
	assert_int_equal(jobscan_argv(argv, protover, &v), 0);
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

/* What the session does with an allowed scan must work: a job with one
 * input, its output in the job directory, and the facts consistent. */
static void assert_runnable(const struct jobscan *v)
{
	char **run = NULL;
	size_t n;

	assert_true(v->allowed);
	assert_int_equal(strv_length(v->argv), v->argc);
	assert_true(v->input > 0 && v->input < v->argc);
	assert_non_null(v->in_ext);
	assert_string_equal(v->out_ext, v->asm_only ? ".s" : ".o");
	assert_true(v->n_paths >= 1);
	for (size_t i = 0; i < v->n_paths; i++) {
		assert_true(v->paths[i].index < v->argc);
		assert_true(v->paths[i].offset <= strlen(v->argv[v->paths[i].index]));
		assert_int_equal(v->paths[i].joined, v->paths[i].offset > 0);
	}
	assert_int_equal(jobscan_rewrite(v, "input.i", "output.o", &run), 0);
	n = strv_length(run);
	assert_string_equal(run[v->input], "input.i");
	if (v->output == 0) {
		assert_string_equal(run[n - 2], "-o");
		assert_string_equal(run[n - 1], "output.o");
	} else if (v->output_joined) {
		assert_string_equal(run[v->output], "-ooutput.o");
	} else {
		assert_string_equal(run[v->output + 1], "output.o");
	}
	strv_free(run);
}

static void test_allowed_real_world(void **state)
{
	(void)state;
	for (size_t i = 0; allowed_v2[i]; i++) {
		for (unsigned pv = 1; pv <= 3; pv++) {
			struct jobscan v = check(allowed_v2[i], pv);
			if (!v.allowed)
				fail_msg("refused (v%u) at arg %u '%s': %s\n  in: %s", pv, v.bad_index,
					 v.arg, v.reason, allowed_v2[i]);
			assert_non_null(v.argv);
			assert_runnable(&v);
			jobscan_done(&v);
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
	/* found by test_argv_plan.py: allowed, but no single compile job */
	{ "gcc -fcompare-debug -c a.c", "-fcompare-debug", "dumps" },
	{ "gcc -fcompare-debug-second -c a.c", "-fcompare-debug-second", "dumps" },
	{ "gcc -fhelp -c a.c", "-fhelp", "not a compile" },
	{ "gcc -ftarget-help -c a.c", "-ftarget-help", "not a compile" },
	{ "gcc -fversion -c a.c", "-fversion", "not a compile" },
	{ "gcc -fsyntax-only -c a.c", "-fsyntax-only", "not a compile" },
	{ "clang -module-file-info -c a.c", "-module-file-info", "modules" },
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
		struct jobscan v = check(refused[i].line, 2);
		if (v.allowed)
			fail_msg("allowed: %s", refused[i].line);
		assert_null(v.argv);
		assert_non_null(v.reason);
		if (strcmp(v.arg, refused[i].bad) || !strstr(v.reason, refused[i].reason))
			fail_msg("%s\n  got '%s': %s\n  want '%s': ...%s...", refused[i].line, v.arg,
				 v.reason, refused[i].bad, refused[i].reason);
	}
}

static void assert_argv(const struct jobscan *v, const char *want)
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
	struct jobscan v;

	(void)state;
	v = check("gcc -Wp,-MMD,kernel/.fork.o.d -c fork.c -o fork.o", 2);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 1);
	assert_argv(&v, "gcc -MMD -c fork.c -o fork.o");
	jobscan_done(&v);

	v = check("gcc -MD -MF /home/u/x.d -MT x.o -c x.c -o x.o", 2);
	assert_true(v.allowed);
	assert_argv(&v, "gcc -MD -MT x.o -c x.c -o x.o");
	jobscan_done(&v);

	v = check("gcc --sysroot=/opt/sdk -isysroot /opt/sdk -L/x -lm -Wl,-z,now -Xlinker "
		  "--as-needed -fuse-ld=/tmp/evil -T link.ld -c x.c -o x.o", 2);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 8);
	assert_argv(&v, "gcc -c x.c -o x.o");
	jobscan_done(&v);

	/* pump: the sysroot is a path under the job root, kept for the server
	 * to move there; ".." could climb out of it and is refused */
	v = check("gcc --sysroot=/opt/sdk -isysroot /opt/sdk -c x.c -o x.o", 3);
	assert_true(v.allowed);
	assert_argv(&v, "gcc --sysroot=/opt/sdk -isysroot /opt/sdk -c x.c -o x.o");
	jobscan_done(&v);
	v = check("gcc --sysroot=/opt/../../etc -c x.c -o x.o", 3);
	assert_false(v.allowed);
	assert_string_equal(v.arg, "--sysroot=/opt/../../etc");
}

static void test_pump_includes(void **state)
{
	struct jobscan v;

	(void)state;
	v = check("gcc -include config.h -I../inc -c x.c -o x.o", 3);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 0);
	jobscan_done(&v);
	v = check("gcc -include ../../../../etc/shadow -c x.c -o x.o", 3);
	assert_false(v.allowed);
	v = check("gcc -include config.h -c x.c -o x.o", 2);
	assert_false(v.allowed);
}

static void test_unchanged_copy(void **state)
{
	const char *argv[] = { "gcc", "-O2", "-c", "a.c", "-o", "a.o", NULL };
	struct jobscan v;

	(void)state;
	assert_int_equal(jobscan_argv(argv, 1, &v), 0);
	assert_true(v.allowed);
	assert_int_equal(v.n_rewritten, 0);
	for (size_t i = 0; argv[i]; i++) {
		assert_string_equal(v.argv[i], argv[i]);
		assert_ptr_not_equal(v.argv[i], argv[i]);
	}
	assert_null(v.argv[6]);
	jobscan_done(&v);
	jobscan_done(&v);
}

static void test_bad_calls(void **state)
{
	const char *empty[] = { NULL };
	struct jobscan v;

	(void)state;
	assert_int_equal(jobscan_argv(NULL, 2, &v), -EINVAL);
	assert_int_equal(jobscan_argv(empty, 2, &v), -EINVAL);
}

/* The facts a job needs, from jobargs.c's former table and beyond. */
static void test_facts(void **state)
{
	struct jobscan v;

	(void)state;
	v = check("gcc -O2 -c hello.c -o hello.o", 2);
	assert_true(v.allowed);
	assert_int_equal(v.input, 3);
	assert_int_equal(v.output, 4);
	assert_false(v.output_joined);
	assert_false(v.asm_only);
	assert_null(v.language);
	assert_string_equal(v.in_ext, ".i");
	assert_string_equal(v.out_ext, ".o");
	jobscan_done(&v);

	v = check("g++ -S -ohello.s x.cc -MT y.c", 2);
	assert_true(v.allowed);
	assert_int_equal(v.input, 3);
	assert_int_equal(v.output, 2);
	assert_true(v.output_joined);
	assert_true(v.asm_only);
	assert_string_equal(v.in_ext, ".ii");
	assert_string_equal(v.out_ext, ".s");
	assert_int_equal(v.deps.n_targets, 1);
	jobscan_done(&v);

	v = check("clang -target x86_64-pc-linux-gnu -c a.c -o a.o", 2);
	assert_true(v.allowed);
	assert_int_equal(v.input, 4);
	jobscan_done(&v);

	/* the policy allowed -x and the job scan refused it: one scanner now */
	v = check("gcc -x c -c a.src -o a.o", 2);
	assert_true(v.allowed);
	assert_int_equal(v.input, 4);
	assert_string_equal(v.language, "c");
	assert_string_equal(v.in_ext, ".i");
	assert_runnable(&v);
	jobscan_done(&v);
	v = check("g++ -xc++ -c a -o a.o", 2);
	assert_string_equal(v.language, "c++");
	assert_string_equal(v.in_ext, ".ii");
	jobscan_done(&v);
	v = check("gcc -x assembler-with-cpp -x none -c a.S -o a.o", 2);
	assert_null(v.language);
	assert_string_equal(v.in_ext, ".s");
	jobscan_done(&v);
	v = check("gcc -c a.c -x c++ -o a.o", 2);     /* -x after the input: no effect on it */
	assert_null(v.language);
	assert_string_equal(v.in_ext, ".i");
	jobscan_done(&v);

	/* no -o: the rewrite appends the job's */
	v = check("gcc -c a.c", 2);
	assert_true(v.allowed);
	assert_int_equal(v.output, 0);
	assert_runnable(&v);
	jobscan_done(&v);
}

static void test_facts_refused(void **state)
{
	static const struct refused t[] = {
		{ "gcc hello.c -o a", "gcc", "not a compile" },
		{ "gcc -c -o a.o", "gcc", "exactly one input" },
		{ "gcc -c a.c b.c -o a.o", "b.c", "exactly one input" },
		{ "gcc -c a.c -o", "-o", "missing" },
		{ "gcc -c a.c -o x -o y", "-o", "more than one" },
		{ "gcc -E -c a.c -o a.o", "-E", "not a compile" },
		{ "gcc -c a.c lib.o -o a.o", "lib.o", "exactly one input" },
		{ "gcc -c a.c -o a.o -I", "-I", "missing" },
		{ "gcc -c a.o -o b.o", "a.o", "not a C" },        /* gcc would only link it */
		{ "gcc -c noext -o b.o", "noext", "not a C" },
		{ "gcc -S a.s -o b.s", "a.s", "not a compile" },  /* -S of assembler: no job */
		{ "gcc -x assembler -S a.c -o b.s", "a.c", "not a compile" },
		{ NULL, NULL, NULL },
	};
	(void)state;
	for (size_t i = 0; t[i].line; i++) {
		struct jobscan v = check(t[i].line, 2);

		if (v.allowed)
			fail_msg("allowed: %s", t[i].line);
		if (strcmp(v.arg, t[i].bad) || !strstr(v.reason, t[i].reason))
			fail_msg("%s\n  got '%s': %s\n  want '%s': ...%s...", t[i].line, v.arg,
				 v.reason, t[i].bad, t[i].reason);
	}
}

static void test_deps(void **state)
{
	struct jobscan v;

	(void)state;
	v = check("gcc -MD -MF /home/u/x.d -MT x.o -MQ $y -MP -MG -c x.c -o x.o", 2);
	assert_true(v.allowed);
	assert_true(v.deps.md && !v.deps.mmd && v.deps.mp && v.deps.mg);
	assert_int_equal(v.deps.n_targets, 2);
	assert_string_equal(v.deps.mf, "/home/u/x.d");
	jobscan_done(&v);
	v = check("gcc -MMD -MFx.d -c x.c -o x.o", 2);
	assert_true(v.deps.mmd && !v.deps.md);
	assert_string_equal(v.deps.mf, "x.d");
	jobscan_done(&v);
	v = check("gcc -Wp,-MMD,kernel/.fork.o.d -c fork.c -o fork.o", 2);
	assert_true(v.deps.mmd);
	assert_string_equal(v.deps.mf, "kernel/.fork.o.d");
	jobscan_done(&v);
	v = check("gcc -Wp,-MD,a.d -c fork.c -o fork.o", 2);
	assert_true(v.deps.md);
	assert_string_equal(v.deps.mf, "a.d");
	assert_int_equal(v.input, 3);
	jobscan_done(&v);
	v = check("gcc -c x.c -o x.o", 2);
	assert_false(v.deps.md || v.deps.mmd || v.deps.mg || v.deps.mp || v.deps.n_targets);
	assert_null(v.deps.mf);
	jobscan_done(&v);
}

struct want_path {
	enum jobscan_path_kind kind;
	unsigned index, offset;
	const char *path;
};

static void assert_paths(const struct jobscan *v, const struct want_path *w, size_t n)
{
	assert_int_equal(v->n_paths, n);
	for (size_t i = 0; i < n; i++) {
		const struct jobscan_path *p = &v->paths[i];

		if (p->kind != w[i].kind || p->index != w[i].index || p->offset != w[i].offset)
			fail_msg("path %zu: got %s %u+%u want %s %u+%u", i,
				 jobscan_path_kind_to_string(p->kind), p->index, p->offset,
				 jobscan_path_kind_to_string(w[i].kind), w[i].index, w[i].offset);
		assert_int_equal(p->joined, p->offset > 0);
		assert_string_equal(v->argv[p->index] + p->offset, w[i].path);
	}
}

static void test_paths(void **state)
{
	static const struct want_path pump[] = {
		{ JOBSCAN_PATH_INCLUDE_DIR, 2, 0, "inc" },
		{ JOBSCAN_PATH_INCLUDE_DIR, 3, 2, "inc2" },
		{ JOBSCAN_PATH_QUOTE_DIR, 5, 0, "q" },
		{ JOBSCAN_PATH_SYSTEM_DIR, 6, 8, "/s" },
		{ JOBSCAN_PATH_AFTER_DIR, 8, 0, "d" },
		{ JOBSCAN_PATH_PREFIX, 10, 0, "/p/" },
		{ JOBSCAN_PATH_WITH_PREFIX, 12, 0, "w" },
		{ JOBSCAN_PATH_WITH_PREFIX, 13, 18, "wb" },
		{ JOBSCAN_PATH_INCLUDE_FILE, 15, 0, "f.h" },
		{ JOBSCAN_PATH_MACROS_FILE, 16, 8, "m.h" },
		{ JOBSCAN_PATH_INPUT, 18, 0, "src/x.c" },
	};
	static const struct want_path plain[] = {
		{ JOBSCAN_PATH_INCLUDE_DIR, 3, 0, "/usr/include/foo" },
		{ JOBSCAN_PATH_INPUT, 5, 0, "a.c" },
	};
	struct jobscan v;

	(void)state;
	v = check("gcc -I inc -Iinc2 -iquote q -isystem/s -idirafter d -iprefix /p/ "
		  "-iwithprefix w -iwithprefixbeforewb -include f.h -imacrosm.h -c src/x.c "
		  "-o x.o", 3);
	assert_true(v.allowed);
	assert_paths(&v, pump, ELEMENTSOF(pump));
	jobscan_done(&v);

	/* dropped options are not reported; indices are into the argv to run */
	v = check("gcc -MF x.d -L/lib --sysroot=/opt -I- -I /usr/include/foo -c a.c -o a.o", 2);
	assert_true(v.allowed);
	assert_argv(&v, "gcc -I- -I /usr/include/foo -c a.c -o a.o");
	assert_paths(&v, plain, ELEMENTSOF(plain));
	assert_string_equal(jobscan_path_kind_to_string(JOBSCAN_PATH_SYSROOT), "sysroot");
	assert_string_equal(jobscan_path_kind_to_string((enum jobscan_path_kind)99), "unknown");
	jobscan_done(&v);
}

/* The generated table, as the scanner sees it: sorted for bsearch, every
 * row found, prefix rows matching longer words. */
static const struct {
	const char *name;
	unsigned char clang, gcc;
	bool prefix;
} table[] = {
#include "jobscan-options.inc"
};

/* Options that gcc or clang read together with the next word: a scanner
 * that takes them alone sees a different command than the compiler runs
 * (clang -isystem-after -c x.c links on the server). */
static void test_next_word_options(void **state)
{
	static const char *const found[] = {
		"-isystem-after", "-module-dependency-dir", "-ftrapv-handler",
		"-fdebug-compilation-dir", "-filelist", "-fxray-instruction-threshold", "-meabi",
		"-mthread-model", NULL,
	};
	static const char *const reviewed[] = {
		"-o", "-x", "-D", "-U", "-I", "-MF", "-MT", "-MQ", "-iquote", "-isystem",
		"-idirafter", "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-imultilib",
		"-imultiarch", "-include", "-imacros", "-isysroot", "--sysroot", "-L", "-l", "-T",
		"-u", "-z", "-target", "--param", "-Xclang", "-mllvm", "-Xassembler",
		"-Xpreprocessor", "-Xlinker", NULL,
	};
	char line[256];

	(void)state;
	for (size_t i = 0; found[i]; i++) {
		struct jobscan v;

		assert_int_equal(jobscan_words_consumed(found[i]), 1);
		snprintf(line, sizeof(line), "clang %s -c x.c -o x.o", found[i]);
		v = check(line, 2);
		if (v.allowed)
			fail_msg("allowed: %s", line);
		assert_string_equal(v.arg, found[i]);
		/* -module-dependency-dir: refused by the -module rule first */
		assert_true(strstr(v.reason, "next argument") || strstr(v.reason, "modules"));
		snprintf(line, sizeof(line), "clang -c x.c -o x.o %s -c", found[i]);
		v = check(line, 2);
		assert_false(v.allowed);
	}
	for (size_t i = 0; reviewed[i]; i++)
		if (jobscan_words_consumed(reviewed[i]) != 1)
			fail_msg("'%s' takes %u words in the compilers' tables", reviewed[i],
				 jobscan_words_consumed(reviewed[i]));
	for (size_t i = 0; i < ELEMENTSOF(table); i++)
		for (size_t k = 0; reviewed[k]; k++)
			if (strcmp(table[i].name, reviewed[k]) == 0 &&
			    (table[i].clang == 0 || table[i].gcc == 0))
				fail_msg("'%s': one driver reads it alone", reviewed[k]);
	/* gcc reads it as -isystem with the value "-after": refused, not guessed */
	{
		struct jobscan v = check("gcc -isystem-after /x -c x.c -o x.o", 2);
		assert_false(v.allowed);
	}
	assert_int_equal(jobscan_words_consumed("-sectalign"), 3);
	assert_int_equal(jobscan_words_consumed("-Xarch_x86_64"), 1);     /* a prefix */
	assert_int_equal(jobscan_words_consumed("-Xopenmp-target=x"), 1);
	assert_int_equal(jobscan_words_consumed("-c"), 0);
	assert_int_equal(jobscan_words_consumed("-O2"), 0);
	assert_int_equal(jobscan_words_consumed("-isystem/x"), 0);
	assert_int_equal(jobscan_words_consumed("-MD"), 0);   /* cc1's -MD FILE, the driver's -MD */
	assert_int_equal(jobscan_words_consumed("x.c"), 0);
	assert_int_equal(jobscan_words_consumed(""), 0);
	assert_int_equal(jobscan_words_consumed(NULL), 0);
	/* refused whatever comes next, before it is looked at */
	{
		struct jobscan v = check("clang -Xarch_x86_64 -fplugin=x -c x.c -o x.o", 2);
		assert_false(v.allowed);
		assert_string_equal(v.arg, "-Xarch_x86_64");
		v = check("clang -sectalign a b c -c x.c -o x.o", 2);
		assert_false(v.allowed);
		assert_string_equal(v.arg, "-sectalign");
	}
}

static void test_option_table(void **state)
{
	(void)state;
	assert_true(ELEMENTSOF(table) > 100);
	for (size_t i = 0; i < ELEMENTSOF(table); i++) {
		unsigned c = table[i].clang == NW_UNKNOWN ? 0 : table[i].clang;
		unsigned g = table[i].gcc == NW_UNKNOWN ? 0 : table[i].gcc;
		unsigned want = c > g ? c : g;

		if (i && strcmp(table[i - 1].name, table[i].name) >= 0)
			fail_msg("not sorted at '%s'", table[i].name);
		assert_true(want > 0);
		if (jobscan_words_consumed(table[i].name) != want)
			fail_msg("'%s': %u, table %u", table[i].name,
				 jobscan_words_consumed(table[i].name), want);
	}
}

/* Hostile shapes: huge, empty, odd bytes, everything at once. */
static void test_hostile(void **state)
{
	static const char *many[4096];
	char big[70000];
	struct jobscan v;
	size_t n = 0;

	(void)state;
	many[n++] = "gcc";
	while (n < ELEMENTSOF(many) - 4)
		many[n++] = "-I/x";
	many[n++] = "-c";
	many[n++] = "a.c";
	many[n] = NULL;
	assert_int_equal(jobscan_argv(many, 3, &v), 0);
	assert_true(v.allowed);
	assert_int_equal(v.n_paths, ELEMENTSOF(many) - 5 + 1);
	jobscan_done(&v);

	memset(big, 'I', sizeof(big) - 1);
	big[0] = '-';
	big[sizeof(big) - 1] = 0;
	{
		const char *argv[] = { "gcc", big, "-c", "a.c", NULL };
		assert_int_equal(jobscan_argv(argv, 2, &v), 0);
		assert_true(v.allowed);
		assert_int_equal(v.paths[0].offset, 2);
		jobscan_done(&v);
	}
	{
		const char *argv[] = { "gcc", "-c", "a.c", "-o", "\x01\xff\n", NULL };
		assert_int_equal(jobscan_argv(argv, 2, &v), 0);
		assert_true(v.allowed);
		jobscan_done(&v);
	}
	{
		const char *argv[] = { "gcc", "-c", "", "-o", "a.o", NULL };   /* a file named "" */
		assert_int_equal(jobscan_argv(argv, 2, &v), 0);
		assert_false(v.allowed);
		assert_int_equal(v.bad_index, 2);
	}
	{
		const char *argv[] = { "", NULL };
		assert_int_equal(jobscan_argv(argv, 2, &v), 0);
		assert_false(v.allowed);
	}
	{
		const char *argv[] = { "gcc", "-x", NULL };
		assert_int_equal(jobscan_argv(argv, 2, &v), 0);
		assert_false(v.allowed);
		assert_string_equal(v.reason, "option is missing its argument");
	}
	v = check("gcc -c a.c -Xclang -o -Xclang /etc/x", 2);
	assert_false(v.allowed);
	v = check("gcc -c a.c -x", 2);
	assert_false(v.allowed);
	v = check("gcc -c -x c -", 2);
	assert_false(v.allowed);
	assert_string_equal(v.arg, "-");
	/* the arguments are refused whoever the compiler is (distcc 3.4's words) */
	v = check("gcc -fplugin=x.so -c a.c", 2);
	assert_non_null(strstr(v.reason, "-fplugin= is insecure"));
	v = check("gcc -c -specs=evil a.c", 2);
	assert_non_null(strstr(v.reason, "-specs= is insecure"));
	v = check("gcc --specs=evil -c a.c", 2);
	assert_false(v.allowed);
	v = check("g++ -fplugin=x.so", 2);
	assert_false(v.allowed);
}

static void test_rewrite(void **state)
{
	struct jobscan v;
	char **run;

	(void)state;
	v = check("gcc -c a.c -o out/a.o -O2", 2);
	assert_int_equal(jobscan_rewrite(&v, "input.i", "output.o", &run), 0);
	assert_string_equal(run[2], "input.i");
	assert_string_equal(run[3], "-o");
	assert_string_equal(run[4], "output.o");
	assert_string_equal(run[5], "-O2");
	assert_null(run[6]);
	strv_free(run);
	jobscan_done(&v);
	v = check("gcc -oa.o -c a.c", 2);
	assert_int_equal(jobscan_rewrite(&v, "input.i", "output.o", &run), 0);
	assert_string_equal(run[1], "-ooutput.o");
	assert_string_equal(run[3], "input.i");
	strv_free(run);
	jobscan_done(&v);
	v = check("gcc -c a.c", 2);
	assert_int_equal(jobscan_rewrite(&v, "input.i", "output.o", &run), 0);
	assert_string_equal(run[2], "input.i");
	assert_string_equal(run[3], "-o");
	assert_string_equal(run[4], "output.o");
	assert_null(run[5]);
	strv_free(run);
	jobscan_done(&v);
	v = check("gcc -E a.c", 2);
	assert_int_equal(jobscan_rewrite(&v, "input.i", "output.o", &run), -EINVAL);
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
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_facts_refused),
		cmocka_unit_test(test_deps),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_next_word_options),
		cmocka_unit_test(test_option_table),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_rewrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
