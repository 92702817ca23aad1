/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Invocation modes and masquerade PATH trimming. Pure string work; the one
 * filesystem test (is there an executable X in directory D) is a callback
 * so that unit tests can run without a filesystem.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "argscan.h"
#include "invoke.h"
#include "srcext.h"
#include "macro.h"
#include "strv.h"

bool invoke_dir_has_exec(const char *dir, const char *name)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof(p), "%s/%s", *dir ? dir : ".", name);

	return n > 0 && (size_t)n < sizeof(p) && access(p, X_OK) == 0;
}

bool invoke_is_recursion(unsigned level, bool tweaked)
{
	return level > (tweaked ? 1u : 0u);
}

/* Implicit mode: the first argument is an option or a file, not a compiler. */
static bool looks_implicit(const char *a1)
{
	return a1[0] == '-' || srcext_preproc(a1, false) || str_has_suffix(a1, ".o");
}

int invoke_trim_path(const char *path, const char *argv0, invoke_is_exec_fn is_exec,
		     char **ret_path)
{
	const char *slash = strrchr(argv0, '/');
	size_t dlen = slash ? (size_t)(slash - argv0) : 0;
	const char *p = path;

	if (!path)
		return -ENOENT;
	while (*p) {
		const char *end = strchrnul(p, ':');
		size_t len = (size_t)(end - p);
		bool hit;

		if (slash)
			hit = len == dlen && strncmp(p, argv0, dlen) == 0;
		else {
			char dir[PATH_MAX];

			if (len >= sizeof(dir))
				hit = false;
			else {
				memcpy(dir, p, len);
				dir[len] = 0;
				hit = is_exec(dir, argv0);
			}
		}
		if (hit) {
			char *rest = strdup(*end ? end + 1 : "");

			if (!rest)
				return -ENOMEM;
			*ret_path = rest;
			return 0;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	return -ENOENT;
}

static int masquerade(int argc, const char *const argv[], const char *path, invoke_is_exec_fn is_exec,
		      struct invocation *inv)
{
	int r;

	inv->mode = INVOKE_MASQUERADE;
	if (strv_push(&inv->argv, str_basename(argv[0])) < 0)
		return -ENOMEM;
	for (int i = 1; i < argc; i++)
		if (strv_push(&inv->argv, argv[i]) < 0)
			return -ENOMEM;
	r = invoke_trim_path(path, argv[0], is_exec, &inv->path);
	return r == -ENOENT ? 0 : r;
}

int invoke_parse(int argc, const char *const argv[], const char *path, invoke_is_exec_fn is_exec,
		 struct invocation *ret)
{
	struct invocation inv = { .mode = INVOKE_EXPLICIT };
	int r = 0, first = 1;

	if (!strstr(str_basename(argv[0]), "distcc"))
		r = masquerade(argc, argv, path, is_exec, &inv);
	else if (argc < 2)
		return -EINVAL;
	else {
		if (looks_implicit(argv[1])) {
			inv.mode = INVOKE_IMPLICIT;
			r = strv_push(&inv.argv, "cc");
		}
		for (int i = first; r >= 0 && i < argc; i++)
			r = strv_push(&inv.argv, argv[i]);
	}
	if (r < 0) {
		invocation_free(&inv);
		return r;
	}
	*ret = inv;
	return 0;
}

void invocation_free(struct invocation *inv)
{
	strv_free(inv->argv);
	free(inv->path);
	inv->argv = NULL;
	inv->path = NULL;
}
