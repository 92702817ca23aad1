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
