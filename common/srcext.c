/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source extension table (DISTCC-REFERENCE 3.2). One table, so the client's
 * idea of a source and the daemon's naming of its input cannot drift apart.
 */
#include <string.h>

#include "macro.h"
#include "srcext.h"

static const struct {
	const char *ext, *pre;
	bool assembler;
} table[] = {
	{ "c", ".i", false },	 { "i", ".i", false },	  { "cc", ".ii", false },
	{ "cpp", ".ii", false }, { "cxx", ".ii", false }, { "cp", ".ii", false },
	{ "c++", ".ii", false }, { "C", ".ii", false },	  { "ii", ".ii", false },
	{ "m", ".mi", false },	 { "mi", ".mi", false },  { "mm", ".mii", false },
	{ "M", ".mii", false },	 { "mii", ".mii", false }, { "s", ".s", true },
	{ "S", ".s", true },
};

const char *srcext_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');

	return dot && dot[1] ? dot + 1 : NULL;
}

const char *srcext_preproc(const char *path, bool assembler)
{
	const char *e = srcext_of(path);

	for (size_t i = 0; e && i < ELEMENTSOF(table); i++)
		if (strcmp(e, table[i].ext) == 0)
			return !table[i].assembler || assembler ? table[i].pre : NULL;
	return NULL;
}

bool srcext_is_preprocessed(const char *path)
{
	const char *e = srcext_of(path);

	return e && (strcmp(e, "i") == 0 || strcmp(e, "ii") == 0 || strcmp(e, "mi") == 0 ||
		     strcmp(e, "mii") == 0);
}
