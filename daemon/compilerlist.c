/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler whitelist: a name is allowed iff an executable of that name
 * sits in one of the masquerade directories. It only decides; it neither
 * logs nor runs anything. If no directory can be opened the answer is "no"
 * (distcc 3.4's list handling failed open).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include "compilerlist.h"
#include "macro.h"

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

enum cl_verdict compilerlist_check(const struct compilerlist *w, const char *argv0)
{
	const char *name;
	bool opened = false;
	struct stat st;

	if (!argv0 || !*argv0)
		return CL_BAD_NAME;
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
	case CL_PATH:
		return "compiler cannot be an absolute or relative path";
	case CL_UNREADABLE:
		return "no compiler whitelist directory could be read";
	case CL_BAD_NAME:
		return "invalid compiler name";
	}
	return "refused";
}
