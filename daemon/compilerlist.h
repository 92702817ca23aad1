/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which compiler names a client may run (DISTCC-REFERENCE 4.4): a name is
 * listed iff an executable of that name sits in one of the masquerade
 * directories, or, with DISTCC_CMDLIST, iff the list has an entry for it.
 * The decision is a verdict, never an error code, and every doubt
 * (unreadable directories, odd paths) is a refusal. The arguments are
 * jobscan.h's business.
 */
#pragma once

#include <stdbool.h>

enum cl_verdict {
	CL_ALLOW,
	CL_NOT_LISTED,      /* no executable of that name in any listed dir */
	CL_NOT_IN_CMDLIST,  /* DISTCC_CMDLIST is set and has no such entry */
	CL_PATH,            /* a path other than /usr/bin/NAME or /bin/NAME */
	CL_UNREADABLE,      /* no directory could be opened: fail closed */
	CL_BAD_NAME,        /* empty, ".", ".." */
};

/* distcc 3.4's DISTCC_CMDLIST (DISTCC-REFERENCE 4.4): a file of compiler
 * paths, one per line. A client's argv[0] matches an entry when the last
 * @numwords '/'-separated components of both are equal; the entry's path
 * is then what runs. When set it is the only list: the masquerade
 * directories are not consulted, and --enable-tcp-insecure does not lift it. */
struct cmdlist {
	char **paths;       /* NULL-terminated, owned */
	unsigned numwords;  /* DISTCC_CMDLIST_NUMWORDS, default 1 */
};

#define CMDLIST_MAX_NUMWORDS 64u

struct compilerlist {
	char *const *dirs;  /* NULL-terminated */
	bool insecure;      /* --enable-tcp-insecure: any compiler name */
	const struct cmdlist *cmdlist;   /* DISTCC_CMDLIST, or NULL */
};

/* Parse the file's text: one path per line; blank lines and lines starting
 * with '#' are skipped, trailing blanks and CR stripped. Pure. -EINVAL for
 * @numwords outside 1..CMDLIST_MAX_NUMWORDS, -ENOMEM. */
int cmdlist_parse(const char *text, unsigned numwords, struct cmdlist *ret);
void cmdlist_free(struct cmdlist *l);
/* The entry @argv0 matches (a path owned by @l), or NULL. Pure. */
const char *cmdlist_lookup(const struct cmdlist *l, const char *argv0);

/* The name to check: argv0 without a leading /usr/bin/ or /bin/ (any case).
 * Pure. Returns a pointer into @argv0. */
const char *compilerlist_name(const char *argv0);
/* May @argv0 run? Looks it up in @l's DISTCC_CMDLIST when there is one,
 * else the name in @l's directories. */
enum cl_verdict compilerlist_check(const struct compilerlist *l, const char *argv0);
/* A short reason for logs and SERR. */
const char *compilerlist_verdict_to_string(enum cl_verdict v);
