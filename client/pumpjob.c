/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pump mode for one job (see pumpjob.h). Joins the pure argv rules
 * (pumpargs), the include server client (incserver_query), the transport
 * (remote_send_pump) and the output writer; decides, never retries.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "discrepancy.h"
#include "depfile.h"
#include "log.h"
#include "macro.h"
#include "output.h"
#include "pumpjob.h"
#include "wirelimits.h"

/* @name as execvp would find it on @path (names with a '/' as they are). */
static char *find_compiler(const char *name, const char *path)
{
	char buf[PATH_MAX];
	const char *p = path, *end;

	if (strchr(name, '/'))
		return realpath(name, NULL);
	for (; p && *p; p = *end ? end + 1 : end) {
		int n;

		end = strchrnul(p, ':');
		n = end == p ? snprintf(buf, sizeof(buf), "./%s", name)
			     : snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, name);
		if (n > 0 && (size_t)n < sizeof(buf) && access(buf, X_OK) == 0)
			return strdup(buf);
	}
	return NULL;
}

static int build_files(struct pumpjob *pj)
{
	const struct incserver_closure *c = &pj->closure;

	pj->files = calloc(c->n, sizeof(*pj->files));
	if (!pj->files)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++) {
		const struct incserver_entry *e = &c->entries[i];

		pj->files[i] = (struct remote_file){
			.name = e->name,
			.body = e->kind == INCSERVER_FILE ? e->path : NULL,
			.link = e->kind == INCSERVER_LINK ? e->target : NULL,
		};
	}
	pj->n_files = c->n;
	return 0;
}

/* Ask the include server; a reason in *ret_why (static or malloc'd in
 * *ret_own) when the job is not covered. */
static int ask_include_server(struct pumpjob *pj, const struct client_config *cfg,
			      const struct argscan_job *scan, const char **ret_why, char **ret_own)
{
	_cleanup_free_ char *cc = find_compiler(scan->argv[0], cfg->path);
	int r;

	if (!cc) {
		*ret_why = "the compiler is not on PATH";
		return 0;
	}
	pj->cwd = getcwd(NULL, 0);
	if (!pj->cwd)
		return -errno;
	r = pumpargs_build(scan, &pj->args);
	if (r < 0)
		return r;
	r = incserver_query(cfg->include_server_port, pj->cwd, pj->args.argv, cc,
			    deadline_in(cfg->io_timeout), &pj->closure, ret_own);
	if (r < 0)
		return r;
	if (pj->closure.n == 0) {
		*ret_why = *ret_own ? *ret_own : "the include analysis does not cover it";
		return 0;
	}
	r = build_files(pj);
	if (r >= 0)
		pj->on = true;
	return r;
}

bool pumpjob_use(struct pumpjob *pj, const struct client_config *cfg,
		 const struct argscan_job *scan)
{
	_cleanup_free_ char *own = NULL;
	const char *why;
	int r;

	if (pj->decided)
		return pj->on;
	pj->decided = true;
	why = pumpargs_blocker(cfg, scan);
	if (!why && discrepancy_path(cfg->include_server_port, &pj->counter) >= 0 &&
	    discrepancy_count(pj->counter) >= cfg->max_discrepancy)
		why = "demoted to plain mode after DISTCC_MAX_DISCREPANCY discrepancies";
	if (!why) {
		r = ask_include_server(pj, cfg, scan, &why, &own);
		if (r < 0) {
			log_debug_errno(r, "include server '%s' did not answer: %m",
					cfg->include_server_port);
			why = "no answer from the include server";
		}
	}
	if (!pj->on)
		log_debug("'%s' in plain mode: %s", scan->input, why ? why : "");
	else
		log_debug("'%s' in pump mode: %zu files", scan->input, pj->n_files);
	return pj->on;
}

int pumpjob_send(struct pumpjob *pj, int fd, usec_t deadline, bool *ret_local)
{
	return remote_send_pump(fd, pj->cwd, pj->args.argv, pj->files, pj->n_files, deadline,
				ret_local);
}

int pumpjob_write_dotd(const struct pumpjob *pj, const struct proto_reply *rep)
{
	struct buf b = BUF_INIT(2 * (size_t)MAX_BULK_PLAIN);
	int r;

	if (!pj->args.dotd)
		return 0;
	if (!rep->has_dotd)
		return log_error_errno(-EBADMSG, "the server sent no .d file for '%s'", pj->args.dotd);
	/* a 3.4 server wrapped the rule with its root still in the paths:
	 * re-wrap it as the compiler does here (our distccd already did) */
	r = depfile_unroot(rep->dotd.data, rep->dotd.len, "", &b);
	if (r == -EBADMSG)
		r = buf_append(&b, rep->dotd.data, rep->dotd.len);
	if (r >= 0)
		r = output_write(pj->args.dotd, b.data, b.len);
	buf_free(&b);
	if (r < 0)
		return log_error_errno(r, "cannot write '%s': %m", pj->args.dotd);
	return 0;
}

void pumpjob_note_discrepancy(const struct pumpjob *pj, const struct client_config *cfg)
{
	bool reached = false;
	int r;

	if (!pj->on || !pj->counter)
		return;
	r = discrepancy_note(pj->counter, cfg->max_discrepancy, &reached);
	if (r < 0)
		log_warning_errno(r, "cannot count the discrepancy in '%s': %m", pj->counter);
	else if (reached)
		log_warning("now using plain distcc, possibly due to inconsistent file system "
			    "changes during build");
}

void pumpjob_free(struct pumpjob *pj)
{
	pumpargs_free(&pj->args);
	incserver_closure_free(&pj->closure);
	free(pj->files);
	free(pj->cwd);
	free(pj->counter);
	*pj = (struct pumpjob){};
}

int pumpjob_scan_includes(const struct client_config *cfg, char *const argv[])
{
	_cleanup_free_ char *own = NULL;
	struct argscan_job scan = {};
	struct pumpjob pj = {};
	enum argscan_verdict v;
	const char *why;
	int r;

	r = argscan_classify((const char *const *)argv, &scan, &v);
	if (r < 0)
		return r;
	if (v != ARGSCAN_REMOTE) {
		log_error("'%s' is not a compile distcc distributes: %s", argv[0],
			  scan.reason ? scan.reason : "");
		argscan_job_free(&scan);
		return -EINVAL;
	}
	why = pumpargs_blocker(cfg, &scan);
	r = why ? 0 : ask_include_server(&pj, cfg, &scan, &why, &own);
	if (r < 0)
		why = "no answer from the include server";
	if (pj.on)
		for (size_t i = 0; i < pj.n_files; i++)
			printf("%-7s %s\n", pj.files[i].body ? "FILE" : "SYMLINK", pj.files[i].name);
	else
		log_error("'%s' would use plain mode: %s", scan.input, why ? why : "");
	r = pj.on ? 0 : 1;
	pumpjob_free(&pj);
	argscan_job_free(&scan);
	return r;
}
