/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers every module uses: scope-bound cleanup, ownership transfer,
 * array sizes. Header only; nothing here allocates or logs.
 */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))
#define _warn_unused_ __attribute__((warn_unused_result))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline int safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -EBADF;
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

#define TAKE_PTR(p)                           \
	({                                    \
		__typeof__(p) _tp_ = (p);     \
		(p) = NULL;                   \
		_tp_;                         \
	})

#define TAKE_FD(fd)                           \
	({                                    \
		int _tf_ = (fd);              \
		(fd) = -EBADF;                \
		_tf_;                         \
	})

/* Keep errno across a cleanup call in an error path. */
#define RET_NERRNO(expr)                      \
	({                                    \
		int _r_ = (expr);             \
		_r_ < 0 ? -errno : _r_;       \
	})
