/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stats service the daemon's parent runs inside its accept loop: owns
 * the counters (struct stats), the pipe children send their result records
 * on, and the stats port (--stats): each allowed connection gets distcc
 * 3.4's page, or the OpenMetrics page for "GET /metrics". Nothing here
 * blocks: the accept loop polls the fds this module hands it.
 */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "io.h"
#include "stats.h"

struct stats_server;

/* Decides whether a peer may read the stats (the daemon's --allow list). */
typedef bool (*stats_allow_fn)(const struct sockaddr *sa, socklen_t len, void *userdata);

/* Most pollfds stats_server_pollfds() fills. */
#define STATS_SERVER_MAX_POLLFDS 10u

/* @listen_fd: the stats port's listening socket, owned from now on, or -1 to
 * only count. @tmpdir: whose free space the page reports. -errno (logged). */
int stats_server_new(int listen_fd, unsigned max_jobs, const char *tmpdir, stats_allow_fn allow,
		     void *userdata, struct stats_server **ret);
struct stats_server *stats_server_free(struct stats_server *ss);

/* Events from the accept loop. */
void stats_server_accepted(struct stats_server *ss);
void stats_server_denied(struct stats_server *ss);
void stats_server_job_started(struct stats_server *ss);
void stats_server_job_finished(struct stats_server *ss, enum job_result result);
/* Slots in use and connections waiting for one, from the admission. */
void stats_server_slots(struct stats_server *ss, unsigned compiling, unsigned queued);
/* Read-only view of the counters. */
const struct stats *stats_server_counters(struct stats_server *ss);

/* Poll integration: fill up to @n pollfds (at most STATS_SERVER_MAX_POLLFDS),
 * return how many; the poll timeout it needs (ms, -1 = none); then hand the
 * same pollfds back after poll(). */
size_t stats_server_pollfds(struct stats_server *ss, struct pollfd *pfd, size_t n);
int stats_server_timeout_ms(const struct stats_server *ss, usec_t now);
void stats_server_process(struct stats_server *ss, const struct pollfd *pfd, size_t n);

/* In a freshly forked child: close everything of the parent's except the
 * record pipe, and return that pipe's write end (-1 if none). */
int stats_server_child_fd(struct stats_server *ss);
/* In the child, once the job is done: send its record (one atomic write). */
int stats_report(int fd, const struct stats_record *rec);
