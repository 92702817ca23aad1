/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Atomic output files. Must never rename over something that is not a
 * regular file: "-o /dev/null" is common in configure scripts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tempfiles.h"
#include "io.h"
#include "macro.h"
#include "output.h"

static int mkdir_parents(const char *path)
{
	char p[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, path, len + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static int write_through(const char *path, const void *data, size_t n)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

	if (fd < 0)
		return -errno;
	return xwrite_all(fd, data, n, USEC_INFINITY);
}

static int split_dir(const char *path, char *dir, size_t dn)
{
	const char *slash = strrchr(path, '/');
	int r;

	if (!slash)
		r = snprintf(dir, dn, ".");
	else if (slash == path)
		r = snprintf(dir, dn, "/");
	else
		r = snprintf(dir, dn, "%.*s", (int)(slash - path), path);
	return r < 0 || (size_t)r >= dn ? -ENAMETOOLONG : 0;
}

static int write_temp_and_rename(const char *path, const char *dir, const void *data, size_t n)
{
	const char *tmp;
	int fd, r;

	fd = tempfiles_mktemp(dir, ".distcc_out_", ".tmp", 0666, &tmp);
	if (fd == -ENOENT) {
		r = mkdir_parents(path);
		if (r < 0)
			return r;
		fd = tempfiles_mktemp(dir, ".distcc_out_", ".tmp", 0666, &tmp);
	}
	if (fd < 0)
		return fd;
	r = xwrite_all(fd, data, n, USEC_INFINITY);
	close(fd);
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	tempfiles_forget(tmp);
	return r;
}

int output_write(const char *path, const void *data, size_t n)
{
	char dir[PATH_MAX];
	struct stat st;
	int r;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return write_through(path, data, n);
	r = split_dir(path, dir, sizeof(dir));
	if (r < 0)
		return r;
	return write_temp_and_rename(path, dir, data, n);
}

int output_copy_to_fd(int fd, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	return xwrite_all(fd, data, n, USEC_INFINITY);
}
