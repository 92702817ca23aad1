/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The toolchain map (distccd.conf(5), --toolchain-map FILE): which local
 * compiler serves a compiler name that clients send. One entry a line:
 *
 *     CLIENT-NAME    LOCAL-NAME    [LEADING-ARGUMENT...]
 *     armv6j-hardfloat-linux-gnueabi-*   arm-linux-gnueabihf-*
 *     i686-linux-gnu-gcc                 x86_64-linux-gnu-gcc  -m32
 *
 * A trailing '*' on both names maps a prefix (a GNU triplet): the rest of
 * the client's name is kept. Exact entries win over prefixes, the longest
 * prefix wins. Pure: parsing and lookups only, no files, no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define TOOLMAP_MAX_ENTRIES 1024
#define TOOLMAP_MAX_LINE 4096
#define TOOLMAP_MAX_ARGS 32

struct toolmap_entry {
	char *from;          /* client name, or prefix (without the '*') */
	char *to;            /* local name, or prefix (without the '*') */
	char **args;         /* leading arguments (NULL-terminated, may be empty) */
	bool prefix;
	unsigned line;       /* for messages */
};

struct toolmap {
	struct toolmap_entry *entries;
	size_t n;
};

/* Parse the map's text. On a syntax error returns -EINVAL with the line
 * number in *ret_line and a static reason in *ret_why; -ENOMEM. *ret is
 * written only on success (an empty text gives an empty map). */
int toolmap_parse(const char *text, struct toolmap *ret, unsigned *ret_line, const char **ret_why);
void toolmap_free(struct toolmap *m);
/* The entry serving @name (a bare compiler name), or NULL. With a match,
 * *ret_local is the local name (malloc'd). -ENOMEM. */
int toolmap_lookup(const struct toolmap *m, const char *name, const struct toolmap_entry **ret_entry,
		   char **ret_local);
/* The client name an entry gives for local compiler @local (the inverse of
 * toolmap_lookup for one entry), malloc'd; NULL when @local is not served
 * by @e or on -ENOMEM (*ret_oom set). */
char *toolmap_client_name(const struct toolmap_entry *e, const char *local, bool *ret_oom);
/* argv with argv[0] replaced by @local and @args inserted after it.
 * Caller frees with strv_free. -ENOMEM. */
int toolmap_build_argv(char *const argv[], const char *local, char *const args[], char ***ret);
