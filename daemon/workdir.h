/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One private directory per job under $TMPDIR: distccd_<16 hex from
 * getrandom>, mode 0700, holding the input, the output and the compiler's
 * captured stdout/stderr. The daemon touches what is inside only through
 * the directory's fd: files are read back with openat(O_NOFOLLOW) and must
 * be regular files the daemon's user owns; the tree is removed with
 * unlinkat() relative to directory fds, never by path.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct workdir {
	char *dir, *input, *output, *out_path, *err_path;   /* full paths, for the compiler */
	int dfd;                                              /* the job directory, O_DIRECTORY */
	int parent_fd;                                        /* $TMPDIR, O_PATH */
	bool keep;
};

#define WORKDIR_INIT { .dfd = -1, .parent_fd = -1 }

/* Create the directory; file names use @in_ext/@out_ext (".i", ".o"...). */
int workdir_create(const char *tmpdir, const char *in_ext, const char *out_ext, bool keep,
		   struct workdir *ret);
/* Create the file @name (a bare name) in the job directory for writing:
 * O_EXCL, O_NOFOLLOW, mode 0600. Returns the fd or -errno. */
int workdir_create_file(const struct workdir *w, const char *name);
/* Append the file @name of the job directory to @out, at most @max bytes.
 * -ENOENT if it does not exist; -EPERM if it is anything but a regular
 * file with one link owned by us (a symlink, a FIFO, a hard link to some
 * other file: what only a compromised compiler leaves); -E2BIG over @max. */
int workdir_read(const struct workdir *w, const char *name, size_t max, struct buf *out);
/* The same checks without reading: 0, -ENOENT or -EPERM. */
int workdir_check(const struct workdir *w, const char *name);
/* Remove the directory and its files (unless keep) and free the names. */
void workdir_done(struct workdir *w);
/* For the handler of a fatal signal: remove the directory of the last
 * workdir_create() that workdir_done() has not handled yet (unless keep).
 * Async-signal-safe. */
void workdir_remove_on_signal(void);
/* For a handler of a fatal signal: remove the directory of the last
 * workdir_create() that workdir_done() has not handled yet (unless keep).
 * Async-signal-safe. */
void workdir_remove_on_signal(void);
