/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the compiler child does to itself between fork and exec. The minimal
 * version: a clean environment and no core dumps. Landlock, further rlimits
 * and the like are added here, behind the same single call.
 */
#pragma once

struct sandbox_params {
	const char *workdir;          /* job directory: cwd and TMPDIR */
	const char *path;             /* PATH for the compiler lookup */
	char *const *locale_env;      /* "LANG=..", "LC_*=.." copied from the daemon's env */
};

/* Called in the forked child only. Returns 0 or -errno; the caller must not
 * exec on failure. Async-signal-safe is not required (single-threaded). */
int sandbox_enter_child(const struct sandbox_params *p);
