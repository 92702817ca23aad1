/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pump (also installed as distcc-pump): runs a build in pump mode, as
 * distcc 3.4's pump script does (DISTCC-REFERENCE 8). It starts the include
 * server (incserver_serve) in a private directory, exports
 * INCLUDE_SERVER_PORT so every distcc of the build asks it for the job's
 * headers, runs the command, reports discrepancies and cleans up.
 * --startup / --shutdown split that for eval. Never loses the build: when
 * pump mode cannot start, the command runs in plain mode.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "exitcode.h"
#include "hosts.h"
#include "incserver.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "pumpdir.h"

extern char **environ;

static volatile sig_atomic_t build_pid;

/* The environment as it is now (we setenv() the session's variables). */
static const char *const *env(void)
{
	return (const char *const *)environ;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage:\n"
		   "   pump COMMAND [ARG...]     run COMMAND (e.g. make -j16) in pump mode\n"
		   "   eval `pump --startup`     start an include server, print its variables\n"
		   "   pump --shutdown           stop the one named by $INCLUDE_SERVER_DIR\n"
		   "   pump --help | --version\n"
		   "\n"
		   "Pump mode sends each source file and its headers to the ',cpp,lzo' hosts of\n"
		   "the distcc host list, which preprocess and compile them. See pump(1).\n"
		   "Environment: DISTCC_HOSTS, DISTCC_POTENTIAL_HOSTS, DISTCC_MAX_DISCREPANCY,\n"
		   "DISTCC_VERBOSE, TMPDIR.\n");
}

/* DISTCC_POTENTIAL_HOSTS="a b:3633 c/8" -> DISTCC_HOSTS="--randomize a,cpp,lzo ..."
 * (3.4 probes them with lsdistcc first; unreachable ones are backed off by
 * the first job that tries them instead). Words with options are kept. */
static int export_potential_hosts(const char *pot)
{
	_cleanup_free_ char *copy = strdup(pot);
	struct buf b = BUF_INIT(1u << 20);
	char *save = NULL;
	int r = copy ? buf_append_str(&b, "--randomize") : -ENOMEM;

	for (char *w = copy ? strtok_r(copy, " \t\n", &save) : NULL; w && r >= 0;
	     w = strtok_r(NULL, " \t\n", &save))
		r = buf_printf(&b, " %s%s", w, strchr(w, ',') ? "" : ",cpp,lzo");
	if (r >= 0)
		r = buf_terminate(&b);
	if (r >= 0 && setenv("DISTCC_HOSTS", (char *)b.data, 1) < 0)
		r = -errno;
	buf_free(&b);
	return r;
}

/* How many hosts, and how many of them ',cpp'. -errno when the list cannot
 * be read (the message is printed). */
static int count_hosts(const struct client_config *cfg, size_t *ret_n, size_t *ret_cpp)
{
	struct hostlist l;
	_cleanup_free_ char *bad = NULL, *src = NULL;
	const char *why = NULL;
	int r = hosts_load(cfg, &l, &bad, &why, &src);

	if (r == -EINVAL) {
		log_error("bad host specification '%s': %s", bad ? bad : "", why ? why : "syntax error");
		return r;
	}
	if (r < 0)
		return log_error_errno(r, "cannot read the host list: %m");
	*ret_n = l.n;
	*ret_cpp = 0;
	for (size_t i = 0; i < l.n; i++)
		*ret_cpp += l.hosts[i].cpp && !l.hosts[i].down;
	hostlist_free(&l);
	return 0;
}

/* Whether pump mode can help this build; says why not, once. */
static bool want_pump(const struct client_config *cfg)
{
	size_t n = 0, cpp = 0;

	if (count_hosts(cfg, &n, &cpp) < 0) {
		fprintf(stderr, "__________pump: running the build in plain mode\n");
		return false;
	}
	if (cpp == 0) {
		fprintf(stderr, "__________pump: the distcc host list has no ',cpp' host (%zu host%s); "
				"running the build in plain mode\n", n, n == 1 ? "" : "s");
		return false;
	}
	if (cfg->verbose || cpp < n)
		fprintf(stderr, "__________Using %zu distcc server%s, of which %zu in pump mode\n", n,
			n == 1 ? "" : "s", cpp);
	return true;
}

/* The directory this program lives in, if it also holds distcc: put first
 * on PATH so the build's "distcc" is the one that speaks to our server. */
static char *own_dir(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash || slash == exe)
		return NULL;
	*slash = 0;
	snprintf(probe, sizeof(probe), "%s/distcc", exe);
	return access(probe, X_OK) == 0 ? strdup(exe) : NULL;
}

static int export_session(const struct pumpdir *p, const char *path)
{
	_cleanup_free_ char *dir = own_dir(), *newpath = NULL;
	char pid[32];

	snprintf(pid, sizeof(pid), "%ld", (long)p->server_pid);
	if (setenv("INCLUDE_SERVER_PORT", p->socket, 1) < 0 ||
	    setenv("INCLUDE_SERVER_DIR", p->dir, 1) < 0 || setenv("INCLUDE_SERVER_PID", pid, 1) < 0)
		return -errno;
	if (!dir)
		return 0;
	if (asprintf(&newpath, "%s%s%s", dir, path && *path ? ":" : "", path ? path : "") < 0) {
		newpath = NULL;
		return -ENOMEM;
	}
	return setenv("PATH", newpath, 1) < 0 ? -errno : 0;
}

static void forward_signal(int sig)
{
	if (build_pid > 0)
		(void)kill((pid_t)build_pid, sig);
}

/* Run the build; its exit status (128+N for a signal) is ours. */
static int run_build(char *const argv[])
{
	struct sigaction sa = { .sa_handler = forward_signal };
	int st = 0, r;
	pid_t pid;

	fflush(NULL);
	r = child_spawn(argv, &pid);
	if (r < 0) {
		log_error_errno(r, "cannot run '%s': %m", argv[0]);
		return r == -ENOENT ? 127 : 126; /* as a shell says it */
	}
	build_pid = pid;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	signal(SIGINT, SIG_IGN); /* the terminal sends it to the build too */
	r = child_wait(pid, &st);
	build_pid = 0;
	return r < 0 ? EXIT_DISTCC_FAILED : child_exit_code(st);
}

static void print_export(const char *name, const char *value)
{
	printf("export %s='", name);
	for (const char *c = value; *c; c++)
		if (*c == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*c);
	printf("'\n");
}

static int startup(const struct client_config *cfg, const struct incserver_options *opt)
{
	struct pumpdir p;
	int r;

	if (!want_pump(cfg))
		return 1;
	r = pumpdir_start(cfg->tmpdir, true, opt, &p);
	if (r < 0) {
		log_error_errno(r, "cannot start the include server in '%s': %m", cfg->tmpdir);
		return 1;
	}
	r = export_session(&p, cfg->path);
	if (r < 0) {
		log_error_errno(r, "cannot set the environment: %m");
		pumpdir_stop(&p);
		return 1;
	}
	print_export("INCLUDE_SERVER_PID", config_getenv(env(), "INCLUDE_SERVER_PID"));
	print_export("INCLUDE_SERVER_DIR", p.dir);
	print_export("INCLUDE_SERVER_PORT", p.socket);
	if (config_getenv(env(), "DISTCC_HOSTS"))
		print_export("DISTCC_HOSTS", config_getenv(env(), "DISTCC_HOSTS"));
	print_export("PATH", config_getenv(env(), "PATH"));
	/* the server lives on; forget it without stopping it */
	free(p.dir);
	free(p.socket);
	return 0;
}

static int shutdown_session(const struct client_config *cfg)
{
	struct pumpdir p;
	int r = pumpdir_adopt(config_getenv(env(), "INCLUDE_SERVER_DIR"), config_getenv(env(), "INCLUDE_SERVER_PID"), &p);

	if (r < 0) {
		log_error("INCLUDE_SERVER_DIR and INCLUDE_SERVER_PID do not name a session of "
			  "pump --startup");
		return 1;
	}
	pumpdir_report(&p, cfg->max_discrepancy);
	pumpdir_stop(&p);
	return 0;
}

static int pump_build(const struct client_config *cfg, const struct incserver_options *opt,
		      char *const argv[])
{
	struct pumpdir p = {};
	int r, code;

	if (want_pump(cfg)) {
		r = pumpdir_start(cfg->tmpdir, false, opt, &p);
		if (r >= 0)
			r = export_session(&p, cfg->path);
		if (r < 0) {
			log_warning_errno(r, "cannot start the include server (%m); "
					     "running the build in plain mode");
			pumpdir_stop(&p);
			(void)unsetenv("INCLUDE_SERVER_PORT");
		}
	}
	code = run_build(argv);
	pumpdir_report(&p, cfg->max_discrepancy);
	pumpdir_stop(&p);
	return code;
}

int main(int argc, char *argv[])
{
	struct client_config cfg;
	struct incserver_options opt = {};
	const char *bad = NULL, *pot;
	int r;

	fd_ensure_std();
	log_set_ident("pump");
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BAD_ARGUMENTS : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pump (distcc) %s\n", PACKAGE_VERSION);
		return 0;
	}
	pot = config_getenv(env(), "DISTCC_POTENTIAL_HOSTS");
	if (pot && *pot && strcmp(argv[1], "--shutdown") != 0 && export_potential_hosts(pot) < 0)
		return EXIT_OUT_OF_MEMORY;
	if (config_parse((const char *const *)environ, getuid(), &cfg, &bad) < 0)
		return EXIT_OUT_OF_MEMORY;
	log_set_max_level(cfg.verbose ? LOG_DEBUG : LOG_WARNING);
	if (bad)
		log_warning("ignoring invalid %s='%s'", bad, config_getenv(env(), bad));
	if (strcmp(argv[1], "--startup") == 0)
		r = startup(&cfg, &opt);
	else if (strcmp(argv[1], "--shutdown") == 0)
		r = shutdown_session(&cfg);
	else if (argv[1][0] == '-' && argv[1][1] == '-' && argc == 2) {
		log_error("unknown option '%s'", argv[1]);
		usage(stderr);
		r = EXIT_BAD_ARGUMENTS;
	} else
		r = pump_build(&cfg, &opt, argv + 1);
	config_free(&cfg);
	return r;
}
