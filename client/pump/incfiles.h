/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include server's file cache: one entry per file, holding the scan of
 * its current content version and, once it has been shipped, the path of its
 * compressed copy. Entries are revalidated (dev, inode, size, mtime, ctime)
 * once per request; a file whose mtime is too recent to trust is re-read and
 * compared by content hash, so an edit within one timestamp tick is seen.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "incscan.h"
#include "strmap.h"

struct incfile {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint64_t hash;              /* of the content */
	bool racy;                  /* mtime was too recent to trust at the last read */
	bool armed;                 /* its directory is watched: valid until reported changed */
	unsigned gen;               /* request it was last validated in */
	struct incscan_result scan;
	char *cache_path;           /* compressed copy, NULL until first shipped */
	unsigned closure_gen;       /* request whose closure holds it (set by the caller) */
	struct incfile *retired_next;
};

/* One #define of the build's index: which file version holds it. */
struct incdef_ref {
	struct incfile *f;
	const struct incscan_define *d;
};

struct incfiles {
	char *cache_dir;
	struct strmap defindex;     /* macro name -> struct incdef_refs, over every live version */
	size_t max_bytes;
	struct strmap map;          /* key -> struct incfile */
	struct incfile *retired;    /* superseded versions, freed at the request's end */
	unsigned gen;
	uint64_t seq;               /* names of cache files */
	uint64_t reads, compressions;   /* statistics */
	char *empty_path;           /* cache file of an empty file (11 00 00) */
};

int incfiles_init(struct incfiles *fs, const char *cache_dir, size_t max_bytes);
void incfiles_done(struct incfiles *fs);
/* A new request: every entry is revalidated again when next used. */
void incfiles_begin_request(struct incfiles *fs);
/* Free versions superseded during the request (their scans were in use). */
void incfiles_end_request(struct incfiles *fs);
/* Every #define of @name in the file versions the cache holds (a version
 * leaves the index when it is freed). */
void incfiles_defs(struct incfiles *fs, const char *name, const struct incdef_ref **ret,
		   size_t *n);
/* The cache file holding an empty file's compression, made on first use. */
int incfiles_empty(struct incfiles *fs, const char **ret);
/* The entry for @path (opened following symlinks), cached under @key.
 * Revalidated by stat once per request, unless @watched said at its last
 * validation that a change would be reported (incfiles_changed()). Read and
 * scanned when new or changed. With @ship, its compressed copy exists on
 * return. -errno of stat/open/read, -E2BIG over max_bytes. */
int incfiles_get(struct incfiles *fs, const char *key, const char *path, bool ship, bool watched,
		 struct incfile **ret);
/* The file cached under @key may have changed (NULL: any file may have). */
void incfiles_changed(struct incfiles *fs, const char *key);
