/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command line and environment into struct daemon_config. Options of
 * distcc 3.4 that this build cannot honour (zeroconf, GSS-API) are refused
 * by name instead of being silently ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "macro.h"
#include "parse.h"
#include "strv.h"

enum {
	OPT_ALLOW_PRIVATE = 256, OPT_DAEMON, OPT_INETD, OPT_LISTEN, OPT_USER, OPT_LOG_FILE,
	OPT_LOG_LEVEL, OPT_LOG_STDERR, OPT_VERBOSE, OPT_NO_DETACH, OPT_NO_FORK, OPT_NO_FIFO,
	OPT_LIFETIME, OPT_JOB_LIFETIME, OPT_STATS, OPT_STATS_PORT, OPT_INSECURE, OPT_WIZARD,
	OPT_MASQ_DIR, OPT_IO_TIMEOUT, OPT_MAX_PER_SOURCE, OPT_UNSUPPORTED, OPT_VERSION,
	OPT_IDLE_EXIT, OPT_ZEROCONF, OPT_ZEROCONF_PUBLISH, OPT_TOOLCHAIN_MAP, OPT_LIST_COMPILERS, OPT_JOB_ADDRESS_SPACE,
	OPT_JOB_FILE_SIZE, OPT_HEAD_TIMEOUT, OPT_MAX_CONNECTIONS,
};

static const struct option options[] = {
	{ "allow", required_argument, NULL, 'a' },
	{ "allow-private", no_argument, NULL, OPT_ALLOW_PRIVATE },
	{ "daemon", no_argument, NULL, OPT_DAEMON },
	{ "inetd", no_argument, NULL, OPT_INETD },
	{ "jobs", required_argument, NULL, 'j' },
	{ "nice", required_argument, NULL, 'N' },
	{ "port", required_argument, NULL, 'p' },
	{ "pid-file", required_argument, NULL, 'P' },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "user", required_argument, NULL, OPT_USER },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "log-stderr", no_argument, NULL, OPT_LOG_STDERR },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "no-detach", no_argument, NULL, OPT_NO_DETACH },
	{ "no-fork", no_argument, NULL, OPT_NO_FORK },
	{ "no-fifo", no_argument, NULL, OPT_NO_FIFO },
	{ "lifetime", required_argument, NULL, OPT_LIFETIME },
	{ "job-lifetime", required_argument, NULL, OPT_JOB_LIFETIME },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "stats-port", required_argument, NULL, OPT_STATS_PORT },
	{ "enable-tcp-insecure", no_argument, NULL, OPT_INSECURE },
	{ "make-me-a-botnet", no_argument, NULL, OPT_INSECURE },
	{ "wizard", no_argument, NULL, OPT_WIZARD },
	{ "masquerade-dir", required_argument, NULL, OPT_MASQ_DIR },
	{ "io-timeout", required_argument, NULL, OPT_IO_TIMEOUT },
	{ "max-per-source", required_argument, NULL, OPT_MAX_PER_SOURCE },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
	{ "head-timeout", required_argument, NULL, OPT_HEAD_TIMEOUT },
	{ "idle-exit", required_argument, NULL, OPT_IDLE_EXIT },
	{ "job-address-space", required_argument, NULL, OPT_JOB_ADDRESS_SPACE },
	{ "job-file-size", required_argument, NULL, OPT_JOB_FILE_SIZE },
	{ "toolchain-map", required_argument, NULL, OPT_TOOLCHAIN_MAP },
	{ "list-compilers", no_argument, NULL, OPT_LIST_COMPILERS },
	{ "zeroconf", no_argument, NULL, OPT_ZEROCONF },
	{ "zeroconf-publish", no_argument, NULL, OPT_ZEROCONF_PUBLISH },
	{ "auth", no_argument, NULL, OPT_UNSUPPORTED },
	{ "whitelist", required_argument, NULL, OPT_UNSUPPORTED },
	{ "blacklist", required_argument, NULL, OPT_UNSUPPORTED },
	{ "show-principal", no_argument, NULL, OPT_UNSUPPORTED },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{}
};

void config_init(struct daemon_config *c)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	*c = (struct daemon_config){
		.port = DEFAULT_PORT,
		.stats_port = DEFAULT_STATS_PORT,
		.jobs = (unsigned)(n > 0 ? n : 1) + 2,
		.nice = DEFAULT_NICE,
		.log_level = LOG_NOTICE,
		.io_timeout = DEFAULT_IO_TIMEOUT_SEC * USEC_PER_SEC,
		.head_timeout = DEFAULT_HEAD_TIMEOUT_SEC * USEC_PER_SEC,
		.job_lifetime = DEFAULT_JOB_LIFETIME_SEC * USEC_PER_SEC,
		.idle_exit = DEFAULT_IDLE_EXIT_SEC * USEC_PER_SEC,
	};
}

static int bad(const char *opt, const char *val, const char *why)
{
	log_error("invalid --%s='%s': %s", opt, val, why);
	return -EINVAL;
}

static int parse_seconds(const char *opt, const char *val, bool allow_zero, usec_t *ret)
{
	unsigned long long u;

	if (parse_seconds_usec(val, &u) < 0 || (!allow_zero && u == 0))
		return bad(opt, val, "must be a number of seconds");
	*ret = u;
	return 0;
}

/* A compiler limit: a size of at least 1 MiB, or "infinity". */
static int parse_limit(const char *opt, const char *val, uint64_t *ret)
{
	uint64_t v;

	if (parse_size(val, &v) < 0 || v < (1ull << 20))
		return bad(opt, val, "must be a size of at least 1M (K, M, G, T suffixes) or 'infinity'");
	*ret = v;
	return 0;
}

static int parse_one(struct daemon_config *c, int opt, const char *arg, const char *name)
{
	int r;

	switch (opt) {
	case 'a':
		if (netacl_add(&c->allow, arg) < 0)
			return bad("allow", arg, "must be IP or IP/BITS");
		c->allow_given = true;
		return 0;
	case OPT_ALLOW_PRIVATE:
		c->allow_given = true;
		return netacl_add_private(&c->allow);
	case OPT_DAEMON:
		c->mode = MODE_DAEMON;
		return 0;
	case OPT_INETD:
		c->mode = MODE_INETD;
		return 0;
	case 'j':
		return parse_uint32(arg, 1, 1024, &c->jobs) < 0 ? bad("jobs", arg, "must be 1..1024") : 0;
	case 'N':
		return parse_uint32(arg, 0, 40, &c->nice) < 0 ? bad("nice", arg, "must be 0..40") : 0;
	case 'p':
		return parse_uint32(arg, 1, 65535, &c->port) < 0 ? bad("port", arg, "must be 1..65535") : 0;
	case OPT_STATS_PORT:
		return parse_uint32(arg, 1, 65535, &c->stats_port) < 0 ?
			       bad("stats-port", arg, "must be 1..65535") : 0;
	case OPT_MAX_PER_SOURCE:
		return parse_uint32(arg, 1, 65535, &c->max_per_source) < 0 ?
			       bad("max-per-source", arg, "must be a positive integer") : 0;
	case OPT_MAX_CONNECTIONS:
		return parse_uint32(arg, 1, 65535, &c->max_connections) < 0 ?
			       bad("max-connections", arg, "must be 1..65535") : 0;
	case 'P':
		free(c->pid_file);
		return (c->pid_file = strdup(arg)) ? 0 : -ENOMEM;
	case OPT_LOG_FILE:
		free(c->log_file);
		return (c->log_file = strdup(arg)) ? 0 : -ENOMEM;
	case OPT_USER:
		free(c->user);
		return (c->user = strdup(arg)) ? 0 : -ENOMEM;
	case OPT_LISTEN:
		return strv_push(&c->listen, arg);
	case OPT_TOOLCHAIN_MAP:
		free(c->toolmap_path);
		return (c->toolmap_path = strdup(arg)) ? 0 : -ENOMEM;
	case OPT_MASQ_DIR:
		return strv_push(&c->masquerade_dirs, arg);
	case OPT_LOG_LEVEL:
		r = log_level_from_string(arg);
		if (r < 0)
			return bad("log-level", arg,
				   "must be critical, error, warning, notice, info or debug");
		c->log_level = r;
		c->log_level_given = true;
		return 0;
	case OPT_LOG_STDERR:
		c->log_stderr = true;
		return 0;
	case OPT_VERBOSE:
		c->log_level = LOG_DEBUG;
		c->log_level_given = true;
		return 0;
	case OPT_WIZARD:
		c->mode = MODE_DAEMON;
		c->no_detach = c->log_stderr = true;
		c->log_level = LOG_DEBUG;
		c->log_level_given = true;
		return 0;
	case OPT_NO_DETACH:
		c->no_detach = true;
		return 0;
	case OPT_NO_FORK:
		c->no_fork = true;
		return 0;
	case OPT_NO_FIFO:
		return 0;
	case OPT_STATS:
		c->stats = true;
		return 0;
	case OPT_ZEROCONF:
		c->zeroconf = true;
		return 0;
	case OPT_ZEROCONF_PUBLISH:
		c->zeroconf = c->zeroconf_publish = true;
		return 0;
	case OPT_INSECURE:
		c->insecure = true;
		return 0;
	case OPT_LIFETIME:
		return parse_seconds("lifetime", arg, false, &c->lifetime);
	case OPT_JOB_LIFETIME:
		return parse_seconds("job-lifetime", arg, true, &c->job_lifetime);
	case OPT_HEAD_TIMEOUT:
		return parse_seconds("head-timeout", arg, false, &c->head_timeout);
	case OPT_IO_TIMEOUT:
		return parse_seconds("io-timeout", arg, false, &c->io_timeout);
	case OPT_IDLE_EXIT:
		return parse_seconds("idle-exit", arg, true, &c->idle_exit);
	case OPT_JOB_ADDRESS_SPACE:
		return parse_limit("job-address-space", arg, &c->job_as_bytes);
	case OPT_JOB_FILE_SIZE:
		return parse_limit("job-file-size", arg, &c->job_fsize_bytes);
	case OPT_UNSUPPORTED:
		log_error("--%s is not supported by this distccd (no GSS-API support)", name);
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

/* The map is read once, at start: a broken map is a bad option (exit 101),
 * never a silently unmapped compiler. */
static int load_toolmap(struct daemon_config *c)
{
	_cleanup_free_ char *text = NULL;
	const char *why = NULL;
	unsigned line = 0;
	size_t len;
	int r;

	if (!c->toolmap_path)
		return 0;
	r = read_file_max(c->toolmap_path, TOOLMAP_MAX_ENTRIES * (size_t)TOOLMAP_MAX_LINE, &text, &len);
	if (r < 0)
		return log_error_errno(r == -ENOMEM ? r : -EINVAL, "cannot read --toolchain-map='%s': %s",
				       c->toolmap_path, strerror(-r));
	if (strlen(text) != len)
		return bad("toolchain-map", c->toolmap_path, "contains a NUL byte");
	toolmap_free(&c->toolmap);
	r = toolmap_parse(text, &c->toolmap, &line, &why);
	if (r == -EINVAL) {
		log_error("invalid --toolchain-map='%s': line %u: %s", c->toolmap_path, line, why);
		return r;
	}
	return r;
}

int config_parse_argv(struct daemon_config *c, int argc, char *argv[], enum config_action *ret_action)
{
	int opt, idx = -1, r;
	bool list = false;

	optind = 0;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "a:j:N:p:P:h", options, &idx)) >= 0) {
		const char *name = idx >= 0 ? options[idx].name : "?";

		if (opt == '?')
			return -EINVAL;
		if (opt == 'h') {
			*ret_action = CONFIG_HELP;
			return 0;
		}
		if (opt == OPT_VERSION) {
			*ret_action = CONFIG_VERSION;
			return 0;
		}
		if (opt == OPT_LIST_COMPILERS) {
			list = true;
			continue;
		}
		r = parse_one(c, opt, optarg, name);
		if (r < 0)
			return r;
		idx = -1;
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (c->max_per_source == 0)
		c->max_per_source = c->jobs / 2 ? c->jobs / 2 : 1;
	if (c->max_connections == 0)
		c->max_connections = c->jobs * DEFAULT_CONNECTIONS_PER_JOB;
	if (c->max_connections < 2 * c->max_per_source)
		c->max_connections = 2 * c->max_per_source;
	r = load_toolmap(c);
	if (r < 0)
		return r;
	*ret_action = list ? CONFIG_LIST_COMPILERS : CONFIG_RUN;
	return 0;
}

static int collect_locale(struct daemon_config *c)
{
	extern char **environ;

	for (char **e = environ; e && *e; e++)
		if (str_has_prefix(*e, "LANG=") || str_has_prefix(*e, "LC_")) {
			int r = strv_push(&c->locale_env, *e);

			if (r < 0)
				return r;
		}
	return 0;
}

#define CMDLIST_FILE_MAX (1u << 20)

/* DISTCC_CMDLIST is read once, at start: a list that cannot be read is a
 * bad setting (exit 101), never a silently open or empty whitelist. */
static int load_cmdlist(struct daemon_config *c, const char *path, const char *words)
{
	_cleanup_free_ char *text = NULL;
	unsigned n = 1;
	size_t len;
	int r;

	if (!path || !*path)
		return 0;
	if (words && *words && parse_uint32(words, 1, CMDLIST_MAX_NUMWORDS, &n) < 0)
		return log_error_errno(EINVAL, "invalid DISTCC_CMDLIST_NUMWORDS='%s': must be 1..%u",
				       words, CMDLIST_MAX_NUMWORDS);
	r = read_file_max(path, CMDLIST_FILE_MAX, &text, &len);
	if (r < 0)
		return log_error_errno(r, "cannot read DISTCC_CMDLIST '%s': %m", path);
	r = cmdlist_parse(text, n, &c->cmdlist);
	if (r < 0)
		return r;
	c->has_cmdlist = true;
	if (!c->cmdlist.paths)
		log_warning("DISTCC_CMDLIST '%s' lists no compiler: every job will be refused", path);
	return 0;
}

int config_load_env(struct daemon_config *c)
{
	const char *p = getenv("DISTCCD_PATH"), *t = getenv("TMPDIR"), *io;
	int r;

	c->save_temps = parse_bool_value(getenv("DISTCC_SAVE_TEMPS"), false);
	c->notify_socket = getenv("NOTIFY_SOCKET") != NULL;
	if (!p || !*p)
		p = getenv("PATH");
	c->path = strdup(p && *p ? p : DISTCC_DEFAULT_PATH);
	c->tmpdir = strdup(t && *t == '/' ? t : "/tmp");
	if (!c->path || !c->tmpdir)
		return -ENOMEM;
	io = getenv("DISTCC_IO_TIMEOUT");
	if (io && *io) {
		unsigned long long u;

		if (parse_seconds_usec(io, &u) < 0 || u == 0)
			return log_error_errno(EINVAL, "invalid DISTCC_IO_TIMEOUT='%s'", io);
		c->io_timeout = u;
	}
	r = load_cmdlist(c, getenv("DISTCC_CMDLIST"), getenv("DISTCC_CMDLIST_NUMWORDS"));
	if (r < 0)
		return r;
	p = getenv("JOURNAL_STREAM");
	if (p && !(c->journal_stream = strdup(p)))
		return -ENOMEM;
	return collect_locale(c);
}

void config_done(struct daemon_config *c)
{
	strv_free(c->listen);
	strv_free(c->masquerade_dirs);
	strv_free(c->locale_env);
	free(c->pid_file);
	free(c->log_file);
	free(c->user);
	free(c->path);
	free(c->tmpdir);
	cmdlist_free(&c->cmdlist);
	free(c->toolmap_path);
	toolmap_free(&c->toolmap);
	free(c->journal_stream);
	netacl_free(&c->allow);
	*c = (struct daemon_config){ 0 };
}

void config_print_help(const char *prog)
{
	printf("Usage: %s [OPTIONS]\n\n"
	       "distccd: distributed C/C++ compiler server (distcc 3.4 protocol 1 and 2)\n\n"
	       "  -a, --allow IP[/BITS]     allow clients from this address range (repeatable)\n"
	       "      --allow-private       allow private networks (the default without --allow)\n"
	       "      --daemon | --inetd    standalone server / one job on stdin+stdout\n"
	       "  -j, --jobs N              concurrent jobs (default: CPUs + 2)\n"
	       "  -N, --nice N              nice increment for jobs (default 5)\n"
	       "  -p, --port N              TCP port (default 3632)\n"
	       "      --listen ADDR         bind address (repeatable; IPv4 or IPv6)\n"
	       "  -P, --pid-file FILE       write the daemon's pid here\n"
	       "      --user USER           drop to USER when started as root\n"
	       "      --log-file FILE | --log-stderr | --log-level LEVEL | --verbose\n"
	       "      --no-detach           stay in the foreground\n"
	       "      --lifetime S          exit after S seconds\n"
	       "      --job-lifetime S      kill compilers that run longer than S seconds (default 300, 0 = no limit)\n"
	       "      --job-address-space SIZE  compiler address-space limit (default 8G; K/M/G/T, infinity)\n"
	       "      --job-file-size SIZE  largest file a compiler may write (default 1G; K/M/G/T, infinity)\n"
	       "      --head-timeout S      deadline for a request's head, and the grace for its body (default 5)\n"
	       "      --io-timeout S        deadline for reading one request (default 300)\n"
	       "      --max-per-source N    jobs compiling per client address (default --jobs / 2);\n"
	       "                            each address may hold twice that many connections\n"
	       "      --max-connections N   connections held at once, read or compiling (default 8 x --jobs)\n"
	       "      --idle-exit S         socket-activated: exit after S idle seconds (default 300, 0 = never)\n"
	       "      --masquerade-dir DIR  compiler whitelist directory (repeatable)\n"
	       "      --toolchain-map FILE  serve client compiler names with local compilers (distccd.conf(5))\n"
	       "      --list-compilers      print the compilers this server runs for clients, and exit\n"
	       "      --enable-tcp-insecure, --make-me-a-botnet  disable the compiler whitelist\n"
	       "      --zeroconf            publish this server on the LAN (Avahi, _distcc._tcp)\n"
	       "      --zeroconf-publish    only publish --port/--jobs (for distccd.socket), serve nothing\n"
	       "      --stats, --stats-port N, --no-fork, --no-fifo, --wizard\n"
	       "      --help, --version\n",
	       prog);
}
