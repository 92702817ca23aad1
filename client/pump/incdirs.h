/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Directory listings for the include server, so that searching a header
 * through a chain of include directories costs no system call per miss.
 * A listing is kept across requests while its directory is unchanged: on
 * local filesystems (ext4, xfs, btrfs, tmpfs, overlay...) inotify reports
 * every change, so an unchanged directory costs nothing; elsewhere (NFS...)
 * or when inotify is unavailable, one stat per directory per request
 * compares dev, inode, mtime and ctime (a listing read within 2 s of the
 * directory's last change is not trusted). Changes to files are passed on
 * to the caller, which then revalidates them.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "strmap.h"

/* @path may have changed; NULL: anything may have (revalidate everything). */
typedef void (*incdirs_changed_fn)(void *userdata, const char *path);

struct incdirs {
	struct strmap dirs;         /* path -> struct incdir (listing, kept across requests) */
	struct strmap stats;        /* path -> mode, this request only */
	struct strmap wds;          /* inotify watch (decimal) -> struct incdir_aliases */
	int ifd;                    /* inotify, or -1: stat every directory per request */
	unsigned gen;
	unsigned long long events, invalidations;   /* statistics */
	unsigned long long listings, stat_calls;   /* statistics */
};

/* @watch: use inotify where it is reliable. */
void incdirs_init(struct incdirs *d, bool watch);
void incdirs_done(struct incdirs *d);
/* A new request: apply what inotify reported since the last one (each file
 * that may have changed goes to @changed) and revalidate the directories
 * it does not cover when next used. */
void incdirs_begin_request(struct incdirs *d, incdirs_changed_fn changed, void *userdata);
/* True when @path's directory, used in this request, is watched: a change
 * to @path will reach the next incdirs_begin_request()'s @changed. */
bool incdirs_watches(struct incdirs *d, const char *path);
/* The type (DT_REG, DT_DIR, DT_LNK, ...; never DT_UNKNOWN) of entry @name
 * (one component) in directory @dir, without following a final symlink.
 * -ENOENT when absent or @dir is no directory. */
int incdirs_type(struct incdirs *d, const char *dir, const char *name, unsigned char *ret);
/* Whether @path (absolute) exists and, following symlinks, is not a
 * directory: what the compiler would open when searching a header. */
int incdirs_is_file(struct incdirs *d, const char *path, bool *ret);
