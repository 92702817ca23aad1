/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Joins the configuration to the compiler list and the argument scanner.
 * Pure apart from the list's directory lookups; denies on any doubt.
 */
#include "compilerlist.h"
#include "jobscan.h"
#include "policy.h"

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
	struct compilerlist l = { .dirs = policy_whitelist_dirs(cfg), .insecure = cfg->insecure };
	enum cl_verdict v = compilerlist_check(&l, argv[0]);
	struct jobscan js = { 0 };

	*ret = (struct policy_result){ 0 };
	if (v != CL_ALLOW) {
		ret->reason = compilerlist_verdict_to_string(v);
		return POLICY_DENY;
	}
	/* the argument policy holds even with --enable-tcp-insecure */
	if (jobscan_argv((const char *const *)argv, protover, &js) < 0) {
		ret->reason = "cannot check the arguments (out of memory)";
		return POLICY_DENY;
	}
	if (!js.allowed) {
		ret->reason = js.reason;
		ret->arg = js.arg;
		return POLICY_DENY;
	}
	ret->job = js;
	return POLICY_ALLOW;
}
