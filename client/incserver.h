/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include server of pump mode (DISTCC-REFERENCE 8): one process per
 * build, on a UNIX stream socket, that answers "which files must travel with
 * this compile job" with the job's include closure, each file compressed
 * once per build. incserver_serve() is the server, incserver_query() the
 * client side the distcc client calls once per job.
 *
 * RPC (distcc's 12-byte token framing, one request per connection):
 *   request  CDIR <cwd>  ARGC <n>  ARGV x n  CCPA <absolute compiler path>
 *   reply    NFIL <n>  then n x ( NAME <abs path>  FILE <cache file> | LINK <text> )
 *            or NFIL 0  WHYS <reason>   (not covered: the job uses plain mode;
 *            WHYS, not WHY_: common/proto tokens are 4 letters A-Z)
 * See docs/pump-analysis.md for what the analysis covers and its limits.
 */
#pragma once

#include <stddef.h>

#include "io.h"

enum incserver_kind {
	INCSERVER_FILE,   /* send FILE with the bytes of ->path, verbatim (already LZO) */
	INCSERVER_LINK,   /* send LINK with ->target */
};

struct incserver_entry {
	char *name;                 /* absolute client path: the NAME to send */
	enum incserver_kind kind;
	union {
		char *path;         /* FILE: absolute path of the compressed cache file */
		char *target;       /* LINK: the symlink text, as readlink() gives it */
	};
};

struct incserver_closure {
	size_t n;                   /* 0: not covered, the job uses plain mode */
	struct incserver_entry *entries;   /* in send order; the source file is one of them */
};

struct incserver_options {
	usec_t request_budget;      /* analysis time per request; 0: 4 s. Over: not covered */
	size_t max_file_bytes;      /* a bigger source or header: not covered; 0: 64 MiB */
	bool stat_only;             /* no inotify: stat every file and directory per request */
};

/* Serve requests on @listen_fd, an already listening AF_UNIX stream socket,
 * until SIGTERM or SIGINT arrives or the socket is shut down. One request per
 * connection, served one at a time; caches live in memory for the call.
 * Each file content version is written LZO1X-1 compressed (an empty file is
 * the 3 bytes 11 00 00) once into @cache_dir under a new name, never
 * rewritten in place, so the path a reply names keeps its bytes until the
 * server exits. @opt may be NULL (defaults). Blocks SIGTERM/SIGINT and
 * ignores SIGPIPE while it runs, and restores both before returning (a
 * forked caller that blocks SIGTERM before fork() also catches a SIGTERM
 * sent before this starts; otherwise that one kills the process).
 * Returns 0 on a signal or shutdown, -errno when it cannot go on. */
int incserver_serve(int listen_fd, const char *cache_dir, const struct incserver_options *opt);

/* Ask the server on @socket_path for the closure of one job. @argv is exactly
 * the argv the client will send the distcc server (argv[0] the compiler name
 * as sent); @cwd the client's working directory (CDIR); @compiler_path the
 * absolute path of the local compiler, which the server asks once per
 * compiler/language/flags for its default include directories. Waits until
 * @deadline (absolute, CLOCK_MONOTONIC, USEC_INFINITY for none).
 * On success returns 0 and fills *ret (ret->n == 0: not covered, then *ret_why
 * is a malloc'd reason for DISTCC_VERBOSE, else *ret_why is NULL).
 * -errno when the server cannot be reached or answers garbage (-EBADMSG):
 * the caller then uses plain mode too. */
int incserver_query(const char *socket_path, const char *cwd, char *const argv[],
		    const char *compiler_path, usec_t deadline, struct incserver_closure *ret,
		    char **ret_why);

/* Release what a closure holds; @c itself may be on the stack. NULL is fine. */
void incserver_closure_free(struct incserver_closure *c);
