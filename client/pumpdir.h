/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The private directory of one pump session (DISTCC-REFERENCE 8): made with
 * mkdtemp as ${TMPDIR:-/tmp}/distcc-pump.XXXXXX, it holds the include
 * server's socket ("socket", INCLUDE_SERVER_PORT), the compressed copies of
 * headers ("cache"), the discrepancy counter, and for a detached server its
 * saved output ("stdout", "stderr"). Starting and stopping the include
 * server in it, and the end-of-build report.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "incserver.h"

#define PUMPDIR_PREFIX "distcc-pump."

struct pumpdir {
	char *dir;            /* absolute */
	char *socket;         /* dir/socket */
	pid_t server_pid;     /* 0: none */
	bool child;           /* server_pid is our child (else: from --startup) */
	bool detached;        /* output saved in dir/stdout and dir/stderr */
};

/* Make the directory under @tmpdir, bind and listen on its socket, fork the
 * include server on it. @detach: the server gets its own session and its
 * output goes to files in the directory (pump --startup), so it outlives
 * us. On failure nothing is left behind. */
int pumpdir_start(const char *tmpdir, bool detach, const struct incserver_options *opt,
		  struct pumpdir *ret);
/* Adopt a session started by pump --startup: @dir and @pid as printed then.
 * -EINVAL unless @dir is a pump directory (name, socket inside). */
int pumpdir_adopt(const char *dir, const char *pid, struct pumpdir *ret);
/* Print the 3.4-style discrepancy report on stderr (nothing when there were
 * none); @max is DISTCC_MAX_DISCREPANCY. */
void pumpdir_report(const struct pumpdir *p, unsigned max);
/* Stop the include server (SIGTERM; SIGKILL after 5 s), pass on what a
 * detached one printed, remove the directory. Idempotent. */
void pumpdir_stop(struct pumpdir *p);
