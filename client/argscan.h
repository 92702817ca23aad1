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
	/* Local preprocessor (REMOTE only, else NULL): argv minus "-o X", the
	 * first -c/-S replaced by -E. It names NO output: the driver appends
	 * "-o <tmpfile><cpp_ext>" itself. For -MD/-MMD given without -MF/-MT,
	 * "-MF <output>.d -MQ <output>" are appended so the .d file is the one
	 * a local gcc -c would write (gcc -E -o tmp would otherwise name it
	 * after tmp). Also filled for preprocessed inputs (unused then). */
	char **cpp_argv;
	/* Sent to the server for protocol 1/2 (REMOTE only, else NULL): argv
	 * with the 3.3 preprocessor options stripped (plus -iquote, C3, and
	 * -Xpreprocessor X); source name and -o as in argv. For protocol 3
	 * send argv itself. */
	char **server_argv;
	const char *reason;   /* static text: why local (verdict != REMOTE) */
};

/* Classify a compiler command line (argv[0] is the compiler). Run
 * rewrite_compiler() first if wanted: an appended -target is harmless here.
 * The value after -Xclang/-Xpreprocessor/-Xassembler/-Xlinker is opaque
 * (C4); -m{arch,tune,cpu}=native, profiling, -specs=, -fplugin= and @file
 * stay local; -flto is distributed (C6). On success
 * *ret_v says where it runs; *ret_job is filled for every verdict (argv and
 * reason at least) and must be released with argscan_job_free().
 * input/output are filled when seen (output defaulted like gcc only for
 * REMOTE). -ENOMEM, or -EINVAL for an empty argv: every other command line
 * has a verdict. */
int argscan_classify(const char *const argv[], struct argscan_job *ret_job,
		     enum argscan_verdict *ret_v);
void argscan_job_free(struct argscan_job *j);
