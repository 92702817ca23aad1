/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the names in a protocol 3 request may mean on the server, as a pure
 * function of the strings: a NAME or CDIR is a plain absolute client path
 * (no "." or ".." components), a LINK target must stay inside the job root,
 * except a link that maps a client path back to the very same path on the
 * server (how distcc 3.4's include server points system include dirs at the
 * server's own). No I/O; daemon/pumproot.c applies the verdicts.
 */
#pragma once

#include <stddef.h>

#include "wirelimits.h"

/* A client path split into components (pointers into a private copy). */
struct pumppath {
	char *copy;
	const char *comp[MAX_PUMP_DEPTH];
	size_t n;
};

/* Check and split an absolute client path (NAME, CDIR). Empty components
 * ("//") are skipped. Returns 0, -EACCES with *ret_why set (static text)
 * when refused, -ENOMEM. @allow_root: "/" itself (n = 0) is acceptable. */
int pumppath_split(const char *path, int allow_root, struct pumppath *ret, const char **ret_why);
void pumppath_done(struct pumppath *p);

/* The symlink text to create at client path @name for the LINK @target, in
 * a root whose real path has @root_depth components:
 *  - absolute target without "." or "..": the same path inside the root,
 *    written relative to the link ("../" up to the root, then the path);
 *  - relative target: leading ".." only, then plain components; it must
 *    stay inside the root, or else climb at least to the server's "/"
 *    and name exactly @name (the server's own copy of that path).
 * Returns 0 and *ret_text (malloc'd), -EACCES with *ret_why, -ENOMEM. */
int pumppath_link_text(const char *name, const char *target, unsigned root_depth,
		       char **ret_text, const char **ret_why);
