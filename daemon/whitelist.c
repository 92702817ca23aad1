/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler whitelist: a name is allowed iff an executable of that name
 * sits in one of the whitelist directories (the masquerade dirs). It only
 * decides; it neither logs nor runs anything. If no directory can be opened
 * the answer is "no" (distcc 3.4's list handling failed open).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>
#include <unistd.h>

#include "macro.h"
#include "strv.h"
#include "whitelist.h"

const char *whitelist_compiler_name(const char *argv0)
{
	static const char *const prefixes[] = { "/usr/bin/", "/bin/" };

	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncasecmp(argv0, prefixes[i], n) == 0)
			return argv0 + n;
	}
	return argv0;
}

enum wl_verdict whitelist_check_compiler(const struct whitelist *w, const char *argv0)
{
	const char *name;
	bool opened = false;
	struct stat st;

	if (!argv0 || !*argv0)
		return WL_BAD_NAME;
	if (w->insecure)
		return WL_ALLOW;
	name = whitelist_compiler_name(argv0);
	if (strchr(name, '/'))
		return WL_PATH;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return WL_BAD_NAME;
	for (char *const *d = w->dirs; d && *d; d++) {
		_cleanup_close_ int dfd = open(*d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0)
			continue;
		opened = true;
		/* a directory (e.g. /usr/lib/distcc/bin) is executable too: only files count */
		if (fstatat(dfd, name, &st, 0) == 0 && S_ISREG(st.st_mode) &&
		    faccessat(dfd, name, X_OK, AT_EACCESS) == 0)
			return WL_ALLOW;
	}
	return opened ? WL_NOT_LISTED : WL_UNREADABLE;
}

enum wl_verdict whitelist_check_args(char *const argv[])
{
	for (size_t i = 1; argv[i]; i++) {
		if (str_has_prefix(argv[i], "-fplugin="))
			return WL_PLUGIN;
		if (str_has_prefix(argv[i], "-specs=") || str_has_prefix(argv[i], "--specs="))
			return WL_SPECS;
	}
	return WL_ALLOW;
}

enum wl_verdict whitelist_check(const struct whitelist *w, char *const argv[])
{
	enum wl_verdict v = whitelist_check_compiler(w, argv[0]);

	return v != WL_ALLOW ? v : whitelist_check_args(argv);
}

const char *whitelist_verdict_to_string(enum wl_verdict v)
{
	switch (v) {
	case WL_ALLOW:
		return "allowed";
	case WL_NOT_LISTED:
		return "compiler is not in the whitelist (masquerade directory)";
	case WL_PATH:
		return "compiler cannot be an absolute or relative path";
	case WL_UNREADABLE:
		return "no compiler whitelist directory could be read";
	case WL_BAD_NAME:
		return "invalid compiler name";
	case WL_PLUGIN:
		return "-fplugin= is insecure and not supported";
	case WL_SPECS:
		return "-specs= is insecure and not supported";
	}
	return "refused";
}
