/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's driver: joins argument scanning, host list, locks, backoff,
 * the local preprocessor, the transport and the output writer. Policy
 * decisions come from the pure modules; this file only sequences them and
 * logs each failure once.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argscan.h"
#include "backoff.h"
#include "child.h"
#include "cleanup.h"
#include "compile.h"
#include "hosts.h"
#include "lock.h"
#include "log.h"
#include "macro.h"
#include "monstate.h"
#include "output.h"
#include "remote.h"
#include "strv.h"

enum attempt {
	ATTEMPT_OK,             /* remote success, outputs written */
	ATTEMPT_TRANSPORT,      /* host failed: back off, try another */
	ATTEMPT_CPP_FAILED,     /* local preprocessor failed: its status is final */
	ATTEMPT_REMOTE_FAILED,  /* the compiler failed on the server */
	ATTEMPT_LOCAL,          /* a local problem (spawn, temp file, output): run locally */
};

struct job {
	const struct client_config *cfg;
	char **argv;
	struct argscan_job scan;
	enum argscan_verdict verdict;
	struct hostlist hosts;
	bool *usable, *had_backoff;
	int lockdir;
	struct slot slot, cpp_slot;
	/* local preprocessor */
	const char *cpp_path;
	pid_t cpp_pid;
	int cpp_status;
	bool cpp_started, cpp_done;
	/* monitor */
	char state_dir[PATH_MAX];
	struct monstate mon;
	int mon_fd;
	/* outcome of the last attempt */
	struct proto_reply reply;
	int error;
	char tried[512];
};

static void mon_set(struct job *j, enum mon_phase phase, const char *host, int slot)
{
	j->mon.phase = phase;
	if (host)
		snprintf(j->mon.host, sizeof(j->mon.host), "%s", host);
	j->mon.slot = slot;
	if (monstate_write(j->state_dir, &j->mon, &j->mon_fd) >= 0)
		cleanup_note_state(true);
}

static void mon_blocked(void *userdata)
{
	struct job *j = userdata;

	mon_set(j, PHASE_BLOCKED, NULL, j->mon.slot);
}

/* The preprocessor must be finished before anything else writes its .d. */
static int cpp_finish(struct job *j)
{
	int r;

	if (!j->cpp_started || j->cpp_done)
		return 0;
	r = child_wait(j->cpp_pid, &j->cpp_status);
	if (r < 0)
		return log_error_errno(r, "cannot wait for the preprocessor: %m");
	j->cpp_done = true;
	lock_release(&j->cpp_slot);
	return 0;
}

/* Replace this process with the compiler, holding @s until it exits. */
static int run_local(struct job *j, struct compile_result *res)
{
	int r;

	(void)cpp_finish(j);
	lock_release(&j->slot);
	if (j->lockdir >= 0 && j->slot.fd < 0) {
		unsigned n = j->verdict == ARGSCAN_LOCAL_CPP ? j->hosts.localslots_cpp
							     : j->hosts.localslots;

		r = lock_pick_local(j->lockdir, n, j->cfg->pause_msec, NULL, NULL, &j->slot);
		if (r < 0)
			log_debug_errno(r, "no local slot, running unlocked: %m");
	}
	(void)lock_keep_across_exec(&j->slot);
	cleanup_run();
	log_debug("running '%s' locally (slot %d)", j->argv[0], j->slot.fd >= 0 ? (int)j->slot.slot : -1);
	r = child_exec(j->argv);
	res->outcome = COMPILE_COMPILER_MISSING;
	res->error = log_error_errno(r, "cannot run '%s': %m", j->argv[0]);
	return r;
}

/* The local preprocessor writes "-o <temp><cpp_ext>" (argscan leaves the
 * output to us) while the request head goes out. */
static int cpp_start(struct job *j)
{
	_cleanup_(strv_freep) char **argv = NULL;
	int r;

	if (j->cpp_started || j->scan.preprocessed)
		return 0;
	if (j->lockdir >= 0) {
		r = lock_pick_local(j->lockdir, j->hosts.localslots_cpp, j->cfg->pause_msec, NULL,
				    NULL, &j->cpp_slot);
		if (r < 0)
			log_debug_errno(r, "no cpp slot, preprocessing unlocked: %m");
	}
	r = cleanup_mktemp(j->cfg->tmpdir, "distcc_", j->scan.cpp_ext, 0600, &j->cpp_path);
	if (r < 0)
		return log_error_errno(r, "cannot create a temp file in '%s': %m", j->cfg->tmpdir);
	safe_close(r); /* reopened by name when done: clang -E -o renames over it */
	argv = strv_copy(j->scan.cpp_argv);
	if (!argv || strv_push(&argv, "-o") < 0 || strv_push(&argv, j->cpp_path) < 0)
		return log_error_errno(-ENOMEM, "cannot build the preprocessor command: %m");
	r = child_cpp(argv, &j->cpp_pid);
	if (r < 0)
		return log_error_errno(r, "cannot run the preprocessor '%s': %m", argv[0]);
	j->cpp_started = true;
	return 0;
}

/* The DOTI source: the preprocessor's output, or the .i input itself. */
static int doti_fd(struct job *j, int *ret_fd, bool *ret_owned)
{
	const char *path = j->scan.preprocessed ? j->scan.input : j->cpp_path;

	*ret_fd = open(path, O_RDONLY | O_CLOEXEC);
	*ret_owned = true;
	return *ret_fd < 0 ? log_error_errno(errno, "cannot open '%s': %m", path) : 0;
}

/* Everything up to the reply; transport errors are returned as -errno. */
/* Pump mode (protocol 3) needs an include server, which we do not have:
 * like distcc 3.4 without one, preprocess locally and speak protocol 2. */
static uint32_t wire_version(const struct host *h)
{
	return h->cpp ? 2 : h->protover;
}

static int exchange(struct job *j, const struct host *h, int fd)
{
	uint32_t ver = wire_version(h);
	int in = -EBADF, r;
	bool owned = false;
	usec_t io = j->cfg->io_timeout;

	r = remote_send_head(fd, ver, j->scan.server_argv, deadline_in(io));
	if (r < 0)
		return log_debug_errno(r, "sending the request to '%s' failed: %m", h->hostname);
	r = cpp_finish(j);
	if (r < 0)
		return r;
	if (j->cpp_started && j->cpp_status != 0)
		return -ECHILD; /* not the host's fault */
	r = doti_fd(j, &in, &owned);
	if (r < 0)
		return -ECANCELED;
	mon_set(j, PHASE_SEND, NULL, j->mon.slot);
	r = remote_send_doti(fd, ver, in, deadline_in(io));
	if (owned)
		close(in);
	if (r < 0)
		return log_debug_errno(r, "sending the source to '%s' failed: %m", h->hostname);
	mon_set(j, PHASE_COMPILE, NULL, j->mon.slot);
	r = remote_read_reply(fd, ver, deadline_in(io), &j->reply);
	if (r < 0)
		return log_debug_errno(r, "reading the reply from '%s' failed: %m", h->hostname);
	return 0;
}

static int write_results(struct job *j)
{
	struct proto_reply *rep = &j->reply;
	int r;

	mon_set(j, PHASE_RECEIVE, NULL, j->mon.slot);
	(void)output_copy_to_fd(STDERR_FILENO, rep->serr.data, rep->serr.len);
	(void)output_copy_to_fd(STDOUT_FILENO, rep->sout.data, rep->sout.len);
	r = output_write(j->scan.output, rep->doto.data, rep->doto.len);
	if (r < 0)
		return log_error_errno(r, "cannot write '%s': %m", j->scan.output);
	return 0;
}

static enum attempt attempt_remote(struct job *j, const struct host *h)
{
	_cleanup_close_ int fd = -EBADF;
	int r;

	if (h->mode == HOST_SSH) {
		j->error = -EPROTONOSUPPORT;
		return ATTEMPT_TRANSPORT;
	}
	if (h->cpp)
		log_warning("pump mode (',cpp') is not supported; preprocessing '%s' locally for %s",
			    j->scan.input, h->spec);
	mon_set(j, PHASE_CONNECT, h->hostname, (int)j->slot.slot);
	r = cpp_start(j);
	if (r < 0)
		return ATTEMPT_LOCAL;
	r = remote_connect(h, REMOTE_CONNECT_TIMEOUT_USEC, &fd);
	if (r < 0) {
		j->error = log_debug_errno(r, "cannot connect to '%s' port %u: %m", h->hostname,
					   h->port);
		return ATTEMPT_TRANSPORT;
	}
	proto_reply_free(&j->reply);
	proto_reply_init(&j->reply);
	r = exchange(j, h, fd);
	if (r == -ECHILD)
		return ATTEMPT_CPP_FAILED;
	if (r == -ECANCELED)
		return ATTEMPT_LOCAL;
	if (r < 0) {
		j->error = r;
		return ATTEMPT_TRANSPORT;
	}
	if (j->reply.status != 0)
		return ATTEMPT_REMOTE_FAILED;
	return write_results(j) < 0 ? ATTEMPT_LOCAL : ATTEMPT_OK;
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

static int finish_remote_failure(struct job *j, const struct host *h, struct compile_result *res)
{
	int code = child_exit_code((int)j->reply.status);

	if ((code < 128 && j->cfg->skip_local_retry) || !j->cfg->fallback) {
		(void)output_copy_to_fd(STDERR_FILENO, j->reply.serr.data, j->reply.serr.len);
		(void)output_copy_to_fd(STDOUT_FILENO, j->reply.sout.data, j->reply.sout.len);
		res->outcome = COMPILE_DONE;
		res->exit_code = code;
		return 0;
	}
	if (code >= 128)
		backoff_mark(j->lockdir, h, j->cfg->backoff_sec);
	show_server_lines(&j->reply.serr);
	log_warning("remote compilation of '%s' on %s failed, retrying locally", j->scan.input,
		    h->spec);
	return run_local(j, res);
}

/* Mark the hosts we may use: not ",down", not backed off. */
static size_t filter_hosts(struct job *j)
{
	size_t usable = 0;

	for (size_t i = 0; i < j->hosts.n; i++) {
		const struct host *h = &j->hosts.hosts[i];
		bool on = !h->down;

		if (on && h->mode != HOST_LOCAL && j->lockdir >= 0 &&
		    backoff_check(j->lockdir, h, j->cfg->backoff_sec, &j->had_backoff[i])) {
			log_debug("host '%s' is backed off", h->spec);
			on = false;
		}
		if (on && h->mode == HOST_SSH) {
			log_warning("ssh host '%s' is not supported yet, skipping it", h->spec);
			on = false;
		}
		j->usable[i] = on;
		usable += on;
	}
	return usable;
}

static int fallback(struct job *j, struct compile_result *res)
{
	if (!j->cfg->fallback) {
		if (!j->tried[0]) {
			res->outcome = COMPILE_NO_HOSTS;
			log_error("no usable host to distribute '%s' to, and DISTCC_FALLBACK=0",
				  j->scan.input);
		} else {
			res->outcome = COMPILE_DISTRIBUTE_FAILED;
			res->error = j->error;
			log_error_errno(j->error, "failed to distribute '%s' to %s: %m",
					j->scan.input, j->tried);
		}
		return 0;
	}
	if (j->tried[0])
		log_warning_errno(j->error, "failed to distribute '%s' to %s (%m), running locally instead",
				  j->scan.input, j->tried);
	return run_local(j, res);
}

/* Try hosts until one answers; every host is tried at most once per job, so
 * this ends even with DISTCC_BACKOFF_PERIOD=0 and a dead host. */
static int distribute(struct job *j, struct compile_result *res)
{
	for (;;) {
		const struct host *h;
		enum attempt a;
		int r;

		r = lock_pick_host(j->lockdir, j->hosts.hosts, j->usable, j->hosts.n,
				   j->cfg->pause_msec, mon_blocked, j, &j->slot);
		if (r == -ENOENT)
			return fallback(j, res);
		if (r < 0) {
			log_warning_errno(r, "cannot take a host slot: %m");
			return fallback(j, res);
		}
		h = &j->hosts.hosts[j->slot.host];
		log_debug("'%s': host %s, slot %u", j->scan.input, h->spec, j->slot.slot);
		if (h->mode == HOST_LOCAL)
			return run_local(j, res);
		a = attempt_remote(j, h);
		switch (a) {
		case ATTEMPT_OK:
			if (j->had_backoff[j->slot.host])
				backoff_clear(j->lockdir, h, j->cfg->backoff_sec);
			res->outcome = COMPILE_DONE;
			res->exit_code = 0;
			return 0;
		case ATTEMPT_CPP_FAILED:
			res->outcome = COMPILE_DONE;
			res->exit_code = child_exit_code(j->cpp_status);
			return 0;
		case ATTEMPT_REMOTE_FAILED:
			return finish_remote_failure(j, h, res);
		case ATTEMPT_LOCAL:
			return run_local(j, res);
		case ATTEMPT_TRANSPORT:
			note_tried(j, h);
			backoff_mark(j->lockdir, h, j->cfg->backoff_sec);
			j->usable[j->slot.host] = false;
			lock_release(&j->slot);
			break;
		}
	}
}

/* A local-only job reads the list just for --localslots; errors don't matter. */
static void load_local_slots(struct job *j)
{
	struct hostlist l;
	const char *src;
	char *bad = NULL;

	if (hosts_load(j->cfg, &l, &bad, NULL, &src) >= 0) {
		j->hosts.localslots = l.localslots;
		j->hosts.localslots_cpp = l.localslots_cpp;
		hostlist_free(&l);
	}
	free(bad);
}

static int prepare_hosts(struct job *j, struct compile_result *res, bool *ret_ok)
{
	const char *src = NULL, *why = NULL;
	char *bad = NULL;
	int r;

	*ret_ok = false;
	r = hosts_load(j->cfg, &j->hosts, &bad, &why, &src);
	if (r == -EINVAL) {
		res->outcome = COMPILE_BAD_HOSTSPEC;
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

static void job_free(struct job *j)
{
	argscan_job_free(&j->scan);
	hostlist_free(&j->hosts);
	free(j->usable);
	free(j->had_backoff);
	lock_release(&j->slot);
	lock_release(&j->cpp_slot);
	j->lockdir = safe_close(j->lockdir);
	j->mon_fd = safe_close(j->mon_fd);
	proto_reply_free(&j->reply);
}

static int job_init(struct job *j, const struct client_config *cfg, char **argv)
{
	int r;

	*j = (struct job){
		.cfg = cfg, .argv = argv, .lockdir = -EBADF, .mon_fd = -EBADF, .slot = SLOT_NONE,
		.cpp_slot = SLOT_NONE,
	};
	proto_reply_init(&j->reply);
	j->hosts.localslots = HOST_DEFAULT_LOCALSLOTS;
	j->hosts.localslots_cpp = HOST_DEFAULT_LOCALSLOTS_CPP;
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

int compile_run(const struct client_config *cfg, char **argv, unsigned level,
		struct compile_result *ret)
{
	struct job j;
	struct compile_result res = { .outcome = COMPILE_FAILED };
	bool have_hosts;
	int r;

	if (level > 0) {
		/* we were started by distcc: just be the compiler */
		r = child_exec(argv);
		*ret = (struct compile_result){ .outcome = COMPILE_COMPILER_MISSING, .error = r };
		return log_error_errno(r, "cannot run '%s': %m", argv[0]);
	}
	r = job_init(&j, cfg, argv);
	if (r >= 0 && j.verdict != ARGSCAN_REMOTE) {
		log_debug("'%s' must run locally: %s", argv[0], j.scan.reason ? j.scan.reason : "");
		load_local_slots(&j);
		r = run_local(&j, &res);
	} else if (r >= 0) {
		r = prepare_hosts(&j, &res, &have_hosts);
		if (r >= 0 && res.outcome != COMPILE_BAD_HOSTSPEC)
			r = have_hosts && filter_hosts(&j) > 0 ? distribute(&j, &res)
							       : fallback(&j, &res);
	}
	if (r < 0 && res.outcome == COMPILE_FAILED && cfg->fallback) {
		/* our own trouble (memory, the host list): the build must not pay */
		log_warning_errno(r, "cannot distribute '%s' (%m), running locally instead", argv[0]);
		r = run_local(&j, &res);
	}
	(void)cpp_finish(&j);
	job_free(&j);
	if (r < 0 && res.outcome == COMPILE_FAILED)
		res.error = r;
	*ret = res;
	return r < 0 ? r : 0;
}
