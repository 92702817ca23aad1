/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PATH search for a compiler that skips distcc's own masquerade links. Only
 * stat/realpath; nothing is run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compilerpath.h"
#include "macro.h"
#include "strv.h"

static bool is_distcc(const char *full)
{
	_cleanup_free_ char *real = realpath(full, NULL);

	return real && strcmp(str_basename(real), "distcc") == 0;
}

int compilerpath_find(const char *name, const char *path, char **ret)
{
	const char *p = path;

	if (strchr(name, '/'))
		return (*ret = strdup(name)) ? 0 : -ENOMEM;
	while (p && *p) {
		size_t n = strcspn(p, ":");
		struct stat st;
		char *full = NULL;

		if (asprintf(&full, "%.*s/%s", (int)n, n ? p : ".", name) < 0)
			return -ENOMEM;
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0 &&
		    !is_distcc(full)) {
			*ret = full;
			return 0;
		}
		free(full);
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

int compilerpath_trim(const char *name, const char *path, char **ret)
{
	_cleanup_free_ char *out = strdup("");
	const char *p = path;
	size_t len = 0;

	while (out && p && *p) {
		size_t n = strcspn(p, ":");
		_cleanup_free_ char *full = NULL;
		char *grown;

		if (asprintf(&full, "%.*s/%s", (int)n, n ? p : ".", name) < 0)
			return -ENOMEM;
		if (!is_distcc(full)) {
			grown = realloc(out, len + n + 2);
			if (!grown)
				return -ENOMEM;
			out = grown;
			len += (size_t)sprintf(out + len, "%s%.*s", len ? ":" : "", (int)n, p);
		}
		p += n + (p[n] == ':');
	}
	if (!out)
		return -ENOMEM;
	*ret = TAKE_PTR(out);
	return 0;
}
