/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distcc-build [--no-local] COMMAND [ARGS...]: run a build with the
 * parallelism `distcc -j` suggests, inserted as "-jN" after COMMAND (make,
 * ninja...). The ",auto" hosts are asked for their live state first (so
 * the build's jobs start with a fresh cache); when no remote host is
 * usable the build runs locally with one job per CPU, or with --no-local
 * fails with exit code 116 (EXIT_NO_HOSTS). See distcc-build(1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "exitcode.h"
#include "hosts.h"
#include "livehosts.h"
#include "log.h"
#include "macro.h"

extern char **environ;

static void usage(FILE *f)
{
	fputs("usage: distcc-build [--no-local] COMMAND [ARGS...]\n"
	      "\n"
	      "Runs COMMAND -jN ARGS..., N being the parallelism `distcc -j` suggests\n"
	      "for the host list (the live limits of ',auto' hosts plus --localslots).\n"
	      "When no remote host is usable, builds locally with one job per CPU.\n"
	      "\n"
	      "  --no-local  Fail (exit 116) instead when no remote host is usable.\n"
	      "  --help      Show this text, and exit.\n",
	      f);
}

/* The parallelism for @cfg's list; *ret_remote is its remote part. */
static int suggested_jobs(const struct client_config *cfg, unsigned long *ret_jobs,
			  unsigned long *ret_remote)
{
	_cleanup_free_ char *bad = NULL, *src = NULL;
	const char *why = NULL;
	struct hostlist l;
	int r = hosts_load(cfg, &l, &bad, &why, &src);

	if (r == -EINVAL) {
		log_error("bad host specification '%s': %s", bad ? bad : "", why ? why : "");
		return r;
	}
	if (r < 0)
		return log_error_errno(r, "cannot read the host list: %m");
	*ret_jobs = livehosts_jobs(&l, livehosts_refresh(cfg, &l), ret_remote);
	hostlist_free(&l);
	return 0;
}

static int run(char **cmd, unsigned long jobs)
{
	size_t n = 0;
	char jarg[32], **argv;
	int r;

	while (cmd[n])
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		return EXIT_OUT_OF_MEMORY;
	snprintf(jarg, sizeof(jarg), "-j%lu", jobs);
	argv[0] = cmd[0];
	argv[1] = jarg;
	for (size_t i = 1; i <= n; i++)
		argv[i + 1] = cmd[i];
	fflush(stdout);
	execvp(argv[0], argv);
	r = -errno;
	log_error_errno(r, "cannot run '%s': %m", argv[0]);
	free(argv);
	return r == -ENOENT ? 127 : 126;
}

int main(int argc, char *argv[])
{
	struct client_config cfg;
	unsigned long jobs = 0, remote = 0;
	bool no_local = false;
	int i = 1, r;

	log_set_ident("distcc-build");
	log_to_stderr();
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--no-local") == 0)
			no_local = true;
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			usage(stderr);
			return EXIT_BAD_ARGUMENTS;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_BAD_ARGUMENTS;
	}
	if (config_parse((const char *const *)environ, getuid(), &cfg, NULL) < 0)
		return EXIT_OUT_OF_MEMORY;
	r = suggested_jobs(&cfg, &jobs, &remote);
	config_free(&cfg);
	if (r < 0)
		return r == -EINVAL ? EXIT_BAD_HOSTSPEC : EXIT_DISTCC_FAILED;
	if (remote == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		if (no_local) {
			log_error("no remote host is usable; not building (--no-local)");
			return EXIT_NO_HOSTS;
		}
		jobs = cpus > 0 ? (unsigned long)cpus : 1;
		log_warning("no remote host is usable; building locally with -j%lu", jobs);
	}
	return run(argv + i, jobs);
}
