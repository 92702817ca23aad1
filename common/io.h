/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one full-read / full-write pair, bounded by an absolute monotonic
 * deadline. Reads poll first, so their deadline holds on any fd; writes try
 * first and poll only when the fd would block, so their deadline holds on
 * non-blocking fds (peers' sockets are made non-blocking) and regular files
 * never pay for a poll.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef uint64_t usec_t;
#define USEC_INFINITY UINT64_MAX
#define USEC_PER_SEC 1000000ull
#define USEC_PER_MSEC 1000ull

usec_t now_usec(void);                     /* CLOCK_MONOTONIC */
usec_t deadline_in(usec_t delta);          /* now + delta, saturating */

/* Read exactly @n bytes. -EPIPE on EOF before that (0 bytes: -ENODATA),
 * -ETIMEDOUT past @deadline, other -errno. */
int xread_full(int fd, void *p, size_t n, usec_t deadline);
/* One read() of up to @n bytes, retrying EINTR and waiting for input until
 * @deadline: the byte count (> 0), 0 at EOF, -ETIMEDOUT, other -errno.
 * @try_first: read before polling (for O_NONBLOCK fds with data likely
 * waiting). The one read loop: xread_full() and xreader_read() use it. */
ssize_t xread_some(int fd, void *p, size_t n, usec_t deadline, bool try_first);

/* A reader with an optional read-ahead buffer: small reads are served from
 * one read() of up to @cap bytes; reads of at least @cap bytes bypass it.
 * It reads past what was asked, so nothing else may read the fd after it. */
struct xreader {
	int fd;
	usec_t deadline;
	uint8_t *buf;            /* NULL (cap 0): no read-ahead */
	size_t cap, pos, len;    /* buf[pos..len) is read but not yet served */
	bool nonblock;           /* fd is O_NONBLOCK: read first, poll on EAGAIN */
	/* xreader_pace(): a progress-based deadline on top of @deadline */
	usec_t pace_start, pace_grace;
	uint32_t pace_rate;      /* bytes per second; 0: no pace */
	uint64_t pace_got;       /* bytes read since pace_start */
};

#define XREADER(f, d) ((struct xreader){ .fd = (f), .deadline = (d) })
#define XREADER_BUF(f, d, b, n, nb)                                                         \
	((struct xreader){ .fd = (f), .deadline = (d), .buf = (b), .cap = (n), .nonblock = (nb) })

/* Read exactly @n bytes through @r. Errors as xread_full(). */
int xreader_read(struct xreader *r, void *p, size_t n);
/* From now on every read through @r must keep up: -ETIMEDOUT once more than
 * @grace plus one second per @bytes_per_sec bytes received since @now has
 * passed (and, as before, at r->deadline). A trickle is cut in about
 * @grace; a slow but steady sender keeps going. */
void xreader_pace(struct xreader *r, usec_t now, usec_t grace, uint32_t bytes_per_sec);
/* Write all @n bytes. -ETIMEDOUT past @deadline, -EPIPE on a closed peer. */
int xwrite_all(int fd, const void *p, size_t n, usec_t deadline);
/* Copy exactly @n bytes from file @in_fd to @out_fd (sendfile when it can). */
int xcopy_fd(int in_fd, int out_fd, uint64_t n, usec_t deadline);
/* Wait until @fd is readable/writable (events as for poll). -ETIMEDOUT. */
int fd_wait(int fd, short events, usec_t deadline);
int fd_set_nonblock(int fd, int on);
/* Open /dev/null on any of fds 0, 1, 2 that is closed, so that no file we
 * open later lands there (and gets log lines or a child's output). */
void fd_ensure_std(void);

/* Read a whole (regular) file into *ret (NUL-terminated), at most @max bytes. */
int read_file_max(const char *path, size_t max, char **ret, size_t *ret_len);
/* The same from an open fd (read from its current offset; -EINVAL unless
 * it is a regular file). */
int read_fd_max(int fd, size_t max, char **ret, size_t *ret_len);
/* Write a whole buffer to @path atomically (temp + rename), mode @mode.
 * With @ret_fd, the file stays open for later in-place updates. */
int write_file_atomic(const char *path, const void *p, size_t n, unsigned mode, int *ret_fd);
