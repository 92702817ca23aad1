/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `distcc --check-hosts [COMPILER...]`: does every host compile exactly as
 * this machine does? For each host and compiler, a small probe is compiled
 * remotely (plain protocol, so distcc 3.4 servers answer too) and locally,
 * and the objects are compared byte for byte; when they differ, the
 * objects' .comment (compiler version) and ELF machine (target) say how.
 */
#pragma once

#include "config.h"

enum check_verdict {
	CHECK_SAME,
	CHECK_VERSION,       /* another compiler version (.comment differs) */
	CHECK_TARGET,        /* another target (ELF class, byte order, machine or flags) */
	CHECK_OBJECT,        /* same version and target, different bytes */
	CHECK_MISSING,       /* the server does not have or offer the compiler */
	CHECK_REFUSED,       /* the server closed or refused the job */
	CHECK_UNREACHABLE,   /* no connection */
	CHECK_FAILED,        /* the probe did not compile (there, or here) */
	CHECK_SKIPPED,       /* not a TCP host (localhost, ssh) */
};

const char *check_verdict_to_string(enum check_verdict v);
/* Classify a reply's status and SERR when the server did not compile:
 * 110 missing, 113 missing when it says the compiler is not offered, else
 * refused; any other failure: failed. Pure. */
enum check_verdict check_classify_status(unsigned status, const char *serr, size_t serr_len);
/* Run the check and print the table. Returns the exit status: 0 when every
 * checked pair is "same", 1 otherwise, or a distcc exit code (bad host
 * list 106, no hosts 116, no usable compiler name 101). */
int checkhosts_run(const struct client_config *cfg, char *const compilers[]);
