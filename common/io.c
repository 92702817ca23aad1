/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Full reads and writes with deadlines. These are the only read/write loops
 * in the tree; everything that moves bytes goes through them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "macro.h"

usec_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

usec_t deadline_in(usec_t delta)
{
	usec_t n = now_usec();

	return delta >= USEC_INFINITY - n ? USEC_INFINITY : n + delta;
}

int fd_wait(int fd, short events, usec_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int timeout = -1, r;

		if (deadline != USEC_INFINITY) {
			usec_t n = now_usec();
			usec_t left;

			if (n >= deadline)
				return -ETIMEDOUT;
			left = (deadline - n + 999) / 1000;
			timeout = left > INT_MAX ? INT_MAX : (int)left;
		}
		r = poll(&pfd, 1, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			continue; /* re-check the deadline */
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		return 0; /* readable, writable, or error/hup: the syscall tells */
	}
}

int fd_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

void fd_ensure_std(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			int nfd = open("/dev/null", O_RDWR | O_NOCTTY);  /* lowest free: fd itself */

			if (nfd >= 0 && nfd != fd)
				close(nfd);
		}
}

ssize_t xread_some(int fd, void *p, size_t n, usec_t deadline, bool try_first)
{
	bool wait = !try_first;

	for (;;) {
		ssize_t k;

		if (wait) {
			int r = fd_wait(fd, POLLIN, deadline);

			if (r < 0)
				return r;
		}
		k = read(fd, p, n);
		if (k >= 0)
			return k;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
		wait = wait || errno == EAGAIN;
	}
}

void xreader_pace(struct xreader *r, usec_t now, usec_t grace, uint32_t bytes_per_sec)
{
	r->pace_start = now;
	r->pace_grace = grace;
	r->pace_rate = bytes_per_sec;
	r->pace_got = 0;
}

static usec_t xreader_deadline(const struct xreader *r)
{
	usec_t d;

	if (!r->pace_rate)
		return r->deadline;
	d = r->pace_start + r->pace_grace + r->pace_got * USEC_PER_SEC / r->pace_rate;
	return d < r->deadline ? d : r->deadline;
}

int xreader_read(struct xreader *r, void *p, size_t n)
{
	uint8_t *q = p;
	size_t done = 0;

	while (done < n) {
		size_t avail = r->len - r->pos, want = n - done;
		bool direct = want >= r->cap;   /* no buffer (cap 0): always */
		ssize_t k;

		if (avail > 0) {
			size_t c = avail < want ? avail : want;

			memcpy(q + done, r->buf + r->pos, c);
			r->pos += c;
			done += c;
			continue;
		}
		/* without a deadline a read that blocks waits as poll() would:
		 * read first (a regular file then costs no poll at all) */
		k = xread_some(r->fd, direct ? q + done : r->buf, direct ? want : r->cap,
			       xreader_deadline(r), r->nonblock || xreader_deadline(r) == USEC_INFINITY);
		if (k < 0)
			return (int)k;
		r->pace_got += (uint64_t)k;
		if (k == 0)
			return done == 0 ? -ENODATA : -EPIPE;
		if (direct)
			done += (size_t)k;
		else {
			r->pos = 0;
			r->len = (size_t)k;
		}
	}
	return 0;
}

int xread_full(int fd, void *p, size_t n, usec_t deadline)
{
	struct xreader r = XREADER(fd, deadline);

	return xreader_read(&r, p, n);
}

int xwrite_all(int fd, const void *p, size_t n, usec_t deadline)
{
	const uint8_t *q = p;

	while (n > 0) {
		ssize_t k = write(fd, q, n);

		if (k < 0) {
			int r;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			r = fd_wait(fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		q += k;
		n -= (size_t)k;
	}
	return 0;
}

int xcopy_fd(int in_fd, int out_fd, uint64_t n, usec_t deadline)
{
	uint8_t tmp[65536];

	while (n > 0) {
		size_t chunk = n > sizeof(tmp) ? sizeof(tmp) : (size_t)n;
		ssize_t k = sendfile(out_fd, in_fd, NULL, chunk);
		int r;

		if (k > 0) {
			n -= (uint64_t)k;
			continue;
		}
		if (k == 0)
			return -EPIPE;
		if (errno == EAGAIN) {
			r = fd_wait(out_fd, POLLOUT, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		/* sendfile not possible between these fds: plain copy */
		k = read(in_fd, tmp, chunk);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EPIPE;
		r = xwrite_all(out_fd, tmp, (size_t)k, deadline);
		if (r < 0)
			return r;
		n -= (uint64_t)k;
	}
	return 0;
}

/* 1 at end of file, 0 when more bytes follow, -errno. */
static int at_eof(int fd)
{
	char c;

	for (;;) {
		ssize_t k = read(fd, &c, 1);

		if (k >= 0)
			return k == 0;
		if (errno != EINTR)
			return -errno;
	}
}

int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	return read_fd_max(fd, max, ret, ret_len);
}

int read_fd_max(int fd, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *data = NULL;
	struct stat st;
	size_t len = 0, cap;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -E2BIG;
	cap = (size_t)st.st_size + 1;
	if (cap < 4096)         /* /proc and /sys files report size 0 */
		cap = max < 4095 ? max + 1 : 4096;
	data = malloc(cap);
	if (!data)
		return -ENOMEM;
	for (;;) {
		ssize_t k;

		if (len == cap - 1) {
			char *n;

			if (cap - 1 >= max) {
				/* exactly @max bytes is fine; one more is not */
				r = at_eof(fd);
				if (r < 0)
					return r;
				if (r > 0)
					break;
				return -E2BIG; /* grew while we read it */
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			n = realloc(data, cap);
			if (!n)
				return -ENOMEM;
			data = n;
		}
		k = read(fd, data + len, cap - len - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	data[len] = 0;
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(data);
	return 0;
}

int write_file_atomic(const char *path, const void *p, size_t n, unsigned mode, int *ret_fd)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	_cleanup_close_ int fd = -EBADF;
	int r;

	/* temp sibling named so that readers selecting by prefix never see it */
	r = snprintf(tmp, sizeof(tmp), "%.*s.tmp-%s.%ld", slash ? (int)(slash - path + 1) : 0, path,
		     slash ? slash + 1 : path, (long)getpid());
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	(void)fchmod(fd, mode);
	r = xwrite_all(fd, p, n, USEC_INFINITY);
	if (r < 0 || rename(tmp, path) < 0) {
		r = r < 0 ? r : -errno;
		unlink(tmp);
		return r;
	}
	if (ret_fd)
		*ret_fd = TAKE_FD(fd);
	return 0;
}
