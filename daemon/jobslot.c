/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The child and parent ends of the compile slot protocol (jobslot.h).
 * Nothing here decides: the parent's admission table does.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jobslot.h"
#include "macro.h"

int jobslot_pair(int ret_fds[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ret_fds) < 0)
		return -errno;
	return fd_set_nonblock(ret_fds[0], 1);
}

static int send_msg(int fd, char msg)
{
	for (;;) {
		ssize_t k = send(fd, &msg, 1, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (k == 1)
			return 0;
		if (k < 0 && errno == EINTR)
			continue;
		return k < 0 ? -errno : -EIO;
	}
}

int jobslot_recv(int fd, char *ret_msg)
{
	char msg;
	ssize_t k;

	do
		k = recv(fd, &msg, 1, MSG_DONTWAIT);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (k == 0)
		return -EPIPE;
	*ret_msg = msg;
	return 1;
}

int jobslot_grant(int fd)
{
	return send_msg(fd, JOBSLOT_GO);
}

void jobslot_release(int fd)
{
	(void)send_msg(fd, JOBSLOT_DONE);
}

static int poll_ms(usec_t deadline)
{
	usec_t now = now_usec();

	if (deadline == USEC_INFINITY)
		return -1;
	if (now >= deadline)
		return 0;
	return (deadline - now) / USEC_PER_MSEC > 60000 ? 60000
							: (int)((deadline - now + 999) / USEC_PER_MSEC);
}

int jobslot_acquire(int fd, struct peer_watch *w, usec_t deadline)
{
	int r = send_msg(fd, JOBSLOT_WANT);

	if (r < 0)
		return r == -ECONNREFUSED || r == -ECONNRESET ? -EPIPE : r;
	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN } };
		char msg;

		peerwatch_pollfd(w, &pfd[1]);
		if (now_usec() >= deadline)
			return -ETIMEDOUT;
		if (poll(pfd, 2, poll_ms(deadline)) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (peerwatch_gone(w, pfd[1].revents))
			return -ECONNRESET;
		if (!pfd[0].revents)
			continue;
		do
			r = (int)recv(fd, &msg, 1, 0);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return -EPIPE;
		if (msg == JOBSLOT_GO)
			return 0;
	}
}
