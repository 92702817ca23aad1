/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching the client while its job waits for a slot or compiles. A client
 * that shuts down its sending side after a complete request (shutdown(2)
 * SHUT_WR) is still served. TCP cannot tell that from a client that closed
 * its socket, so on the first EOF the reply's first token (DONE) is sent
 * early: a closed socket answers it with a reset, which ends the job; a
 * half-closed one keeps it until the rest of the reply follows.
 */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct peer_watch {
	int in_fd, out_fd;          /* the request's fd and the reply's (often the same) */
	bool in_is_socket;
	bool eof;                   /* the client sent EOF (or stray bytes): watching out_fd */
	const void *early;          /* sent once at EOF; NULL: nothing */
	size_t early_len;
	bool early_sent;
};

/* @early/@early_len: the reply's first bytes (kept by the caller). */
void peerwatch_init(struct peer_watch *w, int in_fd, int out_fd, const void *early,
		    size_t early_len);
/* The pollfd to wait on for the client's state. */
void peerwatch_pollfd(const struct peer_watch *w, struct pollfd *ret);
/* After poll(): true when the client is gone for good. */
bool peerwatch_gone(struct peer_watch *w, short revents);
