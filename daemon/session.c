/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver for one job: joins transport (io), codec (proto), policy and
 * exec. It owns the job's memory and directory and frees both on every path.
 * Policy refusals are answered with a real reply (exit 113 and the reason on
 * SERR) so a distcc 3.4 client falls back to a local compile and shows why.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "exitcode.h"
#include "jobscan.h"
#include "jobslot.h"
#include "log.h"
#include "macro.h"
#include "peerwatch.h"
#include "toolchain.h"
#include "proto.h"
#include "pumpargv.h"
#include "pumpserve.h"
#include "session.h"
#include "strv.h"
#include "wirelimits.h"
#include "workdir.h"

struct session {
	const struct daemon_config *cfg;
	int in_fd, out_fd;
	char peer[96];
	usec_t start;
	struct proto_request req;
	struct jobscan job;     /* the policy's scan: the argv to run and its facts */
	struct workdir wd;
	struct pumpserve pump;     /* protocol 3 */
	struct buf doti, warnings;
	struct job_summary sum;
	bool in_body;                       /* the head is in: reading under the pace */
	struct peer_watch watch;
	char done_token[PROTO_HDR_LEN];     /* sent early to a client that half-closed */
	const char *bad_result;             /* the result file that was not a plain file */
	int slot_fd;                        /* jobslot.h; -1: none to wait for */
	bool slot_held;
};

/* Returns -EACCES for a denied peer (logged here, nothing else is sent). */
static int session_check_peer(struct session *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(s->in_fd, (struct sockaddr *)&ss, &len) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
		snprintf(s->peer, sizeof(s->peer), "localhost-pipe");
		return 0;     /* no address: ssh or a pipe, nothing to check */
	}
	netacl_format_peer((struct sockaddr *)&ss, len, s->peer, sizeof(s->peer));
	if (!netacl_match(&s->cfg->allow, (struct sockaddr *)&ss, len)) {
		log_warning("connection from client '%s' denied by access list", s->peer);
		return -EACCES;
	}
	return 0;
}

/* The head's deadline: --head-timeout, or --io-timeout if that is shorter. */
static usec_t head_timeout(const struct daemon_config *cfg)
{
	return cfg->head_timeout < cfg->io_timeout ? cfg->head_timeout : cfg->io_timeout;
}

static int read_failed(struct session *s, int r)
{
	switch (r) {
	case -EPROTO:
		s->sum.result = JOB_REJ_BAD_REQ;
		return log_warning_errno(r, "client %s: unsupported protocol version (this distccd serves 1, 2 and 3)",
					 s->peer);
	case -EBADMSG:
		s->sum.result = JOB_REJ_BAD_REQ;
		return log_warning_errno(r, "client %s: protocol error or over-size request", s->peer);
	case -ETIMEDOUT:
		s->sum.result = JOB_OTHER;
		if (!s->in_body)
			return log_warning_errno(r, "client %s: request head not complete within %llu s "
						 "(--head-timeout)", s->peer,
						 (unsigned long long)(head_timeout(s->cfg) / USEC_PER_SEC));
		return log_warning_errno(r, "client %s: request not complete within the I/O timeout or "
					 "arriving slower than %u KiB/s", s->peer, REQUEST_MIN_RATE / 1024);
	case -ENODATA:
	case -EPIPE:
	case -ECONNRESET:
		s->sum.result = JOB_CLI_DISCONN;
		return log_info_errno(r, "client %s: disconnected while sending the request", s->peer);
	default:
		s->sum.result = JOB_OTHER;
		return log_error_errno(r, "client %s: cannot read request: %m", s->peer);
	}
}

static int session_refuse(struct session *s, enum job_result result, int code, const char *message);

/* Protocol 3: the job directory is made first and the client's files go
 * straight into its root; a path the root rules refuse is answered. */
static int session_read_pump(struct session *s, struct proto_src *src)
{
	_cleanup_free_ char *message = NULL;
	int r;

	r = workdir_create(s->cfg->tmpdir, ".i", ".o", s->cfg->save_temps, &s->wd);
	if (r < 0)
		return log_error_errno(r, "cannot create a job directory in '%s': %m", s->cfg->tmpdir);
	r = pumpserve_receive(&s->pump, src, s->wd.dir, s->req.cwd, &message);
	if (r == -EACCES)
		return session_refuse(s, JOB_REJ_BAD_REQ, EXIT_ACCESS_DENIED, message);
	return r < 0 ? read_failed(s, r) : 0;
}

static usec_t after(usec_t t, usec_t d)
{
	return d > USEC_INFINITY - t ? USEC_INFINITY : t + d;
}

/* The head (DIST..ARGV) must be in within --head-timeout of the
 * connection; the rest must then keep coming (proto_src_pace), all of it
 * within --io-timeout. An idle or trickling client is gone in seconds. */
static void session_pace_body(struct session *s, struct proto_src *src)
{
	src->rd.deadline = after(s->start, s->cfg->io_timeout);
	xreader_pace(&src->rd, now_usec(), s->cfg->head_timeout, REQUEST_MIN_RATE);
	s->in_body = true;
	/* a client that half-closes later gets this much of the reply early */
	proto_format_header(s->done_token, "DONE", s->req.version);
}

static int session_read_request(struct session *s)
{
	struct proto_src src = PROTO_SRC_FD(s->in_fd, after(s->start, head_timeout(s->cfg)));
	int r;

	r = proto_read_request_head(&src, &s->req);
	if (r < 0)
		return read_failed(s, r);
	session_pace_body(s, &src);
	s->sum.compiler = s->req.argv[0];
	if (s->req.version == 3)
		return session_read_pump(s, &src);
	r = proto_read_bulk(&src, "DOTI", proto_compressed(s->req.version), MAX_BULK_PLAIN, &s->doti);
	return r < 0 ? read_failed(s, r) : 0;
}

/* The one place a job is refused with a reply: DONE, STAT = @code << 8, the
 * reason (our warnings) on SERR, empty SOUT and DOTO. Returns 1: job done. */
static int session_send_reply(struct session *s, int status, struct proto_reply *rep);

static int session_refuse(struct session *s, enum job_result result, int code, const char *message)
{
	struct proto_reply rep;
	int r;

	log_warning("refusing job from %s: %s", s->peer, message);
	s->sum.result = result;
	s->sum.ret = code;
	proto_reply_init(&rep);
	r = session_send_reply(s, code << 8, &rep);
	proto_reply_free(&rep);
	return r < 0 ? r : 1;
}

static int session_authorize(struct session *s)
{
	struct toolchain_verdict tv;
	int r = toolchain_authorize(s->cfg, s->req.version, s->req.argv, &tv);

	if (r < 0)
		return session_refuse(s, JOB_OTHER, EXIT_OUT_OF_MEMORY, "out of memory");
	if (tv.exit_code) {
		r = session_refuse(s, tv.result, tv.exit_code, tv.message);
		toolchain_verdict_free(&tv);
		return r;
	}
	/* what runs is the scan's argv (mapped, rewritten), not the client's */
	s->job = tv.job;
	tv.job = (struct jobscan){ 0 };
	s->sum.compiler = s->job.argv[0];
	s->sum.input = s->job.argv[s->job.input];
	return 0;
}

static int write_input(struct session *s)
{
	_cleanup_close_ int fd = workdir_create_file(&s->wd, str_basename(s->wd.input));

	if (fd < 0)
		return log_error_errno(fd, "cannot create '%s': %m", s->wd.input);
	return xwrite_all(fd, s->doti.data, s->doti.len, USEC_INFINITY);
}

/* Protocols 1 and 2: the preprocessed input into the job directory. */
static int session_plain_input(struct session *s, char ***ret_argv)
{
	int r = workdir_create(s->cfg->tmpdir, s->job.in_ext, s->job.out_ext, s->cfg->save_temps,
			       &s->wd);

	if (r < 0)
		return log_error_errno(r, "cannot create a job directory in '%s': %m", s->cfg->tmpdir);
	r = write_input(s);
	if (r < 0)
		return r;
	return jobscan_rewrite(&s->job, str_basename(s->wd.input), str_basename(s->wd.output),
			       ret_argv);
}

/* Protocol 3: the client's argv with every path the scan found under the
 * job root. */
static int session_pump_argv(struct session *s, char ***ret_argv)
{
	const struct jobscan *js = &s->job;
	_cleanup_free_ struct pumpargv_path *paths = calloc(js->n_paths, sizeof(*paths));
	struct pumpargv_spec spec = {
		.root = s->pump.root.path, .output = s->wd.output, .deps = s->pump.deps,
		.input = js->input, .output_index = js->output, .output_joined = js->output_joined,
		.out_ext = js->out_ext, .md = js->deps.md, .mmd = js->deps.mmd,
		.n_targets = js->deps.n_targets, .paths = paths, .n_paths = js->n_paths,
	};

	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < js->n_paths; i++)
		paths[i] = (struct pumpargv_path){
			.index = js->paths[i].index, .offset = js->paths[i].offset,
			.under_prefix = js->paths[i].kind == JOBSCAN_PATH_WITH_PREFIX,
		};
	return pumpargv_build(js->argv, &spec, ret_argv);
}

/* DISTCC_CMDLIST names compilers by path, possibly outside PATH: the
 * directory of the listed compiler is opened to it like a PATH directory. */
static int cmdlist_exec_dir(const struct daemon_config *cfg, const char *argv0, char **ret)
{
	const char *slash = strrchr(argv0, '/');

	*ret = NULL;
	if (!cfg->has_cmdlist || !slash || slash == argv0 || argv0[0] != '/')
		return 0;
	*ret = strndup(argv0, (size_t)(slash - argv0));
	return *ret ? 0 : -ENOMEM;
}

static int session_run_compiler(struct session *s, int *ret_status, enum exec_outcome *ret_out)
{
	_cleanup_(strv_freep) char **argv = NULL;
	_cleanup_free_ char *exec_dir = NULL;
	struct sandbox_params sp = { .path = s->cfg->path, .locale_env = s->cfg->locale_env };
	struct exec_params ep = { .sandbox = &sp, .peer = &s->watch, .deadline = USEC_INFINITY };
	int r;

	if (s->req.version == 3) {
		r = session_pump_argv(s, &argv);
		ep.cwd = s->pump.cwd;
	} else
		r = session_plain_input(s, &argv);
	if (r < 0)
		return r;
	r = cmdlist_exec_dir(s->cfg, argv[0], &exec_dir);
	if (r < 0)
		return r;
	sp.exec_dir = exec_dir;
	sp.workdir = s->wd.dir;
	sp.as_bytes = s->cfg->job_as_bytes;
	sp.fsize_bytes = s->cfg->job_fsize_bytes;
	ep.argv = argv;
	ep.stdout_path = s->wd.out_path;
	ep.stderr_path = s->wd.err_path;
	if (s->cfg->job_lifetime) {
		ep.deadline = deadline_in(s->cfg->job_lifetime);
		sp.cpu_sec = s->cfg->job_lifetime / USEC_PER_SEC + 1;
	}
	return exec_compiler(&ep, ret_status, ret_out);
}

static int session_compile(struct session *s, int *ret_status)
{
	enum exec_outcome out;
	int status = 0, r;

	r = session_run_compiler(s, &status, &out);
	if (r < 0) {
		s->sum.result = JOB_OTHER;
		return r;
	}
	s->sum.status = status;
	switch (out) {
	case EXEC_DISCONNECT:
		s->sum.result = JOB_CLI_DISCONN;
		log_info("client %s disconnected during the compile; compiler killed", s->peer);
		return 1;
	case EXEC_TIMEOUT:
		s->sum.result = JOB_COMPILE_TIMEOUT;
		s->sum.ret = EXIT_TIMEOUT;
		log_warning("compiler '%s' ran longer than --job-lifetime; killed", s->req.argv[0]);
		*ret_status = EXIT_TIMEOUT << 8;
		return 0;
	case EXEC_EXITED:
		break;
	}
	s->sum.result = status == 0 ? JOB_COMPILE_OK : JOB_COMPILE_ERROR;
	s->sum.ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	*ret_status = status;
	return 0;
}

/* One result file of the job, read through the job directory's fd. A
 * missing file is empty; -EPERM: not a plain file of ours. */
static int collect(struct session *s, const char *path, struct buf *b)
{
	int r = b ? workdir_read(&s->wd, str_basename(path), MAX_BULK_PLAIN, b)
		  : workdir_check(&s->wd, str_basename(path));

	if (r == -EPERM)
		s->bad_result = path;
	return r == -ENOENT ? 0 : r;
}

/* The encoded reply, less the DONE token if it went out early. */
static int session_write_reply(struct session *s, const struct buf *out)
{
	size_t skip = s->watch.early_sent ? sizeof(s->done_token) : 0;

	assert(out->len >= skip && memcmp(out->data, s->done_token, skip) == 0);
	return xwrite_all(s->out_fd, out->data + skip, out->len - skip,
			  deadline_in(s->cfg->io_timeout));
}

static int session_send_reply(struct session *s, int status, struct proto_reply *rep)
{
	struct buf out = BUF_INIT(4 * (size_t)MAX_BULK_WIRE);
	int r = 0;

	rep->version = s->req.version;
	rep->status = (uint32_t)status;
	log_capture(NULL, LOG_WARNING);      /* nothing more goes to this client */
	if (s->warnings.len)
		r = buf_append(&rep->serr, s->warnings.data, s->warnings.len);
	if (r >= 0)
		r = proto_put_reply(&out, rep);
	if (r >= 0)
		r = session_write_reply(s, &out);
	buf_free(&out);
	if (r < 0)
		log_info_errno(r, "cannot send the reply to %s: %m", s->peer);
	return r;
}

/* The compiler's stderr; for protocol 3 with the root taken out, and DOTD. */
static int collect_serr(struct session *s, int status, struct proto_reply *rep)
{
	struct buf err = BUF_INIT(MAX_BULK_PLAIN);
	int r;

	if (s->req.version != 3)
		return collect(s, s->wd.err_path, &rep->serr);
	r = collect(s, s->wd.err_path, &err);
	/* pumpserve reads the .d by path: only once it is known to be a plain
	 * file of ours (nothing of the job runs any more: exec swept it) */
	if (r >= 0)
		r = collect(s, s->pump.deps, NULL);
	if (r >= 0)
		r = pumpserve_results(&s->pump, err.data, err.len, status, &rep->serr, &rep->dotd);
	buf_free(&err);
	return r;
}

/* The compiler left a symlink, FIFO or hard link where a result belongs:
 * only a compromised compiler does that. Nothing of its output is sent. */
static int session_refuse_results(struct session *s, const char *path)
{
	struct proto_reply rep;
	int r;

	log_warning("refusing the results of '%s' for %s: '%s' is not a plain file the compiler "
		    "wrote", s->req.argv[0], s->peer, str_basename(path));
	s->sum.result = JOB_OTHER;
	s->sum.ret = EXIT_ACCESS_DENIED;
	proto_reply_init(&rep);
	r = session_send_reply(s, EXIT_ACCESS_DENIED << 8, &rep);
	proto_reply_free(&rep);
	return r;
}

static int session_send_result(struct session *s, int status)
{
	struct proto_reply rep;
	int r;

	proto_reply_init(&rep);
	r = collect_serr(s, status, &rep);
	if (r >= 0)
		r = collect(s, s->wd.out_path, &rep.sout);
	if (r >= 0 && status == 0)
		r = collect(s, s->wd.output, &rep.doto);
	if (r == -EPERM) {
		proto_reply_free(&rep);
		return session_refuse_results(s, s->bad_result);
	}
	if (r >= 0)
		r = session_send_reply(s, status, &rep);
	else
		log_error_errno(r, "cannot collect the compiler's results: %m");
	proto_reply_free(&rep);
	if (r < 0 && s->sum.result == JOB_COMPILE_OK)
		s->sum.result = JOB_OTHER;
	return r;
}

/* Standalone: the parent hands out the --jobs slots; reading the request
 * took none. Returns 1 (job over, nothing to send) when there is no
 * client left to compile for or no slot comes within --io-timeout. */
static int session_acquire_slot(struct session *s)
{
	int r;

	if (s->slot_fd < 0)
		return 0;
	r = jobslot_acquire(s->slot_fd, &s->watch, deadline_in(s->cfg->io_timeout));
	if (r == 0) {
		s->slot_held = true;
		return 0;
	}
	if (r == -ECONNRESET) {
		s->sum.result = JOB_CLI_DISCONN;
		log_info("client %s disconnected while its job waited for a slot", s->peer);
	} else if (r == -ETIMEDOUT) {
		s->sum.result = JOB_REJ_OVERLOAD;
		log_warning("no compile slot for %s's job within the I/O timeout; closing", s->peer);
	} else
		log_error_errno(r, "lost the server's compile slots: %m");
	return 1;
}

static void session_release_slot(struct session *s)
{
	if (s->slot_held)
		jobslot_release(s->slot_fd);
	s->slot_held = false;
}

static int session_run(struct session *s)
{
	int status = 0, r;

	r = session_read_request(s);
	if (r == 0)
		r = session_authorize(s);
	if (r == 0)
		r = session_acquire_slot(s);
	if (r == 0)
		r = session_compile(s, &status);
	session_release_slot(s);        /* sending the reply takes no CPU */
	if (r == 0)
		r = session_send_result(s, status);
	return r;
}

enum job_result session_serve(const struct daemon_config *cfg, int in_fd, int out_fd)
{
	return session_serve_with(cfg, in_fd, out_fd, &(struct session_ops){ .slot_fd = -1 });
}

enum job_result session_serve_with(const struct daemon_config *cfg, int in_fd, int out_fd,
				   const struct session_ops *ops)
{
	struct session s = {
		.cfg = cfg, .in_fd = in_fd, .out_fd = out_fd, .start = now_usec(),
		.doti = BUF_INIT(MAX_BULK_PLAIN), .warnings = BUF_INIT(64 * 1024),
		.sum = { .status = -1, .result = JOB_OTHER }, .pump = PUMPSERVE_NULL,
		.wd = WORKDIR_INIT, .slot_fd = ops->slot_fd,
	};

	if (session_check_peer(&s) < 0)
		return JOB_OTHER;
	(void)fd_set_nonblock(out_fd, 1);   /* the reply's write deadline needs it */
	peerwatch_init(&s.watch, in_fd, out_fd, s.done_token, sizeof(s.done_token));
	s.sum.client = s.peer;
	log_capture(&s.warnings, LOG_WARNING);
	(void)session_run(&s);
	log_capture(NULL, LOG_WARNING);
	s.sum.duration = now_usec() - s.start;
	jobsum_report(&s.sum);
	if (ops->done)
		ops->done(&s.sum, ops->userdata);
	pumpserve_done(&s.pump);
	workdir_done(&s.wd);
	jobscan_done(&s.job);
	proto_request_free(&s.req);
	buf_free(&s.doti);
	buf_free(&s.warnings);
	return s.sum.result;
}
