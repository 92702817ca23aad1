/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP transport for the client. Moves bytes with deadlines and nothing
 * else: no policy, no logging above debug, no retries (the caller decides).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "remote.h"
#include "wirelimits.h"

static int connect_one(const struct addrinfo *ai, usec_t timeout)
{
	_cleanup_close_ int fd = -EBADF;
	int err = 0, one = 1, r;
	socklen_t len = sizeof(err);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			return -errno;
		r = fd_wait(fd, POLLOUT, deadline_in(timeout));
		if (r < 0)
			return r;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			return -errno;
		if (err)
			return -err;
	}
	return TAKE_FD(fd);
}

int remote_connect(const struct host *h, usec_t timeout, int *ret_fd)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char port[16];
	int r;

	snprintf(port, sizeof(port), "%u", h->port);
	r = getaddrinfo(h->hostname, port, &hints, &res);
	if (r != 0)
		return r == EAI_SYSTEM ? -errno : -EHOSTUNREACH;
	r = -EHOSTUNREACH;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		r = connect_one(ai, timeout);
		if (r >= 0)
			break;
		log_debug_errno(r, "connect to '%s' port %s failed: %m", h->hostname, port);
	}
	freeaddrinfo(res);
	if (r < 0)
		return r;
	*ret_fd = r;
	return 0;
}

int remote_send_head(int fd, uint32_t version, char *const argv[], usec_t deadline)
{
	struct buf b = BUF_INIT(MAX_ARGV_BYTES + (MAX_ARGC + 2) * PROTO_HDR_LEN);
	int r = proto_put_request_head(&b, version, NULL, (const char *const *)argv);

	if (r >= 0)
		r = xwrite_all(fd, b.data, b.len, deadline);
	buf_free(&b);
	return r;
}

static int send_doti_plain(int fd, int in_fd, uint64_t size, usec_t deadline)
{
	char hdr[PROTO_HDR_LEN];
	ssize_t k;

	proto_format_header(hdr, "DOTI", (uint32_t)size);
	/* MSG_MORE: header and body leave in the same segment */
	k = send(fd, hdr, sizeof(hdr), MSG_MORE | MSG_NOSIGNAL);
	if (k < 0) {
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		k = 0;
	}
	if ((size_t)k < sizeof(hdr)) {
		int r = xwrite_all(fd, hdr + k, sizeof(hdr) - (size_t)k, deadline);
		if (r < 0)
			return r;
	}
	return xcopy_fd(in_fd, fd, size, deadline);
}

static int send_doti_lzo(int fd, int in_fd, uint64_t size, usec_t deadline)
{
	_cleanup_free_ char *data = NULL;
	struct buf b = BUF_INIT(MAX_BULK_WIRE + PROTO_HDR_LEN);
	int r;

	data = malloc(size ? size : 1);
	if (!data)
		return -ENOMEM;
	r = xread_full(in_fd, data, size, deadline);
	if (r < 0 && !(r == -ENODATA && size == 0))
		return r == -ENODATA || r == -EPIPE ? -EIO : r;
	r = proto_put_bulk(&b, "DOTI", data, size, true);
	if (r >= 0)
		r = xwrite_all(fd, b.data, b.len, deadline);
	buf_free(&b);
	return r;
}

int remote_send_doti(int fd, uint32_t version, int in_fd, usec_t deadline)
{
	struct stat st;

	if (fstat(in_fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > MAX_BULK_PLAIN)
		return -E2BIG;
	if (lseek(in_fd, 0, SEEK_SET) < 0)
		return -errno;
	if (proto_compressed(version))
		return send_doti_lzo(fd, in_fd, (uint64_t)st.st_size, deadline);
	return send_doti_plain(fd, in_fd, (uint64_t)st.st_size, deadline);
}

int remote_read_reply(int fd, uint32_t version, usec_t deadline, struct proto_reply *ret)
{
	/* the reply is the last thing on the connection: read ahead (the
	 * socket is non-blocking, so poll only when a read would block) */
	uint8_t rbuf[REMOTE_READ_AHEAD];
	struct proto_src src = PROTO_SRC_FD_BUF(fd, deadline, rbuf, sizeof(rbuf), true);

	return proto_read_reply(&src, version, ret);
}
