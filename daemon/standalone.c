/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Standalone accept loop. The parent never reads a byte from a client: it
 * accepts, checks the address and the per-source limit, forks a child for
 * the job and counts results from the children's exit statuses. Signals
 * arrive through a signalfd so the loop is one poll().
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "activation.h"
#include "exec.h"
#include "journal.h"
#include "log.h"
#include "macro.h"
#include "standalone.h"
#include "session.h"
#include "stats-server.h"
#include "workdir.h"

struct child {
	pid_t pid;
	struct sockaddr_storage peer;
	socklen_t peer_len;
};

struct server {
	const struct daemon_config *cfg;
	const int *fds;
	size_t nfds;
	struct child *kids;
	size_t nkids;
	int sigfd;
	sigset_t oldmask;
	bool stop;
	struct stats_server *stats;
	usec_t last_busy;                  /* for --idle-exit */
	int relay[2];                      /* children's journal entries, see journal.h */
	unsigned long long served;
};

static int bind_one(const struct addrinfo *ai)
{
	_cleanup_close_ int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	int one = 1;

	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0)
		return -errno;
	return TAKE_FD(fd);
}

static int bind_addr(const char *host, unsigned port, int *ret_fd)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char service[16];
	int r;

	snprintf(service, sizeof(service), "%u", port);
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0) {
		log_error("cannot resolve --listen '%s': %s", host ? host : "0.0.0.0", gai_strerror(r));
		return -EADDRNOTAVAIL;
	}
	r = bind_one(res);        /* like 3.4: the first address only */
	freeaddrinfo(res);
	if (r < 0)
		return log_error_errno(r, "cannot listen on '%s' port %u: %m", host ? host : "0.0.0.0",
				       port);
	*ret_fd = r;
	return 0;
}

int standalone_bind_stats(const struct daemon_config *cfg)
{
	int fd, r;

	r = bind_addr(cfg->listen ? cfg->listen[0] : "0.0.0.0", cfg->stats_port, &fd);
	return r < 0 ? r : fd;
}

int standalone_bind(const struct daemon_config *cfg, int **ret_fds)
{
	static char *const any[] = { (char *)"0.0.0.0", NULL };
	char *const *hosts = cfg->listen ? cfg->listen : any;
	size_t n = 0;
	int *fds;

	for (char *const *h = hosts; *h; h++)
		n++;
	fds = calloc(n, sizeof(int));
	if (!fds)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int r = bind_addr(hosts[i], cfg->port, &fds[i]);

		if (r < 0) {
			while (i > 0)
				close(fds[--i]);
			free(fds);
			return r;
		}
	}
	*ret_fds = fds;
	return (int)n;
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr)) == 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
	return false;
}

static size_t count_from(const struct server *s, const struct sockaddr_storage *peer)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nkids; i++)
		n += same_host(&s->kids[i].peer, peer);
	return n;
}

/* The job's name and duration for the parent's stats (its result travels
 * in the exit status). */
static void report_job(const struct job_summary *sum, void *userdata)
{
	struct stats_record rec;
	uint64_t ms = sum->duration / USEC_PER_MSEC;

	stats_record_fill(&rec, (uint32_t)getpid(), sum->result, ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms,
			  sum->input, sum->compiler);
	(void)stats_report(*(const int *)userdata, &rec);
}

static _noreturn_ void child_main(struct server *s, int fd)
{
	enum job_result res;
	int report_fd = stats_server_child_fd(s->stats);

	for (size_t i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	close(s->sigfd);
	if (s->relay[0] >= 0) {
		close(s->relay[0]);
		journal_relay_child(s->relay[1]);
	}
	exec_install_term_handler(workdir_remove_on_signal);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	res = session_serve_with(s->cfg, fd, fd, report_job, &report_fd);
	close(fd);
	_exit(job_result_to_exit(res));
}

static void spawn(struct server *s, int fd, const struct sockaddr_storage *peer, socklen_t len)
{
	pid_t pid;

	if (s->cfg->no_fork) {
		stats_server_job_started(s->stats);
		stats_server_job_finished(s->stats, session_serve(s->cfg, fd, fd));
		return;
	}
	pid = fork();
	if (pid < 0) {
		log_error_errno(errno, "cannot fork a child for a connection: %m");
		return;
	}
	if (pid == 0)
		child_main(s, fd);
	stats_server_job_started(s->stats);
	s->kids[s->nkids++] = (struct child){ .pid = pid, .peer = *peer, .peer_len = len };
	activation_notify_status((unsigned)s->nkids, s->served);
}

static void accept_one(struct server *s, int lfd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char name[96];
	_cleanup_close_ int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warning_errno(errno, "accept failed: %m");
		return;
	}
	stats_server_accepted(s->stats);
	netacl_format_peer((struct sockaddr *)&peer, len, name, sizeof(name));
	if (!netacl_match(&s->cfg->allow, (struct sockaddr *)&peer, len)) {
		stats_server_denied(s->stats);
		log_warning("connection from client '%s' denied by access list", name);
		return;
	}
	if (count_from(s, &peer) >= s->cfg->max_per_source) {
		stats_server_job_finished(s->stats, JOB_REJ_OVERLOAD);
		log_warning("connection from client '%s' closed: already %u connections from this "
			    "address (--max-per-source)", name, s->cfg->max_per_source);
		return;
	}
	log_debug("connection from %s", name);
	spawn(s, fd, &peer, len);
}

static void reap(struct server *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (size_t i = 0; i < s->nkids; i++)
			if (s->kids[i].pid == pid) {
				stats_server_job_finished(s->stats, job_result_from_wait(status));
				s->kids[i] = s->kids[--s->nkids];
				s->served++;
				s->last_busy = now_usec();
				activation_notify_status((unsigned)s->nkids, s->served);
				break;
			}
}

static void handle_signal(struct server *s)
{
	struct signalfd_siginfo si;

	if (read(s->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGCHLD) {
		reap(s);
		return;
	}
	log_notice("%s received, shutting down", si.ssi_signo == SIGALRM ? "--lifetime expired" :
						     strsignal((int)si.ssi_signo));
	s->stop = true;
}

/* --idle-exit (set only when socket-activated): the poll() timeout until the
 * idle deadline while no job runs, combined with the stats page's own. */
static int poll_timeout_ms(const struct server *s, usec_t now)
{
	int t = stats_server_timeout_ms(s->stats, now), idle;
	usec_t end = s->last_busy + s->cfg->idle_exit;

	if (!s->cfg->idle_exit || s->nkids > 0)
		return t;
	idle = end <= now ? 0 : (int)((end - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC);
	return t < 0 || idle < t ? idle : t;
}

static bool idle_expired(const struct server *s)
{
	return s->cfg->idle_exit && s->nkids == 0 &&
	       now_usec() >= s->last_busy + s->cfg->idle_exit;
}

static int serve_loop(struct server *s)
{
	const size_t base = s->nfds + 2;
	_cleanup_free_ struct pollfd *pfd = calloc(base + STATS_SERVER_MAX_POLLFDS, sizeof(*pfd));

	if (!pfd)
		return -ENOMEM;
	while (!s->stop) {
		bool room = s->nkids < s->cfg->jobs;
		size_t nstats;
		int r;

		pfd[0] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
		pfd[s->nfds + 1] = (struct pollfd){ .fd = s->relay[0], .events = POLLIN };
		for (size_t i = 0; i < s->nfds; i++)
			pfd[i + 1] = (struct pollfd){ .fd = room ? s->fds[i] : -1, .events = POLLIN };
		nstats = stats_server_pollfds(s->stats, pfd + base, STATS_SERVER_MAX_POLLFDS);
		r = poll(pfd, base + nstats, poll_timeout_ms(s, now_usec()));
		if (r < 0 && errno != EINTR)
			return log_error_errno(errno, "poll failed: %m");
		if (r == 0 && idle_expired(s)) {
			log_info("no connection for %llu s, exiting until the socket starts us again",
				 (unsigned long long)(s->cfg->idle_exit / USEC_PER_SEC));
			break;
		}
		if (r < 0)
			continue;
		if (pfd[s->nfds + 1].revents)
			journal_relay_forward(s->relay[0]);
		if (pfd[0].revents)
			handle_signal(s);
		for (size_t i = 0; i < s->nfds && !s->stop && s->nkids < s->cfg->jobs; i++)
			if (pfd[i + 1].revents & POLLIN) {
				s->last_busy = now_usec();
				accept_one(s, s->fds[i]);
			}
		stats_server_process(s->stats, pfd + base, nstats);
	}
	return 0;
}

static void stop_children(struct server *s)
{
	for (size_t i = 0; i < s->nkids; i++)
		kill(s->kids[i].pid, SIGTERM);
	while (s->nkids > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0 && errno != EINTR)
			break;
		for (size_t i = 0; pid > 0 && i < s->nkids; i++)
			if (s->kids[i].pid == pid)
				s->kids[i] = s->kids[--s->nkids];
	}
}

static bool stats_allowed(const struct sockaddr *sa, socklen_t len, void *userdata)
{
	const struct daemon_config *cfg = userdata;

	return netacl_match(&cfg->allow, sa, len);
}

int standalone_run(const struct daemon_config *cfg, const int *listen_fds, size_t n, int stats_fd)
{
	struct server s = { .cfg = cfg, .fds = listen_fds, .nfds = n, .sigfd = -1,
			    .last_busy = now_usec(), .relay = { -1, -1 } };
	sigset_t mask;
	int r;

	for (size_t i = 0; i < n; i++)
		(void)fd_set_nonblock(listen_fds[i], 1);
	r = stats_server_new(stats_fd, cfg->jobs, cfg->tmpdir, stats_allowed, (void *)cfg, &s.stats);
	if (r < 0)
		return r;
	s.kids = calloc(cfg->jobs, sizeof(*s.kids));
	if (!s.kids) {
		stats_server_free(s.stats);
		return -ENOMEM;
	}
	if (journal_log_enabled() && journal_relay_open(s.relay) < 0)
		s.relay[0] = s.relay[1] = -1;      /* children then log directly */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGALRM);
	sigprocmask(SIG_BLOCK, &mask, &s.oldmask);
	s.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sigfd < 0) {
		r = log_error_errno(errno, "cannot create a signalfd: %m");
		goto out;
	}
	log_notice("listening on %zu socket(s), up to %u jobs, %u per client address", n, cfg->jobs,
		   cfg->max_per_source);
	activation_notify_ready();
	r = serve_loop(&s);
	activation_notify_stopping();
	stop_children(&s);
	if (s.relay[0] >= 0)
		journal_relay_forward(s.relay[0]);
out:
	safe_close(s.sigfd);
	safe_close(s.relay[0]);
	safe_close(s.relay[1]);
	sigprocmask(SIG_SETMASK, &s.oldmask, NULL);
	free(s.kids);
	stats_server_free(s.stats);
	return r;
}
