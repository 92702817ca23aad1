/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Include closure. A node is a file as the compiler would open it: the path
 * string it forms, where in the search chain it was found (for
 * #include_next) and whether that path lies under the server's per-job root
 * (a "user" path, shipped) or is one of the compiler's own directories (not
 * shipped, only scanned). Paths under the root are resolved component by
 * component as the kernel does, recording each symlink met, so the server
 * can rebuild the same names. Nothing here talks to a socket.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "macro.h"
#include "strv.h"
#include "incexpand.h"
#include "incclosure.h"

#define MAX_SYMLINKS 40
#define MAX_PASSES 8
#define FORCE_DIR_FILE ".distcc-pump-dir"
#define IDX_OWN_DIR (-1)   /* found in its includer's directory */
#define IDX_NONE (-2)      /* the source, -include files, absolute names */

struct dir {
	char *path;                 /* absolute, as the compiler forms it */
	bool user;                  /* under the server's root: shipped */
	bool sys;                   /* -isystem, -idirafter or a default dir */
	dev_t dev;
	ino_t ino;
};

struct lst {
	int err;
	mode_t mode;
	char *link;                 /* readlink() text for symlinks */
};

struct defvec {
	const struct incscan_define **v;
	size_t n, cap;
	size_t nfiles;              /* files of the closure it was gathered from */
	struct defvec *old;         /* superseded ones, kept: callers may hold them */
};

struct node {
	const char *path;
	int idx;
	bool user;
};

struct pending {
	const struct incscan_include *inc;    /* in a scan kept alive for the request */
	char *path;                 /* the includer, as a node */
	int idx;
	bool user;
	size_t evaluated_at;        /* nfiles when last expanded; SIZE_MAX: not yet */
	bool unresolved;
};

struct walk {
	struct incfiles *fs;
	struct incdirs *dirs;
	const struct incclosure_input *in;
	struct dir *chain;
	size_t nchain, nquote;
	char **sys_real;            /* realpaths of non-user default dirs */
	char *sysroot;              /* realpath of --sysroot, or NULL */
	struct strmap lstats;       /* path -> struct lst */
	struct strmap visited;      /* node key */
	struct strmap emitted;      /* NAME */
	struct strmap must_dirs;    /* real dirs that must exist on the server */
	size_t nfiles;              /* files in the closure (each marked with closure_gen) */
	struct strmap macros;       /* name -> struct defvec, gathered on demand */
	struct incscan_result cmdline;
	struct pending *pend;       /* computed includes, expanded once the walk is done */
	size_t npend, cappend;
	struct strmap pend_keys;
	struct strmap found;        /* search memo: key -> struct found */
	int lookup_error;
	struct incserver_entry *v;
	size_t n, cap;
	char *why;
};

static int not_covered(struct walk *w, const char *fmt, const char *arg)
{
	if (!w->why && asprintf(&w->why, fmt, arg) < 0) {
		w->why = NULL;
		return -ENOMEM;
	}
	return -ECANCELED;
}

static char *path_join(const char *dir, const char *name)
{
	char *p;

	if (name[0] == '/')
		return strdup(name);
	if (asprintf(&p, "%s%s%s", dir, str_has_suffix(dir, "/") ? "" : "/", name) < 0)
		return NULL;
	return p;
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');

	if (!s)
		return strdup(".");
	if (s == path)
		return strdup("/");
	return strndup(path, (size_t)(s - path));
}

static void lst_free(void *p)
{
	struct lst *l = p;

	if (l)
		free(l->link);
	free(l);
}

/* What the entry @path is (not following it), from the directory listing
 * of its parent @dir; symlinks read once per request. */
static int lst_get(struct walk *w, const char *dir, const char *path, const struct lst **ret)
{
	struct lst *l = strmap_get(&w->lstats, path);
	unsigned char t;
	int r;

	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l)
			return -ENOMEM;
		r = incdirs_type(w->dirs, dir[0] ? dir : "/", strrchr(path, '/') + 1, &t);
		if (r == -ENOMEM) {
			free(l);
			return r;
		}
		if (r < 0)
			l->err = -r;
		else if (t == DT_LNK) {
			char buf[PATH_MAX];
			ssize_t k = readlink(path, buf, sizeof(buf) - 1);

			l->mode = S_IFLNK;
			if (k <= 0)
				l->err = k < 0 ? errno : EINVAL;
			else if (!(l->link = strndup(buf, (size_t)k))) {
				free(l);
				return -ENOMEM;
			}
		} else
			l->mode = t == DT_DIR ? S_IFDIR : t == DT_REG ? S_IFREG : S_IFCHR;
		r = strmap_put(&w->lstats, path, l, NULL);
		if (r < 0) {
			lst_free(l);
			return r;
		}
	}
	*ret = l;
	return 0;
}

static int is_file(struct walk *w, const char *path, bool *ret)
{
	return incdirs_is_file(w->dirs, path, ret);
}

static int emit(struct walk *w, const char *name, enum incserver_kind kind, const char *val)
{
	struct incserver_entry e = { .kind = kind };
	int r;

	if (strmap_contains(&w->emitted, name))
		return 0;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 64;
		struct incserver_entry *nv = realloc(w->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		w->v = nv;
		w->cap = ncap;
	}
	e.name = strdup(name);
	e.path = strdup(val);
	r = e.name && e.path ? strmap_put(&w->emitted, name, (void *)1, NULL) : -ENOMEM;
	if (r < 0) {
		free(e.name);
		free(e.path);
		return r;
	}
	w->v[w->n++] = e;
	return 0;
}

/* An absolute symlink target as a relative one that climbs exactly to the
 * root first: it resolves the same here and under the server's job root. */
static char *link_text(const char *link_path, const char *target)
{
	_cleanup_(buf_free) struct buf b = BUF_INIT(PATH_MAX * 2);
	size_t depth = 0;
	int r = 0;

	if (target[0] != '/')
		return strdup(target);
	for (const char *p = link_path + 1; *p; p++)
		depth += *p == '/';
	for (size_t i = 0; i < depth && r >= 0; i++)
		r = buf_append_str(&b, "../");
	while (*target == '/')
		target++;
	if (r >= 0)
		r = buf_append_str(&b, *target ? target : ".");
	return r < 0 ? NULL : buf_steal(&b);
}

struct resolver {
	struct buf real;            /* the real path so far ("" is "/") */
	char *rest;                 /* what is left to walk */
	unsigned links;
	bool ship;
};

/* "..": up from the real directory, which must then exist on the server. */
static int step_up(struct walk *w, struct resolver *z)
{
	char *p = strrchr((char *)z->real.data, '/');
	int r = 0;

	if (!p)
		return -EXDEV;
	if (z->ship)
		r = strmap_put(&w->must_dirs, (char *)z->real.data, (void *)1, NULL);
	z->real.len = (size_t)(p - (char *)z->real.data);
	z->real.data[z->real.len] = 0;
	return r;
}

/* A symlink at z->real (its parent ended at @at): emitted as LINK, and
 * the walk goes on through its target. */
static int step_link(struct walk *w, struct resolver *z, const struct lst *l, const char *tail,
		     size_t at)
{
	char *rest;

	if (++z->links > MAX_SYMLINKS)
		return -ELOOP;
	if (z->ship) {
		_cleanup_free_ char *text = link_text((char *)z->real.data, l->link);
		int r = text ? emit(w, (char *)z->real.data, INCSERVER_LINK, text) : -ENOMEM;

		if (r < 0)
			return r;
	}
	if (asprintf(&rest, "%s%s", l->link, tail) < 0)
		return -ENOMEM;
	free(z->rest);
	z->rest = rest;
	z->real.len = l->link[0] == '/' ? 0 : at;
	z->real.data[z->real.len] = 0;
	return 0;
}

/* One component @comp (@clen bytes) followed by @tail. */
static int step(struct walk *w, struct resolver *z, const char *comp, size_t clen, char **tail)
{
	_cleanup_free_ char *parent = strndup((char *)z->real.data, z->real.len);
	size_t at = z->real.len;
	const struct lst *l;
	int r;

	if (!parent)
		return -ENOMEM;
	if (clen == 1 && comp[0] == '.')
		r = 0;
	else if (clen == 2 && comp[0] == '.' && comp[1] == '.')
		r = step_up(w, z);
	else {
		r = buf_append(&z->real, "/", 1);
		if (r >= 0)
			r = buf_append(&z->real, comp, clen);
		if (r >= 0)
			r = lst_get(w, parent, (char *)z->real.data, &l);
		if (r >= 0 && l->err)
			r = -l->err;
		if (r >= 0 && S_ISLNK(l->mode))
			return step_link(w, z, l, *tail, at);
		if (r >= 0 && (*tail)[0] && !S_ISDIR(l->mode))
			r = -ENOTDIR;
	}
	if (r >= 0) {
		free(z->rest);
		z->rest = TAKE_PTR(*tail);
	}
	return r;
}

/* Resolve @path (absolute) as the kernel does, component by component.
 * With @ship, every symlink met becomes a LINK entry and every directory
 * left through ".." must exist on the server. *ret_real: the real path.
 * -EXDEV when ".." would climb above "/" (above the job root there). */
static int resolve(struct walk *w, const char *path, bool ship, char **ret_real)
{
	struct resolver z = { .real = BUF_INIT(PATH_MAX * 4), .rest = strdup(path), .ship = ship };
	int r = z.rest ? buf_terminate(&z.real) : -ENOMEM;

	while (r >= 0 && z.rest[0]) {
		char *comp = z.rest, *slash;
		_cleanup_free_ char *tail = NULL;

		while (*comp == '/')
			comp++;
		if (!*comp)
			break;
		slash = strchr(comp, '/');
		tail = strdup(slash ? slash : "");
		r = tail ? step(w, &z, comp, slash ? (size_t)(slash - comp) : strlen(comp), &tail)
			 : -ENOMEM;
	}
	if (r >= 0) {
		*ret_real = z.real.len ? buf_steal(&z.real) : strdup("/");
		r = *ret_real ? 0 : -ENOMEM;
	}
	buf_free(&z.real);
	free(z.rest);
	return r;
}

static void defvec_free(void *p)
{
	struct defvec *d = p;

	while (d) {
		struct defvec *o = d->old;

		free(d->v);
		free(d);
		d = o;
	}
}

static int defvec_add(struct defvec *d, const struct incscan_define *const *v, size_t n)
{
	if (n == 0)
		return 0;
	if (d->n + n > d->cap) {
		size_t ncap = (d->n + n) * 2;
		const struct incscan_define **nv = realloc(d->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		d->v = nv;
		d->cap = ncap;
	}
	memcpy(d->v + d->n, v, n * sizeof(*v));
	d->n += n;
	return 0;
}

/* Every #define of @name in the files of the closure known so far and in
 * -D: gathered per name on first use, again when the closure has grown. */
static int gather_defs(struct walk *w, const char *name, struct defvec **ret)
{
	struct defvec *d = strmap_get(&w->macros, name), *n;
	const struct incdef_ref *refs;
	size_t nrefs;
	int r = 0;

	if (d && d->nfiles == w->nfiles) {
		*ret = d;
		return 0;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->nfiles = w->nfiles;
	for (size_t c = 0; c < w->cmdline.ndef && r >= 0; c++)
		if (strcmp(w->cmdline.def[c].name, name) == 0)
			r = defvec_add(n, (const struct incscan_define *const[]){ &w->cmdline.def[c] }, 1);
	incfiles_defs(w->fs, name, &refs, &nrefs);
	for (size_t k = 0; k < nrefs && r >= 0; k++)
		if (refs[k].f->closure_gen == w->fs->gen)
			r = defvec_add(n, &refs[k].d, 1);
	if (r >= 0)
		r = strmap_put(&w->macros, name, n, NULL);
	if (r < 0) {
		defvec_free(n);
		return r;
	}
	n->old = d;
	*ret = n;
	return 0;
}

static void lookup_macro(void *userdata, const char *name, const struct incscan_define *const **ret,
			 size_t *n)
{
	struct walk *w = userdata;
	struct defvec *d = NULL;
	int r = gather_defs(w, name, &d);

	if (r < 0)
		w->lookup_error = r;
	*ret = d ? d->v : NULL;
	*n = d ? d->n : 0;
}

static int visit(struct walk *w, const char *path, int idx, bool user);

/* Is @path (absolute) inside one of the compiler's own directories? */
static int under_system_dir(struct walk *w, const char *path, bool *ret)
{
	_cleanup_free_ char *real = realpath(path, NULL);

	*ret = false;
	if (!real)
		return errno == ENOMEM ? -ENOMEM : 0;
	for (char **d = w->sys_real; d && *d; d++) {
		size_t n = strlen(*d);

		if (strncmp(real, *d, n) == 0 && (real[n] == '/' || (n == 1 && real[0] == '/'))) {
			*ret = true;
			return 0;
		}
	}
	return 0;
}

static int absolute_include(struct walk *w, const char *name)
{
	bool file, sys;
	int r = is_file(w, name, &file);

	if (r < 0 || !file)
		return r;
	r = under_system_dir(w, name, &sys);
	if (r < 0)
		return r;
	if (!sys)
		return not_covered(w, "absolute include '%s' outside the compiler's directories",
				   name);
	return visit(w, name, IDX_NONE, false);
}

struct found {
	char *path;                 /* NULL: not found */
	int idx;
	bool user;
};

static void found_free(void *p)
{
	struct found *f = p;

	if (f)
		free(f->path);
	free(f);
}

/* Does @dir/@name exist as something the compiler opens? *ret gets the path. */
static int try_dir(struct walk *w, const char *dir, const char *name, char ret[PATH_MAX],
		   bool *found)
{
	size_t dl = strlen(dir), nl = strlen(name);

	if (dl + nl + 2 > PATH_MAX)
		return not_covered(w, "path too long: '%s'", name);
	memcpy(ret, dir, dl);
	if (dl == 0 || dir[dl - 1] != '/')
		ret[dl++] = '/';
	memcpy(ret + dl, name, nl + 1);
	return is_file(w, ret, found);
}

/* The first match of @name in @own_dir (the includer's directory, or
 * NULL), then in the chain from @start on. */
static int search_chain(struct walk *w, const char *own_dir, bool own_user, size_t start,
			const char *name, struct found *ret)
{
	char p[PATH_MAX];
	bool file = false;
	int idx = IDX_OWN_DIR, r = 0;

	if (own_dir)
		r = try_dir(w, own_dir, name, p, &file);
	for (size_t i = start; r >= 0 && !file && i < w->nchain; i++) {
		r = try_dir(w, w->chain[i].path, name, p, &file);
		idx = (int)i;
	}
	if (r < 0)
		return r;
	ret->path = file ? strdup(p) : NULL;
	ret->idx = idx;
	ret->user = idx == IDX_OWN_DIR ? own_user : w->chain[idx].user;
	return !file || ret->path ? 0 : -ENOMEM;
}

/* Search @name as the compiler does: first match wins. Memoized per
 * request on (kind, start, includer's directory, name). */
static int search(struct walk *w, const struct incscan_include *inc, const char *name,
		  enum incscan_kind kind, const struct node *from)
{
	size_t start = kind == INCSCAN_ANGLE ? w->nquote : 0;
	bool own_dir = kind == INCSCAN_QUOTE && from;
	_cleanup_(buf_free) struct buf key = BUF_INIT(PATH_MAX * 4);
	_cleanup_free_ char *dir = NULL;
	struct found *f;
	int r;

	if (name[0] == '/')
		return absolute_include(w, name);
	if (inc && inc->next && from && from->idx != IDX_NONE) {
		/* clang treats #include_next in a file found beside its includer
		 * as #include; gcc continues from the first quote dir: ship both */
		if (from->idx == IDX_OWN_DIR) {
			r = search(w, NULL, name, kind, from);
			if (r < 0)
				return r;
		}
		own_dir = false;
		start = from->idx == IDX_OWN_DIR ? 0 : (size_t)from->idx + 1;
	}
	if (own_dir && !(dir = dir_of(from->path)))
		return -ENOMEM;
	r = buf_printf(&key, "%zu%c%s|%s", start, own_dir ? (from->user ? 'u' : 's') : '-',
		       own_dir ? dir : "", name);
	if (r < 0)
		return r;
	f = strmap_get(&w->found, (char *)key.data);
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (!f)
			return -ENOMEM;
		r = search_chain(w, dir, own_dir && from->user, start, name, f);
		if (r >= 0)
			r = strmap_put(&w->found, (char *)key.data, f, NULL);
		if (r < 0) {
			found_free(f);
			return r;
		}
	}
	return f->path ? visit(w, f->path, f->idx, f->user) : 0;
}

/* The first identifier of @text, if it has no definition at all. */
static int first_ident_undefined(struct walk *w, const char *text, bool *ret)
{
	const char *b = text, *e;
	_cleanup_free_ char *id = NULL;
	struct defvec *d;
	int r;

	*ret = false;
	while (*b == ' ' || *b == '\t')
		b++;
	for (e = b; *e == '_' || (*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') ||
		    (e > b && *e >= '0' && *e <= '9'); e++)
		;
	if (e == b)
		return 0;
	id = strndup(b, (size_t)(e - b));
	if (!id)
		return -ENOMEM;
	r = gather_defs(w, id, &d);
	if (r >= 0)
		*ret = d->n == 0 && strcmp(id, "__FILE__") != 0 && strcmp(id, "__BASE_FILE__") != 0;
	return r;
}

/* #include MACRO over every value the macro may have. A macro without any
 * definition in the closure or -D can only be reached in a branch that
 * is never compiled (the compiler would reject the line), so it is
 * skipped; a defined one that gives no header name is not vouched for. */
static int expand_computed(struct walk *w, size_t k)
{
	struct pending p = w->pend[k];
	struct node from = { .path = p.path, .idx = p.idx, .user = p.user };
	struct incexpand_result res = { 0 };
	bool undefined, unresolved = false;
	int r;

	w->pend[k].evaluated_at = w->nfiles;
	r = incexpand_operand(p.inc->name, lookup_macro, w, &res);
	if (r >= 0 && w->lookup_error)
		r = w->lookup_error;
	if (r == -E2BIG)
		return not_covered(w, "computed include '%s' expands beyond the analysis' bounds",
				   p.inc->name);
	if (r < 0)
		return r;
	if (res.n == 0 && !p.inc->probe) {
		r = first_ident_undefined(w, p.inc->name, &undefined);
		unresolved = !undefined;
	}
	w->pend[k].unresolved = unresolved;
	for (size_t i = 0; i < res.n && r >= 0; i++)
		r = search(w, p.inc, res.v[i].name, res.v[i].kind, &from);
	incexpand_result_free(&res);
	return r;
}

/* Queued while walking: its macros may be defined in files not found yet. */
static int computed(struct walk *w, const struct incscan_include *inc, const struct node *from)
{
	char key[64];
	_cleanup_free_ char *k = NULL;
	int r;

	snprintf(key, sizeof(key), "%p|%d|%c|", (const void *)inc, from->idx, from->user ? 'u' : 's');
	k = malloc(strlen(key) + strlen(from->path) + 1);
	if (!k)
		return -ENOMEM;
	strcpy(stpcpy(k, key), from->path);
	if (strmap_contains(&w->pend_keys, k))
		return 0;
	r = strmap_put(&w->pend_keys, k, (void *)1, NULL);
	if (r < 0)
		return r;
	if (w->npend == w->cappend) {
		size_t ncap = w->cappend ? w->cappend * 2 : 8;
		struct pending *nv = realloc(w->pend, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		w->pend = nv;
		w->cappend = ncap;
	}
	w->pend[w->npend] = (struct pending){
		.inc = inc, .path = strdup(from->path), .idx = from->idx, .user = from->user,
		.evaluated_at = SIZE_MAX,
	};
	if (!w->pend[w->npend].path)
		return -ENOMEM;
	w->npend++;
	return 0;
}

static int follow_includes(struct walk *w, const struct incscan_result *scan, const struct node *n)
{
	int r = 0;

	for (size_t i = 0; i < scan->ninc && r >= 0; i++) {
		const struct incscan_include *inc = &scan->inc[i];

		if (inc->kind == INCSCAN_COMPUTED)
			r = computed(w, inc, n);
		else
			r = search(w, inc, inc->name, inc->kind, n);
	}
	return r;
}

static int visit(struct walk *w, const char *path, int idx, bool user)
{
	_cleanup_free_ char *key = NULL, *real = NULL;
	struct incfile *f;
	struct node n = { .path = path, .idx = idx, .user = user };
	int r;

	if (asprintf(&key, "%d%c%s", idx, user ? 'u' : 's', path) < 0)
		return -ENOMEM;
	if (strmap_contains(&w->visited, key))
		return 0;
	r = strmap_put(&w->visited, key, (void *)1, NULL);
	if (r < 0)
		return r;
	if (now_usec() > w->in->deadline)
		return not_covered(w, "%s", "the analysis took longer than its time budget");
	if (user) {
		r = resolve(w, path, true, &real);
		if (r == -EXDEV)
			return not_covered(w, "'%s' climbs above / (it would leave the job root)", path);
		if (r < 0)
			return not_covered(w, "cannot resolve '%s'", path);
	}
	r = incfiles_get(w->fs, user ? real : path, user ? real : path, user,
			 incdirs_watches(w->dirs, user ? real : path), &f);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return not_covered(w, "cannot read '%s'", path);
	if (user) {
		r = emit(w, real, INCSERVER_FILE, f->cache_path);
		if (r < 0)
			return r;
	}
	if (f->closure_gen != w->fs->gen) {
		f->closure_gen = w->fs->gen;
		w->nfiles++;
	}
	return follow_includes(w, &f->scan, &n);
}

static char *absolute(const char *cwd, const char *p)
{
	return path_join(cwd, p);
}

static bool is_dir(const char *path, struct stat *st)
{
	return stat(path, st) == 0 && S_ISDIR(st->st_mode);
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

/* Append @dirs to the chain from slot @from on; existing dirs only,
 * duplicates (same inode, same side of the root) dropped as the compiler
 * drops them. @user < 0: the compiler's defaults (shipped only when under
 * --sysroot, which the server roots like any path option). */
static int add_dirs(struct walk *w, char *const *dirs, int user, bool sys)
{
	for (size_t k = 0; dirs && dirs[k]; k++) {
		_cleanup_free_ char *p = absolute(w->in->cwd, dirs[k]);
		struct stat st;
		bool u = user > 0;
		int r = 0;

		if (!p)
			return -ENOMEM;
		if (!is_dir(p, &st))
			continue;
		if (user < 0) {
			const char *rp = w->in->default_real ? w->in->default_real[k] : NULL;

			u = w->sysroot && rp && *rp && strcmp(w->sysroot, "/") != 0 &&
			    under(rp, w->sysroot);
			if (!u && rp && *rp)
				r = strv_push(&w->sys_real, rp);
		}
		if (r >= 0 && u) {
			_cleanup_free_ char *real = NULL;

			r = resolve(w, p, true, &real);
			if (r >= 0)
				r = strmap_put(&w->must_dirs, real, (void *)1, NULL);
			if (r == -EXDEV)
				return not_covered(w, "include directory '%s' climbs above /", p);
		}
		if (r < 0)
			return r == -ENOMEM || r == -ECANCELED ? r : not_covered(w, "cannot resolve '%s'", p);
		w->chain[w->nchain++] = (struct dir){
			.path = TAKE_PTR(p), .user = u, .sys = sys, .dev = st.st_dev, .ino = st.st_ino,
		};
	}
	return 0;
}

static bool same_dir(const struct dir *a, const struct dir *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->user == b->user;
}

/* gcc's remove_duplicates: in the bracket chain a non-system dir that
 * duplicates a system dir goes, then every later duplicate; a quote dir
 * that is also in the bracket chain goes. The server sees the same (user
 * dirs all under its root), so this models both sides. */
static bool drop_dir(const struct walk *w, size_t i)
{
	const struct dir *d = &w->chain[i];

	for (size_t j = 0; j < w->nchain; j++) {
		const struct dir *o = &w->chain[j];

		if (j == i || !same_dir(d, o))
			continue;
		if (i < w->nquote) {
			if (j >= w->nquote || j < i)
				return true;    /* also a bracket dir, or a repeated quote dir */
		} else if (j >= w->nquote) {
			if (!d->sys && o->sys)
				return true;    /* a non-system dir that duplicates a system dir */
			if (j < i && (o->sys || !d->sys))
				return true;    /* a later duplicate */
		}
	}
	return false;
}

static int dedup_chain(struct walk *w)
{
	_cleanup_free_ bool *drop = calloc(w->nchain + 1, sizeof(bool));
	size_t k = 0, nq = 0;

	if (!drop)
		return -ENOMEM;
	for (size_t i = 0; i < w->nchain; i++)
		drop[i] = drop_dir(w, i);
	for (size_t i = 0; i < w->nchain; i++) {
		if (drop[i]) {
			free(w->chain[i].path);
			continue;
		}
		nq += i < w->nquote;
		w->chain[k++] = w->chain[i];
	}
	w->nchain = k;
	w->nquote = nq;
	return 0;
}

static int build_chain(struct walk *w)
{
	const struct incargs *a = w->in->args;
	size_t max = strv_length(a->quote_dirs) + strv_length(a->bracket_dirs) +
		     strv_length(a->system_dirs) + strv_length(a->after_dirs) +
		     strv_length(w->in->default_dirs);
	int r;

	w->chain = calloc(max + 1, sizeof(struct dir));
	if (!w->chain)
		return -ENOMEM;
	if (a->sysroot) {
		_cleanup_free_ char *sr = absolute(w->in->cwd, a->sysroot);

		w->sysroot = sr ? realpath(sr, NULL) : NULL;
	}
	r = add_dirs(w, a->quote_dirs, 1, false);
	w->nquote = w->nchain;
	if (r >= 0)
		r = add_dirs(w, a->bracket_dirs, 1, false);
	if (r >= 0)
		r = add_dirs(w, a->system_dirs, 1, true);
	if (r >= 0)
		r = add_dirs(w, w->in->default_dirs, -1, true);
	if (r >= 0)
		r = add_dirs(w, a->after_dirs, 1, true);
	return r < 0 ? r : dedup_chain(w);
}

/* -include and -imacros: first in the working directory, then the quote
 * chain (gcc's rule). */
static int command_line_include(struct walk *w, const char *name)
{
	_cleanup_free_ char *p = absolute(w->in->cwd, name);
	struct incscan_include inc = { .kind = INCSCAN_QUOTE };
	bool file;
	int r;

	if (!p)
		return -ENOMEM;
	r = is_file(w, p, &file);
	if (r < 0 || file)
		return r < 0 ? r : visit(w, p, IDX_NONE, true);
	if (name[0] == '/')
		return not_covered(w, "-include '%s' does not exist", name);
	return search(w, &inc, name, INCSCAN_QUOTE, NULL);
}

static int walk_all(struct walk *w)
{
	const struct incargs *a = w->in->args;
	_cleanup_free_ char *src = absolute(w->in->cwd, a->source);
	bool file;
	int r;

	if (!src)
		return -ENOMEM;
	r = is_file(w, src, &file);
	if (r >= 0 && !file)
		return not_covered(w, "source '%s' is not a readable file", a->source);
	if (r >= 0)
		r = visit(w, src, IDX_NONE, true);
	for (char **i = a->imacros; i && *i && r >= 0; i++)
		r = command_line_include(w, *i);
	for (char **i = a->includes; i && *i && r >= 0; i++)
		r = command_line_include(w, *i);
	if (r >= 0)   /* gcc's implicit -include of stdc-predef.h, found as <...> */
		r = search(w, NULL, "stdc-predef.h", INCSCAN_ANGLE, NULL);
	return r;
}

/* -D options as the definitions a computed include may use. */
static int scan_cmdline_defines(struct walk *w)
{
	_cleanup_(buf_free) struct buf b = BUF_INIT(SIZE_MAX / 2);
	int r = 0;

	for (char **d = w->in->args->defines; d && *d && r >= 0; d++) {
		const char *eq = strchr(*d, '=');

		r = eq ? buf_printf(&b, "#define %.*s %s\n", (int)(eq - *d), *d, eq + 1)
		       : buf_printf(&b, "#define %s 1\n", *d);
	}
	if (r < 0)
		return r;
	return incscan_scan(b.data ? (char *)b.data : "", b.len, &w->cmdline);
}

/* Directories the compiler passes through with ".." (and the include
 * dirs) must exist under the server's root: a placeholder file in each
 * that nothing shipped creates. */
static int force_dirs(struct walk *w)
{
	struct strmap parents = { 0 };
	const char *d, *empty;
	size_t i = 0;
	int r = 0;

	for (size_t k = 0; k < w->n && r >= 0; k++) {
		_cleanup_free_ char *p = dir_of(w->v[k].name);

		while (r >= 0 && p && strcmp(p, "/") != 0 && !strmap_contains(&parents, p)) {
			char *up;

			r = strmap_put(&parents, p, (void *)1, NULL);
			up = dir_of(p);
			free(p);
			p = up;
		}
		if (!p)
			r = -ENOMEM;
	}
	while (r >= 0 && strmap_next(&w->must_dirs, &i, &d, NULL)) {
		_cleanup_free_ char *f = NULL;

		if (strcmp(d, "/") == 0 || d[0] == 0 || strmap_contains(&parents, d) ||
		    strmap_contains(&w->emitted, d))
			continue;
		r = incfiles_empty(w->fs, &empty);
		if (r >= 0)
			r = (f = path_join(d, FORCE_DIR_FILE)) ? emit(w, f, INCSERVER_FILE, empty) : -ENOMEM;
	}
	strmap_clear(&parents, NULL);
	return r;
}

/* Walk the literal includes, then expand the computed ones; again for
 * those expanded before the closure reached its final set of files. */
static int run_passes(struct walk *w)
{
	int r = walk_all(w);
	bool again = true;

	for (unsigned rounds = 0; r >= 0 && again; rounds++) {
		again = false;
		if (rounds > MAX_PASSES * (w->npend + 1))
			return not_covered(w, "%s", "computed includes did not settle");
		for (size_t k = 0; k < w->npend && r >= 0; k++)
			if (w->pend[k].evaluated_at != w->nfiles) {
				r = expand_computed(w, k);
				again = true;
			}
	}
	for (size_t k = 0; k < w->npend && r >= 0; k++)
		if (w->pend[k].unresolved)
			return not_covered(w, "computed include '%s' has no value the analysis can see",
					   w->pend[k].inc->name);
	return r;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->nchain; i++)
		free(w->chain[i].path);
	free(w->chain);
	strv_free(w->sys_real);
	free(w->sysroot);
	strmap_clear(&w->lstats, lst_free);
	strmap_clear(&w->visited, NULL);
	strmap_clear(&w->emitted, NULL);
	strmap_clear(&w->must_dirs, NULL);
	strmap_clear(&w->macros, defvec_free);
	strmap_clear(&w->pend_keys, NULL);
	strmap_clear(&w->found, found_free);
	for (size_t i = 0; i < w->npend; i++)
		free(w->pend[i].path);
	free(w->pend);
	incscan_result_free(&w->cmdline);
	incserver_closure_free(&(struct incserver_closure){ .n = w->n, .entries = w->v });
	free(w->why);
}

int incclosure_compute(struct incfiles *fs, struct incdirs *dirs,
		       const struct incclosure_input *in, struct incserver_closure *ret,
		       char **ret_why)
{
	struct walk w = { .fs = fs, .dirs = dirs, .in = in };
	int r;

	r = scan_cmdline_defines(&w);
	if (r >= 0)
		r = build_chain(&w);
	if (r >= 0)
		r = run_passes(&w);
	if (r >= 0)
		r = force_dirs(&w);
	if (r == -ECANCELED && w.why) {
		*ret_why = TAKE_PTR(w.why);
		*ret = (struct incserver_closure){ 0 };
		r = 0;
	} else if (r >= 0) {
		*ret = (struct incserver_closure){ .n = w.n, .entries = TAKE_PTR(w.v) };
		w.n = 0;
		r = 1;
	}
	walk_free(&w);
	return r;
}
