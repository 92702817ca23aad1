/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-job summary line. Every job, whatever its fate, is reported here
 * exactly once; structured (journal) fields belong in jobsum_report().
 */
#include <stdio.h>
#include <sys/wait.h>

#include "journal.h"
#include "jobsum.h"
#include "log.h"

static const char *const names[_JOB_RESULT_MAX] = {
	[JOB_COMPILE_OK] = "COMPILE_OK",	 [JOB_COMPILE_ERROR] = "COMPILE_ERROR",
	[JOB_COMPILE_TIMEOUT] = "COMPILE_TIMEOUT", [JOB_CLI_DISCONN] = "CLI_DISCONN",
	[JOB_REJ_BAD_REQ] = "REJ_BAD_REQ",	 [JOB_REJ_OVERLOAD] = "REJ_OVERLOAD",
	[JOB_OTHER] = "OTHER",
};

const char *job_result_to_string(enum job_result r)
{
	return (unsigned)r < _JOB_RESULT_MAX ? names[r] : "OTHER";
}

void jobsum_format(const struct job_summary *s, char *out, unsigned n)
{
	int st = s->status < 0 ? 0 : s->status;
	int ex = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	int core = WIFSIGNALED(st) && WCOREDUMP(st) ? 1 : 0;

	snprintf(out, n, "client: %s %s exit:%d sig:%d core:%d ret:%d time:%llums%s%s%s%s",
		 s->client ? s->client : "unknown", job_result_to_string(s->result), ex, sig, core,
		 s->ret, (unsigned long long)(s->duration / USEC_PER_MSEC), s->compiler ? " " : "",
		 s->compiler ? s->compiler : "", s->input ? " " : "", s->input ? s->input : "");
}

/* The same line as a journal entry with fields journalctl can match on:
 * journalctl -u distccd DISTCC_RESULT=COMPILE_ERROR */
static void report_journal(const struct job_summary *s, const char *line)
{
	char exit_s[16] = "", sig_s[16] = "", ms[32];
	int st = s->status;

	if (st >= 0 && WIFEXITED(st))
		snprintf(exit_s, sizeof(exit_s), "%d", WEXITSTATUS(st));
	if (st >= 0 && WIFSIGNALED(st))
		snprintf(sig_s, sizeof(sig_s), "%d", WTERMSIG(st));
	snprintf(ms, sizeof(ms), "%llu", (unsigned long long)(s->duration / USEC_PER_MSEC));
	const struct journal_field f[] = {
		{ "DISTCC_CLIENT", s->client ? s->client : "unknown" },
		{ "DISTCC_RESULT", job_result_to_string(s->result) },
		{ "DISTCC_COMPILER", s->compiler },
		{ "DISTCC_INPUT", s->input },
		{ "DISTCC_EXIT_STATUS", *exit_s ? exit_s : NULL },
		{ "DISTCC_SIGNAL", *sig_s ? sig_s : NULL },
		{ "DISTCC_DURATION_MS", ms },
	};
	int r = journal_send(LOG_NOTICE, line, f, sizeof(f) / sizeof(f[0]));

	if (r < 0)
		log_notice("%s", line);
}

void jobsum_report(const struct job_summary *s)
{
	char line[1024];

	jobsum_format(s, line, sizeof(line));
	if (journal_log_enabled())
		report_journal(s, line);
	else
		log_notice("%s", line);
}

enum job_result job_result_from_wait(int wstatus)
{
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) < _JOB_RESULT_MAX)
		return (enum job_result)WEXITSTATUS(wstatus);
	return JOB_OTHER;
}
