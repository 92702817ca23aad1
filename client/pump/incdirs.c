/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Directory listing cache. Listings are trusted only while the directory's
 * stat is unchanged and was not racily recent when read; stat results for
 * single paths live for one request.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "incdirs.h"

#define RACY_NSEC (2ll * 1000000000ll)

struct incdir {
	int err;                    /* stat/opendir error, this generation */
	dev_t dev;
	ino_t ino;
	struct timespec mtime, ctime;
	bool listed, racy;
	unsigned gen;
	struct strmap names;        /* name -> (void *)(uintptr_t)(d_type + 1) */
};

static void incdir_free(void *p)
{
	struct incdir *e = p;

	if (e)
		strmap_clear(&e->names, NULL);
	free(e);
}

void incdirs_init(struct incdirs *d)
{
	*d = (struct incdirs){ 0 };
}

void incdirs_done(struct incdirs *d)
{
	strmap_clear(&d->dirs, incdir_free);
	strmap_clear(&d->stats, NULL);
}

void incdirs_begin_request(struct incdirs *d)
{
	d->gen++;
	strmap_clear(&d->stats, NULL);
}

static bool recent(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (long long)t->tv_sec * 1000000000ll + t->tv_nsec >=
	       (long long)now.tv_sec * 1000000000ll + now.tv_nsec - RACY_NSEC;
}

static int list(struct incdirs *d, struct incdir *e, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;
	struct dirent *de;
	int r = 0;

	strmap_clear(&e->names, NULL);
	e->listed = false;
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r >= 0 && (errno = 0, de = readdir(dir)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = strmap_put(&e->names, de->d_name, (void *)(uintptr_t)(de->d_type + 1u),
				       NULL);
	if (r >= 0 && errno)
		r = -errno;
	closedir(dir);
	if (r < 0)
		return r;
	d->listings++;
	e->listed = true;
	return 0;
}

/* The listing of @path, revalidated once per request. */
static int get_dir(struct incdirs *d, const char *path, struct incdir **ret)
{
	struct incdir *e = strmap_get(&d->dirs, path);
	struct stat st;
	int r;

	if (!e) {
		e = calloc(1, sizeof(*e));
		r = e ? strmap_put(&d->dirs, path, e, NULL) : -ENOMEM;
		if (r < 0) {
			free(e);
			return r;
		}
		e->gen = d->gen - 1;
	}
	if (e->gen != d->gen) {
		e->gen = d->gen;
		d->stat_calls++;
		if (stat(path, &st) < 0)
			e->err = errno;
		else if (!S_ISDIR(st.st_mode))
			e->err = ENOTDIR;
		else if (e->listed && !e->racy && e->dev == st.st_dev && e->ino == st.st_ino &&
			 e->mtime.tv_sec == st.st_mtim.tv_sec && e->mtime.tv_nsec == st.st_mtim.tv_nsec &&
			 e->ctime.tv_sec == st.st_ctim.tv_sec && e->ctime.tv_nsec == st.st_ctim.tv_nsec)
			e->err = 0;
		else {
			e->dev = st.st_dev;
			e->ino = st.st_ino;
			e->mtime = st.st_mtim;
			e->ctime = st.st_ctim;
			e->racy = recent(&st.st_mtim) || recent(&st.st_ctim);
			r = list(d, e, path);
			if (r == -ENOMEM)
				return r;
			e->err = r < 0 ? -r : 0;
		}
	}
	if (e->err)
		return -e->err;
	*ret = e;
	return 0;
}

/* stat() of @path, once per request: its mode, or 0 if it does not exist. */
static int stat_mode(struct incdirs *d, const char *path, mode_t *ret)
{
	struct stat st;

	if (!strmap_contains(&d->stats, path)) {
		uintptr_t m = 0;
		int r;

		d->stat_calls++;
		if (stat(path, &st) == 0)
			m = (uintptr_t)st.st_mode;
		r = strmap_put(&d->stats, path, (void *)m, NULL);
		if (r < 0)
			return r;
	}
	*ret = (mode_t)(uintptr_t)strmap_get(&d->stats, path);
	return 0;
}

int incdirs_type(struct incdirs *d, const char *dir, const char *name, unsigned char *ret)
{
	struct incdir *e = NULL;
	uintptr_t v;
	int r = get_dir(d, dir, &e);

	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	v = (uintptr_t)strmap_get(&e->names, name);
	if (v == 0)
		return -ENOENT;
	if (v - 1 == DT_UNKNOWN) {
		_cleanup_free_ char *p = NULL;
		struct stat st;

		if (asprintf(&p, "%s/%s", dir, name) < 0)
			return -ENOMEM;
		d->stat_calls++;
		if (lstat(p, &st) < 0)
			return -errno;
		*ret = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR :
		       S_ISREG(st.st_mode) ? DT_REG : DT_CHR;
		return 0;
	}
	*ret = (unsigned char)(v - 1);
	return 0;
}

int incdirs_is_file(struct incdirs *d, const char *path, bool *ret)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir = NULL;
	unsigned char t;
	mode_t m;
	int r;

	*ret = false;
	if (!slash || !slash[1] || strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
		return 0;
	dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	r = incdirs_type(d, dir, slash + 1, &t);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return r;
	if (t == DT_REG || t == DT_DIR) {
		*ret = t == DT_REG;
		return 0;
	}
	r = stat_mode(d, path, &m);
	if (r < 0)
		return r;
	*ret = m != 0 && !S_ISDIR(m);
	return 0;
}
