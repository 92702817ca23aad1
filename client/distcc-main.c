/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distcc: the client entry point. Reads the configuration, handles the
 * client-only options (--help, --version, --show-hosts, -j), works out how
 * we were invoked, guards against recursion, and hands the job to
 * job_run(). The only place that turns errors into exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkhosts.h"
#include "child.h"
#include "config.h"
#include "exitcode.h"
#include "hosts.h"
#include "livehosts.h"
#include "invoke.h"
#include "io.h"
#include "job.h"
#include "log.h"
#include "macro.h"
#include "native.h"
#include "pumpjob.h"
#include "rewrite.h"
#include "strv.h"
#include "tempfiles.h"

extern char **environ;

static void help(void)
{
	printf("distcc %s %s\n"
	       "Usage:\n"
	       "   distcc [COMPILER] [compile options] -o OBJECT -c SOURCE\n"
	       "   distcc [--help|--version|--show-hosts|-j]\n"
	       "   distcc --check-hosts [COMPILER...]\n"
	       "\n"
	       "Options:\n"
	       "   COMPILER                   Defaults to \"cc\".\n"
	       "   --help                     Explain usage, and exit.\n"
	       "   --version                  Show version, and exit.\n"
	       "   --show-hosts               Show host list, and exit.\n"
	       "   -j                         Show the concurrency level, as calculated from\n"
	       "                              the host list, and exit.\n"
	       "   --check-hosts [COMPILER...] Compile a probe on every host and here, and\n"
	       "                              compare: same / different version / missing /\n"
	       "                              refused / unreachable. Exit 1 on any mismatch.\n"
	       "   --scan-includes COMPILER ARGS\n"
	       "                              Under pump: list the files pump mode would send\n"
	       "                              with this compile, and exit.\n"
	       "\n"
	       "Environment variables (see distcc(1) for all):\n"
	       "   DISTCC_HOSTS               Host list (else $DISTCC_DIR/hosts, %s/distcc/hosts).\n"
	       "   DISTCC_VERBOSE=1           Give debug messages.\n"
	       "   DISTCC_LOG                 Send messages to file, not stderr.\n"
	       "   DISTCC_DIR                 Directory for host list and locks (~/.distcc).\n"
	       "   DISTCC_FALLBACK=0          Never compile locally after a distribution failure.\n"
	       "   DISTCC_DIRECTIVES_ONLY=0   Preprocess gcc jobs fully, as distcc 3.4 does.\n"
	       "\n"
	       "Host specifications:\n"
	       "   localhost[/LIMIT]          Compile locally.\n"
	       "   HOST[:PORT][/LIMIT][,lzo]  TCP connection (port 3632 by default).\n"
	       "   HOST[:PORT],auto[=SPORT]   Limit from the server's live state (stats port 3633).\n"
	       "   [::1]:PORT                 IPv6 address.\n"
	       "   --localslots=N --localslots_cpp=N --randomize\n",
	       PACKAGE_VERSION, rewrite_host_triple(), SYSCONFDIR);
}

static void version(void)
{
	printf("distcc %s %s\n"
	       "  (protocols 1, 2 and 3) (default port 3632)\n"
	       "  systemd-native reimplementation of distcc 3.4\n"
	       "\n"
	       "distcc is free software, and you may use, modify and redistribute it under\n"
	       "the terms of the GNU General Public License version 2 or later.\n",
	       PACKAGE_VERSION, rewrite_host_triple());
}

static int show_hosts(const struct client_config *cfg, bool sum)
{
	struct hostlist l;
	_cleanup_free_ char *bad = NULL, *src = NULL;
	const char *why = NULL;
	int r = hosts_load(cfg, &l, &bad, &why, &src);

	if (r == -EINVAL) {
		log_error("bad host specification '%s': %s", bad ? bad : "", why ? why : "syntax error");
		return EXIT_BAD_HOSTSPEC;
	}
	if (r < 0) {
		log_error_errno(r, "cannot read the host list: %m");
		return EXIT_DISTCC_FAILED;
	}
	if (l.n == 0)
		hosts_log_empty(src);
	for (size_t i = 0; i < l.n && !sum; i++)
		printf("%s\n", l.hosts[i].spec);
	if (sum) /* ",auto" hosts: live limits (livehosts.h) */
		printf("%lu\n", livehosts_jobs(&l, livehosts_refresh(cfg, &l), NULL));
	hostlist_free(&l);
	return 0;
}

/* --scan-includes COMPILER ARGS (pump mode's closure for one job). */
static int scan_includes(const struct client_config *cfg, char *const argv[])
{
	int r;

	if (!argv[0]) {
		log_error("--scan-includes needs a compile command");
		return EXIT_BAD_ARGUMENTS;
	}
	r = pumpjob_scan_includes(cfg, argv);
	return r == -EINVAL ? EXIT_BAD_ARGUMENTS : r < 0 ? EXIT_DISTCC_FAILED : r;
}

/* Client-only options, recognised only as argv[1]; -1 when not one. */
static int client_option(const struct client_config *cfg, char *const argv[])
{
	const char *a = argv[1];

	if (strcmp(a, "--help") == 0) {
		help();
		return 0;
	}
	if (strcmp(a, "--version") == 0) {
		version();
		return 0;
	}
	if (strcmp(a, "--show-hosts") == 0)
		return show_hosts(cfg, false);
	if (strcmp(a, "-j") == 0)
		return show_hosts(cfg, true);
	if (strcmp(a, "--check-hosts") == 0)
		return checkhosts_run(cfg, argv + 2);
	if (strcmp(a, "--scan-includes") == 0)
		return scan_includes(cfg, argv + 2);
	if (strcmp(a, "--show-principal") == 0) {
		log_error("%s is not supported", a);
		return EXIT_BAD_ARGUMENTS;
	}
	return -1;
}

static int err_fd_sink_fd = -1;

static void err_fd_sink(int level, const char *msg, void *userdata)
{
	char line[2200];
	int n;

	(void)userdata;
	n = snprintf(line, sizeof(line), "distcc[%ld] %s%s\n", (long)getpid(),
		     log_severity_prefix(level), msg);
	if (n > 0)
		(void)!write(err_fd_sink_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void setup_logging(const struct client_config *cfg)
{
	log_set_ident("distcc");
	log_set_max_level(cfg->verbose ? LOG_DEBUG : LOG_WARNING);
	if (cfg->log_file) {
		int r = log_to_file(cfg->log_file);

		if (r >= 0) {
			if (!cfg->verbose)
				log_set_max_level(LOG_INFO);
			return;
		}
		log_warning_errno(r, "failed to open logfile '%s': %m", cfg->log_file);
	} else if (cfg->err_fd >= 0 && cfg->err_fd != STDERR_FILENO &&
		   fcntl(cfg->err_fd, F_GETFD) >= 0) {
		err_fd_sink_fd = cfg->err_fd;
		log_to_sink(err_fd_sink, NULL);
	}
}

static int map_result(const struct job_result *res)
{
	switch (res->outcome) {
	case JOB_DONE:
		return res->exit_code;
	case JOB_BAD_HOSTSPEC:
		return EXIT_BAD_HOSTSPEC;
	case JOB_NO_HOSTS:
		return EXIT_NO_HOSTS;
	case JOB_COMPILER_MISSING:
		return EXIT_COMPILER_MISSING;
	case JOB_DISTRIBUTE_FAILED:
		switch (res->error) {
		case -ETIMEDOUT:
			return EXIT_TIMEOUT;
		case -ECONNREFUSED: case -EHOSTUNREACH: case -ENETUNREACH:
			return EXIT_CONNECT_FAILED;
		case -EBADMSG: case -EPROTO:
			return EXIT_PROTOCOL_ERROR;
		case -EPIPE: case -ENODATA: case -ECONNRESET:
			return EXIT_IO_ERROR;
		default:
			return EXIT_DISTCC_FAILED;
		}
	case JOB_FAILED:
	default:
		return res->error == -ENOMEM ? EXIT_OUT_OF_MEMORY : EXIT_DISTCC_FAILED;
	}
}

/* Masquerade PATH, recursion guard, then the level our children see. */
static int prepare_env(const struct client_config *cfg, const struct invocation *inv)
{
	char lvl[16];
	bool tweaked = inv->path != NULL;

	if (tweaked && setenv("PATH", inv->path, 1) < 0)
		return EXIT_OUT_OF_MEMORY;
	if (invoke_is_recursion(cfg->safeguard, tweaked)) {
		log_error("distcc seems to have invoked itself recursively!");
		return EXIT_RECURSION;
	}
	snprintf(lvl, sizeof(lvl), "%u", cfg->safeguard + 1);
	if (setenv("_DISTCC_SAFEGUARD", lvl, 1) < 0)
		return EXIT_OUT_OF_MEMORY;
	return 0;
}

/* -march=native & co. become the local CPU's flags so the job can travel;
 * when that cannot be proven exact, the flags stay and the job runs here. */
static void resolve_native(const struct client_config *cfg, struct invocation *inv)
{
	const char *why = NULL;
	int r;

	if (cfg->no_resolve_native || cfg->safeguard > 0 || !native_wanted(inv->argv))
		return;
	r = native_resolve(&inv->argv, inv->path ? inv->path : cfg->path, cfg->dir, &why);
	if (r < 0)
		log_debug_errno(r, "cannot resolve the native CPU flags: %m");
	else if (r == 0)
		log_debug("native CPU flags kept (the job runs locally): %s", why ? why : "");
	else
		log_debug("native CPU flags resolved for '%s'", inv->argv[0]);
}

static int run(const struct client_config *cfg, struct invocation *inv)
{
	static char state_dir[PATH_MAX];
	struct job_result res = { 0 };
	struct client_config eff = *cfg;
	int r = prepare_env(cfg, inv);

	if (r != 0)
		return r;
	if (inv->path)
		eff.path = inv->path; /* the compiler is found past the masquerade dir */
	if (!cfg->no_rewrite_cross && cfg->safeguard == 0) {
		r = rewrite_compiler(&inv->argv, inv->path ? inv->path : cfg->path);
		if (r < 0)
			log_debug_errno(r, "compiler name rewriting failed: %m");
	}
	resolve_native(cfg, inv);
	snprintf(state_dir, sizeof(state_dir), "%s/state", cfg->dir);
	tempfiles_init(state_dir, cfg->save_temps);
	(void)job_run(&eff, inv->argv, cfg->safeguard, &res);
	free(res.bad_token);
	if (res.outcome == JOB_DONE && res.signal > 0)
		tempfiles_die_by_signal(res.signal);
	return map_result(&res);
}

int main(int argc, char *argv[])
{
	struct client_config cfg;
	struct invocation inv = { 0 };
	const char *bad = NULL;
	int r;

	fd_ensure_std();
	child_ignore_sigpipe();
	if (config_parse((const char *const *)environ, getuid(), &cfg, &bad) < 0)
		return EXIT_OUT_OF_MEMORY;
	setup_logging(&cfg);
	log_debug("distcc %s %s", PACKAGE_VERSION, rewrite_host_triple());
	if (bad)
		log_warning("ignoring invalid %s='%s'", bad, config_getenv((const char *const *)environ, bad));
	if (argc >= 2 && strstr(str_basename(argv[0]), "distcc")) {
		r = client_option(&cfg, argv);
		if (r >= 0)
			goto out;
	}
	r = invoke_parse(argc, (const char *const *)argv, cfg.path, invoke_dir_has_exec, &inv);
	if (r == -EINVAL) {
		fprintf(stderr, "distcc: missing option/operand\n"
				"Try `distcc --help' for more information.\n");
		r = EXIT_BAD_ARGUMENTS;
	} else if (r < 0)
		r = EXIT_OUT_OF_MEMORY;
	else
		r = run(&cfg, &inv);
out:
	invocation_free(&inv);
	config_free(&cfg);
	fflush(stdout);
	return r;
}
