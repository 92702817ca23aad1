/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One compile job, end to end (DISTCC-REFERENCE 3.5): classify, pick a host
 * under the slot locks, try it (remotejob.h), and compile locally when the
 * command must run here, a host is "localhost", or distribution failed and
 * fallback is allowed. A local compile is a child we wait for (so that
 * distccmon-text shows it, as distcc 3.4 does, as "localhost"), with our
 * stdin, stdout and stderr.
 */
#pragma once

#include "config.h"

enum job_outcome {
	JOB_DONE,                 /* exit_code is the compiler's (or 128+signal) */
	JOB_BAD_HOSTSPEC,         /* bad_token names the token */
	JOB_NO_HOSTS,             /* fallback disabled and no usable host */
	JOB_DISTRIBUTE_FAILED,    /* fallback disabled; error is the last transport error */
	JOB_COMPILER_MISSING,     /* local exec failed; error says why */
	JOB_FAILED,               /* internal error */
};

struct job_result {
	enum job_outcome outcome;
	int exit_code;
	int signal;               /* JOB_DONE: the local compiler died by it; so must
				   * we, as if it had been exec'd in our place */
	int error;                /* negative errno */
	char *bad_token;          /* malloc'd */
};

/* Run @argv (argv[0] is the compiler, already rewritten). @level is the
 * recursion level (> 0: run locally, no locks). */
int job_run(const struct client_config *cfg, char **argv, unsigned level,
	    struct job_result *ret);
