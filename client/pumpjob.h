/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One job's pump mode (protocol 3, DISTCC-REFERENCE 1.4, 3.3, 8): decide
 * once per job whether it can go in pump mode (a ',cpp' host, an include
 * server, nothing that hides includes, fewer discrepancies than allowed,
 * and an include closure the analysis vouches for), send the source with
 * its headers, write the .d file the server returns, and count the
 * discrepancies that demote the rest of the build to plain mode.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "argscan.h"
#include "config.h"
#include "incserver.h"
#include "io.h"
#include "proto.h"
#include "pumpargs.h"
#include "remote.h"

struct pumpjob {
	bool decided, on;        /* pumpjob_use() ran; its answer */
	struct pump_args args;
	struct incserver_closure closure;
	struct remote_file *files;
	size_t n_files;
	char *cwd;
	char *counter;           /* discrepancy counter path, NULL outside pump */
};

/* Whether @scan (a REMOTE job) goes to a ',cpp' host in pump mode. Decided
 * on the first call (later calls return the same): asks the include server
 * for the closure within the I/O timeout. Anything that cannot be vouched
 * for means plain mode, said only under DISTCC_VERBOSE. */
bool pumpjob_use(struct pumpjob *pj, const struct client_config *cfg,
		 const struct argscan_job *scan);
/* Send the protocol 3 request on @fd. *ret_local: the failure was ours (an
 * unreadable cache file), not the host's. */
int pumpjob_send(struct pumpjob *pj, int fd, usec_t deadline, bool *ret_local);
/* After a successful pump reply: write its DOTD where a local -MD build
 * writes the .d file (nothing when none is wanted). */
int pumpjob_write_dotd(const struct pumpjob *pj, const struct proto_reply *rep);
/* The job failed on a server in pump mode and then compiled locally: a
 * discrepancy. Counted where the rest of the build sees it (3.4's counter
 * file), which demotes the build to plain mode at DISTCC_MAX_DISCREPANCY. */
void pumpjob_note_discrepancy(const struct pumpjob *pj, const struct client_config *cfg);
void pumpjob_free(struct pumpjob *pj);

/* distcc --scan-includes COMPILER ARGS: print, one per line, the files pump
 * mode would send for this compile ("FILE <path>" or "SYMLINK <path>"), as
 * the include server answers. 0 when listed; 1 when the job would use plain
 * mode (the reason is printed); -EINVAL when it is not a distributable
 * compile. */
int pumpjob_scan_includes(const struct client_config *cfg, char *const argv[]);
