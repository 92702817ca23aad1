/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent's stats service: counters, the children's record pipe and the
 * stats port. A stats request is answered from the parent's own memory
 * without blocking the accept loop: a connection waits (at most
 * REQUEST_WAIT) for its request line in the loop's poll, then gets its page
 * in one non-blocking write of a few KiB. Never reads from compile clients.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "stats-server.h"
#include "sysinfo.h"

#define MAX_PENDING (STATS_SERVER_MAX_POLLFDS - 2)
#define REQUEST_MAX 4096
#define REQUEST_WAIT (100 * USEC_PER_MSEC)   /* clients that send nothing get 3.4's page */
#define WRITE_WAIT (200 * USEC_PER_MSEC)

struct pending {
	int fd;
	usec_t deadline;
	struct buf req;
};

struct stats_server {
	struct stats stats;
	struct sysinfo_state sys;
	char *tmpdir;
	int listen_fd;
	int pipe_rd, pipe_wr;
	stats_allow_fn allow;
	void *userdata;
	struct pending pending[MAX_PENDING];
	size_t npending;
};

int stats_server_new(int listen_fd, unsigned max_jobs, const char *tmpdir, stats_allow_fn allow,
		     void *userdata, struct stats_server **ret)
{
	_cleanup_free_ struct stats_server *ss = calloc(1, sizeof(*ss));
	int p[2];

	if (!ss) {
		safe_close(listen_fd);
		return log_error_errno(-ENOMEM, "cannot set up the stats service: %m");
	}
	ss->listen_fd = listen_fd;
	if (pipe2(p, O_CLOEXEC) < 0 || !(ss->tmpdir = strdup(tmpdir ? tmpdir : "/tmp"))) {
		int r = errno ? -errno : -ENOMEM;
		safe_close(listen_fd);
		return log_error_errno(r, "cannot set up the stats service: %m");
	}
	ss->pipe_rd = p[0];
	ss->pipe_wr = p[1];
	(void)fd_set_nonblock(ss->pipe_rd, 1);
	if (listen_fd >= 0)
		(void)fd_set_nonblock(listen_fd, 1);
	ss->allow = allow;
	ss->userdata = userdata;
	ss->sys = SYSINFO_STATE_INIT;
	stats_init(&ss->stats, max_jobs, now_usec());
	*ret = TAKE_PTR(ss);
	return 0;
}

static void drop_pending(struct stats_server *ss, size_t i)
{
	safe_close(ss->pending[i].fd);
	buf_free(&ss->pending[i].req);
	ss->pending[i] = ss->pending[--ss->npending];
}

struct stats_server *stats_server_free(struct stats_server *ss)
{
	if (!ss)
		return NULL;
	while (ss->npending > 0)
		drop_pending(ss, 0);
	safe_close(ss->listen_fd);
	safe_close(ss->pipe_rd);
	safe_close(ss->pipe_wr);
	free(ss->tmpdir);
	free(ss);
	return NULL;
}

void stats_server_accepted(struct stats_server *ss)
{
	stats_accepted(&ss->stats);
}

void stats_server_denied(struct stats_server *ss)
{
	stats_denied(&ss->stats);
}

void stats_server_job_started(struct stats_server *ss)
{
	stats_job_started(&ss->stats, now_usec());
}

void stats_server_job_finished(struct stats_server *ss, enum job_result result)
{
	stats_job_finished(&ss->stats, result, now_usec());
}

void stats_server_slots(struct stats_server *ss, unsigned compiling, unsigned queued)
{
	stats_slots(&ss->stats, compiling, queued);
}

const struct stats *stats_server_counters(struct stats_server *ss)
{
	stats_advance(&ss->stats, now_usec());
	return &ss->stats;
}

size_t stats_server_pollfds(struct stats_server *ss, struct pollfd *pfd, size_t n)
{
	size_t k = 0;

	if (k < n)
		pfd[k++] = (struct pollfd){ .fd = ss->pipe_rd, .events = POLLIN };
	if (k < n)
		pfd[k++] = (struct pollfd){
			.fd = ss->npending < MAX_PENDING ? ss->listen_fd : -1, .events = POLLIN
		};
	for (size_t i = 0; i < ss->npending && k < n; i++)
		pfd[k++] = (struct pollfd){ .fd = ss->pending[i].fd, .events = POLLIN };
	return k;
}

int stats_server_timeout_ms(const struct stats_server *ss, usec_t now)
{
	usec_t first = USEC_INFINITY;

	for (size_t i = 0; i < ss->npending; i++)
		if (ss->pending[i].deadline < first)
			first = ss->pending[i].deadline;
	if (first == USEC_INFINITY)
		return -1;
	if (first <= now)
		return 0;
	return (int)((first - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC);
}

static void read_records(struct stats_server *ss)
{
	uint8_t wire[STATS_RECORD_SIZE];
	struct stats_record rec;

	/* Children write whole records atomically, so reads return whole ones. */
	for (int i = 0; i < 64; i++) {
		ssize_t k = read(ss->pipe_rd, wire, sizeof(wire));

		if (k != (ssize_t)sizeof(wire))
			return;
		if (stats_record_decode(wire, &rec) < 0) {
			log_warning("discarding a malformed job record from a child");
			continue;
		}
		if (rec.result == JOB_COMPILE_OK)
			stats_job_duration(&ss->stats, rec.input, rec.compiler, rec.msecs);
	}
}

static int format_page(struct stats_server *ss, const struct buf *req, struct buf *out)
{
	struct stats_host host;
	usec_t now = now_usec();

	read_records(ss);       /* a job that just replied may have sent its record */
	stats_advance(&ss->stats, now);
	sysinfo_sample(&ss->sys, ss->tmpdir, now, &host);
	if (stats_page_for_request((const char *)req->data, req->len) == STATS_PAGE_METRICS)
		return stats_format_metrics(&ss->stats, &host, out);
	return stats_format_distcc(&ss->stats, &host, out);
}

/* Answer, then read what is left of the request so close() sends FIN, not RST. */
static void respond(struct stats_server *ss, int fd, const struct buf *req)
{
	struct buf page = BUF_INIT(1 << 16);
	char sink[512];
	int r;

	r = format_page(ss, req, &page);
	if (r >= 0)
		r = xwrite_all(fd, page.data, page.len, deadline_in(WRITE_WAIT));
	if (r < 0)
		log_debug_errno(r, "cannot send the stats page: %m");
	buf_free(&page);
	(void)shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16 && read(fd, sink, sizeof(sink)) > 0; i++)
		;
}

static void accept_stats(struct stats_server *ss)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	_cleanup_close_ int fd = accept4(ss->listen_fd, (struct sockaddr *)&peer, &len,
					 SOCK_CLOEXEC | SOCK_NONBLOCK);
	char host[NI_MAXHOST] = "unknown";

	if (fd < 0)
		return;
	if (ss->allow && !ss->allow((struct sockaddr *)&peer, len, ss->userdata)) {
		(void)getnameinfo((struct sockaddr *)&peer, len, host, sizeof(host), NULL, 0,
				  NI_NUMERICHOST);
		log_warning("stats connection from client '%s' denied by access list", host);
		return;
	}
	if (ss->npending >= MAX_PENDING) {
		struct buf none = BUF_INIT(0);
		respond(ss, fd, &none);
		return;
	}
	ss->pending[ss->npending++] = (struct pending){
		.fd = TAKE_FD(fd), .deadline = deadline_in(REQUEST_WAIT), .req = BUF_INIT(REQUEST_MAX)
	};
}

/* Read what arrived; true when the request is complete (or will never be). */
static bool read_request(struct pending *p)
{
	char chunk[1024];

	for (;;) {
		size_t room = p->req.max - p->req.len;
		ssize_t k = read(p->fd, chunk, room < sizeof(chunk) ? room : sizeof(chunk));

		if (k < 0)
			return errno != EAGAIN && errno != EINTR;
		if (k == 0 || buf_append(&p->req, chunk, (size_t)k) < 0)
			return true;
		if (p->req.len >= p->req.max ||
		    stats_request_complete((const char *)p->req.data, p->req.len))
			return true;
	}
}

void stats_server_process(struct stats_server *ss, const struct pollfd *pfd, size_t n)
{
	usec_t now;

	if (n > 0 && pfd[0].revents)
		read_records(ss);
	/* Pending connections first: their slots in @pfd follow the listener. */
	for (size_t k = n; k > 2; k--) {
		const struct pollfd *p = &pfd[k - 1];

		for (size_t i = 0; i < ss->npending; i++)
			if (ss->pending[i].fd == p->fd && p->revents && read_request(&ss->pending[i])) {
				respond(ss, ss->pending[i].fd, &ss->pending[i].req);
				drop_pending(ss, i);
				break;
			}
	}
	now = now_usec();
	for (size_t i = ss->npending; i > 0; i--)
		if (ss->pending[i - 1].deadline <= now) {
			respond(ss, ss->pending[i - 1].fd, &ss->pending[i - 1].req);
			drop_pending(ss, i - 1);
		}
	if (n > 1 && (pfd[1].revents & POLLIN) && ss->listen_fd >= 0)
		accept_stats(ss);
}

int stats_server_child_fd(struct stats_server *ss)
{
	while (ss->npending > 0)
		drop_pending(ss, 0);
	ss->listen_fd = safe_close(ss->listen_fd);
	ss->pipe_rd = safe_close(ss->pipe_rd);
	return ss->pipe_wr;
}

int stats_report(int fd, const struct stats_record *rec)
{
	uint8_t wire[STATS_RECORD_SIZE];

	if (fd < 0)
		return 0;
	stats_record_encode(rec, wire);
	/* Smaller than PIPE_BUF: one atomic write that never interleaves. */
	return xwrite_all(fd, wire, sizeof(wire), deadline_in(USEC_PER_SEC));
}
