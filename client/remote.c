/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP transport for the client. Moves bytes with deadlines and nothing
 * else: no policy, no logging above debug, no retries (the caller decides).
 */
#include <errno.h>
#include <fcntl.h>
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

#define PUMP_FLUSH_AT (256u * 1024)

static int flush_if(int fd, struct buf *b, size_t at, usec_t deadline)
{
	int r;

	if (b->len < at || b->len == 0)
		return 0;
	r = xwrite_all(fd, b->data, b->len, deadline);
	buf_reset(b);
	return r;
}

/* FILE: header plus the body file's bytes as they are (already LZO). */
static int put_file_body(struct buf *b, const char *path, uint64_t *total)
{
	_cleanup_close_ int in = open(path, O_RDONLY | O_CLOEXEC);
	char hdr[PROTO_HDR_LEN];
	struct stat st;
	int r;

	if (in < 0 || fstat(in, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > MAX_BULK_WIRE || *total + (uint64_t)st.st_size > MAX_PUMP_TOTAL)
		return -E2BIG;
	*total += (uint64_t)st.st_size;
	proto_format_header(hdr, "FILE", (uint32_t)st.st_size);
	r = buf_append(b, hdr, sizeof(hdr));
	if (r >= 0)
		r = buf_reserve(b, (size_t)st.st_size);
	if (r < 0)
		return r;
	r = xread_full(in, b->data + b->len, (size_t)st.st_size, USEC_INFINITY);
	if (r == -ENODATA && st.st_size == 0)
		r = 0;
	if (r < 0)
		return r == -EPIPE ? -EIO : r; /* the file shrank under us */
	b->len += (size_t)st.st_size;
	return 0;
}

static int put_entry(struct buf *b, const struct remote_file *f, uint64_t *total)
{
	int r = proto_put_str(b, "NAME", f->name);

	if (r < 0)
		return r;
	return f->body ? put_file_body(b, f->body, total) : proto_put_str(b, "LINK", f->link);
}

int remote_send_pump(int fd, const char *cwd, char *const argv[], const struct remote_file *files,
		     size_t n, usec_t deadline, bool *ret_local)
{
	struct buf b = BUF_INIT(PUMP_FLUSH_AT + MAX_BULK_WIRE + 4 * PROTO_HDR_LEN + 2 * MAX_ARG_LEN);
	uint64_t total = 0;
	bool local = true;
	int r = n > MAX_NFIL ? -E2BIG : 0;

	if (r >= 0)
		r = proto_put_request_head(&b, 3, cwd, (const char *const *)argv);
	if (r >= 0)
		r = proto_put_int(&b, "NFIL", (uint32_t)n);
	for (size_t i = 0; r >= 0 && i <= n; i++) {
		local = true;
		if (i < n)
			r = put_entry(&b, &files[i], &total);
		if (r < 0)
			break;
		local = false;
		r = flush_if(fd, &b, i < n ? PUMP_FLUSH_AT : 1, deadline);
	}
	buf_free(&b);
	*ret_local = r < 0 && local;
	return r;
}
