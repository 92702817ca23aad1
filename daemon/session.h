/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One job on one connection: read the request (with an absolute deadline),
 * check it, compile it in a private directory, send the reply exactly as
 * distcc 3.4 does (DONE STAT SERR SOUT DOTO), report one summary line.
 */
#pragma once

#include "config.h"
#include "jobsum.h"

/* Serve one job read from @in_fd and answered on @out_fd (the same socket,
 * or inetd's stdin/stdout). Checks the peer address against the access list
 * first when the input is an IP socket. Returns the job's result. */
enum job_result session_serve(const struct daemon_config *cfg, int in_fd, int out_fd);
/* The same, and hand the job's summary to @done (if not NULL) before the
 * session's memory goes: the standalone server reports it to its parent. */
typedef void (*session_done_fn)(const struct job_summary *sum, void *userdata);
enum job_result session_serve_with(const struct daemon_config *cfg, int in_fd, int out_fd,
				   session_done_fn done, void *userdata);
