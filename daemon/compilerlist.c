/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler whitelist: a name is allowed iff an executable of that name
 * sits in one of the masquerade directories. It only decides; it neither
 * logs nor runs anything. If no directory can be opened the answer is "no"
 * (distcc 3.4's list handling failed open).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include "compilerlist.h"
#include "macro.h"
#include "strv.h"

const char *compilerlist_name(const char *argv0)
{
	static const char *const prefixes[] = { "/usr/bin/", "/bin/" };

	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncasecmp(argv0, prefixes[i], n) == 0)
			return argv0 + n;
	}
	return argv0;
}

void cmdlist_free(struct cmdlist *l)
{
	strv_free(l->paths);
	*l = (struct cmdlist){ 0 };
}

int cmdlist_parse(const char *text, unsigned numwords, struct cmdlist *ret)
{
	struct cmdlist l = { .numwords = numwords };
	const char *p = text ? text : "";

	if (numwords < 1 || numwords > CMDLIST_MAX_NUMWORDS)
		return -EINVAL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = NULL;

		while (n > 0 && strchr(" \t\r", p[n - 1]))
			n--;
		if (n > 0 && p[0] != '#') {
			line = strndup(p, n);
			if (!line || strv_push(&l.paths, line) < 0) {
				cmdlist_free(&l);
				return -ENOMEM;
			}
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	*ret = l;
	return 0;
}

/* The last @n '/'-separated components of @s (all of it if it has fewer). */
static const char *last_words(const char *s, unsigned n)
{
	const char *p = s + strlen(s);

	while (p > s) {
		if (p[-1] == '/' && --n == 0)
			break;
		p--;
	}
	return p;
}

const char *cmdlist_lookup(const struct cmdlist *l, const char *argv0)
{
	const char *key;

	if (!argv0 || !*argv0)
		return NULL;
	key = last_words(argv0, l->numwords);
	for (char **e = l->paths; e && *e; e++)
		if (strcmp(last_words(*e, l->numwords), key) == 0)
			return *e;
	return NULL;
}

enum cl_verdict compilerlist_check(const struct compilerlist *w, const char *argv0)
{
	const char *name;
	bool opened = false;
	struct stat st;

	if (!argv0 || !*argv0)
		return CL_BAD_NAME;
	if (w->cmdlist)
		return cmdlist_lookup(w->cmdlist, argv0) ? CL_ALLOW : CL_NOT_IN_CMDLIST;
	if (w->insecure)
		return CL_ALLOW;
	name = compilerlist_name(argv0);
	if (strchr(name, '/'))
		return CL_PATH;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return CL_BAD_NAME;
	for (char *const *d = w->dirs; d && *d; d++) {
		_cleanup_close_ int dfd = open(*d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0)
			continue;
		opened = true;
		/* a directory (e.g. /usr/lib/distcc/bin) is executable too: only files count */
		if (fstatat(dfd, name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
		    faccessat(dfd, name, X_OK, AT_EACCESS) == 0)
			return CL_ALLOW;
	}
	return opened ? CL_NOT_LISTED : CL_UNREADABLE;
}

const char *compilerlist_verdict_to_string(enum cl_verdict v)
{
	switch (v) {
	case CL_ALLOW:
		return "allowed";
	case CL_NOT_LISTED:
		return "compiler is not in the whitelist (masquerade directory)";
	case CL_NOT_IN_CMDLIST:
		return "compiler is not in DISTCC_CMDLIST";
	case CL_PATH:
		return "compiler cannot be an absolute or relative path";
	case CL_UNREADABLE:
		return "no compiler whitelist directory could be read";
	case CL_BAD_NAME:
		return "invalid compiler name";
	}
	return "refused";
}
