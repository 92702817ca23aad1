/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run the compiler for one job and wait for it, watching the client and the
 * job deadline. The compiler gets its own process group so everything it
 * starts (cc1, as) can be killed together.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "io.h"
#include "peerwatch.h"
#include "sandbox.h"

enum exec_outcome {
	EXEC_EXITED,        /* *ret_status is the compiler's wait status */
	EXEC_TIMEOUT,       /* --job-lifetime passed: group killed */
	EXEC_DISCONNECT,    /* the client hung up: group killed */
};

struct exec_params {
	char *const *argv;
	const char *stdout_path, *stderr_path;
	const struct sandbox_params *sandbox;   /* workdir = cwd, unless @cwd */
	const char *cwd;                        /* NULL: sandbox->workdir (a pump job:
						 * <root><CDIR>, inside the workdir) */
	struct peer_watch *peer;                /* the client, watched for hang-up; NULL: none */
	usec_t deadline;                        /* USEC_INFINITY: none */
};

/* The child exits EXIT_COMPILER_MISSING when exec fails (no retry with the
 * basename on PATH, UPSTREAM-BUGS A7) and EXIT_SETUID_FAILED when the
 * sandbox cannot be entered, the reason on its stderr (the client's SERR). */
/* Run the compiler and wait for it. The caller becomes a child subreaper:
 * when the compiler is done (or killed), everything it started is killed
 * and reaped, including processes that left its group (setsid()). */
int exec_compiler(const struct exec_params *p, int *ret_status, enum exec_outcome *ret_outcome);
/* SIGKILL each current child of ours, except those @spare (may be NULL)
 * says to keep. */
void exec_kill_children(bool (*spare)(pid_t pid, void *userdata), void *userdata);
/* Kill and reap every child until none is left (bounded; logged if some
 * survive). For a subreaper whose own children are all done. */
void exec_sweep_children(void);
/* In a serving process: on SIGTERM/SIGINT/SIGHUP kill the running compiler's
 * process group, run @cleanup (async-signal-safe; may be NULL), then exit. */
void exec_install_term_handler(void (*cleanup)(void));
