/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File versions for the include server. Reads each version once, scans it
 * once, compresses it at most once; a cache file is written under a fresh
 * name per version and never rewritten, so a reader never sees it change.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "io.h"
#include "lzo.h"
#include "macro.h"
#include "incfiles.h"

#define RACY_NSEC (2ll * 1000000000ll)

struct incdef_refs {
	size_t n, cap;
	struct incdef_ref *v;
};

static void refs_free(void *p)
{
	struct incdef_refs *d = p;

	if (d)
		free(d->v);
	free(d);
}

static int index_add(struct incfiles *fs, struct incfile *f)
{
	for (size_t i = 0; i < f->scan.ndef; i++) {
		const struct incscan_define *def = &f->scan.def[i];
		struct incdef_refs *d = strmap_get(&fs->defindex, def->name);
		int r;

		if (!d) {
			d = calloc(1, sizeof(*d));
			r = d ? strmap_put(&fs->defindex, def->name, d, NULL) : -ENOMEM;
			if (r < 0) {
				free(d);
				return r;
			}
		}
		if (d->n == d->cap) {
			size_t ncap = d->cap ? d->cap * 2 : 2;
			struct incdef_ref *nv = realloc(d->v, ncap * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			d->v = nv;
			d->cap = ncap;
		}
		d->v[d->n++] = (struct incdef_ref){ .f = f, .d = def };
	}
	return 0;
}

static void index_remove(struct incfiles *fs, struct incfile *f)
{
	for (size_t i = 0; i < f->scan.ndef; i++) {
		struct incdef_refs *d = strmap_get(&fs->defindex, f->scan.def[i].name);

		for (size_t k = 0; d && k < d->n;)
			if (d->v[k].f == f)
				d->v[k] = d->v[--d->n];
			else
				k++;
	}
}

void incfiles_defs(struct incfiles *fs, const char *name, const struct incdef_ref **ret, size_t *n)
{
	struct incdef_refs *d = strmap_get(&fs->defindex, name);

	*ret = d ? d->v : NULL;
	*n = d ? d->n : 0;
}

static void incfile_drop(struct incfiles *fs, struct incfile *f)
{
	if (!f)
		return;
	if (fs)
		index_remove(fs, f);
	incscan_result_free(&f->scan);
	free(f->cache_path);
	free(f);
}

static void incfile_free_void(void *p)
{
	incfile_drop(NULL, p);
}

int incfiles_init(struct incfiles *fs, const char *cache_dir, size_t max_bytes)
{
	*fs = (struct incfiles){ .max_bytes = max_bytes };
	fs->cache_dir = strdup(cache_dir);
	return fs->cache_dir ? 0 : -ENOMEM;
}

void incfiles_end_request(struct incfiles *fs)
{
	while (fs->retired) {
		struct incfile *f = fs->retired;

		fs->retired = f->retired_next;
		incfile_drop(fs, f);
	}
}

void incfiles_done(struct incfiles *fs)
{
	incfiles_end_request(fs);
	strmap_clear(&fs->defindex, refs_free);
	strmap_clear(&fs->map, incfile_free_void);
	free(fs->cache_dir);
	free(fs->empty_path);
	*fs = (struct incfiles){ 0 };
}

void incfiles_begin_request(struct incfiles *fs)
{
	fs->gen++;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static bool same_stat(const struct incfile *f, const struct stat *st)
{
	return f->dev == st->st_dev && f->ino == st->st_ino && f->size == st->st_size &&
	       f->mtime.tv_sec == st->st_mtim.tv_sec && f->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       f->ctime.tv_sec == st->st_ctim.tv_sec && f->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* Too recent to trust: a write in the same timestamp tick would not show. */
static bool is_racy(const struct stat *st)
{
	struct timespec now;
	long long m, c, n;

	clock_gettime(CLOCK_REALTIME, &now);
	m = (long long)st->st_mtim.tv_sec * 1000000000ll + st->st_mtim.tv_nsec;
	c = (long long)st->st_ctim.tv_sec * 1000000000ll + st->st_ctim.tv_nsec;
	n = (long long)now.tv_sec * 1000000000ll + now.tv_nsec;
	return m >= n - RACY_NSEC || c >= n - RACY_NSEC;
}

static void set_stat(struct incfile *f, const struct stat *st)
{
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime = st->st_mtim;
	f->ctime = st->st_ctim;
	f->racy = is_racy(st);
}

/* LZO1X-1 of @data into a new cache file; an empty file is 11 00 00. */
static int write_cache(struct incfiles *fs, struct incfile *f, const char *data, size_t n)
{
	_cleanup_(buf_free) struct buf z = BUF_INIT(SIZE_MAX / 2);
	_cleanup_close_ int fd = -EBADF;
	char path[PATH_MAX];
	int r;

	if (n == 0)
		r = buf_append(&z, "\x11\x00\x00", 3);
	else
		r = lzo_compress_append(&z, data, n);
	if (r < 0)
		return r;
	/* a fresh name, written before any reply names it: no temp + rename */
	for (int tries = 0; fd < 0; tries++) {
		if (snprintf(path, sizeof(path), "%s/%llu.lzo", fs->cache_dir,
			     (unsigned long long)++fs->seq) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && (errno != EEXIST || tries > 1000))
			return -errno;
	}
	r = xwrite_all(fd, z.data, z.len, USEC_INFINITY);
	if (r < 0) {
		unlink(path);
		return r;
	}
	f->cache_path = strdup(path);
	fs->compressions++;
	return f->cache_path ? 0 : -ENOMEM;
}

/* Read @path; a new version (or the same content under a new stat). */
static int load(struct incfiles *fs, const char *key, const char *path, const struct stat *st,
		struct incfile *old, bool ship, struct incfile **ret)
{
	_cleanup_free_ char *data = NULL;
	struct incfile *f = NULL;
	size_t n;
	uint64_t h;
	int r;

	r = read_file_max(path, fs->max_bytes, &data, &n);
	if (r < 0)
		return r;
	fs->reads++;
	h = hash_bytes(data, n);
	if (old && old->hash == h && (size_t)old->size == n) {
		set_stat(old, st);
		old->gen = fs->gen;
		if (ship && !old->cache_path && (r = write_cache(fs, old, data, n)) < 0)
			return r;
		*ret = old;
		return 0;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	r = incscan_scan(data, n, &f->scan);
	if (r >= 0 && ship)
		r = write_cache(fs, f, data, n);
	if (r >= 0)
		r = index_add(fs, f);
	if (r >= 0)
		r = strmap_put(&fs->map, key, f, NULL);
	if (r < 0) {
		incfile_drop(fs, f);
		return r;
	}
	set_stat(f, st);
	f->size = (off_t)n;
	f->hash = h;
	f->gen = fs->gen;
	if (old) {
		old->retired_next = fs->retired;
		fs->retired = old;
	}
	*ret = f;
	return 0;
}

void incfiles_changed(struct incfiles *fs, const char *key)
{
	struct incfile *f;
	size_t i = 0;
	void *v;

	if (key) {
		f = strmap_get(&fs->map, key);
		if (f)
			f->armed = false;
		return;
	}
	while (strmap_next(&fs->map, &i, NULL, &v))
		((struct incfile *)v)->armed = false;
}

int incfiles_get(struct incfiles *fs, const char *key, const char *path, bool ship, bool watched,
		 struct incfile **ret)
{
	struct incfile *f = strmap_get(&fs->map, key);
	struct stat st;
	int r;

	if (f && (f->gen == fs->gen || f->armed) && (!ship || f->cache_path)) {
		f->gen = fs->gen;
		*ret = f;
		return 0;
	}
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (f && same_stat(f, &st) && !f->racy && (!ship || f->cache_path)) {
		f->gen = fs->gen;
		f->armed = watched;
		*ret = f;
		return 0;
	}
	r = load(fs, key, path, &st, f, ship, ret);
	if (r >= 0)
		(*ret)->armed = watched && !(*ret)->racy;
	return r;
}

int incfiles_empty(struct incfiles *fs, const char **ret)
{
	struct incfile f = { 0 };
	int r;

	if (!fs->empty_path) {
		r = write_cache(fs, &f, "", 0);
		if (r < 0)
			return r;
		fs->empty_path = f.cache_path;
	}
	*ret = fs->empty_path;
	return 0;
}
