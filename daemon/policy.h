/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one question the session asks before running a compiler: may this
 * argv run here, and as what job? The compiler-name list (compilerlist.h)
 * first, then the argument scanner (jobscan.h), which also yields the job's
 * facts. With DISTCC_CMDLIST the job's argv[0] becomes the listed path.
 */
#pragma once

#include "config.h"
#include "jobscan.h"

enum policy_verdict { POLICY_ALLOW, POLICY_DENY };

struct policy_result {
	const char *reason;   /* POLICY_DENY: static text for the log and SERR */
	const char *arg;      /* POLICY_DENY: the refused argument (points into argv);
			       * NULL when the compiler itself is refused */
	struct jobscan job;   /* POLICY_ALLOW: the scan (argv to run, input, output,
			       * paths); the caller owns it (jobscan_done()) */
};

/* @protover is the request's DIST value. Fails closed: an internal error is
 * a POLICY_DENY with its reason. */
enum policy_verdict policy_check_request(const struct daemon_config *cfg, unsigned protover,
					 char *const argv[], struct policy_result *ret);
/* The compiler list in effect: the masquerade directories, or
 * DISTCC_CMDLIST when it is set (pointers into @cfg). */
struct compilerlist policy_compilerlist(const struct daemon_config *cfg);
/* The compiler-list directories in effect (NULL-terminated, static or cfg-owned). */
char *const *policy_whitelist_dirs(const struct daemon_config *cfg);
