/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Joins the configuration to the whitelist module. Pure apart from the
 * whitelist's directory lookups; denies on any doubt.
 */
#include "argpolicy.h"
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

enum policy_verdict policy_check_request(const struct daemon_config *cfg, unsigned protover,
					 char *const argv[], struct policy_result *ret)
{
	struct whitelist w = { .dirs = policy_whitelist_dirs(cfg), .insecure = cfg->insecure };
	enum wl_verdict v = whitelist_check(&w, argv);
	struct argpolicy_verdict av = { 0 };

	*ret = (struct policy_result){ 0 };
	if (v != WL_ALLOW) {
		ret->reason = whitelist_verdict_to_string(v);
		return POLICY_DENY;
	}
	/* the argument policy holds even with --enable-tcp-insecure */
	if (argpolicy_check((const char *const *)argv, protover, &av) < 0) {
		ret->reason = "cannot check the arguments (out of memory)";
		return POLICY_DENY;
	}
	if (!av.allowed) {
		ret->reason = av.reason;
		ret->arg = av.arg;
		return POLICY_DENY;
	}
	ret->argv = av.argv;
	return POLICY_ALLOW;
}
