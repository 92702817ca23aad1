/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-job temp directories. Names come from the kernel CSPRNG with a fresh
 * draw on every retry (UPSTREAM-BUGS B1); the directory is created 0700 so
 * nothing inside is reachable by other users whatever the umask.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "wirelimits.h"
#include "workdir.h"

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
	*ret = w;
	return 0;
}

/* Empty directory @dfd (consumed): entries are unlinked where they are,
 * never followed (a symlink is removed, not its target), subdirectories
 * entered by fd with O_NOFOLLOW. @depth bounds the fds held open at once;
 * a pump job's root is at most MAX_PUMP_DEPTH deep. */
static void remove_entries(int dfd, unsigned depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		safe_close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno != EISDIR || depth == 0)
			continue;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		remove_entries(sub, depth - 1);
		(void)unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void remove_tree(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0)
		remove_entries(fd, 2 * MAX_PUMP_DEPTH);
	if (rmdir(dir) < 0)
		log_debug_errno(errno, "cannot remove '%s': %m", dir);
}

void workdir_done(struct workdir *w)
{
	if (w->dir) {
		if (w->keep)
			log_info("keeping job directory '%s' (DISTCC_SAVE_TEMPS)", w->dir);
		else
			remove_tree(w->dir);
	}
	free(w->dir);
	free(w->input);
	free(w->output);
	free(w->out_path);
	free(w->err_path);
	*w = (struct workdir){ 0 };
}
