/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads the client's environment once (STYLE 11). Nothing else in the client
 * calls getenv() for a DISTCC_* variable. Pure: no logging, no filesystem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "macro.h"
#include "parse.h"

const char *config_getenv(const char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

/* distcc 3.4's bool reader: only "1" and "0" mean anything. */
static bool env_bool(const char *const *env, const char *name, bool def)
{
	return parse_bool_value(config_getenv(env, name), def);
}

static void env_uint(const char *const *env, const char *name, unsigned min, unsigned max,
		     unsigned *val, const char **bad)
{
	const char *v = config_getenv(env, name);

	if (!v || !*v)
		return;
	if (parse_uint32(v, min, max, val) < 0 && !*bad)
		*bad = name;
}

static int default_dir(const char *const *env, uid_t uid, char **ret)
{
	const char *home = config_getenv(env, "HOME");
	const char *tmp = config_getenv(env, "TMPDIR");
	int r;

	if (home && *home)
		r = asprintf(ret, "%s/.distcc", home);
	else
		r = asprintf(ret, "%s/distcc-%lu", tmp && *tmp ? tmp : "/tmp", (unsigned long)uid);
	return r < 0 ? -ENOMEM : 0;
}

static void parse_numbers(const char *const *env, struct client_config *c, const char **bad)
{
	unsigned io = CONFIG_DEFAULT_IO_TIMEOUT_SEC, fd = 0;
	const char *efd = config_getenv(env, "UNCACHED_ERR_FD");

	env_uint(env, "DISTCC_BACKOFF_PERIOD", 0, 1000000000u, &c->backoff_sec, bad);
	env_uint(env, "DISTCC_IO_TIMEOUT", 1, 1000000000u, &io, bad);
	c->io_timeout = (usec_t)io * USEC_PER_SEC;
	env_uint(env, "DISTCC_PAUSE_TIME_MSEC", 0, 3600000u, &c->pause_msec, bad);
	env_uint(env, "DISTCC_AUTO_COMPILER_MEMORY", 0, 1048576u, &c->auto_mem_mb, bad);
	env_uint(env, "DISTCC_AUTO_LOAD", 0, 1000u, &c->auto_load_pct, bad);
	if (efd && *efd) {
		if (parse_uint32(efd, 0, 65535, &fd) >= 0)
			c->err_fd = (int)fd;
		else if (!*bad)
			*bad = "UNCACHED_ERR_FD";
	}
	env_uint(env, "_DISTCC_SAFEGUARD", 0, 1000, &c->safeguard, bad);
	env_uint(env, "DISTCC_MAX_DISCREPANCY", 1, 1000000000u, &c->max_discrepancy, bad);
}

/* The first variable of @names that is set (even empty: gcc reads it), or NULL. */
static const char *first_set(const char *const *env, const char *const *names)
{
	for (; *names; names++)
		if (config_getenv(env, *names))
			return *names;
	return NULL;
}

/* What pump mode must know: where the include server listens, and the
 * variables that change a job's includes or .d file behind its argv. */
static void parse_pump(const char *const *env, struct client_config *c)
{
	static const char *const cpath[] = { "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH",
					     "OBJC_INCLUDE_PATH", NULL };
	static const char *const deps[] = { "DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES", NULL };

	c->include_server_port = config_getenv(env, "INCLUDE_SERVER_PORT");
	if (c->include_server_port && !*c->include_server_port)
		c->include_server_port = NULL;
	c->cpath_var = first_set(env, cpath);
	c->deps_env_var = first_set(env, deps);
}

int config_parse(const char *const *env, uid_t uid, struct client_config *ret, const char **ret_bad)
{
	struct client_config c = {
		.hosts = config_getenv(env, "DISTCC_HOSTS"),
		.verbose = env_bool(env, "DISTCC_VERBOSE", false),
		.log_file = config_getenv(env, "DISTCC_LOG"),
		.err_fd = -1,
		.fallback = env_bool(env, "DISTCC_FALLBACK", true),
		.skip_local_retry = config_getenv(env, "DISTCC_SKIP_LOCAL_RETRY") != NULL,
		.backoff_sec = CONFIG_DEFAULT_BACKOFF_SEC,
		.pause_msec = CONFIG_DEFAULT_PAUSE_MSEC,
		.auto_mem_mb = CONFIG_DEFAULT_AUTO_MEM_MB,
		.auto_load_pct = 100,
		.save_temps = env_bool(env, "DISTCC_SAVE_TEMPS", false),
		.directives_only = env_bool(env, "DISTCC_DIRECTIVES_ONLY", true),
		.no_rewrite_cross = config_getenv(env, "DISTCC_NO_REWRITE_CROSS") != NULL,
		.no_resolve_native = config_getenv(env, "DISTCC_NO_RESOLVE_NATIVE") != NULL,
		.tmpdir = config_getenv(env, "TMPDIR"),
		.ssh = config_getenv(env, "DISTCC_SSH"),
		.path = config_getenv(env, "PATH"),
		.max_discrepancy = CONFIG_DEFAULT_MAX_DISCREPANCY,
	};
	const char *bad = NULL, *dir = config_getenv(env, "DISTCC_DIR");
	int r;

	if (!c.tmpdir || !*c.tmpdir)
		c.tmpdir = "/tmp";
	if (c.log_file && !*c.log_file)
		c.log_file = NULL;
	parse_numbers(env, &c, &bad);
	parse_pump(env, &c);
	if (dir && *dir) {
		c.dir = strdup(dir);
		if (!c.dir)
			return -ENOMEM;
	} else {
		r = default_dir(env, uid, &c.dir);
		if (r < 0)
			return r;
	}
	*ret = c;
	if (ret_bad)
		*ret_bad = bad;
	return 0;
}

void config_free(struct client_config *c)
{
	free(c->dir);
	c->dir = NULL;
}
