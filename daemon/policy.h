/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one question the session asks before running a compiler: may this
 * argv run here? The compiler-name whitelist first, then the
 * deny-by-default argument policy (argpolicy.h).
 */
#pragma once

#include "config.h"

enum policy_verdict { POLICY_ALLOW, POLICY_DENY };

struct policy_result {
	const char *reason;   /* POLICY_DENY: static text for the log and SERR */
	const char *arg;      /* POLICY_DENY: the refused argument (points into argv);
			       * NULL when the compiler itself is refused */
	char **argv;          /* POLICY_ALLOW: the argv to run, owned (strv_free);
			       * inert linker options dropped, -Wp,-MD,x -> -MD */
};

/* @protover is the request's DIST value. Fails closed: an internal error is
 * a POLICY_DENY with its reason. */
enum policy_verdict policy_check_request(const struct daemon_config *cfg, unsigned protover,
					 char *const argv[], struct policy_result *ret);
/* The whitelist directories in effect (NULL-terminated, static or cfg-owned). */
char *const *policy_whitelist_dirs(const struct daemon_config *cfg);
