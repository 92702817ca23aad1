/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The argv a protocol 3 job runs, from the client's (already allowed by
 * the argument policy): every absolute path argument the scanner found
 * (input, -I and friends, -include, -imacros, --sysroot, -isysroot) moved
 * under the job root, the output into the job directory, the .d file made
 * and named, client prefix maps moved with the root, and
 * -ffile-prefix-map=<root>= first so that no server path reaches the
 * object. Pure.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct pumpargv_path {
	unsigned index, offset;   /* the path is argv[index] + offset */
	bool under_prefix;        /* -iwithprefix: relative to -iprefix, left alone */
};

struct pumpargv_spec {
	const char *root;         /* server path of the job root, no trailing '/' */
	const char *output;       /* the job's output file (absolute) */
	const char *deps;         /* the .d file the compiler writes (absolute) */
	unsigned input;           /* index of the input */
	unsigned output_index;    /* "-o" or "-oFILE"; 0: none sent */
	bool output_joined;
	const char *out_ext;      /* ".o" or ".s": names the .d target without -o */
	bool md, mmd;             /* -MD / -MMD present */
	unsigned n_targets;       /* -MT / -MQ present */
	const struct pumpargv_path *paths;
	size_t n_paths;
};

/* A new argv (strv_free). 0 or -ENOMEM; -EINVAL for an index out of range. */
int pumpargv_build(char *const argv[], const struct pumpargv_spec *spec, char ***ret);
