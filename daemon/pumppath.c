/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pure checks of the client paths of a protocol 3 request. The rule for
 * links is lexical, and sound because every directory a link can climb
 * through with its leading ".." is one we created (pumproot.c never
 * creates anything below a link), so ".." there means what it says.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "macro.h"
#include "pumppath.h"

#define WHY_RELATIVE  "a NAME or CDIR that is not an absolute path"
#define WHY_DOTS      "a path with '.' or '..' components"
#define WHY_LONG      "a path longer than distccd accepts"
#define WHY_DEEP      "a path deeper than distccd accepts"
#define WHY_ROOT      "a NAME that names the root directory"
#define WHY_ABS_DOTS  "an absolute LINK target with '.' or '..' components"
#define WHY_MID_DOTS  "a LINK target with '..' after a directory name"
#define WHY_ESCAPE    "a LINK target that leaves the job root"

int pumppath_split(const char *path, int allow_root, struct pumppath *ret, const char **ret_why)
{
	struct pumppath p = { 0 };
	char *save = NULL;

	if (path[0] != '/')
		return *ret_why = WHY_RELATIVE, -EACCES;
	if (strlen(path) > MAX_PUMP_PATH)
		return *ret_why = WHY_LONG, -EACCES;
	p.copy = strdup(path);
	if (!p.copy)
		return -ENOMEM;
	for (char *c = strtok_r(p.copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		const char *why = NULL;

		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			why = WHY_DOTS;
		else if (p.n == MAX_PUMP_DEPTH)
			why = WHY_DEEP;
		if (why) {
			pumppath_done(&p);
			return *ret_why = why, -EACCES;
		}
		p.comp[p.n++] = c;
	}
	if (p.n == 0 && !allow_root) {
		pumppath_done(&p);
		return *ret_why = WHY_ROOT, -EACCES;
	}
	*ret = p;
	return 0;
}

void pumppath_done(struct pumppath *p)
{
	free(p->copy);
	*p = (struct pumppath){ 0 };
}

/* "../" @up times, then @comp joined by "/" ("." when both are empty). */
static int join_text(size_t up, const char *const *comp, size_t n, char **ret)
{
	struct buf b = BUF_INIT(8 * (size_t)MAX_PUMP_PATH);
	int r = 0;

	for (size_t i = 0; r >= 0 && i < up; i++)
		r = buf_append_str(&b, i + 1 < up || n ? "../" : "..");
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = buf_append_str(&b, comp[i]);
		if (r >= 0 && i + 1 < n)
			r = buf_append_str(&b, "/");
	}
	if (r >= 0 && b.len == 0)
		r = buf_append_str(&b, ".");
	if (r < 0) {
		buf_free(&b);
		return r == -E2BIG ? -ENOMEM : r;
	}
	*ret = buf_steal(&b);
	return 0;
}

/* Split a relative target: leading "..", then plain components; "." and
 * empty components are dropped. */
static int split_relative(const char *target, struct pumppath *ret_rest, size_t *ret_up,
			  const char **ret_why)
{
	struct pumppath p = { 0 };
	char *save = NULL;
	size_t up = 0;

	if (strlen(target) > MAX_PUMP_PATH)
		return *ret_why = WHY_LONG, -EACCES;
	p.copy = strdup(target);
	if (!p.copy)
		return -ENOMEM;
	for (char *c = strtok_r(p.copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		const char *why = NULL;

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0 && p.n > 0)
			why = WHY_MID_DOTS;
		else if (up + p.n == MAX_PUMP_DEPTH)
			why = WHY_DEEP;
		if (why) {
			pumppath_done(&p);
			return *ret_why = why, -EACCES;
		}
		if (strcmp(c, "..") == 0)
			up++;
		else
			p.comp[p.n++] = c;
	}
	*ret_rest = p;
	*ret_up = up;
	return 0;
}

static bool same_path(const struct pumppath *a, const struct pumppath *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->comp[i], b->comp[i]) != 0)
			return false;
	return true;
}

int pumppath_link_text(const char *name, const char *target, unsigned root_depth,
		       char **ret_text, const char **ret_why)
{
	_cleanup_(pumppath_done) struct pumppath n = { 0 }, t = { 0 };
	size_t depth, up = 0;
	int r;

	r = pumppath_split(name, 0, &n, ret_why);
	if (r < 0)
		return r;
	depth = n.n - 1;        /* directories between the root and the link */
	if (target[0] == '/') {
		r = pumppath_split(target, 1, &t, ret_why);
		if (r == -EACCES && strcmp(*ret_why, WHY_DOTS) == 0)
			*ret_why = WHY_ABS_DOTS;
		return r < 0 ? r : join_text(depth, t.comp, t.n, ret_text);
	}
	r = split_relative(target, &t, &up, ret_why);
	if (r < 0)
		return r;
	if (up > depth && (up < depth + root_depth || t.n == 0 || !same_path(&n, &t)))
		return *ret_why = WHY_ESCAPE, -EACCES;
	return join_text(up, t.comp, t.n, ret_text);
}
