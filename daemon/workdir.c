/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-job temp directories. Names come from the kernel CSPRNG with a fresh
 * draw on every retry (UPSTREAM-BUGS B1); the directory is created 0700 so
 * nothing inside is reachable by other users whatever the umask.
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "wirelimits.h"
#include "workdir.h"

/* The job directory of this serving process, for workdir_remove_on_signal(). */
static char registered[PATH_MAX];
static volatile sig_atomic_t registered_set;

static int random_name(const char *tmpdir, char **ret)
{
	uint8_t rnd[8];
	char hex[17];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	return asprintf(ret, "%s/distccd_%s", tmpdir, hex) < 0 ? -ENOMEM : 0;
}

static int make_dir(const char *tmpdir, char **ret)
{
	for (int tries = 0; tries < 16; tries++) {
		_cleanup_free_ char *p = NULL;
		int r = random_name(tmpdir, &p);

		if (r < 0)
			return r;
		if (mkdir(p, 0700) == 0) {
			*ret = TAKE_PTR(p);
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int join(const char *dir, const char *name, const char *ext, char **ret)
{
	return asprintf(ret, "%s/%s%s", dir, name, ext) < 0 ? -ENOMEM : 0;
}

int workdir_create(const char *tmpdir, const char *in_ext, const char *out_ext, bool keep,
		   struct workdir *ret)
{
	struct workdir w = { .keep = keep };
	int r;

	r = make_dir(tmpdir, &w.dir);
	if (r < 0)
		return r;
	r = join(w.dir, "input", in_ext, &w.input);
	if (r >= 0)
		r = join(w.dir, "output", out_ext, &w.output);
	if (r >= 0)
		r = join(w.dir, "compiler", ".stdout", &w.out_path);
	if (r >= 0)
		r = join(w.dir, "compiler", ".stderr", &w.err_path);
	if (r < 0) {
		workdir_done(&w);
		return r;
	}
	if (!keep && strlen(w.dir) < sizeof(registered)) {
		registered_set = 0;
		memcpy(registered, w.dir, strlen(w.dir) + 1);
		registered_set = 1;
	}
	*ret = w;
	return 0;
}

#define REMOVE_MAX_ROUNDS 65536u

/* Remove what can be removed in directory @fd (consumed). A non-empty
 * subdirectory is entered (the listing of its parent is dropped): the
 * caller starts again from the top, where the emptied one then goes. */
static void remove_pass(int fd)
{
	static char buf[4096] __attribute__((aligned(8)));

	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		int sub = -1;

		if (n <= 0)
			break;
		for (long off = 0; off < n && sub < 0;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);
			const char *name = de->d_name;

			off += de->d_reclen;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
			    unlinkat(fd, name, 0) == 0 || errno != EISDIR ||
			    unlinkat(fd, name, AT_REMOVEDIR) == 0 || (errno != ENOTEMPTY && errno != EEXIST))
				continue;
			sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (sub >= 0) {
			close(fd);
			fd = sub;
		}
	}
	close(fd);
}

/* Remove @dir and everything in it; symlinks are removed, never followed.
 * Iterative, one fd and a static buffer, async-signal-safe calls only
 * (open, getdents64, unlinkat, rmdir, close), so that the SIGTERM handler
 * can use it too. Gives up after a bounded amount of work. */
static int remove_tree(const char *dir)
{
	for (unsigned round = 0; round < REMOVE_MAX_ROUNDS; round++) {
		int fd;

		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != ENOTEMPTY && errno != EEXIST)
			return -errno;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		remove_pass(fd);
	}
	return -ENOTEMPTY;
}

void workdir_remove_on_signal(void)
{
	if (registered_set)
		(void)remove_tree(registered);
}

void workdir_done(struct workdir *w)
{
	int r;

	if (w->dir) {
		registered_set = 0;
		if (w->keep)
			log_info("keeping job directory '%s' (DISTCC_SAVE_TEMPS)", w->dir);
		else if ((r = remove_tree(w->dir)) < 0)
			log_warning_errno(r, "cannot remove the job directory '%s': %m", w->dir);
	}
	free(w->dir);
	free(w->input);
	free(w->output);
	free(w->out_path);
	free(w->err_path);
	*w = (struct workdir){ 0 };
}
