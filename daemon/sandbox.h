/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the compiler child does to itself between fork and exec, behind one
 * call: a clean minimal environment, resource limits, no core dumps,
 * PR_SET_NO_NEW_PRIVS and a Landlock domain (write only in the job dir,
 * read/execute only the toolchain and system dirs, no TCP, no signals or
 * abstract sockets outside the job). README.md "Security model" documents it.
 */
#pragma once

#include <stdint.h>

struct sandbox_params {
	const char *workdir;          /* job directory: cwd and TMPDIR */
	const char *path;             /* PATH for the compiler lookup */
	const char *exec_dir;         /* also opened like a PATH directory (a DISTCC_CMDLIST
				       * compiler's own directory), or NULL */
	char *const *locale_env;      /* "LANG=..", "LC_*=.." copied from the daemon's env */
	uint64_t cpu_sec;             /* RLIMIT_CPU; 0: SANDBOX_DEFAULT_CPU_SEC */
	uint64_t as_bytes;            /* RLIMIT_AS; 0: SANDBOX_DEFAULT_AS */
	uint64_t fsize_bytes;         /* RLIMIT_FSIZE; 0: SANDBOX_DEFAULT_FSIZE */
};

#define SANDBOX_DEFAULT_CPU_SEC  3600u
#define SANDBOX_DEFAULT_AS       (8ull << 30)
#define SANDBOX_DEFAULT_FSIZE    (1ull << 30)
#define SANDBOX_NPROC_HEADROOM   64u        /* processes above the user's current count */

/* Landlock ABI version of the running kernel (>= 1), or -errno when it is
 * unavailable (the daemon logs a warning once at startup; jobs then run
 * without it). */
int sandbox_landlock_abi(void);

/* Called in the forked child only, after chdir(workdir). Returns 0 or
 * -errno; the caller must not exec on failure. Not async-signal-safe (the
 * child is single-threaded); must not log. */
int sandbox_enter_child(const struct sandbox_params *p);
