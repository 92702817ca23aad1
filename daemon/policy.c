/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Joins the configuration to the whitelist module. Pure apart from the
 * whitelist's directory lookups; denies on any doubt.
 */
#include "policy.h"
#include "whitelist.h"

#ifndef LIBDIR
#define LIBDIR "/usr/local/lib"
#endif

static char *const default_dirs[] = { (char *)LIBDIR "/distcc", (char *)"/usr/lib/distcc", NULL };

char *const *policy_whitelist_dirs(const struct daemon_config *cfg)
{
	return cfg->masquerade_dirs ? cfg->masquerade_dirs : default_dirs;
}

enum policy_verdict policy_check_request(const struct daemon_config *cfg, char *const argv[],
					 const char **ret_reason)
{
	struct whitelist w = { .dirs = policy_whitelist_dirs(cfg), .insecure = cfg->insecure };
	enum wl_verdict v = whitelist_check(&w, argv);

	if (v == WL_ALLOW)
		return POLICY_ALLOW;
	*ret_reason = whitelist_verdict_to_string(v);
	return POLICY_DENY;
}
