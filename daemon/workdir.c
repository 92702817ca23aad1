/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-job temp directories. Names come from the kernel CSPRNG with a fresh
 * draw on every retry (UPSTREAM-BUGS B1); the directory is created 0700 so
 * nothing inside is reachable by other users whatever the umask. What the
 * compiler left inside is never trusted: no path is followed, no file is
 * read unless it is a plain file of ours.
 */
#include <dirent.h>
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

#include "io.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "wirelimits.h"
#include "workdir.h"

/* A compiler may nest directories; deeper than this they stay behind
 * (logged) rather than costing the daemon its stack or its fds. A pump
 * job's root is at most MAX_PUMP_DEPTH deep. */
#define REMOVE_MAX_DEPTH (2 * MAX_PUMP_DEPTH)

/* The job directory of this serving process, for workdir_remove_on_signal():
 * its parent's fd and its name (the fds stay open until workdir_done()). */
static volatile sig_atomic_t registered_parent_fd = -1;
static char registered_name[32];

static int random_name(char ret[static 26])
{
	uint8_t rnd[8];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	memcpy(ret, "distccd_", 8);
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(ret + 8 + 2 * i, 3, "%02x", rnd[i]);
	return 0;
}

static int make_dir(int parent_fd, char ret_name[static 26])
{
	for (int tries = 0; tries < 16; tries++) {
		int r = random_name(ret_name);

		if (r < 0)
			return r;
		if (mkdirat(parent_fd, ret_name, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int join(const char *dir, const char *name, const char *ext, char **ret)
{
	return asprintf(ret, "%s/%s%s", dir, name, ext) < 0 ? -ENOMEM : 0;
}

static int workdir_names(struct workdir *w, const char *tmpdir, const char *name,
			 const char *in_ext, const char *out_ext)
{
	int r = join(tmpdir, name, "", &w->dir);

	if (r >= 0)
		r = join(w->dir, "input", in_ext, &w->input);
	if (r >= 0)
		r = join(w->dir, "output", out_ext, &w->output);
	if (r >= 0)
		r = join(w->dir, "compiler", ".stdout", &w->out_path);
	if (r >= 0)
		r = join(w->dir, "compiler", ".stderr", &w->err_path);
	return r;
}

static void workdir_free(struct workdir *w)
{
	safe_close(w->dfd);
	safe_close(w->parent_fd);
	free(w->dir);
	free(w->input);
	free(w->output);
	free(w->out_path);
	free(w->err_path);
	*w = (struct workdir)WORKDIR_INIT;
}

int workdir_create(const char *tmpdir, const char *in_ext, const char *out_ext, bool keep,
		   struct workdir *ret)
{
	struct workdir w = WORKDIR_INIT;
	_cleanup_close_ int parent_fd = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char name[26];
	int r;

	if (parent_fd < 0)
		return -errno;
	r = make_dir(parent_fd, name);
	if (r < 0)
		return r;
	w.keep = keep;
	w.parent_fd = TAKE_FD(parent_fd);
	w.dfd = openat(w.parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = w.dfd < 0 ? -errno : workdir_names(&w, tmpdir, name, in_ext, out_ext);
	if (r < 0) {
		(void)unlinkat(w.parent_fd, name, AT_REMOVEDIR);
		workdir_free(&w);
		return r;
	}
	if (!keep) {
		registered_parent_fd = -1;
		memcpy(registered_name, name, sizeof(name));
		registered_parent_fd = w.parent_fd;
	}
	*ret = w;
	return 0;
}

int workdir_create_file(const struct workdir *w, const char *name)
{
	int fd = openat(w->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	return fd < 0 ? -errno : fd;
}

/* Open a result for reading: a regular file with one link, owned by us.
 * O_NONBLOCK: opening a FIFO left in place of a result must not hang. */
static int open_result(const struct workdir *w, const char *name)
{
	_cleanup_close_ int fd = openat(w->dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
					O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid())
		return -EPERM;
	return TAKE_FD(fd);
}

int workdir_check(const struct workdir *w, const char *name)
{
	int fd = open_result(w, name);

	if (fd < 0)
		return fd;
	safe_close(fd);
	return 0;
}

int workdir_read(const struct workdir *w, const char *name, size_t max, struct buf *out)
{
	_cleanup_close_ int fd = open_result(w, name);
	_cleanup_free_ char *data = NULL;
	size_t len;
	int r;

	if (fd < 0)
		return fd;
	r = read_fd_max(fd, max, &data, &len);
	return r < 0 ? r : buf_append(out, data, len);
}

/* Empty the directory @dfd (taken over and closed), descending into
 * subdirectories through fds only. */
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
		if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno != EISDIR)
			continue;
		if (depth >= REMOVE_MAX_DEPTH) {
			log_warning("job directory nested deeper than %u levels; leaving '%s'",
				    REMOVE_MAX_DEPTH, de->d_name);
			continue;
		}
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		remove_entries(sub, depth + 1);
		(void)unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

#define SIGNAL_REMOVE_MAX_ROUNDS 65536u

/* One pass over directory @fd (taken over and closed): remove what can be
 * removed; a non-empty subdirectory is entered instead (its parent's
 * listing dropped), for the caller to start again from the top. */
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
			    unlinkat(fd, name, AT_REMOVEDIR) == 0 ||
			    (errno != ENOTEMPTY && errno != EEXIST))
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

/* remove_entries() needs readdir() and recursion, neither safe in a signal
 * handler: this removes @name under @parent_fd iteratively, with one fd and
 * a static buffer, through async-signal-safe calls only (openat,
 * getdents64, unlinkat, close), never following a symlink; bounded work. */
void workdir_remove_on_signal(void)
{
	int parent_fd = registered_parent_fd;

	for (unsigned round = 0; parent_fd >= 0 && round < SIGNAL_REMOVE_MAX_ROUNDS; round++) {
		int fd;

		if (unlinkat(parent_fd, registered_name, AT_REMOVEDIR) == 0 ||
		    (errno != ENOTEMPTY && errno != EEXIST))
			return;
		fd = openat(parent_fd, registered_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return;
		remove_pass(fd);
	}
}

void workdir_done(struct workdir *w)
{
	if (!w->dir)
		return;         /* never created (a zeroed struct owns no fds) */
	registered_parent_fd = -1;
	if (w->keep)
		log_info("keeping job directory '%s' (DISTCC_SAVE_TEMPS)", w->dir);
	else {
		remove_entries(TAKE_FD(w->dfd), 0);
		if (unlinkat(w->parent_fd, str_basename(w->dir), AT_REMOVEDIR) < 0)
			log_debug_errno(errno, "cannot remove '%s': %m", w->dir);
	}
	workdir_free(w);
}
