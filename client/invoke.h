/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How distcc was invoked (DISTCC-REFERENCE 3.1): explicit "distcc gcc ...",
 * implicit "distcc -c x.c" (compiler cc), or masquerading as the compiler
 * through a symlink. For masquerade, PATH is trimmed past the directory we
 * were found in, so the real compiler is found after it. Pure except for
 * the executable test, which the caller passes in.
 */
#pragma once

#include <stdbool.h>

enum invoke_mode { INVOKE_EXPLICIT, INVOKE_IMPLICIT, INVOKE_MASQUERADE };

/* Does directory @dir contain an executable named @name? */
typedef bool (*invoke_is_exec_fn)(const char *dir, const char *name);

struct invocation {
	enum invoke_mode mode;
	char **argv;          /* the compiler command line (owned, NULL-terminated) */
	char *path;           /* trimmed PATH for masquerade (owned), else NULL */
};

/* Work out the compiler command from distcc's own @argv (argc >= 1).
 * -EINVAL when there is nothing to run (explicit mode with no arguments). */
int invoke_parse(int argc, const char *const argv[], const char *path, invoke_is_exec_fn is_exec,
		 struct invocation *ret);
void invocation_free(struct invocation *inv);

/* Masquerade PATH trimming: if @argv0 has a '/', find its directory in
 * @path (exact component match); otherwise the first component holding an
 * executable @argv0. *ret_path is what follows that component ("" if it
 * was the last); 0 when found, -ENOENT when not (nothing to trim). */
int invoke_trim_path(const char *path, const char *argv0, invoke_is_exec_fn is_exec,
		     char **ret_path);

/* distcc 3.4's recursion rule: level minus "PATH was trimmed" above zero. */
bool invoke_is_recursion(unsigned level, bool tweaked);

bool invoke_dir_has_exec(const char *dir, const char *name);
