/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The result of one job, as the one summary log line distcc 3.4 prints and
 * as the exit status of the process that served it (so the parent can count
 * results without another channel).
 */
#pragma once

#include <stdbool.h>

#include "io.h"

enum job_result {
	JOB_COMPILE_OK,
	JOB_COMPILE_ERROR,
	JOB_COMPILE_TIMEOUT,
	JOB_CLI_DISCONN,
	JOB_REJ_BAD_REQ,
	JOB_REJ_OVERLOAD,
	JOB_OTHER,
	_JOB_RESULT_MAX,
};

struct job_summary {
	const char *client;       /* "ip:port" or "unknown" */
	enum job_result result;
	int status;               /* raw wait status of the compiler, -1 if none ran */
	int ret;                  /* the job's exit code as sent to the client */
	usec_t duration;
	const char *compiler, *input;   /* NULL if unknown */
};

const char *job_result_to_string(enum job_result r);
/* One notice-level line:
 * client: IP:PORT RESULT exit:N sig:N core:N ret:N time:MSms [COMPILER INPUT] */
void jobsum_report(const struct job_summary *s);
/* Format that line into @out (pure; used by jobsum_report and tests). */
void jobsum_format(const struct job_summary *s, char *out, unsigned n);
/* Child exit status <-> result. A child killed by a signal, or exiting with
 * anything else, is JOB_OTHER. */
static inline int job_result_to_exit(enum job_result r)
{
	return (int)r;
}
enum job_result job_result_from_wait(int wstatus);
