/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's job driver: joins argument scanning, host list, locks,
 * backoff and the remote attempts (remotejob.c). Each step ends in a
 * decision: the job is done (result filled) or it compiles here; the
 * local compile happens in exactly one place, job_run(). Policy comes
 * from the pure modules; this file sequences them and logs each failure
 * once.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argscan.h"
#include "backoff.h"
#include "child.h"
#include "cppmode.h"
#include "hosts.h"
#include "job.h"
#include "livehosts.h"
#include "lock.h"
#include "log.h"
#include "macro.h"
#include "monstate.h"
#include "output.h"
#include "remotejob.h"
#include "strv.h"
#include "tempfiles.h"

/* What a step decided (negative: an internal error). */
enum step {
	STEP_DONE,   /* the result is filled in */
	STEP_LOCAL,  /* compile here */
};

struct job {
	const struct client_config *cfg;
	char **argv;
	unsigned level;
	struct argscan_job scan;
	enum argscan_verdict verdict;
	enum cppmode cppmode;
	struct hostlist hosts;
	struct host *hosts_written;  /* ",auto" lists: the list before livehosts_apply() */
	bool *usable, *had_backoff;
	int lockdir;
	struct slot slot;
	struct remotejob remote;
	bool pump_failed;        /* the compile failed on a server in pump mode */
	/* monitor */
	char state_dir[PATH_MAX];
	struct monstate mon;
	int mon_fd;
	/* hosts that failed, for the fallback message */
	char tried[512];
	bool remote_failed;       /* the compiler failed remotely: rerun here */
};

static void mon_set(struct job *j, enum mon_phase phase, const char *host)
{
	if (!j->state_dir[0])
		return; /* level > 0: our parent distcc shows the job */
	j->mon.phase = phase;
	if (host)
		snprintf(j->mon.host, sizeof(j->mon.host), "%s", host);
	if (monstate_write(j->state_dir, &j->mon, &j->mon_fd) >= 0)
		tempfiles_note_state(true);
}

static void mon_phase(void *userdata, enum mon_phase phase, const char *host)
{
	mon_set(userdata, phase, host);
}

static void mon_blocked(void *userdata)
{
	mon_set(userdata, PHASE_BLOCKED, NULL);
}

/* A local slot for the compile: the one released first is a remote
 * host's (or a "localhost" entry's: same cpu_localhost_N files). Level > 0
 * jobs have no lock dir: they run unlocked. */
static void take_local_slot(struct job *j)
{
	unsigned n = j->verdict == ARGSCAN_LOCAL_CPP ? j->hosts.localslots_cpp : j->hosts.localslots;
	int r;

	lock_release(&j->slot);
	if (j->lockdir < 0)
		return;
	r = lock_pick_local(j->lockdir, n, j->cfg->pause_msec, NULL, NULL, &j->slot);
	if (r < 0)
		log_debug_errno(r, "no local slot, running unlocked: %m");
}

/* Spawn the compiler with SIGTERM/SIGINT/SIGHUP held until tempfiles
 * knows the child: a signal in between is forwarded, never lost. */
static int spawn_tracked(char *const argv[], pid_t *ret_pid)
{
	sigset_t block, old;
	int r;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	r = child_spawn(argv, ret_pid);
	if (r >= 0)
		tempfiles_track_child(*ret_pid);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Compile here, holding a local slot, and wait for the compiler. */
static int run_local(struct job *j, struct job_result *res)
{
	int r, status;
	pid_t pid;

	(void)remotejob_cpp_finish(&j->remote);
	take_local_slot(j);
	j->mon.slot = j->slot.fd >= 0 ? (int)j->slot.slot : 0;
	mon_set(j, j->verdict == ARGSCAN_LOCAL_CPP ? PHASE_CPP : PHASE_COMPILE, "localhost");
	log_debug("running '%s' locally (slot %d)", j->argv[0],
		  j->slot.fd >= 0 ? (int)j->slot.slot : -1);
	r = spawn_tracked(j->argv, &pid);
	if (r < 0) {
		res->outcome = JOB_COMPILER_MISSING;
		res->error = log_error_errno(r, "cannot run '%s': %m", j->argv[0]);
		return r;
	}
	r = child_wait(pid, &status);
	tempfiles_untrack_child();
	if (r < 0)
		return log_error_errno(r, "cannot wait for '%s': %m", j->argv[0]);
	*res = (struct job_result){ .outcome = JOB_DONE, .exit_code = child_exit_code(status),
				    .signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0 };
	return 0;
}

static void note_tried(struct job *j, const struct host *h)
{
	size_t len = strlen(j->tried);
	const char *name = h->spec;

	if (len + strlen(name) + 3 >= sizeof(j->tried))
		return;
	if (strstr(j->tried, name))
		return;
	snprintf(j->tried + len, sizeof(j->tried) - len, "%s%s", len ? ", " : "", name);
}

/* A server's own messages in SERR ("distccd[pid] ...") are worth showing
 * even when the compile is rerun locally; the compiler's are not (the rerun
 * prints them again). */
static void show_server_lines(const struct buf *serr)
{
	const char *p = (const char *)serr->data, *end = p + serr->len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);

		if (len > 8 && memcmp(p, "distccd[", 8) == 0)
			(void)output_copy_to_fd(STDERR_FILENO, p, len);
		p += len;
	}
}

/* The compiler failed on the server: distcc 3.4's lines, then its
 * diagnostics when they are final, else a local rerun. */
static int remote_failed(struct job *j, const struct host *h, struct job_result *res)
{
	const struct proto_reply *rep = &j->remote.reply;
	int code = child_exit_code((int)rep->status);
	bool final = code < 128 && j->cfg->skip_local_retry;

	log_error("compile %s on %s failed", j->scan.input, h->spec);
	if (!final)
		log_warning("remote compilation of '%s' failed, retrying locally", j->scan.input);
	if (!final && !j->cfg->fallback) {
		log_error("failed to distribute and fallbacks are disabled");
		final = true;
	}
	if (final) {
		(void)output_copy_to_fd(STDERR_FILENO, rep->serr.data, rep->serr.len);
		(void)output_copy_to_fd(STDOUT_FILENO, rep->sout.data, rep->sout.len);
		*res = (struct job_result){ .outcome = JOB_DONE, .exit_code = code };
		return STEP_DONE;
	}
	if (code >= 128)
		backoff_mark(j->lockdir, h, j->cfg->backoff_sec);
	show_server_lines(&rep->serr);
	j->remote_failed = true;
	j->pump_failed = j->remote.pumped && code < 128;
	return STEP_LOCAL;
}

/* Mark the hosts we may use: not ",down", not backed off. Again and
 * again for a list with ",auto" hosts, from the list as written. */
static size_t filter_hosts(struct job *j)
{
	size_t usable = 0;

	if (j->hosts_written)
		memcpy(j->hosts.hosts, j->hosts_written, j->hosts.n * sizeof(*j->hosts.hosts));
	livehosts_apply(j->cfg, j->lockdir, &j->hosts);
	for (size_t i = 0; i < j->hosts.n; i++) {
		const struct host *h = &j->hosts.hosts[i];
		bool on = !h->down;

		if (on && h->mode != HOST_LOCAL && j->lockdir >= 0 &&
		    backoff_check(j->lockdir, h, j->cfg->backoff_sec, &j->had_backoff[i])) {
			log_debug("host '%s' is backed off", h->spec);
			on = false;
		}
		j->usable[i] = on;
		usable += on;
	}
	return usable;
}

/* No host (left): compile here, or say why not. */
static int fallback(struct job *j, struct job_result *res)
{
	if (!j->cfg->fallback) {
		if (!j->tried[0]) {
			res->outcome = JOB_NO_HOSTS;
			log_error("no usable host to distribute '%s' to, and DISTCC_FALLBACK=0",
				  j->scan.input);
		} else {
			res->outcome = JOB_DISTRIBUTE_FAILED;
			res->error = j->remote.error;
			log_error_errno(j->remote.error, "failed to distribute '%s' to %s: %m",
					j->scan.input, j->tried);
		}
		return STEP_DONE;
	}
	if (j->tried[0])
		log_warning_errno(j->remote.error,
				  "failed to distribute '%s' to %s (%m), running locally instead",
				  j->scan.input, j->tried);
	return STEP_LOCAL;
}

/* Act on one attempt's outcome; -EAGAIN: try the next host. */
static int attempt_done(struct job *j, const struct host *h, enum remotejob_outcome o,
			struct job_result *res)
{
	switch (o) {
	case REMOTEJOB_OK:
		if (j->had_backoff[j->slot.host])
			backoff_clear(j->lockdir, h, j->cfg->backoff_sec);
		*res = (struct job_result){ .outcome = JOB_DONE, .exit_code = 0 };
		return STEP_DONE;
	case REMOTEJOB_CPP_FAILED:
		if (j->cppmode == CPPMODE_DIRECTIVES_ONLY) {
			/* its messages were held: the local compile gives the
			 * diagnostics a local build gives (also for what only
			 * -fdirectives-only refuses, e.g. __COUNTER__ in #if) */
			log_debug("the directives-only preprocessor failed; compiling '%s' locally",
				  j->scan.input);
			return STEP_LOCAL;
		}
		*res = (struct job_result){ .outcome = JOB_DONE,
					    .exit_code = child_exit_code(j->remote.cpp_status) };
		return STEP_DONE;
	case REMOTEJOB_COMPILE_FAILED:
		return remote_failed(j, h, res);
	case REMOTEJOB_LOCAL_PROBLEM:
	case REMOTEJOB_MUST_RUN_LOCALLY:
		return STEP_LOCAL;
	case REMOTEJOB_TRANSPORT_FAILED:
		break;
	}
	note_tried(j, h);
	backoff_mark(j->lockdir, h, j->cfg->backoff_sec);
	j->usable[j->slot.host] = false;
	lock_release(&j->slot);
	return -EAGAIN;
}

/* A list with ",auto" hosts and no ",cpp" one preprocesses before it
 * chooses a host: no host slot is held while the client preprocesses (long
 * on a weak or busy client), and the choice reads the live state of when
 * the job is ready. Static lists keep 3.4's order: the host first, the
 * preprocessor alongside the connection. */
static bool preprocess_first(const struct job *j)
{
	bool any_auto = false;

	for (size_t i = 0; i < j->hosts.n; i++) {
		if (j->hosts.hosts[i].cpp)
			return false;
		any_auto |= j->hosts.hosts[i].autolimit;
	}
	return any_auto;
}

/* A job waiting for an ",auto" host looks at the live state again this
 * often: the host that frees a slot first may not be the one it waits on. */
#define AUTO_REPLAN_MSEC 100u

/* Take a host slot. An ",auto" list, until a host has failed this job,
 * is planned again each AUTO_REPLAN_MSEC while the job waits. */
static int pick_host(struct job *j)
{
	bool told = false;

	if (!j->hosts_written || j->tried[0])
		return lock_pick_host(j->lockdir, j->hosts.hosts, j->usable, j->hosts.n,
				      j->cfg->pause_msec, mon_blocked, j, &j->slot);
	for (;;) {
		int r = lock_pick_host_within(j->lockdir, j->hosts.hosts, j->usable, j->hosts.n,
					      AUTO_REPLAN_MSEC, &j->slot);

		if (r != -EAGAIN)
			return r;
		if (!told)
			mon_blocked(j);
		told = true;
		if (filter_hosts(j) == 0)
			return -ENOENT;
	}
}

/* Try hosts until one answers; every host is tried at most once per job, so
 * this ends even with DISTCC_BACKOFF_PERIOD=0 and a dead host. */
static int distribute(struct job *j, struct job_result *res)
{
	for (;;) {
		const struct host *h;
		int r;

		r = pick_host(j);
		if (r == -ENOENT)
			return fallback(j, res);
		if (r < 0) {
			log_warning_errno(r, "cannot take a host slot: %m");
			return fallback(j, res);
		}
		h = &j->hosts.hosts[j->slot.host];
		log_debug("'%s': host %s, slot %u", j->scan.input, h->spec, j->slot.slot);
		if (h->mode == HOST_LOCAL)
			return STEP_LOCAL;
		j->mon.slot = (int)j->slot.slot;
		r = attempt_done(j, h, remotejob_try(&j->remote, h), res);
		if (r != -EAGAIN)
			return r;
	}
}

/* A local-only job reads the list just for --localslots; errors don't matter. */
static void load_local_slots(struct job *j)
{
	struct hostlist l;
	_cleanup_free_ char *src = NULL;
	char *bad = NULL;

	if (hosts_load(j->cfg, &l, &bad, NULL, &src) >= 0) {
		j->hosts.localslots = l.localslots;
		j->hosts.localslots_cpp = l.localslots_cpp;
		hostlist_free(&l);
	}
	free(bad);
}

/* Load the host list; *ret_ok is false when there is none to try. */
static int prepare_hosts(struct job *j, struct job_result *res, bool *ret_ok)
{
	_cleanup_free_ char *src = NULL;
	const char *why = NULL;
	char *bad = NULL;
	int r;

	*ret_ok = false;
	r = hosts_load(j->cfg, &j->hosts, &bad, &why, &src);
	if (r == -EINVAL) {
		res->outcome = JOB_BAD_HOSTSPEC;
		res->bad_token = bad;
		log_error("bad host specification '%s': %s", bad ? bad : "",
			  why ? why : "syntax error");
		return 0;
	}
	if (r < 0)
		return log_error_errno(r, "cannot read the host list: %m");
	if (j->hosts.n == 0) {
		hosts_log_empty(src);
		return 0;
	}
	j->usable = calloc(j->hosts.n, sizeof(bool));
	j->had_backoff = calloc(j->hosts.n, sizeof(bool));
	if (!j->usable || !j->had_backoff)
		return -ENOMEM;
	*ret_ok = true;
	return 0;
}

/* Plain mode's preprocessing: directives-only where it is safe. */
static int choose_cppmode(struct job *j)
{
	const char *why;
	int r;

	j->cppmode = cppmode_choose(&j->scan, j->cfg->directives_only, &why);
	if (why)
		log_debug("'%s': full preprocessing: %s", j->scan.input, why);
	r = cppmode_apply(j->cppmode, &j->scan);
	if (r < 0)
		return log_error_errno(r, "cannot build the preprocessor command: %m");
	j->remote.cpp_capture = j->cppmode == CPPMODE_DIRECTIVES_ONLY;
	return 0;
}

/* Where the job runs: classify, then the hosts. */
static int plan(struct job *j, struct job_result *res)
{
	bool have_hosts;
	int r;

	if (j->verdict != ARGSCAN_REMOTE) {
		log_debug("'%s' must run locally: %s", j->argv[0],
			  j->scan.reason ? j->scan.reason : "");
		load_local_slots(j);
		return STEP_LOCAL;
	}
	r = choose_cppmode(j);
	if (r < 0)
		return r;
	r = prepare_hosts(j, res, &have_hosts);
	if (r < 0)
		return r;
	if (res->outcome == JOB_BAD_HOSTSPEC)
		return STEP_DONE;
	if (!have_hosts)
		return fallback(j, res);
	j->remote.lockdir = j->lockdir;
	j->remote.localslots_cpp = j->hosts.localslots_cpp;
	if (preprocess_first(j)) {
		enum remotejob_outcome o = remotejob_preprocess(&j->remote);

		if (o != REMOTEJOB_OK)
			return attempt_done(j, NULL, o, res);
		j->hosts_written = calloc(j->hosts.n, sizeof(*j->hosts.hosts));
		if (!j->hosts_written)
			return log_error_errno(-ENOMEM, "cannot plan the job: %m");
		memcpy(j->hosts_written, j->hosts.hosts, j->hosts.n * sizeof(*j->hosts.hosts));
	}
	return filter_hosts(j) > 0 ? distribute(j, res) : fallback(j, res);
}

static void job_free(struct job *j)
{
	remotejob_free(&j->remote);
	argscan_job_free(&j->scan);
	hostlist_free(&j->hosts);
	free(j->hosts_written);     /* a shallow copy: the strings are the list's */
	free(j->usable);
	free(j->had_backoff);
	lock_release(&j->slot);
	j->lockdir = safe_close(j->lockdir);
	j->mon_fd = safe_close(j->mon_fd);
}

/* Level > 0 (we were started by distcc): only be the compiler, unlocked. */
static int job_init(struct job *j, const struct client_config *cfg, char **argv, unsigned level)
{
	int r;

	*j = (struct job){
		.cfg = cfg, .argv = argv, .level = level, .lockdir = -EBADF, .mon_fd = -EBADF,
		.slot = SLOT_NONE,
	};
	j->hosts.localslots = HOST_DEFAULT_LOCALSLOTS;
	j->hosts.localslots_cpp = HOST_DEFAULT_LOCALSLOTS_CPP;
	remotejob_init(&j->remote, cfg, &j->scan, mon_phase, j);
	if (level > 0)
		return 0;
	snprintf(j->state_dir, sizeof(j->state_dir), "%s/state", cfg->dir);
	r = argscan_classify((const char *const *)argv, &j->scan, &j->verdict);
	if (r < 0)
		return log_error_errno(r, "cannot scan the command line: %m");
	j->mon.pid = (unsigned long)getpid();
	snprintf(j->mon.file, sizeof(j->mon.file), "%s", str_basename(j->scan.input));
	r = lock_dir_open(cfg->dir, &j->lockdir);
	if (r < 0)
		log_warning_errno(r, "cannot use the lock directory in '%s': %m", cfg->dir);
	return 0;
}

int job_run(const struct client_config *cfg, char **argv, unsigned level, struct job_result *ret)
{
	struct job j;
	struct job_result res = { .outcome = JOB_FAILED };
	int r;

	r = job_init(&j, cfg, argv, level);
	if (r >= 0)
		r = level > 0 ? STEP_LOCAL : plan(&j, &res);
	if (r < 0 && cfg->fallback) {
		/* our own trouble (memory, the host list): the build must not pay */
		log_warning_errno(r, "cannot distribute '%s' (%m), running locally instead", argv[0]);
		r = STEP_LOCAL;
	}
	if (r == STEP_LOCAL)
		r = run_local(&j, &res);
	if (r >= 0 && j.remote_failed && res.outcome == JOB_DONE && res.exit_code == 0) {
		log_warning("remote compilation of '%s' failed, retried locally and got a different "
			    "result.", j.scan.input);
		if (j.pump_failed)
			pumpjob_note_discrepancy(&j.remote.pump, cfg);
	}
	job_free(&j);
	if (r < 0 && res.outcome == JOB_FAILED)
		res.error = r;
	*ret = res;
	return r < 0 ? r : 0;
}
