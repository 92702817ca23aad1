/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Directory listings for the include server, so that searching a header
 * through a chain of include directories costs no system call per miss: a
 * listing is kept across requests while its directory's dev, inode, mtime
 * and ctime stay the same (checked with one stat per directory per request;
 * a listing read within 2 s of the directory's last change is not kept).
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "strmap.h"

struct incdirs {
	struct strmap dirs;         /* path -> struct incdir (listing, kept across requests) */
	struct strmap stats;        /* path -> mode, this request only */
	unsigned gen;
	unsigned long long listings, stat_calls;   /* statistics */
};

void incdirs_init(struct incdirs *d);
void incdirs_done(struct incdirs *d);
/* A new request: directories are revalidated when next used. */
void incdirs_begin_request(struct incdirs *d);
/* The type (DT_REG, DT_DIR, DT_LNK, ...; never DT_UNKNOWN) of entry @name
 * (one component) in directory @dir, without following a final symlink.
 * -ENOENT when absent or @dir is no directory. */
int incdirs_type(struct incdirs *d, const char *dir, const char *name, unsigned char *ret);
/* Whether @path (absolute) exists and, following symlinks, is not a
 * directory: what the compiler would open when searching a header. */
int incdirs_is_file(struct incdirs *d, const char *path, bool *ret);
