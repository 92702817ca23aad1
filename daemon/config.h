/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccd's configuration: every distcc 3.4 option plus ours, parsed once
 * with getopt_long into a struct that is const for the rest of the run, and
 * the few environment variables the daemon honours (read here, only here).
 */
#pragma once

#include <stdbool.h>

#include "compilerlist.h"
#include "netacl.h"
#include "io.h"
#include "toolmap.h"

enum daemon_mode { MODE_AUTO, MODE_INETD, MODE_DAEMON };

enum config_action { CONFIG_RUN, CONFIG_HELP, CONFIG_VERSION, CONFIG_LIST_COMPILERS };

struct daemon_config {
	enum daemon_mode mode;
	bool no_detach, no_fork, log_stderr, insecure, allow_given, stats;
	bool zeroconf;             /* --zeroconf: publish while serving (zcpublish.h) */
	bool zeroconf_publish;     /* --zeroconf-publish: only publish, for distccd.socket */
	unsigned port, stats_port, jobs, nice;
	unsigned max_per_source;   /* compile slots per client address; 0 until parsed */
	unsigned max_connections;  /* connections held (read, waiting, compiling); 0 until parsed */
	char **listen;             /* --listen, repeatable; NULL = 0.0.0.0 */
	char **masquerade_dirs;    /* --masquerade-dir; NULL = LIBDIR/distcc + /usr/lib/distcc */
	char *pid_file, *log_file, *user;
	char *toolmap_path;        /* --toolchain-map FILE */
	struct toolmap toolmap;    /* its entries (empty without the option) */
	int log_level;             /* LOG_* */
	bool log_level_given;      /* --log-level, --verbose or --wizard */
	usec_t lifetime, job_lifetime, io_timeout;   /* 0 = off (io_timeout never 0) */
	usec_t head_timeout;       /* from accept to the end of the request head; never 0 */
	usec_t idle_exit;          /* socket-activated only: exit when idle this long; 0 = never */
	uint64_t job_as_bytes;     /* --job-address-space (RLIMIT_AS); 0: the sandbox's default */
	uint64_t job_fsize_bytes;  /* --job-file-size (RLIMIT_FSIZE); 0: the sandbox's default */
	struct netacl allow;
	/* environment, read once by config_load_env() */
	bool save_temps;           /* DISTCC_SAVE_TEMPS */
	char *path;                /* DISTCCD_PATH, else PATH, else a default */
	char *tmpdir;              /* TMPDIR, else /tmp */
	char **locale_env;         /* LANG=, LC_*= to hand to the compiler */
	bool has_cmdlist;          /* DISTCC_CMDLIST set: cmdlist is the compiler list */
	struct cmdlist cmdlist;    /* its entries (DISTCC_CMDLIST_NUMWORDS words matched) */
	char *journal_stream;      /* JOURNAL_STREAM: stderr is the journal's */
	bool notify_socket;        /* NOTIFY_SOCKET set: Type=notify, stay in the foreground */
};

#define DEFAULT_PORT 3632
#define DEFAULT_STATS_PORT 3633
#define DEFAULT_NICE 5
#define DEFAULT_IO_TIMEOUT_SEC 300
#define DEFAULT_HEAD_TIMEOUT_SEC 5
/* A client's DISTCC_IO_TIMEOUT (300 s) covers waiting for the reply:
 * a compile that runs longer has no one left to send it to. */
#define DEFAULT_JOB_LIFETIME_SEC 300
/* After the head the request must keep coming at this pace (bytes per
 * second, on average, after a --head-timeout grace). */
#define REQUEST_MIN_RATE (16u * 1024)
/* --max-connections defaults to this many per --jobs slot. */
#define DEFAULT_CONNECTIONS_PER_JOB 8
#define DEFAULT_IDLE_EXIT_SEC 300
#define DISTCC_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* Defaults (jobs = ncpus + 2; after parsing, max_per_source = jobs / 2
 * (at least 1) and max_connections = 8 * jobs unless given). */
void config_init(struct daemon_config *c);
/* Parse argv. On a bad option logs an error naming it and returns -EINVAL;
 * an unsupported feature (--auth...) returns -EOPNOTSUPP. */
int config_parse_argv(struct daemon_config *c, int argc, char *argv[], enum config_action *ret_action);
/* Read DISTCC_SAVE_TEMPS, DISTCCD_PATH/PATH, TMPDIR, DISTCC_IO_TIMEOUT,
 * DISTCC_CMDLIST (the file is read here), DISTCC_CMDLIST_NUMWORDS,
 * JOURNAL_STREAM, NOTIFY_SOCKET, LANG/LC_*. */
int config_load_env(struct daemon_config *c);
void config_done(struct daemon_config *c);
/* Usage text for --help. */
void config_print_help(const char *prog);
