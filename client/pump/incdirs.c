/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Directory listing cache. A listing is "armed" once it was read after an
 * inotify watch was in place: from then on only events can change it (an
 * entry created or removed updates it, anything touching a directory that
 * paths go through drops every cached state). Unarmed listings are
 * revalidated by stat once per request; a missing directory is known
 * missing from its armed parent's listing without a system call.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "incdirs.h"

#define RACY_NSEC (2ll * 1000000000ll)
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | \
		    IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct incdir {
	const char *path;           /* the map's key */
	int err;                    /* stat/opendir error, this generation */
	dev_t dev;
	ino_t ino;
	struct timespec mtime, ctime;
	bool listed, racy;
	bool armed;                 /* watched since it was listed: trusted without stat */
	int wd;                     /* inotify watch, -1 none */
	unsigned gen;
	struct strmap names;        /* name -> (void *)(uintptr_t)(d_type + 1); NULL: absent */
};

/* The path strings that name one watched inode. */
struct incdir_aliases {
	struct incdir **v;
	size_t n;
};

static void incdir_free(void *p)
{
	struct incdir *e = p;

	if (e)
		strmap_clear(&e->names, NULL);
	free(e);
}

static void aliases_free(void *p)
{
	struct incdir_aliases *a = p;

	if (a)
		free(a->v);
	free(a);
}

void incdirs_init(struct incdirs *d, bool watch)
{
	*d = (struct incdirs){ .ifd = -1 };
	if (watch)
		d->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

void incdirs_done(struct incdirs *d)
{
	strmap_clear(&d->wds, aliases_free);
	strmap_clear(&d->dirs, incdir_free);
	strmap_clear(&d->stats, NULL);
	if (d->ifd >= 0)
		close(d->ifd);
	d->ifd = -1;
}

/* Forget every watch and every armed listing: all is revalidated by stat. */
static void invalidate_all(struct incdirs *d, incdirs_changed_fn changed, void *userdata)
{
	size_t i = 0;
	void *v;

	while (strmap_next(&d->dirs, &i, NULL, &v)) {
		struct incdir *e = v;

		if (e->wd >= 0 && d->ifd >= 0)
			inotify_rm_watch(d->ifd, e->wd);
		e->armed = false;
		e->wd = -1;
	}
	strmap_clear(&d->wds, aliases_free);
	d->invalidations++;
	if (changed)
		changed(userdata, NULL);
}

/* Does any known directory's path go through @prefix (a dir entry)? */
static bool is_path_component(struct incdirs *d, const char *prefix)
{
	size_t n = strlen(prefix), i = 0;
	const char *k;

	while (strmap_next(&d->dirs, &i, &k, NULL))
		if (strncmp(k, prefix, n) == 0 && (k[n] == '/' || k[n] == 0))
			return true;
	return false;
}

/* One named event in the directory @a names. false: give up on details. */
static bool apply_entry_event(struct incdirs *d, struct incdir_aliases *a,
			      const struct inotify_event *ev, incdirs_changed_fn changed,
			      void *userdata)
{
	bool entry = ev->mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO);
	char p[PATH_MAX];

	for (size_t k = 0; k < a->n; k++) {
		struct incdir *e = a->v[k];

		if ((size_t)snprintf(p, sizeof(p), "%s/%s", strcmp(e->path, "/") ? e->path : "",
				     ev->name) >= sizeof(p))
			return false;
		if (entry && ((ev->mask & IN_ISDIR) || is_path_component(d, p)))
			return false;
		if (entry && strmap_put(&e->names, ev->name,
					ev->mask & (IN_CREATE | IN_MOVED_TO) ?
					(void *)(uintptr_t)(DT_UNKNOWN + 1) : NULL, NULL) < 0)
			return false;
		if (changed)
			changed(userdata, p);
	}
	return true;
}

static void drain(struct incdirs *d, incdirs_changed_fn changed, void *userdata)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t n = read(d->ifd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				invalidate_all(d, changed, userdata);
			return;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			char key[16];
			struct incdir_aliases *a;

			p += sizeof(*ev) + ev->len;
			d->events++;
			snprintf(key, sizeof(key), "%d", ev->wd);
			a = strmap_get(&d->wds, key);
			if (ev->mask & IN_Q_OVERFLOW ||
			    (a && ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED)) ||
			    (a && ev->len && !apply_entry_event(d, a, ev, changed, userdata))) {
				invalidate_all(d, changed, userdata);
				return;   /* the rest of the queue no longer matters */
			}
		}
	}
}

void incdirs_begin_request(struct incdirs *d, incdirs_changed_fn changed, void *userdata)
{
	d->gen++;
	strmap_clear(&d->stats, NULL);
	if (d->ifd >= 0)
		drain(d, changed, userdata);
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

/* ".." makes a path depend on a directory it does not name: never armed. */
static bool has_dotdot(const char *path)
{
	size_t n = strlen(path);

	return strstr(path, "/../") || (n >= 3 && strcmp(path + n - 3, "/..") == 0);
}

/* Filesystems whose every change inotify reports (local ones). */
static bool watchable(const char *path)
{
	static const long ok[] = {
		0xEF53,        /* ext2/3/4 */      0x58465342,    /* xfs */
		0x9123683E,    /* btrfs */         0x01021994,    /* tmpfs */
		0x794c7630,    /* overlayfs */     0xF2F52010,    /* f2fs */
		0x858458f6,    /* ramfs */         0x52654973,    /* reiserfs */
		0x3153464a,    /* jfs */           0x2fc12fc1,    /* zfs */
	};
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(ok); i++)
		if ((long)sf.f_type == ok[i])
			return true;
	return false;
}

/* Watch @e's directory before it is listed, so no change can fall between. */
static int watch(struct incdirs *d, struct incdir *e)
{
	struct incdir_aliases *a;
	struct incdir **nv;
	char key[16];
	int wd, r;

	if (d->ifd < 0 || e->wd >= 0 || has_dotdot(e->path) || !watchable(e->path))
		return 0;
	wd = inotify_add_watch(d->ifd, e->path, WATCH_MASK);
	if (wd < 0)
		return 0;          /* out of watches: stat as without inotify */
	snprintf(key, sizeof(key), "%d", wd);
	a = strmap_get(&d->wds, key);
	if (!a) {
		a = calloc(1, sizeof(*a));
		r = a ? strmap_put(&d->wds, key, a, NULL) : -ENOMEM;
		if (r < 0) {
			free(a);
			return r;
		}
	}
	nv = realloc(a->v, (a->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	a->v = nv;
	a->v[a->n++] = e;
	e->wd = wd;
	return 0;
}

/* A directory known missing from its parent's armed listing. */
static bool absent_in_parent(struct incdirs *d, const char *path);

static int get_dir(struct incdirs *d, const char *path, struct incdir **ret);

static bool absent_in_parent(struct incdirs *d, const char *path)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	struct incdir *p = NULL;
	int r;

	if (!slash || slash == path || !slash[1] || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0 || (size_t)(slash - path) >= sizeof(parent))
		return false;
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = 0;
	r = get_dir(d, parent, &p);
	if (r == -ENOENT || r == -ENOTDIR)
		return true;
	return r >= 0 && p->armed && !strmap_get(&p->names, slash + 1);
}

/* Armed only under an armed parent: a rename or a retargeted symlink
 * anywhere above is then an event too. */
static bool parent_armed(struct incdirs *d, const char *path)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX];
	struct incdir *p = NULL;
	size_t n;

	if (strcmp(path, "/") == 0)
		return true;
	if (!slash)
		return false;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(parent) || !slash[1])
		return false;
	memcpy(parent, path, n);
	parent[n] = 0;
	return get_dir(d, parent, &p) >= 0 && p->armed;
}

static void check_dir(struct incdirs *d, struct incdir *e)
{
	struct stat st;
	int r;

	if (absent_in_parent(d, e->path)) {
		e->err = ENOENT;
		return;
	}
	r = watch(d, e);
	if (r < 0) {
		e->err = -r;
		return;
	}
	d->stat_calls++;
	if (stat(e->path, &st) < 0)
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
		r = list(d, e, e->path);
		e->err = r < 0 ? -r : 0;
	}
	e->armed = e->err == 0 && e->listed && e->wd >= 0 && parent_armed(d, e->path);
}

/* The listing of @path, revalidated once per request unless armed. */
static int get_dir(struct incdirs *d, const char *path, struct incdir **ret)
{
	struct incdir *e = strmap_get(&d->dirs, path);
	int r;

	if (!e) {
		e = calloc(1, sizeof(*e));
		r = e ? strmap_put(&d->dirs, path, e, NULL) : -ENOMEM;
		if (r < 0) {
			free(e);
			return r;
		}
		e->path = strmap_key(&d->dirs, path);
		e->wd = -1;
		e->gen = d->gen - 1;
	}
	if (e->gen != d->gen) {
		e->gen = d->gen;
		if (!e->armed)
			check_dir(d, e);
	}
	if (e->err)
		return -e->err;
	*ret = e;
	return 0;
}

bool incdirs_watches(struct incdirs *d, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct incdir *e;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return false;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash == path ? 1 : slash - path] = 0;
	if (slash == path)
		dir[0] = '/';
	e = strmap_get(&d->dirs, dir);
	return e && e->armed && e->gen == d->gen;
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
