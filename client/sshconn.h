/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transport for one job to an SSH host: ssh runs with one end of a
 * socketpair as its stdin and stdout (the protocol goes over it as over a
 * TCP socket) and its stderr held in memory. Connection reuse: unless the
 * user's DISTCC_SSH decides, ssh gets -F DISTCC_DIR/ssh/config (sshcmd.h).
 * At the end ssh's stderr is shown once, and a failed ssh gets one line
 * saying what failed (not found, refused, command missing, killed).
 * Jobs that start together (make -j) would each open a connection before
 * the first has made the shared one: while no job has succeeded on the host
 * for a while, one job at a time goes first and the others wait for it.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "hostspec.h"
#include "io.h"

struct sshconn {
	pid_t pid;          /* ssh, 0 when not running */
	int fd;             /* our end of the socketpair, nonblocking */
	int err_fd;         /* memfd: ssh's stderr */
	char *spec;         /* the host as written, for messages */
	char *program;      /* argv[0], for messages */
	char *command;      /* the remote command, for messages */
	char *stamp;        /* "a shared connection is up" file, touched on success */
	int gate_fd;        /* held while the first job opens the shared connection */
};

#define SSHCONN_NULL ((struct sshconn){ .fd = -EBADF, .err_fd = -EBADF, .gate_fd = -EBADF })
#define SSHCONN_EXIT_TIMEOUT_USEC (10 * USEC_PER_SEC)

/* Start ssh for a job on @h (HOST_SSH). -errno when it cannot be started
 * (the reason is logged as the one line). */
int sshconn_open(const struct client_config *cfg, const struct host *h, struct sshconn *ret);

/* Close our end, wait for ssh (killed after SSHCONN_EXIT_TIMEOUT_USEC),
 * show its stderr once. When @failed (the exchange broke off), log one
 * warning saying how ssh ended. Returns a negative errno describing a
 * failed ssh (-ECONNREFUSED exit 255, -ENOENT exit 127, -EINTR killed,
 * -EPROTO other), 0 when ssh exited 0. Idempotent; leaves SSHCONN_NULL. */
int sshconn_close(struct sshconn *c, bool failed);

/* The reuse config file for @cfg (created or refreshed), in *ret_path
 * (malloc'd); -errno when reuse is not possible here (callers go on
 * without it). */
int sshconn_config(const struct client_config *cfg, char **ret_path);
