/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol 3 (pump) parts of a job, for the session: receive the
 * client's files into the job root, where the compiler then runs, and take
 * the root back out of what it wrote (DOTD, messages). Reads the socket
 * through the codec and writes the job directory; does not log (the
 * session does, once).
 */
#pragma once

#include "buf.h"
#include "proto.h"
#include "pumproot.h"

struct pumpserve {
	struct pumproot root;
	char *cwd;             /* <root><CDIR>: the compiler's working directory */
	char *deps;            /* <job dir>/output.d: where the compiler writes the .d */
};

#define PUMPSERVE_NULL ((struct pumpserve){ .root = PUMPROOT_NULL })

/* Read NFIL and its entries from @src into a new root in @jobdir, then
 * make the client's working directory @cdir there. Returns 0; -EACCES when
 * an entry or @cdir is refused (*ret_message, malloc'd: the client's path,
 * made printable, and why), after reading the rest of the list so the
 * refusal can be answered; a proto_read_* error for a malformed stream
 * (nothing is answered then); other -errno for the server's own failures. */
int pumpserve_receive(struct pumpserve *pj, struct proto_src *src, const char *jobdir,
		    const char *cdir, char **ret_message);

/* Fill @serr (from the compiler's @err text) and, after a successful
 * compile, @dotd (from pj->deps), with the root taken out. */
int pumpserve_results(const struct pumpserve *pj, const void *err, size_t err_len, int status,
		    struct buf *serr, struct buf *dotd);

void pumpserve_done(struct pumpserve *pj);
