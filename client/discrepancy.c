/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The discrepancy counter file (see discrepancy.h). A unary counter in a
 * file's size: concurrent jobs append without locks and read it with one
 * stat(). No logging here; the callers say what it means.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discrepancy.h"
#include "io.h"
#include "macro.h"
#include "parse.h"
#include "strv.h"

int discrepancy_path(const char *port, char **ret)
{
	size_t n;
	char *p;

	if (!port || !str_has_suffix(port, "/" DISCREPANCY_SOCKET))
		return -ENOENT;
	n = strlen(port) - strlen(DISCREPANCY_SOCKET);
	if (asprintf(&p, "%.*s%s", (int)n, port, DISCREPANCY_FILE) < 0)
		return -ENOMEM;
	*ret = p;
	return 0;
}

unsigned discrepancy_count(const char *path)
{
	struct stat st;

	if (!path || stat(path, &st) < 0 || st.st_size < 0)
		return 0;
	return st.st_size > UINT_MAX ? UINT_MAX : (unsigned)st.st_size;
}

int discrepancy_note(const char *path, unsigned max, bool *ret_reached)
{
	_cleanup_close_ int fd = -EBADF;
	off_t end;
	int r;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	r = xwrite_all(fd, "@", 1, USEC_INFINITY);
	if (r < 0)
		return r;
	end = lseek(fd, 0, SEEK_CUR);
	if (end < 0)
		return -errno;
	*ret_reached = (unsigned long long)end == max;
	return 0;
}
