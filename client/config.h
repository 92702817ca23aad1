/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's configuration: every DISTCC_* environment variable (and
 * TMPDIR, HOME, PATH, _DISTCC_SAFEGUARD) read once, here, into a struct that
 * the rest of the client only reads. Pure: the environment is passed in.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "io.h"

#define CONFIG_DEFAULT_BACKOFF_SEC 60
#define CONFIG_DEFAULT_IO_TIMEOUT_SEC 300
#define CONFIG_DEFAULT_PAUSE_MSEC 1000
#define CONFIG_DEFAULT_MAX_DISCREPANCY 1
#define CONFIG_DEFAULT_AUTO_MEM_MB 256

struct client_config {
	const char *hosts;          /* DISTCC_HOSTS; NULL when unset ("" is a list) */
	char *dir;                  /* DISTCC_DIR, else $HOME/.distcc (owned) */
	bool verbose;               /* DISTCC_VERBOSE=1 */
	const char *log_file;       /* DISTCC_LOG */
	int err_fd;                 /* UNCACHED_ERR_FD, -1 when unset */
	bool fallback;              /* DISTCC_FALLBACK, default 1 */
	bool skip_local_retry;      /* DISTCC_SKIP_LOCAL_RETRY set to anything */
	unsigned backoff_sec;       /* DISTCC_BACKOFF_PERIOD; 0 disables backoff */
	usec_t io_timeout;          /* DISTCC_IO_TIMEOUT seconds */
	unsigned pause_msec;        /* DISTCC_PAUSE_TIME_MSEC */
	unsigned auto_load_pct;     /* DISTCC_AUTO_LOAD: weight of other load in ",auto" limits, % (0: ignore) */
	unsigned auto_mem_mb;       /* DISTCC_AUTO_COMPILER_MEMORY: MB a job needs (",auto"), 0 = no bound */
	bool save_temps;            /* DISTCC_SAVE_TEMPS=1 */
	bool directives_only;       /* DISTCC_DIRECTIVES_ONLY, default 1: see cppmode.h */
	bool no_rewrite_cross;      /* DISTCC_NO_REWRITE_CROSS set */
	bool no_resolve_native;     /* DISTCC_NO_RESOLVE_NATIVE set: -march=native stays local */
	const char *tmpdir;         /* TMPDIR, default /tmp */
	const char *ssh;            /* DISTCC_SSH, NULL when unset */
	const char *path;           /* PATH, NULL when unset */
	unsigned safeguard;         /* _DISTCC_SAFEGUARD recursion level */
	/* pump mode (DISTCC-REFERENCE 8) */
	const char *include_server_port; /* INCLUDE_SERVER_PORT: the include server's socket */
	unsigned max_discrepancy;   /* DISTCC_MAX_DISCREPANCY, default 1, at least 1 */
	const char *cpath_var;      /* name of the first of CPATH, C_INCLUDE_PATH,
				     * CPLUS_INCLUDE_PATH, OBJC_INCLUDE_PATH that is set */
	const char *deps_env_var;   /* DEPENDENCIES_OUTPUT or SUNPRO_DEPENDENCIES if set */
};

/* Fill *ret from @env (an environ-style "NAME=value" vector; NULL = empty).
 * Invalid numbers keep the default and the first offending variable's name
 * is put in *ret_bad (static string; NULL if all were valid). @uid names a
 * fallback directory when HOME is unset. -ENOMEM only. */
int config_parse(const char *const *env, uid_t uid, struct client_config *ret, const char **ret_bad);
void config_free(struct client_config *c);
/* Value of @name in @env, or NULL. */
const char *config_getenv(const char *const *env, const char *name);
