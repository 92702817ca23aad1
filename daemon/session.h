/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One job on one connection: read the request (a short deadline for its
 * head, a pace for the rest), check it, wait for a compile slot when the
 * standalone server hands them out, compile it in a private directory,
 * send the reply exactly as
 * distcc 3.4 does (DONE STAT SERR SOUT DOTO), report one summary line.
 */
#pragma once

#include "config.h"
#include "jobsum.h"

/* Serve one job read from @in_fd and answered on @out_fd (the same socket,
 * or inetd's stdin/stdout). Checks the peer address against the access list
 * first when the input is an IP socket. Returns the job's result. */
enum job_result session_serve(const struct daemon_config *cfg, int in_fd, int out_fd);
/* What the standalone server adds to a job its child serves. */
typedef void (*session_done_fn)(const struct job_summary *sum, void *userdata);
struct session_ops {
	/* the job's summary, before the session's memory goes (NULL: none) */
	session_done_fn done;
	void *userdata;
	/* the compile slot socket to the parent (jobslot.h); -1: compile at
	 * once (inetd, Accept=yes: one job per process) */
	int slot_fd;
};
/* The same, with @ops. */
enum job_result session_serve_with(const struct daemon_config *cfg, int in_fd, int out_fd,
				   const struct session_ops *ops);
