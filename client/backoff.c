/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backoff files. The decision (backoff_active) is pure; the rest is one
 * fstatat, openat+write or unlinkat each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backoff.h"
#include "macro.h"

int backoff_name(const struct host *h, char *out, size_t n)
{
	int r;

	switch (h->mode) {
	case HOST_SSH:
		r = snprintf(out, n, "backoff_ssh_%s_0", h->hostname);
		break;
	case HOST_LOCAL:
		r = snprintf(out, n, "backoff_localhost_0");
		break;
	default:
		r = snprintf(out, n, "backoff_tcp_%s_%u_0", h->hostname, h->port);
		break;
	}
	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

bool backoff_active(time_t mtime, time_t now, unsigned period_sec)
{
	if (period_sec == 0)
		return false;
	/* a file from the future (clock stepped back) counts as fresh */
	return now < mtime || (unsigned long long)(now - mtime) < period_sec;
}

bool backoff_check(int dirfd, const struct host *h, unsigned period_sec, bool *ret_exists)
{
	char name[512];
	struct stat st;

	*ret_exists = false;
	if (period_sec == 0 || backoff_name(h, name, sizeof(name)) < 0)
		return false;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	*ret_exists = true;
	return backoff_active(st.st_mtime, time(NULL), period_sec);
}

void backoff_mark(int dirfd, const struct host *h, unsigned period_sec)
{
	char name[512];
	_cleanup_close_ int fd = -EBADF;

	if (period_sec == 0 || backoff_name(h, name, sizeof(name)) < 0)
		return;
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0)
		return;
	(void)fchmod(fd, 0666);
	(void)!write(fd, "b", 1);
}

void backoff_clear(int dirfd, const struct host *h, unsigned period_sec)
{
	char name[512];

	if (period_sec == 0 || backoff_name(h, name, sizeof(name)) < 0)
		return;
	(void)unlinkat(dirfd, name, 0);
}
