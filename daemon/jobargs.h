/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server's view of a compile command line: which argument is the input
 * and which the output, so they can be pointed at files in the job's private
 * directory. Pure. Anything it does not understand is a bad request.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct job_args {
	size_t input;          /* index of the source file argument */
	size_t output;         /* index of "-o" (output_joined: of "-oFILE") */
	bool output_joined;
	const char *in_ext;    /* extension for the preprocessed input: ".i", ".ii", ".mi", ".mii", ".s" */
	const char *out_ext;   /* ".o" or ".s" (-S) */
};

/* Find input and output. -EINVAL: no -c/-S, no or several inputs, -E, -x,
 * a non-source operand, a missing -o. */
int jobargs_scan(char *const argv[], struct job_args *ret);
/* A new argv (caller frees with strv_free) with input and output replaced. */
int jobargs_rewrite(char *const argv[], const struct job_args *ja, const char *in, const char *out,
		    char ***ret);
