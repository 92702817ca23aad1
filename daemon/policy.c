/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Joins the configuration to the compiler list and the argument scanner.
 * Pure apart from the list's directory lookups; denies on any doubt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

struct compilerlist policy_compilerlist(const struct daemon_config *cfg)
{
	return (struct compilerlist){ .dirs = policy_whitelist_dirs(cfg), .insecure = cfg->insecure,
				      .cmdlist = cfg->has_cmdlist ? &cfg->cmdlist : NULL };
}

/* DISTCC_CMDLIST: the listed path runs, not the name the client sent. */
static int remap_compiler(const struct daemon_config *cfg, struct jobscan *js)
{
	const char *path = cfg->has_cmdlist ? cmdlist_lookup(&cfg->cmdlist, js->argv[0]) : NULL;
	char *copy;

	if (!path || strcmp(path, js->argv[0]) == 0)
		return 0;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	free(js->argv[0]);
	js->argv[0] = copy;
	return 0;
}

enum policy_verdict policy_check_request(const struct daemon_config *cfg, unsigned protover,
					 char *const argv[], struct policy_result *ret)
{
	struct compilerlist l = policy_compilerlist(cfg);
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
	if (remap_compiler(cfg, &js) < 0) {
		jobscan_done(&js);
		ret->reason = "cannot check the arguments (out of memory)";
		return POLICY_DENY;
	}
	ret->job = js;
	return POLICY_ALLOW;
}
