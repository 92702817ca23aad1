/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One private directory per job under $TMPDIR: distccd_<16 hex from
 * getrandom>, mode 0700, holding the input, the output and the compiler's
 * captured stdout/stderr. Removed with everything in it unless asked to keep.
 */
#pragma once

#include <stdbool.h>

struct workdir {
	char *dir, *input, *output, *out_path, *err_path;
	bool keep;
};

/* Create the directory; file names use @in_ext/@out_ext (".i", ".o"...). */
int workdir_create(const char *tmpdir, const char *in_ext, const char *out_ext, bool keep,
		   struct workdir *ret);
/* Remove the directory and its files (unless keep) and free the names. */
void workdir_done(struct workdir *w);
/* For a handler of a fatal signal: remove the directory of the last
 * workdir_create() that workdir_done() has not handled yet (unless keep).
 * Async-signal-safe. */
void workdir_remove_on_signal(void);
