/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include server's driver and its client. The server joins the layers:
 * socket (one request per connection, served in turn), codec (incrpc),
 * argument model (incargs), the compiler's default dirs (probed once per
 * compiler/language/flags), and the closure (incclosure over the build's
 * file cache). Its caches live as long as incserver_serve() runs.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "incserver.h"
#include "pump/incargs.h"
#include "pump/incclosure.h"
#include "pump/incdefaults.h"
#include "pump/incfiles.h"
#include "pump/incrpc.h"

#define DEFAULT_BUDGET (4 * USEC_PER_SEC)
#define DEFAULT_MAX_FILE (64u << 20)
#define IO_TIMEOUT (10 * USEC_PER_SEC)
#define PROBE_TIMEOUT (30 * USEC_PER_SEC)
#define MAX_REPLY (256u << 20)

struct defaults {
	char **dirs;
	char **real;                /* realpath() of each dir, "" if none */
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
};

struct server {
	struct incfiles fs;
	struct incdirs dirs;
	struct incserver_options opt;
	struct strmap defaults;     /* compiler, language, flags -> struct defaults */
	uint64_t requests;
};

static void defaults_free(void *p)
{
	struct defaults *d = p;

	if (d) {
		strv_free(d->dirs);
		strv_free(d->real);
	}
	free(d);
}

/* The compiler's default "#include <...>" dirs for this job, probed once
 * per compiler binary, language and the flags that change them. */
static int real_dirs(char **dirs, char ***ret)
{
	char **v = NULL;
	int r = 0;

	for (size_t i = 0; dirs && dirs[i] && r >= 0; i++) {
		_cleanup_free_ char *rp = realpath(dirs[i], NULL);

		r = strv_push(&v, rp ? rp : "");
	}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static int job_defaults(struct server *s, const char *compiler, const struct incargs *a,
			const struct defaults **ret)
{
	_cleanup_(buf_free) struct buf key = BUF_INIT(1 << 20);
	struct defaults *d;
	struct stat st;
	int r;

	if (stat(compiler, &st) < 0)
		return -errno;
	r = buf_printf(&key, "%s\n%s", compiler, a->lang);
	for (char **f = a->probe_flags; f && *f && r >= 0; f++)
		r = buf_printf(&key, "\n%s", *f);
	if (r < 0)
		return r;
	d = strmap_get(&s->defaults, (char *)key.data);
	if (d && d->dev == st.st_dev && d->ino == st.st_ino &&
	    d->mtime.tv_sec == st.st_mtim.tv_sec && d->mtime.tv_nsec == st.st_mtim.tv_nsec) {
		*ret = d;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	r = incdefaults_probe(compiler, a->lang, a->probe_flags, deadline_in(PROBE_TIMEOUT),
			      &d->dirs);
	if (r >= 0)
		r = real_dirs(d->dirs, &d->real);
	if (r >= 0) {
		void *old = NULL;

		d->dev = st.st_dev;
		d->ino = st.st_ino;
		d->mtime = st.st_mtim;
		r = strmap_put(&s->defaults, (char *)key.data, d, &old);
		defaults_free(old);
	}
	if (r < 0) {
		defaults_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

static void file_changed(void *userdata, const char *path)
{
	incfiles_changed(userdata, path);
}

/* The closure of one request, or the reason it is not covered. */
static int analyse(struct server *s, const struct incrpc_request *req,
		   struct incserver_closure *ret, char **ret_why)
{
	_cleanup_(incargs_free) struct incargs a = { 0 };
	const struct defaults *dirs = NULL;
	const char *why = NULL;
	int r;

	if (req->cwd[0] != '/' || req->compiler_path[0] != '/')
		return (*ret_why = strdup("working directory or compiler path is not absolute")) ?
			0 : -ENOMEM;
	r = incargs_parse(req->argv, &a, &why);
	if (r <= 0)
		return r < 0 ? r : ((*ret_why = strdup(why)) ? 0 : -ENOMEM);
	r = job_defaults(s, req->compiler_path, &a, &dirs);
	if (r < 0) {
		if (r == -ENOMEM)
			return r;
		return asprintf(ret_why, "cannot ask '%s' for its include directories: %s",
				req->compiler_path, strerror(-r)) < 0 ? -ENOMEM : 0;
	}
	struct incclosure_input in = {
		.cwd = req->cwd,
		.args = &a,
		.default_dirs = dirs->dirs,
		.default_real = dirs->real,
		.deadline = deadline_in(s->opt.request_budget),
	};
	incfiles_begin_request(&s->fs);
	incdirs_begin_request(&s->dirs, file_changed, &s->fs);
	r = incclosure_compute(&s->fs, &s->dirs, &in, ret, ret_why);
	incfiles_end_request(&s->fs);
	return r < 0 ? r : 0;
}

static int serve_one(struct server *s, int fd)
{
	_cleanup_(incrpc_request_free) struct incrpc_request req = { 0 };
	_cleanup_(incserver_closure_free) struct incserver_closure c = { 0 };
	_cleanup_(buf_free) struct buf out = BUF_INIT(MAX_REPLY);
	_cleanup_free_ char *why = NULL;
	uint8_t rbuf[16384];
	/* read-ahead is fine: nothing else reads this connection */
	struct proto_src src = PROTO_SRC_FD_BUF(fd, deadline_in(IO_TIMEOUT), rbuf, sizeof(rbuf), false);
	usec_t t0 = now_usec();
	int r;

	r = incrpc_read_request(&src, &req);
	if (r < 0)
		return log_debug_errno(r, "include server: bad request: %m");
	r = analyse(s, &req, &c, &why);
	if (r < 0) {
		log_warning_errno(r, "include server: analysis failed: %m");
		why = strdup("include server error");
		c = (struct incserver_closure){ 0 };
	}
	s->requests++;
	log_debug("include server: request %llu for '%s': %zu entries%s%s in %llu us",
		  (unsigned long long)s->requests, req.argv[strv_length(req.argv) - 1], c.n,
		  why ? ", not covered: " : "", why ? why : "",
		  (unsigned long long)(now_usec() - t0));
	r = incrpc_put_reply(&out, &c, why);
	if (r >= 0)
		r = xwrite_all(fd, out.data, out.len, deadline_in(IO_TIMEOUT));
	return r;
}

/* One event: 1 to go on, 0 to stop (signal or shut-down socket), -errno. */
static int serve_event(struct server *s, int listen_fd, int sfd)
{
	struct pollfd p[2] = { { .fd = listen_fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
	_cleanup_close_ int fd = -EBADF;

	if (poll(p, 2, -1) < 0)
		return errno == EINTR ? 1 : -errno;
	if (p[1].revents & POLLIN) {
		struct signalfd_siginfo si;

		/* consume it, or it fires when the mask is restored */
		(void)!read(sfd, &si, sizeof(si));
		return 0;
	}
	if (p[0].revents & POLLNVAL)
		return -EBADF;
	if (!(p[0].revents & POLLIN))
		return p[0].revents & (POLLHUP | POLLERR) ? 0 : 1;
	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EINVAL)
			return 0;          /* shut down */
		if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED || errno == EMFILE ||
		    errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			return 1;
		return -errno;
	}
	(void)serve_one(s, fd);
	return 1;
}

int incserver_serve(int listen_fd, const char *cache_dir, const struct incserver_options *opt)
{
	struct server s = { 0 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
	sigset_t mask, old_mask;
	_cleanup_close_ int sfd = -EBADF;
	int r;

	s.opt = opt ? *opt : (struct incserver_options){ 0 };
	if (!s.opt.request_budget)
		s.opt.request_budget = DEFAULT_BUDGET;
	if (!s.opt.max_file_bytes)
		s.opt.max_file_bytes = DEFAULT_MAX_FILE;
	r = incfiles_init(&s.fs, cache_dir, s.opt.max_file_bytes);
	if (r < 0)
		return r;
	incdirs_init(&s.dirs, !s.opt.stat_only);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &old_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		r = -errno;
	while (r >= 0) {
		r = serve_event(&s, listen_fd, sfd);
		if (r == 0)
			break;
	}
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	log_debug("include server: %llu requests, %llu files read, %llu compressed, "
		  "%llu listings, %llu stats, %llu inotify events, %llu invalidations",
		  (unsigned long long)s.requests, (unsigned long long)s.fs.reads,
		  (unsigned long long)s.fs.compressions, s.dirs.listings, s.dirs.stat_calls,
		  s.dirs.events, s.dirs.invalidations);
	strmap_clear(&s.defaults, defaults_free);
	incfiles_done(&s.fs);
	incdirs_done(&s.dirs);
	return r < 0 ? r : 0;
}

static int connect_unix(const char *path, usec_t deadline, int *ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -EBADF;
	usec_t now = now_usec();
	struct timeval tv = { 0 };

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (deadline != USEC_INFINITY) {
		usec_t left = deadline > now ? deadline - now : 1;

		tv.tv_sec = (time_t)(left / USEC_PER_SEC);
		tv.tv_usec = (suseconds_t)(left % USEC_PER_SEC);
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno;
	*ret = TAKE_FD(fd);
	return 0;
}

int incserver_query(const char *socket_path, const char *cwd, char *const argv[],
		    const char *compiler_path, usec_t deadline, struct incserver_closure *ret,
		    char **ret_why)
{
	_cleanup_(buf_free) struct buf req = BUF_INIT(64u << 20);
	_cleanup_close_ int fd = -EBADF;
	uint8_t rbuf[16384];
	struct proto_src src;
	int r;

	r = incrpc_put_request(&req, cwd, argv, compiler_path);
	if (r < 0)
		return r;
	r = connect_unix(socket_path, deadline, &fd);
	if (r < 0)
		return r;
	r = xwrite_all(fd, req.data, req.len, deadline);
	if (r < 0)
		return r;
	src = PROTO_SRC_FD_BUF(fd, deadline, rbuf, sizeof(rbuf), false);
	return incrpc_read_reply(&src, ret, ret_why);
}
