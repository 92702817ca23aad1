/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccmon-text [DELAY]: list the compile jobs of this user's distcc
 * clients from $DISTCC_DIR/state, once or every DELAY seconds, in distcc
 * 3.4's exact line format. Reads state; only removes stale records.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "hosts.h"
#include "livehosts.h"
#include "exitcode.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "monitor.h"
#include "parse.h"
#include "rewrite.h"

extern char **environ;

static usec_t arg_delay; /* 0: run once */
static bool arg_hosts;   /* --hosts: the cluster view first */

static void usage(FILE *f)
{
	fputs("usage: distccmon-text [DELAY]\n"
	      "       distccmon-text --hosts [DELAY]\n"
	      "\n"
	      "Displays current compilation jobs in text form.\n"
	      "\n"
	      "If delay is specified, repeatedly updates after that many (fractional)\n"
	      "seconds.  Otherwise, runs just once.\n"
	      "\n"
	      "  --hosts    First a table of every host of the list, from each server's\n"
	      "             stats port: state, running+queued/max jobs, load, free memory,\n"
	      "             jobs/s, failures, backoff.\n"
	      "  --help     Show this text, and exit.\n"
	      "  --version  Show the version, and exit.\n",
	      f);
}

/* 1: run, 0: exit 0 (--help/--version), <0: bad arguments. */
static int parse_argv(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "hosts", no_argument, NULL, 'H' },
		{},
	};
	unsigned long long usec;
	int c;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) >= 0) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'H':
			arg_hosts = true;
			break;
		case 'V':
			printf("distccmon-text %s %s\n", PACKAGE_VERSION, rewrite_host_triple());
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (argc - optind > 1)
		return -EINVAL;
	if (argc - optind == 1) {
		if (parse_seconds_usec(argv[optind], &usec) < 0) {
			log_error("invalid DELAY '%s': must be a number of seconds", argv[optind]);
			return -EINVAL;
		}
		arg_delay = usec;
	}
	return 1;
}

static int print_once(const char *state_dir)
{
	_cleanup_free_ struct monstate *v = NULL;
	size_t n = 0;
	char line[512];
	int r = monitor_poll(state_dir, &v, &n);

	if (r < 0)
		return log_error_errno(r, "cannot read '%s': %m", state_dir);
	for (size_t i = 0; i < n; i++)
		if (v[i].phase != PHASE_DONE && monitor_format_line(&v[i], line, sizeof(line)) > 0)
			fputs(line, stdout);
	fputs("\n", stdout);
	return 0;
}

/* The cluster view (livehosts.h) of the client's host list. */
static int print_hosts(void)
{
	struct client_config cfg;
	struct hostlist l;
	_cleanup_free_ char *bad = NULL, *src = NULL;
	const char *why = NULL;
	int r;

	if (config_parse((const char *const *)environ, getuid(), &cfg, NULL) < 0)
		return -ENOMEM;
	r = hosts_load(&cfg, &l, &bad, &why, &src);
	if (r == -EINVAL)
		log_error("bad host specification '%s': %s", bad ? bad : "", why ? why : "");
	else if (r < 0)
		log_error_errno(r, "cannot read the host list: %m");
	else {
		if (l.n == 0)
			hosts_log_empty(src);
		livehosts_table(&cfg, &l, stdout);
		hostlist_free(&l);
	}
	config_free(&cfg);
	return r;
}

/* $DISTCC_DIR/state, DISTCC_DIR defaulted exactly as the client does. */
static char *state_dir_from_env(void)
{
	struct client_config cfg;
	char *s = NULL;

	if (config_parse((const char *const *)environ, getuid(), &cfg, NULL) < 0)
		return NULL;
	if (asprintf(&s, "%s/state", cfg.dir) < 0)
		s = NULL;
	config_free(&cfg);
	return s;
}

static void sleep_usec(usec_t u)
{
	struct timespec ts = { .tv_sec = (time_t)(u / USEC_PER_SEC),
			       .tv_nsec = (long)(u % USEC_PER_SEC) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char *argv[])
{
	_cleanup_free_ char *state_dir = NULL;
	int r;

	log_set_ident("distccmon-text");
	log_to_stderr();
	r = parse_argv(argc, argv);
	if (r <= 0) {
		if (r < 0)
			usage(stderr);
		return r < 0 ? 1 : 0;
	}
	state_dir = state_dir_from_env();
	if (!state_dir)
		return EXIT_OUT_OF_MEMORY;
	setvbuf(stdout, NULL, _IOLBF, 0);
	do {
		if (arg_hosts && print_hosts() < 0)
			return EXIT_BAD_HOSTSPEC;
		if (print_once(state_dir) < 0)
			return EXIT_IO_ERROR;
		if (arg_delay)
			sleep_usec(arg_delay);
	} while (arg_delay);
	return 0;
}
