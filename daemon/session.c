/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver for one job: joins transport (io), codec (proto), policy and
 * exec. It owns the job's memory and directory and frees both on every path.
 * Policy refusals are answered with a real reply (exit 113 and the reason on
 * SERR) so a distcc 3.4 client falls back to a local compile and shows why.
 */
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
#include "log.h"
#include "macro.h"
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
		return log_warning_errno(r, "client %s: request not complete within the I/O timeout", s->peer);
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

static int session_read_request(struct session *s)
{
	struct proto_src src = PROTO_SRC_FD(s->in_fd, deadline_in(s->cfg->io_timeout));
	int r;

	r = proto_read_request_head(&src, &s->req);
	if (r < 0)
		return read_failed(s, r);
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
	_cleanup_close_ int fd = open(s->wd.input, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return log_error_errno(errno, "cannot create '%s': %m", s->wd.input);
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

static int session_run_compiler(struct session *s, int *ret_status, enum exec_outcome *ret_out)
{
	_cleanup_(strv_freep) char **argv = NULL;
	struct sandbox_params sp = { .path = s->cfg->path, .locale_env = s->cfg->locale_env };
	struct exec_params ep = { .sandbox = &sp, .client_fd = s->in_fd, .deadline = USEC_INFINITY };
	int r;

	if (s->req.version == 3) {
		r = session_pump_argv(s, &argv);
		ep.cwd = s->pump.cwd;
	} else
		r = session_plain_input(s, &argv);
	if (r < 0)
		return r;
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

static int slurp(const char *path, struct buf *b)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r = read_file_max(path, MAX_BULK_PLAIN, &data, &len);

	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : buf_append(b, data, len);
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
		r = xwrite_all(s->out_fd, out.data, out.len, deadline_in(s->cfg->io_timeout));
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
		return slurp(s->wd.err_path, &rep->serr);
	r = slurp(s->wd.err_path, &err);
	if (r >= 0)
		r = pumpserve_results(&s->pump, err.data, err.len, status, &rep->serr, &rep->dotd);
	buf_free(&err);
	return r;
}

static int session_send_result(struct session *s, int status)
{
	struct proto_reply rep;
	int r;

	proto_reply_init(&rep);
	r = collect_serr(s, status, &rep);
	if (r >= 0)
		r = slurp(s->wd.out_path, &rep.sout);
	if (r >= 0 && status == 0)
		r = slurp(s->wd.output, &rep.doto);
	if (r >= 0)
		r = session_send_reply(s, status, &rep);
	else
		log_error_errno(r, "cannot collect the compiler's results: %m");
	proto_reply_free(&rep);
	if (r < 0 && s->sum.result == JOB_COMPILE_OK)
		s->sum.result = JOB_OTHER;
	return r;
}

static int session_run(struct session *s)
{
	int status = 0, r;

	r = session_read_request(s);
	if (r == 0)
		r = session_authorize(s);
	if (r == 0)
		r = session_compile(s, &status);
	if (r == 0)
		r = session_send_result(s, status);
	return r;
}

enum job_result session_serve(const struct daemon_config *cfg, int in_fd, int out_fd)
{
	return session_serve_with(cfg, in_fd, out_fd, NULL, NULL);
}

enum job_result session_serve_with(const struct daemon_config *cfg, int in_fd, int out_fd,
				   session_done_fn done, void *userdata)
{
	struct session s = {
		.cfg = cfg, .in_fd = in_fd, .out_fd = out_fd, .start = now_usec(),
		.doti = BUF_INIT(MAX_BULK_PLAIN), .warnings = BUF_INIT(64 * 1024),
		.sum = { .status = -1, .result = JOB_OTHER }, .pump = PUMPSERVE_NULL,
	};

	if (session_check_peer(&s) < 0)
		return JOB_OTHER;
	(void)fd_set_nonblock(out_fd, 1);   /* the reply's write deadline needs it */
	s.sum.client = s.peer;
	log_capture(&s.warnings, LOG_WARNING);
	(void)session_run(&s);
	log_capture(NULL, LOG_WARNING);
	s.sum.duration = now_usec() - s.start;
	jobsum_report(&s.sum);
	if (done)
		done(&s.sum, userdata);
	pumpserve_done(&s.pump);
	workdir_done(&s.wd);
	jobscan_done(&s.job);
	proto_request_free(&s.req);
	buf_free(&s.doti);
	buf_free(&s.warnings);
	return s.sum.result;
}
