/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a compiler command line says about include search: the source, its
 * language, the -iquote/-I/-isystem/-idirafter chains, -include/-imacros,
 * -D, --sysroot and the flags that change the compiler's default include
 * directories. Anything it cannot model makes the job "not covered". Pure.
 */
#pragma once

#include <stdbool.h>

struct incargs {
	char *source;          /* as written on the command line */
	const char *lang;      /* "c", "c++", "objective-c", "objective-c++" (static) */
	char **quote_dirs;     /* -iquote */
	char **bracket_dirs;   /* -I, -iwithprefixbefore */
	char **system_dirs;    /* -isystem */
	char **after_dirs;     /* -idirafter, -iwithprefix */
	char **imacros;        /* -imacros files, in order (processed before -include) */
	char **includes;       /* -include files, in order */
	char **defines;        /* -D values: NAME or NAME=VALUE */
	char **probe_flags;    /* flags that change the default include dirs, in order */
	char *sysroot;         /* --sysroot or -isysroot, or NULL */
};

/* Parse @argv (argv[0] the compiler). Returns 1 and fills *ret when the
 * analysis can model this command; 0 with a static reason in *ret_why when
 * it cannot (the job then uses plain mode); -ENOMEM. */
int incargs_parse(char *const argv[], struct incargs *ret, const char **ret_why);
void incargs_free(struct incargs *a);
