/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Standalone accept loop. The parent never reads a byte from a client: it
 * accepts, checks the address and its share of connections, forks a child
 * per connection and hands out the --jobs compile slots to children whose
 * request is in (admission.h, jobslot.h), so connections being read cost
 * no slot. Results come from the children's exit statuses. Signals arrive
 * through a signalfd so the loop is one poll().
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
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "activation.h"
#include "admission.h"
#include "exec.h"
#include "jobslot.h"
#include "journal.h"
#include "log.h"
#include "macro.h"
#include "standalone.h"
#include "session.h"
#include "stats-server.h"
#include "workdir.h"

/* A connection: served by a child (pid), or parked (fd, no child yet). */
struct child {
	int64_t id;                        /* its key in the admission table */
	pid_t pid;                         /* 0 while parked */
	int fd;                            /* parked: the client's socket; else -1 */
	int slot_fd;                       /* the parent's end of its jobslot pair; -1 */
};

struct server {
	const struct daemon_config *cfg;
	const int *fds;
	size_t nfds;
	struct child *kids;                /* 2 * cfg->max_connections entries: held, parked */
	size_t nkids;
	int64_t next_id;
	struct admission adm;
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

static _noreturn_ void child_main(struct server *s, int fd, int slot_fd)
{
	enum job_result res;
	int report_fd = stats_server_child_fd(s->stats);
	struct session_ops ops = { .done = report_job, .userdata = &report_fd, .slot_fd = slot_fd };

	for (size_t i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	for (size_t i = 0; i < s->nkids; i++) {
		if (s->kids[i].fd != fd)
			safe_close(s->kids[i].fd);
		safe_close(s->kids[i].slot_fd);
	}
	close(s->sigfd);
	if (s->relay[0] >= 0) {
		close(s->relay[0]);
		journal_relay_child(s->relay[1]);
	}
	exec_install_term_handler(workdir_remove_on_signal);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	res = session_serve_with(s->cfg, fd, fd, &ops);
	close(fd);
	_exit(job_result_to_exit(res));
}

static void notify_status(const struct server *s)
{
	activation_notify_status(admission_compiling(&s->adm), s->served);
	stats_server_slots(s->stats, admission_compiling(&s->adm), admission_queued(&s->adm));
}

static struct child *find_kid(struct server *s, int64_t id)
{
	for (size_t i = 0; i < s->nkids; i++)
		if (s->kids[i].id == id)
			return &s->kids[i];
	return NULL;
}

static void drop_kid(struct server *s, struct child *k)
{
	admission_remove(&s->adm, k->id);
	safe_close(k->fd);
	safe_close(k->slot_fd);
	*k = s->kids[--s->nkids];
}

/* Fork the child that serves @k's connection (k->fd, closed here). */
static void spawn(struct server *s, struct child *k)
{
	int slot[2], r;
	pid_t pid;

	r = jobslot_pair(slot);
	if (r < 0) {
		log_error_errno(r, "cannot create a socket pair for a connection: %m");
		drop_kid(s, k);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(slot[0]);
		child_main(s, k->fd, slot[1]);
	}
	close(slot[1]);
	if (pid < 0) {
		log_error_errno(errno, "cannot fork a child for a connection: %m");
		close(slot[0]);
		drop_kid(s, k);
		return;
	}
	stats_server_job_started(s->stats);
	k->pid = pid;
	k->fd = safe_close(k->fd);
	k->slot_fd = slot[0];
}

/* Connections parked over their address's share, in the order they came,
 * as their addresses' connections end. */
static void unpark(struct server *s)
{
	int64_t id;

	while (admission_unpark(&s->adm, &id) > 0) {
		struct child *k = find_kid(s, id);

		if (k)
			spawn(s, k);
		else
			admission_remove(&s->adm, id);
	}
}

/* Hold (serve) or park the connection @fd (taken over), as admission says. */
static void admit(struct server *s, int fd, const struct sockaddr_storage *peer, socklen_t len,
		  bool parked)
{
	struct child *k = &s->kids[s->nkids];

	if (admission_add(&s->adm, s->next_id, (const struct sockaddr *)peer, len, parked) < 0) {
		safe_close(fd);
		return;     /* cannot happen: accept_one checked */
	}
	*k = (struct child){ .id = s->next_id++, .fd = fd, .slot_fd = -1 };
	s->nkids++;
	if (!parked)
		spawn(s, k);
}

static void accept_one(struct server *s, int lfd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char name[96];
	_cleanup_close_ int fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	enum admission_verdict v;

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
	log_debug("connection from %s", name);
	if (s->cfg->no_fork) {
		stats_server_job_started(s->stats);
		stats_server_job_finished(s->stats, session_serve(s->cfg, fd, fd));
		return;
	}
	v = admission_check(&s->adm, (struct sockaddr *)&peer, len);
	if (v == ADMISSION_OK || v == ADMISSION_PARK) {
		if (v == ADMISSION_PARK)
			log_debug("connection from %s waits: its address holds its share", name);
		admit(s, TAKE_FD(fd), &peer, len, v == ADMISSION_PARK);
		return;
	}
	stats_server_job_finished(s->stats, JOB_REJ_OVERLOAD);
	log_warning("connection from client '%s' closed: already %u connections from this address "
		    "and as many waiting (twice --max-per-source each), or %u in all (--max-connections)",
		    name, s->adm.lim.per_source_conns, s->adm.lim.conns);
}

static bool is_kid(pid_t pid, void *userdata)
{
	const struct server *s = userdata;

	for (size_t i = 0; i < s->nkids; i++)
		if (s->kids[i].pid == pid && pid > 0)
			return true;
	return false;
}

static void reap(struct server *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (size_t i = 0; i < s->nkids; i++)
			if (s->kids[i].pid == pid) {
				stats_server_job_finished(s->stats, job_result_from_wait(status));
				drop_kid(s, &s->kids[i]);
				s->served++;
				s->last_busy = now_usec();
				notify_status(s);
				break;
			}
	/* a child killed before its sweep leaves the compiler's orphans to us */
	exec_kill_children(is_kid, s);
	unpark(s);
}

/* Messages from the children (jobslot.h), then slots to whoever may have one. */
static void handle_slots(struct server *s, const struct pollfd *pfd, size_t n)
{
	int64_t id;

	for (size_t i = 0; i < n && i < s->nkids; i++) {
		char msg;
		int r;

		if (!pfd[i].revents || pfd[i].fd != s->kids[i].slot_fd)
			continue;
		while ((r = jobslot_recv(s->kids[i].slot_fd, &msg)) > 0) {
			if (msg == JOBSLOT_WANT)
				(void)admission_want(&s->adm, s->kids[i].id);
			else if (msg == JOBSLOT_DONE)
				(void)admission_release(&s->adm, s->kids[i].id);
		}
		if (r < 0)      /* exiting: its slot is freed when it is reaped */
			s->kids[i].slot_fd = safe_close(s->kids[i].slot_fd);
	}
	while (admission_next(&s->adm, &id) > 0) {
		struct child *k = find_kid(s, id);

		if (k && k->slot_fd >= 0)
			(void)jobslot_grant(k->slot_fd);
	}
	notify_status(s);
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

/* pfd: [0] signals, [1..nfds] listening sockets, [nfds+1] the journal
 * relay, then the stats service's, then one per child (its slot socket). */
static size_t fill_pollfds(struct server *s, struct pollfd *pfd, size_t *ret_nstats)
{
	const size_t base = s->nfds + 2, kbase = base + STATS_SERVER_MAX_POLLFDS;
	bool room = admission_held(&s->adm) < s->adm.lim.conns;

	pfd[0] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	pfd[s->nfds + 1] = (struct pollfd){ .fd = s->relay[0], .events = POLLIN };
	for (size_t i = 0; i < s->nfds; i++)
		pfd[i + 1] = (struct pollfd){ .fd = room ? s->fds[i] : -1, .events = POLLIN };
	*ret_nstats = stats_server_pollfds(s->stats, pfd + base, STATS_SERVER_MAX_POLLFDS);
	for (size_t i = *ret_nstats; i < STATS_SERVER_MAX_POLLFDS; i++)
		pfd[base + i] = (struct pollfd){ .fd = -1 };
	for (size_t i = 0; i < s->nkids; i++)
		pfd[kbase + i] = (struct pollfd){ .fd = s->kids[i].slot_fd, .events = POLLIN };
	return kbase + s->nkids;
}

static int serve_loop(struct server *s)
{
	const size_t base = s->nfds + 2, kbase = base + STATS_SERVER_MAX_POLLFDS;
	_cleanup_free_ struct pollfd *pfd = calloc(kbase + 2 * (size_t)s->adm.lim.conns, sizeof(*pfd));

	if (!pfd)
		return -ENOMEM;
	while (!s->stop) {
		size_t nstats, n = fill_pollfds(s, pfd, &nstats), nk = s->nkids;
		int r = poll(pfd, n, poll_timeout_ms(s, now_usec()));

		if (r < 0 && errno != EINTR)
			return log_error_errno(errno, "poll failed: %m");
		if (r == 0 && idle_expired(s)) {
			log_info("no connection for %llu s, exiting until the socket starts us again",
				 (unsigned long long)(s->cfg->idle_exit / USEC_PER_SEC));
			break;
		}
		if (r < 0)
			continue;
		handle_slots(s, pfd + kbase, nk);
		if (pfd[s->nfds + 1].revents)
			journal_relay_forward(s->relay[0]);
		if (pfd[0].revents)
			handle_signal(s);
		for (size_t i = 0; i < s->nfds && !s->stop; i++)
			if ((pfd[i + 1].revents & POLLIN) && admission_held(&s->adm) < s->adm.lim.conns) {
				s->last_busy = now_usec();
				accept_one(s, s->fds[i]);
			}
		stats_server_process(s->stats, pfd + base, nstats);
	}
	return 0;
}

static void stop_children(struct server *s)
{
	for (size_t i = 0; i < s->nkids; )
		if (s->kids[i].pid == 0)
			drop_kid(s, &s->kids[i]);      /* parked: just close it */
		else
			kill(s->kids[i++].pid, SIGTERM);
	while (s->nkids > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0 && errno != EINTR)
			break;
		for (size_t i = 0; pid > 0 && i < s->nkids; i++)
			if (s->kids[i].pid == pid)
				drop_kid(s, &s->kids[i]);
	}
	exec_sweep_children();      /* orphans of children killed mid-job */
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
	r = admission_init(&s.adm, &(struct admission_limits){
		.jobs = cfg->jobs, .per_source_jobs = cfg->max_per_source,
		.conns = cfg->max_connections, .per_source_conns = 2 * cfg->max_per_source });
	s.kids = r < 0 ? NULL : calloc(2 * (size_t)cfg->max_connections, sizeof(*s.kids));
	if (!s.kids) {
		admission_done(&s.adm);
		stats_server_free(s.stats);
		return r < 0 ? r : -ENOMEM;
	}
	/* what a dying child's compiler leaves is ours to kill, not init's */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
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
	log_notice("listening on %zu socket(s), up to %u jobs (%u per client address), %u "
		   "connections (%u per client address)", n, cfg->jobs, cfg->max_per_source,
		   s.adm.lim.conns, s.adm.lim.per_source_conns);
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
	while (s.nkids > 0)
		drop_kid(&s, &s.kids[0]);
	free(s.kids);
	admission_done(&s.adm);
	stats_server_free(s.stats);
	return r;
}
