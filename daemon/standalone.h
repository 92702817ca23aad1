/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The standalone server: accept on already-bound listening sockets, check
 * the peer, fork one fresh child per connection that serves one job. Up to
 * --max-connections are held (more wait in the backlog), each address at
 * most twice --max-per-source; at most --jobs compile at once, each address
 * at most --max-per-source. A connection still being read holds no slot.
 */
#pragma once

#include <stddef.h>

#include "config.h"
#include "jobsum.h"

/* Bind and listen on cfg->listen (default 0.0.0.0) at cfg->port. Returns the
 * number of fds in *ret_fds (caller frees and closes), or -errno (logged). */
int standalone_bind(const struct daemon_config *cfg, int **ret_fds);
/* With --stats: bind the stats port (cfg->stats_port) on the first --listen
 * address. Returns the fd, or -errno (logged). */
int standalone_bind_stats(const struct daemon_config *cfg);
/* Serve until SIGTERM/SIGINT/SIGHUP or --lifetime. Children in flight are
 * told to stop (they kill their compilers). @stats_fd: the listening stats
 * socket (taken over and closed), or -1 for none. Returns 0 or -errno. */
int standalone_run(const struct daemon_config *cfg, const int *listen_fds, size_t n, int stats_fd);
