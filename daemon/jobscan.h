/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one scanner of a client's compiler argv in distccd. A single pass
 * decides the argument policy's verdict (deny by default, reviewed rules in
 * docs/argument-policy.md) and, for an allowed argv, yields the job's facts:
 * the argv to run, the input, the output, the language, -c/-S, the deps
 * options and the position of every argument that names a file or
 * directory the compiler reads. Pure: no I/O, no logging, no globals
 * written. The compiler's name (argv[0]) is compilerlist.h's business.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What a path argument names (see struct jobscan_path). */
enum jobscan_path_kind {
	JOBSCAN_PATH_INPUT,          /* the source file (no option) */
	JOBSCAN_PATH_INCLUDE_DIR,    /* -I DIR, -IDIR */
	JOBSCAN_PATH_QUOTE_DIR,      /* -iquote DIR */
	JOBSCAN_PATH_SYSTEM_DIR,     /* -isystem DIR */
	JOBSCAN_PATH_AFTER_DIR,      /* -idirafter DIR */
	JOBSCAN_PATH_PREFIX,         /* -iprefix PREFIX (a path prefix) */
	JOBSCAN_PATH_WITH_PREFIX,    /* -iwithprefix DIR, -iwithprefixbefore DIR:
				      * DIR is appended to the -iprefix value */
	JOBSCAN_PATH_INCLUDE_FILE,   /* -include FILE (protocol 3 only) */
	JOBSCAN_PATH_MACROS_FILE,    /* -imacros FILE (protocol 3 only) */
	JOBSCAN_PATH_SYSROOT,        /* --sysroot DIR, --sysroot=DIR, -isysroot DIR
				      * (protocol 3 only: 1 and 2 drop them) */
};

/* One argument of the argv to run (jobscan.argv) that names a file or a
 * directory the compiler reads. The path is the string at
 * argv[index] + offset: for a joined value (-I/x, --sysroot=/x) @index is
 * the option's own word and @offset the length of the option's spelling;
 * for a separate value (-I /x) @index is the value's word and @offset 0.
 * The pump server (protocol 3) rewrites exactly these to put them under the
 * job's root: replace argv[index] by argv[index][0..offset) + new path. */
struct jobscan_path {
	enum jobscan_path_kind kind;
	unsigned index;      /* in jobscan.argv */
	unsigned offset;     /* 0 unless @joined */
	bool joined;
};

/* Dependency-file options as the client sent them. The .d file is written
 * next to the job's output (jobscan.argv keeps -MD/-MMD/-MT/-MQ/-MG/-MP,
 * drops -MF, turns -Wp,-MD,F into -MD). */
struct jobscan_deps {
	bool md, mmd;        /* -MD / -MMD (also from -Wp,-MD,F / -Wp,-MMD,F) */
	bool mg, mp;         /* -MG, -MP */
	unsigned n_targets;  /* -MT and -MQ values */
	const char *mf;      /* -MF's file or -Wp,-M[M]D,'s file: points into the
			      * caller's argv; NULL if none */
};

struct jobscan {
	bool allowed;

	/* Refused: a static reason, the offending argument (points into the
	 * caller's argv, or argv[0] when the whole command is at fault) and its
	 * index in the caller's argv. */
	const char *reason;
	const char *arg;
	unsigned bad_index;

	/* Allowed: the argv to run, owned (jobscan_done()). argv[0] unchanged;
	 * inert options dropped, -Wp,-MD,F rewritten (n_rewritten counts
	 * both). Every index below is into this argv. */
	char **argv;
	unsigned argc;
	unsigned n_rewritten;

	unsigned input;           /* index of the one input */
	unsigned output;          /* index of "-o" or "-oFILE"; 0: no -o sent
				   * (jobscan_rewrite() appends one) */
	bool output_joined;       /* "-oFILE" */
	bool asm_only;            /* -S: the output is assembler */
	const char *language;     /* the -x value in effect for the input (a
				   * static string), NULL: from its extension */
	const char *in_ext;       /* name for the job's input in protocols 1 and 2:
				   * ".i", ".ii", ".mi", ".mii" or ".s" */
	const char *out_ext;      /* ".o", or ".s" with -S */
	struct jobscan_deps deps;

	/* Every argument that names a file or directory the compiler reads,
	 * the input included, in argv order; owned. */
	struct jobscan_path *paths;
	size_t n_paths;
};

/* Scan @argv (argv[0] is the compiler, never parsed) as sent with protocol
 * version @protover (1 and 2: preprocessed input; 3: pump, source plus
 * headers under the job's root). Returns 0 and fills *ret, allowed or
 * refused; -EINVAL for a NULL or empty argv; -ENOMEM. On error *ret is
 * untouched. */
int jobscan_argv(const char *const argv[], unsigned protover, struct jobscan *ret);

/* A new argv (strv_free) from @js->argv with the input replaced by
 * @input and the output by @output (kept joined if it was; "-o OUTPUT"
 * appended when the client sent no -o). 0 or -ENOMEM. */
int jobscan_rewrite(const struct jobscan *js, const char *input, const char *output,
		    char ***ret_argv);

/* In jobscan-options.inc (the compilers' own option tables, generated):
 * the driver does not know the option and refuses the command. */
#define NW_UNKNOWN 255

/* How many following words the compilers' own option tables (clang 14,
 * gcc 12; jobscan-options.inc) say @arg consumes: 0 for an option that
 * stands alone or is unknown to both, else the count (the larger one if
 * gcc and clang disagree). An option that one driver reads with the next
 * word and the other alone is never allowed. Pure; exposed for the tests
 * and fuzzers. */
unsigned jobscan_words_consumed(const char *arg);

/* A static name for @kind ("include-dir", "sysroot", ...). */
const char *jobscan_path_kind_to_string(enum jobscan_path_kind kind);

/* Free what jobscan_argv() allocated; accepts a zeroed or refused scan and
 * may be called twice. */
void jobscan_done(struct jobscan *js);
