/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scanning the client state directory for distccmon-text: selection,
 * staleness, validation, liveness and ordering as distcc 3.4's monitor does
 * them. Only ever unlinks stale binstate_ files; never writes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "monitor.h"
#include "strv.h"

#define RECORD_READ_MAX 4096

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static bool pid_alive(unsigned long pid)
{
	if (pid == 0 || pid > (unsigned long)INT32_MAX)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

/* One directory entry: 1 and *ret filled when it is a live job, 0 when it
 * is to be skipped. */
static int read_entry(int dfd, const char *name, time_t now, struct monstate *ret)
{
	_cleanup_close_ int fd = -EBADF;
	uint8_t buf[RECORD_READ_MAX];
	struct stat st;
	ssize_t n;

	if (!str_has_prefix(name, "binstate_"))
		return 0;
	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return 0; /* vanished, or a symlink: not ours to follow */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (now - st.st_mtime > MONSTATE_STALE_SEC) {
		(void)unlinkat(dfd, name, 0);
		return 0;
	}
	/* one read: records are written whole and renamed into place */
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 || monstate_decode(buf, (size_t)n, ret) < 0)
		return 0;
	return pid_alive(ret->pid) ? 1 : 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct monstate *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c)
		return c;
	return (x->slot > y->slot) - (x->slot < y->slot);
}

int monitor_poll(const char *state_dir, struct monstate **ret, size_t *ret_n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_free_ struct monstate *v = NULL;
	size_t n = 0, cap = 0;
	time_t now = time(NULL);
	struct dirent *de;

	d = opendir(state_dir);
	if (!d && errno != ENOENT)
		return -errno;
	while (d && (errno = 0, de = readdir(d))) {
		struct monstate s;

		if (read_entry(dirfd(d), de->d_name, now, &s) <= 0)
			continue;
		if (n == cap) {
			struct monstate *nv;

			if (cap >= MONITOR_MAX_ENTRIES) {
				errno = 0;
				break;
			}
			cap = cap ? cap * 2 : 16;
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv)
				return -ENOMEM;
			v = nv;
		}
		v[n++] = s;
	}
	if (d && errno != 0)
		return -errno;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_entry);
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}

int monitor_format_line(const struct monstate *s, char *buf, size_t size)
{
	/* the file field as written (the client stores a basename): 3.4 prints it as is */
	int r = snprintf(buf, size, "%6ld  %-10.10s  %-30.30s %24.24s[%d]\n", (long)s->pid,
			 monstate_phase_name(s->phase), s->file, s->host, s->slot);

	return r < 0 || (size_t)r >= size ? -ENOBUFS : r;
}
