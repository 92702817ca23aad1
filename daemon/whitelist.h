/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which compiler a client may run, and which arguments are never allowed
 * (DISTCC-REFERENCE 4.4). The decision is a verdict, never an error code,
 * and every doubt (unreadable whitelist dirs, odd paths) is a refusal.
 */
#pragma once

#include <stdbool.h>

enum wl_verdict {
	WL_ALLOW,
	WL_NOT_LISTED,      /* no executable of that name in any whitelist dir */
	WL_PATH,            /* a path other than /usr/bin/NAME or /bin/NAME */
	WL_UNREADABLE,      /* no whitelist dir could be opened: fail closed */
	WL_BAD_NAME,        /* empty, ".", ".." */
	WL_PLUGIN,          /* an argument -fplugin=... */
	WL_SPECS,           /* an argument -specs=... */
};

struct whitelist {
	char *const *dirs;  /* NULL-terminated */
	bool insecure;      /* --enable-tcp-insecure: any compiler name */
};

/* The name to check: argv0 without a leading /usr/bin/ or /bin/ (any case).
 * Pure. Returns a pointer into @argv0. */
const char *whitelist_compiler_name(const char *argv0);
/* Compiler check for argv[0]. */
enum wl_verdict whitelist_check_compiler(const struct whitelist *w, const char *argv0);
/* Argument check (always on, even when insecure). */
enum wl_verdict whitelist_check_args(char *const argv[]);
/* Both, compiler first. */
enum wl_verdict whitelist_check(const struct whitelist *w, char *const argv[]);
/* A short reason for logs and SERR. */
const char *whitelist_verdict_to_string(enum wl_verdict v);
