/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Client state while the job is in the daemon's hands. No reads: the
 * request is complete, bytes the client sends now are only peeked at.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peerwatch.h"

void peerwatch_init(struct peer_watch *w, int in_fd, int out_fd, const void *early,
		    size_t early_len)
{
	struct stat st;

	*w = (struct peer_watch){ .in_fd = in_fd, .out_fd = out_fd, .early = early,
				  .early_len = early_len };
	w->in_is_socket = in_fd >= 0 && fstat(in_fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

void peerwatch_pollfd(const struct peer_watch *w, struct pollfd *ret)
{
	if (w->eof)     /* POLLERR/POLLHUP come whatever the events */
		*ret = (struct pollfd){ .fd = w->out_fd, .events = 0 };
	else
		*ret = (struct pollfd){ .fd = w->in_fd, .events = POLLIN | POLLRDHUP };
}

/* What is readable on in_fd: 0 at EOF, 1 for data, -EAGAIN for nothing. */
static int peek(const struct peer_watch *w)
{
	char c;
	ssize_t k = w->in_is_socket ? recv(w->in_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT)
				    : 0;   /* a pipe polls readable only at EOF or with data */

	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	return k > 0;
}

/* The client sent EOF (or bytes we will not read): from now on only an
 * error on the reply side means it is gone. */
static bool on_eof(struct peer_watch *w)
{
	ssize_t k;

	w->eof = true;
	if (!w->early || w->early_sent || w->out_fd < 0)
		return false;
	k = write(w->out_fd, w->early, w->early_len);
	if (k != (ssize_t)w->early_len)
		return true;    /* closed (EPIPE) or a full buffer: not a waiting client */
	w->early_sent = true;
	return false;
}

bool peerwatch_gone(struct peer_watch *w, short revents)
{
	int k;

	if (w->eof)
		return (revents & (POLLERR | POLLHUP)) != 0;
	if (revents & POLLERR)
		return true;
	if (w->in_is_socket && (revents & POLLHUP))
		return true;    /* both directions down: a reset */
	if (!(revents & (POLLIN | POLLRDHUP | POLLHUP)))
		return false;
	if (!w->in_is_socket && !(revents & POLLHUP))
		return on_eof(w);       /* stray bytes on a pipe: stop reading it */
	k = peek(w);
	if (k == -EAGAIN)
		return false;
	if (k < 0)
		return true;
	return on_eof(w);
}
