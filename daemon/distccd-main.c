/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccd: parse options, choose the log target and the mode, get the
 * listening sockets, drop privileges, then hand over to session_serve()
 * (inetd, Accept=yes: one job) or standalone_run() (standalone, Accept=no). The only
 * place where errors become distcc exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "activation.h"
#include "config.h"
#include "exec.h"
#include "exitcode.h"
#include "journal.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "policy.h"
#include "sandbox.h"
#include "privdrop.h"
#include "standalone.h"
#include "session.h"

/* The one decision where log lines go: --log-file, --log-stderr, else the
 * journal when stderr is connected to it or its socket exists, else stderr
 * when it is not a terminal (service managers capture it), else syslog. */
static int log_setup(const struct daemon_config *cfg)
{
	log_set_max_level(cfg->log_level);
	if (cfg->log_file) {
		int r = log_to_file(cfg->log_file);

		if (r < 0)
			return log_error_errno(r, "cannot open log file '%s': %m", cfg->log_file);
	} else if (!cfg->log_stderr && journal_wanted(cfg->journal_stream, JOURNAL_SOCKET))
		journal_log_enable();
	else if (cfg->log_stderr || !isatty(STDERR_FILENO))
		log_to_stderr();
	else
		log_to_syslog();
	return 0;
}

static bool stdin_is_socket(void)
{
	struct stat st;

	return fstat(STDIN_FILENO, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void check_whitelist(const struct daemon_config *cfg)
{
	bool any = false;

	if (cfg->insecure) {
		log_warning("--enable-tcp-insecure: the compiler whitelist is off; clients may run any "
			    "program on PATH");
		return;
	}
	for (char *const *d = policy_whitelist_dirs(cfg); *d; d++)
		any = any || access(*d, R_OK | X_OK) == 0;
	if (!any)
		log_warning("no compiler whitelist directory is readable (%s); every job will be "
			    "refused: run update-distcc-symlinks or pass --masquerade-dir",
			    policy_whitelist_dirs(cfg)[0]);
	if (cfg->cmdlist)
		log_warning("DISTCC_CMDLIST is not supported; using the masquerade whitelist");
}

static void check_sandbox(void)
{
	int abi = sandbox_landlock_abi();

	if (abi < 0)
		log_warning_errno(abi, "landlock is not available (%m): compilers run without "
				  "filesystem confinement (environment, limits and no_new_privs still apply)");
	else
		log_debug("landlock ABI %d: compilers write only in their job directory", abi);
}

static int prepare(struct daemon_config *cfg)
{
	if (!cfg->allow_given) {
		int r = netacl_add_private(&cfg->allow);

		if (r < 0)
			return r;
		log_notice("no --allow option given: defaulting to --allow-private "
			   "(10/8, 172.16/12, 192.168/16, 127/8, ::1, fe80::/10, fc00::/7)");
	}
	check_whitelist(cfg);
	check_sandbox();
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	if (cfg->nice && nice((int)cfg->nice) < 0 && errno != 0)
		log_warning_errno(errno, "cannot change the nice value: %m");
	if (chdir(cfg->tmpdir) < 0)
		log_warning_errno(errno, "cannot chdir to '%s': %m", cfg->tmpdir);
	return 0;
}

static int write_pid_file(const char *path, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	int r = write_file_atomic(path, buf, (size_t)n, 0644, NULL);

	return r < 0 ? log_error_errno(r, "cannot write pid file '%s': %m", path) : 0;
}

/* setsid() puts us in a new autogroup at nice 0, which would undo -N for
 * the whole daemon under CONFIG_SCHED_AUTOGROUP (UPSTREAM-BUGS G3): give
 * the new group our own nice value. No autogroup support: nothing to do. */
static void autogroup_follow_nice(void)
{
	_cleanup_close_ int fd = -EBADF;
	char buf[16];
	int prio, n;

	errno = 0;
	prio = getpriority(PRIO_PROCESS, 0);
	if (prio == -1 && errno != 0)
		return;
	fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_debug_errno(errno, "cannot open /proc/self/autogroup: %m");
		return;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", prio);
	if (write(fd, buf, (size_t)n) != n)
		log_warning_errno(errno, "cannot set the autogroup nice value to %d: %m", prio);
}

/* Fork into the background once the sockets are bound. The parent writes
 * the pid file and exits 0; returns 0 in the child. */
static int detach(const struct daemon_config *cfg)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return log_error_errno(errno, "cannot fork: %m");
	if (pid > 0)
		_exit(cfg->pid_file && write_pid_file(cfg->pid_file, pid) < 0 ? EXIT_DISTCC_FAILED : 0);
	(void)setsid();
	autogroup_follow_nice();
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (!cfg->log_stderr || cfg->log_file)
			dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return 0;
}

static int run_standalone(const struct daemon_config *cfg)
{
	_cleanup_free_ int *fds = NULL;
	int n, r, stats_fd = -1;

	n = standalone_bind(cfg, &fds);
	if (n < 0)
		return EXIT_BIND_FAILED;
	if (cfg->stats && (stats_fd = standalone_bind_stats(cfg)) < 0)
		return EXIT_BIND_FAILED;
	if (!cfg->no_detach) {
		if (detach(cfg) < 0)
			return EXIT_DISTCC_FAILED;
	} else if (cfg->pid_file && write_pid_file(cfg->pid_file, getpid()) < 0)
		return EXIT_DISTCC_FAILED;
	if (privdrop_apply(cfg->user) < 0)
		return EXIT_SETUID_FAILED;
	if (cfg->lifetime)
		alarm((unsigned)((cfg->lifetime + USEC_PER_SEC - 1) / USEC_PER_SEC));
	r = standalone_run(cfg, fds, (size_t)n, stats_fd);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	if (cfg->pid_file && unlink(cfg->pid_file) < 0 && errno != ENOENT)
		log_warning_errno(errno, "cannot remove pid file '%s': %m", cfg->pid_file);
	return r < 0 ? EXIT_DISTCC_FAILED : 0;
}

static int run_inetd(const struct daemon_config *cfg)
{
	enum job_result res;

	if (privdrop_apply(cfg->user) < 0)
		return EXIT_SETUID_FAILED;
	if (cfg->lifetime)
		alarm((unsigned)((cfg->lifetime + USEC_PER_SEC - 1) / USEC_PER_SEC));
	exec_install_term_handler();
	res = session_serve(cfg, STDIN_FILENO, STDOUT_FILENO);
	return res == JOB_COMPILE_OK || res == JOB_COMPILE_ERROR ? 0 : job_result_to_exit(res);
}

/* systemd passed listening sockets (Accept=no): serve them with the global
 * --jobs limit, exit when idle; the socket unit starts us again. */
static int run_activated(const struct daemon_config *cfg, const struct activation *act)
{
	int r, stats_fd = act->stats_fd;

	/* a socket named "stats" (FileDescriptorName=stats) implies --stats */
	if (stats_fd < 0 && cfg->stats && (stats_fd = standalone_bind_stats(cfg)) < 0)
		return EXIT_BIND_FAILED;
	if (privdrop_apply(cfg->user) < 0)
		return EXIT_SETUID_FAILED;
	if (cfg->lifetime)
		alarm((unsigned)((cfg->lifetime + USEC_PER_SEC - 1) / USEC_PER_SEC));
	r = standalone_run(cfg, act->fds, act->n, stats_fd);
	for (size_t i = 0; i < act->n; i++)
		close(act->fds[i]);
	return r < 0 ? EXIT_DISTCC_FAILED : 0;
}

/* One connected socket (Accept=yes, distccd@.service): one job, like inetd. */
static int run_connected(const struct daemon_config *cfg, int fd)
{
	enum job_result res;

	if (privdrop_apply(cfg->user) < 0)
		return EXIT_SETUID_FAILED;
	exec_install_term_handler();
	res = session_serve(cfg, fd, fd);
	close(fd);
	return res == JOB_COMPILE_OK || res == JOB_COMPILE_ERROR ? 0 : job_result_to_exit(res);
}

static int run(struct daemon_config *cfg)
{
	struct activation act;

	if (activation_from_env(&act) < 0)
		return EXIT_BAD_ARGUMENTS;
	if (act.kind == ACTIVATION_LISTEN)
		return run_activated(cfg, &act);
	if (act.kind == ACTIVATION_CONNECTED)
		return run_connected(cfg, act.fds[0]);
	/* nobody would start us again: --idle-exit is for socket activation only */
	cfg->idle_exit = 0;
	/* Type=notify: the pid systemd started must stay the daemon */
	if (cfg->notify_socket)
		cfg->no_detach = true;
	if (cfg->mode == MODE_AUTO)
		cfg->mode = stdin_is_socket() ? MODE_INETD : MODE_DAEMON;
	return cfg->mode == MODE_INETD ? run_inetd(cfg) : run_standalone(cfg);
}

int main(int argc, char *argv[])
{
	struct daemon_config cfg;
	enum config_action action;
	int r;

	fd_ensure_std();
	log_set_ident("distccd");
	log_to_stderr();
	config_init(&cfg);
	r = config_parse_argv(&cfg, argc, argv, &action);
	if (r < 0) {
		config_done(&cfg);
		return EXIT_BAD_ARGUMENTS;
	}
	if (action != CONFIG_RUN) {
		if (action == CONFIG_HELP)
			config_print_help(argv[0]);
		else
			printf("distccd %s (systemd-native reimplementation, protocols 1 and 2)\n",
			       PACKAGE_VERSION);
		config_done(&cfg);
		return 0;
	}
	if (config_load_env(&cfg) < 0 || log_setup(&cfg) < 0 || prepare(&cfg) < 0) {
		config_done(&cfg);
		return EXIT_BAD_ARGUMENTS;
	}
	r = run(&cfg);
	config_done(&cfg);
	return r;
}
