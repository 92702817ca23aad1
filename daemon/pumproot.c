/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Materialises a pump client's files under the job root. Each path is
 * walked one component at a time from the root's fd: an existing component
 * must be a real directory (O_DIRECTORY | O_NOFOLLOW), a missing one is
 * made with mkdirat; the last component is created with O_CREAT | O_EXCL
 * or symlinkat, both of which fail rather than follow an existing link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "macro.h"
#include "pumppath.h"
#include "pumproot.h"
#include "wirelimits.h"

#define WHY_THROUGH  "a path through a file or link the client sent"
#define WHY_TWICE    "a NAME sent twice, or over a directory"
#define WHY_DIRS     "more directories than distccd creates for one job"

static unsigned count_components(const char *p)
{
	unsigned n = 0;

	for (const char *s = p; *s; s++)
		if (s[0] == '/' && s[1] && s[1] != '/')
			n++;
	return n;
}

int pumproot_create(const char *jobdir, struct pumproot *ret)
{
	struct pumproot r = PUMPROOT_NULL;
	_cleanup_free_ char *real = realpath(jobdir, NULL);
	_cleanup_close_ int dfd = -EBADF;

	if (!real)
		return -errno;
	dfd = open(real, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (mkdirat(dfd, "root", 0700) < 0)
		return -errno;
	r.fd = openat(dfd, "root", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r.fd < 0)
		return -errno;
	if (asprintf(&r.path, "%s/root", real) < 0) {
		safe_close(r.fd);
		return -ENOMEM;
	}
	r.depth = count_components(r.path);
	*ret = r;
	return 0;
}

void pumproot_done(struct pumproot *r)
{
	safe_close(r->fd);
	free(r->path);
	*r = PUMPROOT_NULL;
}

/* Open directory @name in @dir, making it when missing. */
static int step(struct pumproot *r, int dir, const char *name, const char **ret_why)
{
	int fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT) {
		if (fd < 0 && (errno == ENOTDIR || errno == ELOOP))
			return *ret_why = WHY_THROUGH, -EACCES;
		return fd < 0 ? -errno : fd;
	}
	if (r->dirs >= MAX_PUMP_DIRS)
		return *ret_why = WHY_DIRS, -EACCES;
	if (mkdirat(dir, name, 0700) < 0)
		return -errno;
	r->dirs++;
	fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The directory holding the last @skip_last components of @p (0 or 1). */
static int walk(struct pumproot *r, const struct pumppath *p, size_t skip_last,
		const char **ret_why)
{
	_cleanup_close_ int cur = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);

	if (cur < 0)
		return -errno;
	for (size_t i = 0; i + skip_last < p->n; i++) {
		int next = step(r, cur, p->comp[i], ret_why);

		if (next < 0)
			return next;
		safe_close(cur);
		cur = next;
	}
	return TAKE_FD(cur);
}

static int create_error(int err, const char **ret_why)
{
	if (err == EEXIST || err == EISDIR)
		return *ret_why = WHY_TWICE, -EACCES;
	if (err == ELOOP || err == ENOTDIR)
		return *ret_why = WHY_THROUGH, -EACCES;
	return -err;
}

int pumproot_add_file(struct pumproot *r, const char *name, const void *p, size_t n,
		      const char **ret_why)
{
	_cleanup_(pumppath_done) struct pumppath path = { 0 };
	_cleanup_close_ int dir = -EBADF, fd = -EBADF;
	int res;

	res = pumppath_split(name, 0, &path, ret_why);
	if (res < 0)
		return res;
	dir = walk(r, &path, 1, ret_why);
	if (dir < 0)
		return dir;
	fd = openat(dir, path.comp[path.n - 1],
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return create_error(errno, ret_why);
	return xwrite_all(fd, p, n, USEC_INFINITY);
}

int pumproot_add_link(struct pumproot *r, const char *name, const char *target,
		      const char **ret_why)
{
	_cleanup_(pumppath_done) struct pumppath path = { 0 };
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dir = -EBADF;
	int res;

	res = pumppath_link_text(name, target, r->depth, &text, ret_why);
	if (res >= 0)
		res = pumppath_split(name, 0, &path, ret_why);
	if (res < 0)
		return res;
	dir = walk(r, &path, 1, ret_why);
	if (dir < 0)
		return dir;
	if (symlinkat(text, dir, path.comp[path.n - 1]) < 0)
		return create_error(errno, ret_why);
	return 0;
}

int pumproot_add_dir(struct pumproot *r, const char *dir, const char **ret_why)
{
	_cleanup_(pumppath_done) struct pumppath path = { 0 };
	int fd, res;

	res = pumppath_split(dir, 1, &path, ret_why);
	if (res < 0)
		return res;
	fd = walk(r, &path, 0, ret_why);
	return fd < 0 ? fd : (safe_close(fd), 0);
}

int pumproot_server_path(const struct pumproot *r, const char *client_path, char **ret)
{
	if (client_path[0] != '/')
		return -EINVAL;
	return asprintf(ret, "%s%s", r->path, client_path) < 0 ? -ENOMEM : 0;
}
