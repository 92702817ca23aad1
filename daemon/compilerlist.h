/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which compiler names a client may run (DISTCC-REFERENCE 4.4): a name is
 * listed iff an executable of that name sits in one of the masquerade
 * directories. The decision is a verdict, never an error code, and every
 * doubt (unreadable directories, odd paths) is a refusal. The arguments are
 * jobscan.h's business.
 */
#pragma once

#include <stdbool.h>

enum cl_verdict {
	CL_ALLOW,
	CL_NOT_LISTED,      /* no executable of that name in any listed dir */
	CL_PATH,            /* a path other than /usr/bin/NAME or /bin/NAME */
	CL_UNREADABLE,      /* no directory could be opened: fail closed */
	CL_BAD_NAME,        /* empty, ".", ".." */
};

struct compilerlist {
	char *const *dirs;  /* NULL-terminated */
	bool insecure;      /* --enable-tcp-insecure: any compiler name */
};

/* The name to check: argv0 without a leading /usr/bin/ or /bin/ (any case).
 * Pure. Returns a pointer into @argv0. */
const char *compilerlist_name(const char *argv0);
/* May @argv0 run? Looks the name up in @l's directories. */
enum cl_verdict compilerlist_check(const struct compilerlist *l, const char *argv0);
/* A short reason for logs and SERR. */
const char *compilerlist_verdict_to_string(enum cl_verdict v);
