/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccd: parse options, choose the log target and the mode, get the
 * listening sockets, drop privileges once, then hand over to session_serve()
 * (inetd, Accept=yes: one job) or standalone_run() (standalone, Accept=no).
 * exit_status() is the only place where errors become distcc exit codes.
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
#include "hosttriple.h"
#include "journal.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "policy.h"
#include "sandbox.h"
#include "privdrop.h"
#include "standalone.h"
#include "zcpublish.h"
#include "session.h"
#include "toolchain.h"
#include "workdir.h"

static bool stdin_is_socket(void)
{
	struct stat st;

	return fstat(STDIN_FILENO, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* --inetd with pipes on stdin: started by sshd for a client's SSH host
 * (or by a script), as that user; our stderr goes back to the user. */
static bool over_ssh(const struct daemon_config *cfg)
{
	return cfg->mode == MODE_INETD && !stdin_is_socket();
}

/* The one decision where log lines go: --log-file, --log-stderr, else the
 * journal when stderr is connected to it or its socket exists, else stderr
 * when it is not a terminal (service managers capture it), else syslog.
 * Over ssh, stderr is the client user's terminal: only warnings and worse
 * go there unless a log level was given. */
static int log_setup(const struct daemon_config *cfg)
{
	log_set_max_level(cfg->log_level);
	if (over_ssh(cfg) && !cfg->log_file && !cfg->log_stderr && !cfg->log_level_given &&
	    !journal_wanted(cfg->journal_stream, JOURNAL_SOCKET) && cfg->log_level > LOG_WARNING)
		log_set_max_level(LOG_WARNING);
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

static void check_whitelist(struct daemon_config *cfg)
{
	bool any = false;

	if (cfg->insecure && over_ssh(cfg)) {
		/* distcc 3.4's client always passes it over ssh; the job runs
		 * as the ssh user, and the whitelist still protects that user */
		log_info("--enable-tcp-insecure ignored over ssh (--inetd on a pipe): the "
			 "compiler whitelist applies");
		cfg->insecure = false;
	}

	if (cfg->has_cmdlist) {
		log_info("DISTCC_CMDLIST is the compiler list; the masquerade directories are not used");
		return;
	}
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

/* Where the connections come from, decided once before anything is bound. */
enum serve_mode {
	SERVE_STANDALONE,   /* our own listening sockets, a child per connection */
	SERVE_INETD,        /* one job on stdin/stdout */
	SERVE_LISTEN,       /* listening sockets from systemd (Accept=no) */
	SERVE_CONNECTED,    /* one connection from systemd (Accept=yes) */
};

/* The step that failed: it alone decides the exit status (exit_status()). */
enum step { STEP_NONE, STEP_CONFIG, STEP_BIND, STEP_SETUP, STEP_PRIVDROP, STEP_SERVE };

struct daemon_run {
	struct daemon_config *cfg;
	enum serve_mode mode;
	struct activation act;
	int *fds;                   /* listening sockets (bound here or passed) */
	size_t n;
	int stats_fd, conn_fd;
	bool bound_here;            /* fds is ours to free */
	bool parent;                /* the foreground half of --daemon: only reports */
	enum job_result job;        /* the one job of inetd/connected mode */
};

/* distcc's exit status for a run that stopped at @failed. A served job's
 * compile error is the client's business: the daemon exits 0 for it. */
static int exit_status(enum step failed, const struct daemon_run *d)
{
	static const int code[] = {
		[STEP_CONFIG] = EXIT_BAD_ARGUMENTS, [STEP_BIND] = EXIT_BIND_FAILED,
		[STEP_SETUP] = EXIT_DISTCC_FAILED,  [STEP_PRIVDROP] = EXIT_SETUID_FAILED,
		[STEP_SERVE] = EXIT_DISTCC_FAILED,
	};

	if (failed != STEP_NONE)
		return code[failed];
	if (!d || (d->mode != SERVE_INETD && d->mode != SERVE_CONNECTED))
		return 0;
	if (d->job == JOB_COMPILE_OK || d->job == JOB_COMPILE_ERROR)
		return 0;
	return job_result_to_exit(d->job);
}

static int choose_mode(struct daemon_run *d)
{
	struct daemon_config *cfg = d->cfg;
	int r = activation_from_env(&d->act);

	if (r < 0)
		return r;
	if (d->act.kind == ACTIVATION_LISTEN) {
		d->mode = SERVE_LISTEN;
		d->fds = d->act.fds;
		d->n = d->act.n;
		/* a socket named "stats" (FileDescriptorName=stats) implies --stats */
		d->stats_fd = d->act.stats_fd;
		return 0;
	}
	if (d->act.kind == ACTIVATION_CONNECTED) {
		d->mode = SERVE_CONNECTED;
		d->conn_fd = d->act.fds[0];
		return 0;
	}
	/* nobody would start us again: --idle-exit is for socket activation only */
	cfg->idle_exit = 0;
	/* Type=notify: the pid systemd started must stay the daemon */
	if (cfg->notify_socket)
		cfg->no_detach = true;
	if (cfg->mode == MODE_AUTO)
		cfg->mode = stdin_is_socket() ? MODE_INETD : MODE_DAEMON;
	d->mode = cfg->mode == MODE_INETD ? SERVE_INETD : SERVE_STANDALONE;
	return 0;
}

/* Standalone: bind --listen/--port; both servers: the --stats port unless
 * systemd passed it. */
static int get_sockets(struct daemon_run *d)
{
	if (d->mode == SERVE_STANDALONE) {
		int n = standalone_bind(d->cfg, &d->fds);

		if (n < 0)
			return n;
		d->n = (size_t)n;
		d->bound_here = true;
	}
	if ((d->mode == SERVE_STANDALONE || d->mode == SERVE_LISTEN) && d->stats_fd < 0 &&
	    d->cfg->stats) {
		d->stats_fd = standalone_bind_stats(d->cfg);
		if (d->stats_fd < 0)
			return d->stats_fd;
	}
	return 0;
}

/* Fork into the background once the sockets are bound. The parent writes
 * the pid file and reports (d->parent); the child carries on. */
static int detach(struct daemon_run *d)
{
	const struct daemon_config *cfg = d->cfg;
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return log_error_errno(errno, "cannot fork: %m");
	if (pid > 0) {
		d->parent = true;
		return cfg->pid_file ? write_pid_file(cfg->pid_file, pid) : 0;
	}
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

/* Standalone only: background (--daemon) or a pid file in the foreground. */
static int setup_process(struct daemon_run *d)
{
	if (d->mode != SERVE_STANDALONE)
		return 0;
	if (!d->cfg->no_detach)
		return detach(d);
	return d->cfg->pid_file ? write_pid_file(d->cfg->pid_file, getpid()) : 0;
}

/* --lifetime: SIGALRM ends the process (one job in Accept=yes mode has its
 * own --job-lifetime instead). */
static void arm_lifetime(const struct daemon_run *d)
{
	usec_t t = d->cfg->lifetime;

	if (t && d->mode != SERVE_CONNECTED)
		alarm((unsigned)((t + USEC_PER_SEC - 1) / USEC_PER_SEC));
}

static int serve(struct daemon_run *d)
{
	const struct daemon_config *cfg = d->cfg;
	struct zc_publisher *zc = NULL;
	int r;

	switch (d->mode) {
	case SERVE_INETD:
		exec_install_term_handler(workdir_remove_on_signal);
		d->job = session_serve(cfg, STDIN_FILENO, STDOUT_FILENO);
		return 0;
	case SERVE_CONNECTED:
		exec_install_term_handler(workdir_remove_on_signal);
		d->job = session_serve(cfg, d->conn_fd, d->conn_fd);
		return 0;
	case SERVE_STANDALONE:
	case SERVE_LISTEN:
		/* a socket-activated server is published by distccd-zeroconf.service
		 * (--zeroconf-publish) while it sleeps; --zeroconf here adds nothing
		 * but a second name for the same port */
		if (cfg->zeroconf && d->mode == SERVE_LISTEN)
			log_notice("zeroconf: a socket-activated distccd is published by "
				   "distccd-zeroconf.service, not by itself");
		else if (cfg->zeroconf && zc_publish_start(cfg->port, cfg->jobs, &zc) < 0)
			log_warning("zeroconf: not published; serving anyway");
		r = standalone_run(cfg, d->fds, d->n, d->stats_fd);
		zc_publish_stop(zc);
		d->stats_fd = -1;   /* standalone_run took it over */
		if (d->mode == SERVE_STANDALONE && cfg->pid_file && unlink(cfg->pid_file) < 0 &&
		    errno != ENOENT)
			log_warning_errno(errno, "cannot remove pid file '%s': %m", cfg->pid_file);
		return r;
	}
	return -EINVAL;
}

/* The steps every mode takes, in order; the first to fail ends the run.
 * Privileges drop in exactly one place, before any client byte is read. */
static enum step run_steps(struct daemon_run *d)
{
	if (config_load_env(d->cfg) < 0 || log_setup(d->cfg) < 0 || prepare(d->cfg) < 0 ||
	    choose_mode(d) < 0)
		return STEP_CONFIG;
	if (d->cfg->zeroconf_publish) {
		if (privdrop_apply(d->cfg->user) < 0)
			return STEP_PRIVDROP;
		return zc_publish_run(d->cfg->port, d->cfg->jobs) < 0 ? STEP_SETUP : STEP_NONE;
	}
	if (get_sockets(d) < 0)
		return STEP_BIND;
	if (setup_process(d) < 0)
		return STEP_SETUP;
	if (d->parent)
		return STEP_NONE;
	if (privdrop_apply(d->cfg->user) < 0)
		return STEP_PRIVDROP;
	arm_lifetime(d);
	return serve(d) < 0 ? STEP_SERVE : STEP_NONE;
}

static void daemon_run_done(struct daemon_run *d)
{
	for (size_t i = 0; i < d->n; i++)
		safe_close(d->fds[i]);
	if (d->bound_here)
		free(d->fds);
	safe_close(d->stats_fd);
	safe_close(d->conn_fd);
}

static int run(struct daemon_config *cfg)
{
	struct daemon_run d = { .cfg = cfg, .stats_fd = -EBADF, .conn_fd = -EBADF };
	enum step failed = run_steps(&d);
	int status = exit_status(failed, &d);

	daemon_run_done(&d);
	return status;
}

/* --list-compilers: what clients can get here, with the PATH jobs use.
 * Exit 0, or 1 when nothing at all is offered. */
static int list_compilers(struct daemon_config *cfg)
{
	int r = config_load_env(cfg);

	if (r >= 0)
		r = toolchain_print_list(cfg);
	if (r < 0) {
		log_error_errno(r, "cannot list the compilers: %m");
		return exit_status(STEP_SERVE, NULL);
	}
	return r;
}

/* 3.4's first two lines exactly (scripts parse them), then our own. */
static void print_version(void)
{
	printf("distccd %s %s\n"
	       "  (protocols 1, 2 and 3) (default port %d)\n"
	       "  systemd-native reimplementation: socket activation, journal logging,\n"
	       "  one privilege-dropped process per connection, compilers in a sandbox.\n"
	       "\n"
	       "distcc comes with ABSOLUTELY NO WARRANTY. distcc is free software, and\n"
	       "you may use, modify and redistribute it under the terms of the GNU\n"
	       "General Public License version 2 or later.\n",
	       PACKAGE_VERSION, host_triple(), DEFAULT_PORT);
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
	if (r < 0)
		r = exit_status(STEP_CONFIG, NULL);
	else if (action == CONFIG_LIST_COMPILERS)
		r = list_compilers(&cfg);
	else if (action == CONFIG_HELP || action == CONFIG_VERSION) {
		if (action == CONFIG_HELP)
			config_print_help(argv[0]);
		else
			print_version();
		r = 0;
	} else
		r = run(&cfg);
	config_done(&cfg);
	return r;
}
