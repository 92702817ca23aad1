/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The toolchain step of a job: map the client's compiler name, check the
 * mapped command with the policy, find the compiler on PATH; and the list of
 * what this server offers. Refusals are data (a verdict with its message);
 * this module logs nothing on the job path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "compilerlist.h"
#include "exitcode.h"
#include "macro.h"
#include "strv.h"
#include "policy.h"
#include "toolchain.h"
#include "toolmap.h"

#define OFFER_TEXT_MAX 1000


static bool is_exec_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int toolchain_find(const char *name, const char *path, char **ret_full)
{
	const char *p = path;

	if (!name || !*name || strchr(name, '/'))
		return -ENOENT;
	while (p && *p) {
		size_t n = strcspn(p, ":");
		char *full = NULL;

		/* an empty or relative entry would depend on the job's directory */
		if (n > 0 && p[0] == '/') {
			if (asprintf(&full, "%.*s/%s", (int)n, p, name) < 0)
				return -ENOMEM;
			if (is_exec_file(full)) {
				*ret_full = full;
				return 0;
			}
			free(full);
		}
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

/* What runs for @local: DISTCC_CMDLIST's path for it, else PATH's. */
static int locate(const struct daemon_config *cfg, const char *local, char **ret)
{
	const char *listed = cfg->has_cmdlist ? cmdlist_lookup(&cfg->cmdlist, local) : NULL;

	if (!cfg->has_cmdlist)
		return toolchain_find(local, cfg->path, ret);
	if (!listed || !is_exec_file(listed))
		return -ENOENT;
	return (*ret = strdup(listed)) ? 0 : -ENOMEM;
}

static bool whitelisted(const struct daemon_config *cfg, const char *name)
{
	struct compilerlist w = policy_compilerlist(cfg);

	return compilerlist_check(&w, name) == CL_ALLOW;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Without a whitelist, PATH holds every program: only names shaped like a
 * C/C++ compiler ([TRIPLET-]gcc|g++|clang|clang++[-VERSION], cc, c++) are
 * listed (and asked for --version). */
static bool compiler_shaped(const char *n)
{
	static const char *const stems[] = { "gcc", "g++", "clang", "clang++" };
	const char *dash = strrchr(n, '-');
	size_t len = strlen(n);

	if (strcmp(n, "cc") == 0 || strcmp(n, "c++") == 0)
		return true;
	/* a trailing -12 or -14.0 is a version */
	if (dash && dash[1] && strspn(dash + 1, "0123456789.") == strlen(dash + 1))
		len = (size_t)(dash - n);
	for (size_t i = 0; i < ELEMENTSOF(stems); i++) {
		size_t k = strlen(stems[i]);

		if (len >= k && memcmp(n + len - k, stems[i], k) == 0 && (len == k || n[len - k - 1] == '-'))
			return true;
	}
	return false;
}

/* Names in @dir that could be compilers: regular executables (following
 * symlinks); the caller still asks the whitelist. */
static int add_dir_names(const char *dir, bool shaped_only, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return 0;
	while (r >= 0 && (de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || (shaped_only && !compiler_shaped(de->d_name)))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
		    faccessat(dirfd(d), de->d_name, X_OK, AT_EACCESS) == 0)
			r = strv_push(names, de->d_name);
	}
	closedir(d);
	return r;
}

/* DISTCC_CMDLIST: the names its entries answer to (their last NUMWORDS
 * components). */
static int add_cmdlist_names(const struct cmdlist *l, char ***names)
{
	int r = 0;

	for (char **p = l->paths; r >= 0 && p && *p; p++) {
		const char *s = *p + strlen(*p);
		unsigned words = 0;

		while (s > *p && words < l->numwords)
			if (*--s == '/' && ++words == l->numwords)
				s++;
		r = strv_push(names, s);
	}
	return r;
}

/* Candidate local names: DISTCC_CMDLIST's names, the whitelist dirs'
 * entries, or with the whitelist off, the compilers on PATH. Sorted, unique. */
static int candidates(const struct daemon_config *cfg, char ***ret)
{
	char **names = NULL;
	size_t n, k = 0;
	int r = 0;

	if (cfg->has_cmdlist)
		r = add_cmdlist_names(&cfg->cmdlist, &names);
	else if (cfg->insecure) {
		const char *p = cfg->path;

		while (r >= 0 && p && *p) {
			size_t len = strcspn(p, ":");
			_cleanup_free_ char *dir = strndup(p, len);

			r = dir ? add_dir_names(dir, true, &names) : -ENOMEM;
			p += len + (p[len] == ':');
		}
	} else
		for (char *const *d = policy_whitelist_dirs(cfg); r >= 0 && *d; d++)
			r = add_dir_names(*d, false, &names);
	if (r < 0) {
		strv_free(names);
		return r;
	}
	n = strv_length(names);
	if (n)
		qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (k > 0 && strcmp(names[k - 1], names[i]) == 0)
			free(names[i]);
		else
			names[k++] = names[i];
	}
	if (names)
		names[k] = NULL;
	*ret = names;
	return 0;
}

static int offer_add(struct compiler_offer **v, size_t *n, const char *name, const char *local,
		     char *const *args, const char *path)
{
	struct compiler_offer *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = (struct compiler_offer){ .name = strdup(name), .local = strdup(local),
					  .args = args, .path = strdup(path) };
	(*n)++;
	return nv[*n - 1].name && nv[*n - 1].local && nv[*n - 1].path ? 0 : -ENOMEM;
}

/* @local as the map's entry @e serves it (when it does), or as itself. */
static int offer_one(const struct daemon_config *cfg, const struct toolmap_entry *e,
		     const char *local, const char **ret_missing, struct compiler_offer **v, size_t *n)
{
	_cleanup_free_ char *client = NULL, *full = NULL;
	const struct toolmap_entry *hit = NULL;
	_cleanup_free_ char *mapped = NULL;
	bool oom = false;
	int r;

	*ret_missing = NULL;
	if (e) {
		client = toolmap_client_name(e, local, &oom);
		if (!client)
			return oom ? -ENOMEM : 0;
		/* a more specific entry may serve this client name elsewhere */
		r = toolmap_lookup(&cfg->toolmap, client, &hit, &mapped);
		if (r < 0)
			return r;
		if (hit != e)
			return 0;
	} else {
		/* a mapped name is served by its entry, not by itself */
		r = toolmap_lookup(&cfg->toolmap, local, &hit, &mapped);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	if (!whitelisted(cfg, local)) {
		/* only an exact map entry names one compiler worth warning about */
		if (e && !e->prefix)
			*ret_missing = "is not in the whitelist";
		return 0;
	}
	r = locate(cfg, local, &full);
	if (r == -ENOENT) {
		*ret_missing = cfg->has_cmdlist ? "is listed in DISTCC_CMDLIST but not executable"
						: "is not found on PATH";
		return 0;
	}
	if (r < 0)
		return r;
	return offer_add(v, n, client ? client : local, local, e ? e->args : NULL, full);
}

static int cmp_offer(const void *a, const void *b)
{
	return strcmp(((const struct compiler_offer *)a)->name, ((const struct compiler_offer *)b)->name);
}

static int note_missing(char ***missing, const char *name, const char *local, const char *why)
{
	_cleanup_free_ char *s = NULL;

	if (!why)
		return 0;
	if (strcmp(name, local) == 0 ? asprintf(&s, "'%s' %s", name, why) < 0
				      : asprintf(&s, "'%s' (mapped to '%s') %s", name, local, why) < 0)
		return -ENOMEM;
	return strv_push(missing, s);
}

/* Walk every (entry, local) pair; @missing collects what cannot run. */
static int walk(const struct daemon_config *cfg, struct compiler_offer **v, size_t *n,
		char ***missing)
{
	_cleanup_(strv_freep) char **names = NULL;
	const struct toolmap *m = &cfg->toolmap;
	const char *miss;
	int r = candidates(cfg, &names);

	for (size_t i = 0; r >= 0 && names && names[i]; i++) {
		r = offer_one(cfg, NULL, names[i], &miss, v, n);
		if (r >= 0)
			r = note_missing(missing, names[i], names[i], miss);
	}
	for (size_t j = 0; r >= 0 && j < m->n; j++) {
		const struct toolmap_entry *e = &m->entries[j];

		if (!e->prefix) {
			r = offer_one(cfg, e, e->to, &miss, v, n);
			if (r >= 0)
				r = note_missing(missing, e->from, e->to, miss);
			continue;
		}
		for (size_t i = 0; r >= 0 && names && names[i]; i++)
			r = offer_one(cfg, e, names[i], &miss, v, n);
	}
	return r;
}

int toolchain_offers(const struct daemon_config *cfg, struct compiler_offer **ret, size_t *ret_n)
{
	_cleanup_(strv_freep) char **missing = NULL;
	struct compiler_offer *v = NULL;
	size_t n = 0;
	int r = walk(cfg, &v, &n, &missing);

	if (r < 0) {
		toolchain_offers_free(v, n);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_offer);
	*ret = v;
	*ret_n = n;
	return 0;
}

int toolchain_missing(const struct daemon_config *cfg, char ***ret)
{
	char **missing = NULL;
	struct compiler_offer *v = NULL;
	size_t n = 0;
	int r = walk(cfg, &v, &n, &missing);

	toolchain_offers_free(v, n);
	if (r < 0) {
		strv_free(missing);
		return r;
	}
	*ret = missing;
	return 0;
}

void toolchain_offers_free(struct compiler_offer *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].local);
		free(v[i].path);
	}
	free(v);
}

/* A client string made safe for one log line. */
static void printable(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = (unsigned char)in[i] < 0x20 || in[i] == 0x7f ? '?' : in[i];
	out[i] = 0;
}

/* "gcc, g++, ... and N more" within OFFER_TEXT_MAX */
static int offered_text(const struct daemon_config *cfg, char **ret)
{
	struct compiler_offer *v = NULL;
	size_t n = 0, len = 0, shown = 0;
	char *s;
	int r = toolchain_offers(cfg, &v, &n);

	if (r < 0)
		return r;
	s = malloc(OFFER_TEXT_MAX + 64);
	if (!s) {
		toolchain_offers_free(v, n);
		return -ENOMEM;
	}
	s[0] = 0;
	for (; shown < n && len + strlen(v[shown].name) + 2 < OFFER_TEXT_MAX; shown++)
		len += (size_t)sprintf(s + len, "%s%s", shown ? ", " : "", v[shown].name);
	if (n == 0)
		sprintf(s, "none");
	else if (shown < n)
		sprintf(s + len, " and %zu more (distccd --list-compilers)", n - shown);
	toolchain_offers_free(v, n);
	*ret = s;
	return 0;
}

/* "compiler 'asked' [looked up as 'local' through the toolchain map] ..." */
static int missing_message(const struct daemon_config *cfg, const char *asked, const char *local,
			   bool listed, char **ret)
{
	_cleanup_free_ char *offered = NULL;
	char a[256], l[256], how[320] = "";
	int r = offered_text(cfg, &offered);

	if (r < 0)
		return r;
	printable(asked, a, sizeof(a));
	printable(local, l, sizeof(l));
	if (strcmp(asked, local) != 0)
		snprintf(how, sizeof(how), " (looked up as '%s' through the toolchain map)", l);
	else
		snprintf(how, sizeof(how), " (looked up as '%s'; no toolchain map entry)", l);
	if (listed)
		r = asprintf(ret, "compiler '%s'%s was not found on PATH=%s; this server offers: %s",
			     a, how, cfg->path ? cfg->path : "(unset)", offered);
	else
		r = asprintf(ret, "compiler '%s'%s is not offered by this server (not in %s; "
			     "PATH=%s); this server offers: %s", a, how,
			     cfg->has_cmdlist ? "DISTCC_CMDLIST" : "the whitelist",
			     cfg->path ? cfg->path : "(unset)", offered);
	return r < 0 ? -ENOMEM : 0;
}

static int refuse(struct toolchain_verdict *v, int code, enum job_result result, char *message)
{
	if (!message)
		return -ENOMEM;
	*v = (struct toolchain_verdict){ .exit_code = code, .result = result, .message = message };
	return 0;
}

static int policy_refusal(const struct policy_result *pr, const char *argv0,
			  struct toolchain_verdict *v)
{
	char shown[256];
	char *msg = NULL;

	printable(pr->arg ? pr->arg : argv0, shown, sizeof(shown));
	if (pr->arg && asprintf(&msg, "argument '%s': %s", shown, pr->reason) < 0)
		msg = NULL;
	else if (!pr->arg && asprintf(&msg, "%s: '%s'", pr->reason, shown) < 0)
		msg = NULL;
	return refuse(v, EXIT_ACCESS_DENIED, JOB_OTHER, msg);
}

/* The client's argv with the map applied (a copy even when nothing maps). */
static int map_argv(const struct daemon_config *cfg, char *const argv[], char ***ret)
{
	const char *name = compilerlist_name(argv[0]);
	const struct toolmap_entry *e = NULL;
	_cleanup_free_ char *local = NULL;
	int r = toolmap_lookup(&cfg->toolmap, name, &e, &local);

	if (r < 0)
		return r;
	if (r == 0)
		return toolmap_build_argv(argv, argv[0], NULL, ret);
	return toolmap_build_argv(argv, local, e->args, ret);
}

int toolchain_authorize(const struct daemon_config *cfg, unsigned protover, char *const argv[],
			struct toolchain_verdict *ret)
{
	_cleanup_(strv_freep) char **mapped = NULL;
	_cleanup_free_ char *full = NULL;
	struct compilerlist w = policy_compilerlist(cfg);
	struct policy_result pr;
	char *msg = NULL;
	const char *name;
	int r;

	if (!argv || !argv[0])
		return -EINVAL;
	r = map_argv(cfg, argv, &mapped);
	if (r < 0)
		return r;
	name = compilerlist_name(mapped[0]);
	if (policy_check_request(cfg, protover, mapped, &pr) == POLICY_DENY) {
		/* a compiler the whitelist does not list is "not offered": say what is */
		enum cl_verdict v = pr.arg ? CL_ALLOW : compilerlist_check(&w, mapped[0]);

		if (v != CL_NOT_LISTED && v != CL_NOT_IN_CMDLIST)
			return policy_refusal(&pr, mapped[0], ret);
		r = missing_message(cfg, argv[0], name, false, &msg);
		return r < 0 ? r : refuse(ret, EXIT_ACCESS_DENIED, JOB_OTHER, msg);
	}
	r = strchr(pr.job.argv[0], '/') ? 0 : toolchain_find(pr.job.argv[0], cfg->path, &full);
	if (r == -ENOENT) {
		jobscan_done(&pr.job);
		r = missing_message(cfg, argv[0], name, true, &msg);
		return r < 0 ? r : refuse(ret, EXIT_COMPILER_MISSING, JOB_OTHER, msg);
	}
	if (r < 0) {
		jobscan_done(&pr.job);
		return r;
	}
	*ret = (struct toolchain_verdict){ .job = pr.job };
	return 0;
}

void toolchain_verdict_free(struct toolchain_verdict *v)
{
	jobscan_done(&v->job);
	free(v->message);
	*v = (struct toolchain_verdict){ 0 };
}

/* "<target>" and "<first line of --version>" of one offer; "?" when the
 * compiler does not answer. */
static void describe(const struct compiler_offer *o, char **ret_target, char **ret_version)
{
	const char *probes[2] = { "-dumpmachine", "--version" };
	char **outs[2] = { ret_target, ret_version };

	for (size_t k = 0; k < 2; k++) {
		_cleanup_(strv_freep) char **argv = NULL;
		_cleanup_free_ char *out = NULL;
		int status = 0, r = strv_push(&argv, o->path);

		for (size_t i = 0; r >= 0 && o->args && o->args[i]; i++)
			r = strv_push(&argv, o->args[i]);
		if (r >= 0)
			r = strv_push(&argv, probes[k]);
		if (r >= 0)
			r = capture_output(argv, false, CAPTURE_MAX, CAPTURE_TIMEOUT_USEC, &out, &status);
		*outs[k] = r >= 0 && status == 0 && out[0] ? capture_first_line(out) : NULL;
		if (!*outs[k])
			*outs[k] = strdup("?");
	}
}

static void print_runs(const struct compiler_offer *o, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "%s", o->path);

	for (size_t i = 0; o->args && o->args[i] && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, " %s", o->args[i]);
}

int toolchain_print_list(const struct daemon_config *cfg)
{
	_cleanup_(strv_freep) char **missing = NULL;
	struct compiler_offer *v = NULL;
	size_t n = 0, wname = 4, wruns = 4;
	char runs[1024];
	int r = toolchain_offers(cfg, &v, &n);

	if (r >= 0)
		r = toolchain_missing(cfg, &missing);
	if (r < 0) {
		toolchain_offers_free(v, n);
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		print_runs(&v[i], runs, sizeof(runs));
		wname = strlen(v[i].name) > wname ? strlen(v[i].name) : wname;
		wruns = strlen(runs) > wruns ? strlen(runs) : wruns;
	}
	printf("%-*s  %-*s  %-24s  %s\n", (int)wname, "NAME", (int)wruns, "RUNS", "TARGET", "VERSION");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *target = NULL, *version = NULL;

		describe(&v[i], &target, &version);
		print_runs(&v[i], runs, sizeof(runs));
		printf("%-*s  %-*s  %-24s  %s\n", (int)wname, v[i].name, (int)wruns, runs,
		       target ? target : "?", version ? version : "?");
	}
	fflush(stdout);
	for (size_t i = 0; missing && missing[i]; i++)
		fprintf(stderr, "distccd: %s (PATH=%s)\n", missing[i], cfg->path ? cfg->path : "(unset)");
	toolchain_offers_free(v, n);
	return n > 0 ? 0 : 1;
}
