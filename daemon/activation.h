/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sockets handed over by systemd (LISTEN_FDS): listening sockets from a
 * socket unit with Accept=no (or systemd-socket-activate), or one connected
 * socket from Accept=yes (fd 3, distccd@.service). Also sd_notify helpers for
 * Type=notify: READY=1 and a STATUS= line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define ACTIVATION_MAX_FDS 16

enum activation_kind {
	ACTIVATION_NONE,         /* nothing passed: bind ourselves */
	ACTIVATION_LISTEN,       /* fds[0..n) are listening stream sockets */
	ACTIVATION_CONNECTED,    /* fds[0] is one connected stream socket: serve one job */
};

struct activation {
	enum activation_kind kind;
	int fds[ACTIVATION_MAX_FDS];
	size_t n;
	int stats_fd;            /* listening socket named "stats" (FileDescriptorName=), or -1 */
};

/* The FileDescriptorName= that marks the --stats port's socket. */
#define ACTIVATION_STATS_NAME "stats"

/* Take the fds from LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES (the variables are
 * unset so compilers never see them) and classify them. A listening socket
 * named "stats" is the stats port, kept apart from fds[]. Anything else
 * passed (a datagram socket, a mix, several connected sockets, only a
 * stats socket) is -EINVAL. */
int activation_from_env(struct activation *ret);

/* sd_notify wrappers; no-ops unless $NOTIFY_SOCKET is set. */
void activation_notify_ready(void);
void activation_notify_status(unsigned running, unsigned long long served);
void activation_notify_stopping(void);
