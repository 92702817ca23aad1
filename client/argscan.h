/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The distribute-or-local decision of distcc 3.4 (DISTCC-REFERENCE 3.2) and
 * the argument vectors derived from it (3.3): the local preprocessor command
 * and what is sent to the server. Pure: no I/O, no logging.
 */
#pragma once

#include <stdbool.h>

enum argscan_verdict {
	ARGSCAN_REMOTE,     /* distribute */
	ARGSCAN_LOCAL,      /* run the command locally (cpu slot) */
	ARGSCAN_LOCAL_CPP,  /* -E and friends: run locally on a cpp slot */
};

struct argscan_job {
	char **argv;          /* full command after -Wp,-MD expansion and -o defaulting */
	char *input;          /* the source file as written */
	char *output;         /* the output file (-o value, or derived like gcc) */
	bool preprocessed;    /* input is already .i/.ii/.mi/.mii: sent as is */
	const char *cpp_ext;  /* ".i", ".ii", ".mi" or ".mii": temp file suffix */
	char **cpp_argv;      /* local preprocessor: argv minus -o X, -c/-S -> -E */
	char **server_argv;   /* stripped per 3.3 for protocol 1/2 */
	const char *reason;   /* static text: why local (verdict != REMOTE) */
};

/* Classify a compiler command line (argv[0] is the compiler). On success
 * *ret_v says where it runs; *ret_job is filled for every verdict (argv and
 * reason at least) and must be released with argscan_job_free().
 * -ENOMEM only: every command line has a verdict. */
int argscan_classify(const char *const argv[], struct argscan_job *ret_job,
		     enum argscan_verdict *ret_v);
void argscan_job_free(struct argscan_job *j);

/* True for the source extensions distcc distributes (.c .cc .cpp ...). */
bool argscan_is_source(const char *path);
/* ".i" for C, ".ii" for C++, ".mi"/".mii" for Objective-C(++), or NULL. */
const char *argscan_preproc_ext(const char *path);
