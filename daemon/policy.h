/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one question the session asks before running a compiler: may this
 * argv run here? The stricter argument policy plugs in behind this call.
 */
#pragma once

#include "config.h"

enum policy_verdict { POLICY_ALLOW, POLICY_DENY };

/* On POLICY_DENY, *ret_reason is a static string for the log and SERR. */
enum policy_verdict policy_check_request(const struct daemon_config *cfg, char *const argv[],
					 const char **ret_reason);
/* The whitelist directories in effect (NULL-terminated, static or cfg-owned). */
char *const *policy_whitelist_dirs(const struct daemon_config *cfg);
