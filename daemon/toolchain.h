/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which compiler runs for a client's compiler name: the toolchain map
 * (toolmap.h) first, then the whitelist and the argument policy on the
 * mapped command, then the lookup on distccd's PATH. The one call the
 * session makes before a job runs, and the source of what this server
 * offers (`distccd --list-compilers`, and every "missing compiler" reply).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "jobscan.h"
#include "jobsum.h"

/* Something a client may ask for and what runs for it. */
struct compiler_offer {
	char *name;           /* the name a client sends */
	char *local;          /* the compiler that runs (== name when not mapped) */
	char *const *args;    /* the map's leading arguments, or NULL (points into the map) */
	char *path;           /* where @local is on distccd's PATH */
};

struct toolchain_verdict {
	int exit_code;          /* 0: run argv; else the status sent back (EXIT_*) */
	enum job_result result; /* for the job summary when refused */
	struct jobscan job;     /* exit_code 0: the scan of the command to run: job.argv
				 * and its facts (jobscan.h), owned (toolchain_verdict_free) */
	char *message;          /* exit_code != 0: the refusal, owned, one printable line */
};

/* Decide the job's command. @protover is the request's DIST value. A
 * compiler the server does not have is a verdict (113 when not whitelisted,
 * 110 when whitelisted but not on PATH), its message naming the name asked,
 * what it was looked up as, the PATH and the names offered. -ENOMEM only;
 * *ret is written only on success. */
int toolchain_authorize(const struct daemon_config *cfg, unsigned protover, char *const argv[],
			struct toolchain_verdict *ret);
void toolchain_verdict_free(struct toolchain_verdict *v);

/* Everything this server can run for clients, sorted by name: each
 * whitelisted name found on PATH, and each name the map serves with a
 * whitelisted local compiler found on PATH. -ENOMEM. */
int toolchain_offers(const struct daemon_config *cfg, struct compiler_offer **ret, size_t *ret_n);
void toolchain_offers_free(struct compiler_offer *v, size_t n);
/* What cannot run, one sentence each ("'x-gcc' is not found on PATH",
 * "'gcc' (mapped to 'y') is not in the whitelist"): for the --list-compilers
 * warnings. NULL-terminated, strv_free. -ENOMEM. */
int toolchain_missing(const struct daemon_config *cfg, char ***ret);
/* Full path of the executable @name on the colon-separated @path. -ENOENT. */
int toolchain_find(const char *name, const char *path, char **ret_full);
/* `distccd --list-compilers`: the offers as a table on stdout, with each
 * compiler's target (-dumpmachine) and version (first line of --version).
 * Returns 0, or 1 when nothing at all is offered. */
int toolchain_print_list(const struct daemon_config *cfg);
