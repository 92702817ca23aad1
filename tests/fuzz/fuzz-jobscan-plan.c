/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Differential libFuzzer target: the scanner's reading of an argv against
 * gcc's and clang's, fed by the compilers' own option tables
 * (daemon/jobscan-options.inc, generated from the drivers). Every argv the
 * scanner allows is rewritten as the session does (input.EXT, output.o)
 * and read the way each driver reads it: a word in the driver's table takes
 * the next word(s); a word that is not an option is an input. The driver
 * must then see exactly one input (the job's), -c or -S, our output, and no
 * word left without its value: one compile job, no link (or refuse the
 * command: an option it does not know). The real drivers'
 * own plans (-###) are compared in tests/integration/test_argv_plan.py.
 *
 * Input: byte 0 picks the protocol version; then tokens: a byte below 0xe0
 * picks a word of the vocabulary below, 0xe0-0xef plus one byte an option
 * of the compilers' table, 0xf0-0xff plus a length byte a raw word.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobscan.h"
#include "macro.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct next_word_option {
	const char *name;
	unsigned char clang, gcc;
	bool prefix;
} table[] = {
#include "jobscan-options.inc"
}, prefixes[] = {
#define NEXT_WORD_PREFIXES
#include "jobscan-options.inc"
#undef NEXT_WORD_PREFIXES
};

static const char *const vocab[] = {
	"-c", "-S", "-E", "-M", "-MM", "-o", "a.o", "-oa.o", "-x", "c", "c++", "none",
	"assembler", "assembler-with-cpp", "cpp-output", "-xc", "-xnone", "a.c", "b.c", "x.src",
	"a.s", "a.S", "a.ii", "-", "-I", "inc", "-Iinc", "-I-", "-iquote", "-isystem",
	"-idirafter", "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-include", "-imacros",
	"f.h", "-D", "X=1", "-DX", "-U", "-MD", "-MMD", "-MF", "f.d", "-MT", "-MQ", "-MP", "-MG",
	"-Wp,-MD,x.d", "-Wp,-MMD,x.d", "-Xclang", "-fno-pch-timestamp", "-mllvm",
	"-inline-threshold=1", "-Xassembler", "--64", "-Xlinker", "-Xpreprocessor", "-O2",
	"-g", "-w", "-v", "-fsyntax-only", "--sysroot", "--sysroot=/s", "-isysroot", "/s",
	"-target", "x86_64-linux-gnu", "--target=x86_64-linux-gnu", "--param", "a=1",
	"--param=a=1", "-std=c11", "-L", "-l", "m", "-T", "-u", "-z", "now", "-imultilib",
	"-imultiarch", "-pipe", "-pthread", "-fPIC", "-fno-common", "-Wall", "-Werror=x",
	"-march=x86-64", "-mno-red-zone", "-gdwarf-5", "-Os", "-fvisibility=hidden", "-p",
	"-fdebug-compilation-dir", "-fdebug-compilation-dir=.", "-isystem-after", "-meabi",
	"-mthread-model", "posix", "-filelist", "-ftrapv-handler", "-module-dependency-dir",
	"-fxray-instruction-threshold", "-o-", "@f", "-Wa,--noexecstack", "-Wl,-z,now",
	"-ansi", "-pedantic", "-C", "-P", "-H", "-undef", "-nostdinc", "-static", "-shared",
	"-s", "-time", "-Qunused-arguments", "-Xarch_x86_64", "-sectalign", "-arch", "x86_64",
	"-fsanitize=address", "-flto", "-fcf-protection=none", "--", "-###", "-dD", "-dM",
};

enum driver { GCC, CLANG };

static int cmp_row(const void *key, const void *elem)
{
	return strcmp(key, ((const struct next_word_option *)elem)->name);
}

/* The driver's own reading: the table's row for the word, or (clang) the
 * prefix row it starts with. */
static unsigned consumed(enum driver d, const char *w)
{
	const struct next_word_option *o =
		bsearch(w, table, ELEMENTSOF(table), sizeof(table[0]), cmp_row);

	if (o)
		return d == GCC ? o->gcc : o->clang;
	if (d == CLANG)
		for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
			if (str_has_prefix(w, prefixes[i].name))
				return prefixes[i].clang;
	return 0;
}

/* One driver's reading of the argv the session would run. */
static void check_driver(enum driver d, char **argv, const char *input)
{
	static const char *const no_job[] = {
		"-E", "-M", "-MM", "-fsyntax-only", "-###", "--help", "--version", NULL,
	};
	unsigned inputs = 0, outputs = 0;
	bool compile = false;

	for (size_t i = 1; argv[i]; i++) {
		const char *w = argv[i];
		unsigned n = consumed(d, w);

		if (n == NW_UNKNOWN)
			return;               /* the driver refuses the command: no job */
		for (size_t k = 0; no_job[k]; k++)
			if (strcmp(w, no_job[k]) == 0)
				abort();      /* allowed, but the driver makes no object */
		if (strcmp(w, "-o") == 0 || (n == 0 && str_has_prefix(w, "-o"))) {
			const char *o = n ? argv[i + 1] : w + 2;
			if (!o || strcmp(o, "output.o"))
				abort();      /* a second, or another, output */
			outputs++;
		}
		if (strcmp(w, "-c") == 0 || strcmp(w, "-S") == 0)
			compile = true;
		if (w[0] != '-' || w[1] == 0) {
			if (strcmp(w, input))
				abort();      /* the driver sees an input we did not */
			inputs++;
		}
		for (; n; n--)
			if (!argv[++i])
				abort();      /* the driver wants a value that is not there */
	}
	if (inputs != 1 || outputs != 1 || !compile)
		abort();
}

static char *decode(const uint8_t *data, size_t size, const char *argv[], size_t max,
		    unsigned *ret_protover)
{
	char *store = malloc(size + 1), *p = store;
	size_t n = 0, i = 1;

	if (!store || size < 1)
		return free(store), NULL;
	*ret_protover = data[0] % 4;
	argv[n++] = "gcc";
	while (i < size && n < max - 1) {
		uint8_t b = data[i++];

		if (b < 0xe0) {
			argv[n++] = vocab[b % ELEMENTSOF(vocab)];
		} else if (b < 0xf0 && i < size) {
			argv[n++] = table[(((b & 0x0f) << 8) | data[i++]) % ELEMENTSOF(table)].name;
		} else if (i < size) {
			size_t len = data[i++];
			if (len > size - i)
				len = size - i;
			memcpy(p, data + i, len);
			p[len] = 0;
			argv[n++] = p;
			p += strnlen(p, len) + 1;
			i += len;
		}
	}
	argv[n] = NULL;
	return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[128];
	struct jobscan v = { 0 };
	unsigned protover = 0;
	char **run = NULL;
	char *store = decode(data, size, argv, ELEMENTSOF(argv), &protover);
	char input[16];

	if (!store)
		return 0;
	if (jobscan_argv(argv, protover, &v) == 0 && v.allowed) {
		snprintf(input, sizeof(input), "input%s", v.in_ext);
		if (jobscan_rewrite(&v, input, "output.o", &run) == 0) {
			check_driver(GCC, run, input);
			check_driver(CLANG, run, input);
			strv_free(run);
		}
	}
	jobscan_done(&v);
	free(store);
	return 0;
}
