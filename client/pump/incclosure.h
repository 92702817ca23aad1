/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include closure of one compile job: every file the compiler may open,
 * found by following every include directive of the source and of each file
 * it reaches (whatever #if says), through the same search chains the
 * compiler uses. Files reached through the job's own paths (the source,
 * -I/-iquote/-isystem/-idirafter dirs, -include) are shipped, with the
 * symlinks on their way as LINK entries; files reached through the
 * compiler's default directories are only scanned (servers have the same
 * system headers). What cannot be vouched for makes the job not covered.
 */
#pragma once

#include "io.h"
#include "incargs.h"
#include "incdirs.h"
#include "incfiles.h"
#include "../incserver.h"

struct incclosure_input {
	const char *cwd;                /* absolute */
	const struct incargs *args;
	char *const *default_dirs;      /* the compiler's "#include <...>" list */
	char *const *default_real;      /* realpath() of each, "" when it has none */
	usec_t deadline;
};

/* 1: covered, *ret holds the entries (source first among FILEs); 0: not
 * covered, *ret_why a malloc'd reason; -errno (-ENOMEM, cache I/O). */
int incclosure_compute(struct incfiles *fs, struct incdirs *dirs,
		       const struct incclosure_input *in, struct incserver_closure *ret,
		       char **ret_why);
