/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One compile job, end to end (DISTCC-REFERENCE 3.5): classify, pick a host
 * under the slot locks, preprocess locally while the request head goes out,
 * ship it, and fall back to a local compile when the transport fails.
 * Local compiles replace this process (exec), so compile_run() returns only
 * for remote results and failures.
 */
#pragma once

#include "config.h"

enum compile_outcome {
	COMPILE_DONE,             /* exit_code is the compiler's (or 128+signal) */
	COMPILE_BAD_HOSTSPEC,     /* bad_token names the token */
	COMPILE_NO_HOSTS,         /* fallback disabled and no usable host */
	COMPILE_DISTRIBUTE_FAILED,/* fallback disabled; error is the last transport error */
	COMPILE_COMPILER_MISSING, /* local exec failed; error says why */
	COMPILE_FAILED,           /* internal error */
};

struct compile_result {
	enum compile_outcome outcome;
	int exit_code;
	int error;                /* negative errno */
	char *bad_token;          /* malloc'd */
};

/* Run @argv (argv[0] is the compiler, already rewritten). @level is the
 * recursion level (> 0: run locally, no locks). */
int compile_run(const struct client_config *cfg, char **argv, unsigned level,
		struct compile_result *ret);
