/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Spawning and supervising the compiler. The child maps exactly stdin
 * (/dev/null), stdout and stderr (files in the job dir), enters the sandbox
 * and execs argv[0] looked up on the sandbox PATH, nothing else. The parent
 * waits on a pidfd together with the client socket and the deadline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "exitcode.h"
#include "log.h"
#include "macro.h"

/* How long sweep() keeps killing before it gives up (and logs). */
#define SWEEP_TIMEOUT_SEC 5

static volatile sig_atomic_t running_pgid;
static void (*term_cleanup)(void);

static void term_handler(int sig)
{
	if (running_pgid > 0)
		kill(-(pid_t)running_pgid, SIGKILL);
	if (term_cleanup)
		term_cleanup();
	_exit(128 + sig);
}

void exec_install_term_handler(void (*cleanup)(void))
{
	struct sigaction sa = { .sa_handler = term_handler };
	int sigs[] = { SIGTERM, SIGINT, SIGHUP };

	term_cleanup = cleanup;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		sigaddset(&sa.sa_mask, sigs[i]);     /* one handler run at a time */
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void child_fail(const char *what, const char *arg, int err)
{
	dprintf(STDERR_FILENO, "distccd: %s '%s': %s\n", what, arg, strerror(err));
	_exit(EXIT_COMPILER_MISSING);
}

/* When memory runs out (MemoryMax= in the unit), the kernel should kill a
 * compiler, not the daemon: raising one's own oom_score_adj needs no
 * privilege. Best effort. */
static void prefer_for_oom(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		(void)!write(fd, "500\n", 4);
		close(fd);
	}
}

static _noreturn_ void child(const struct exec_params *p)
{
	int fd, r;
	sigset_t none;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	fd = open(p->stderr_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(EXIT_COMPILER_MISSING);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		child_fail("cannot open", "/dev/null", errno);
	fd = open(p->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
		child_fail("cannot open", p->stdout_path, errno);
	prefer_for_oom();
	if (chdir(p->cwd ? p->cwd : p->sandbox->workdir) < 0)
		child_fail("cannot enter", p->cwd ? p->cwd : p->sandbox->workdir, errno);
	r = sandbox_enter_child(p->sandbox);
	if (r < 0) {
		dprintf(STDERR_FILENO, "distccd: cannot confine the compiler '%s': %s\n", p->argv[0],
			strerror(-r));
		_exit(EXIT_SETUID_FAILED);
	}
	/* nothing the daemon holds (client sockets, its log, the ctl socket)
	 * reaches the compiler, even an fd opened without O_CLOEXEC */
	(void)close_range(3, ~0U, 0);
	execvp(p->argv[0], p->argv);
	/* name the PATH searched: the usual cause is a toolchain missing from
	 * PATH= in /etc/conf.d/distccd */
	dprintf(STDERR_FILENO, "distccd: failed to exec '%s': %s (PATH searched: %s)\n", p->argv[0],
		strerror(errno), p->sandbox->path ? p->sandbox->path : "(unset)");
	_exit(EXIT_COMPILER_MISSING);
}

static int poll_timeout(usec_t deadline)
{
	usec_t now = now_usec();
	int ms = 200;       /* tick for kernels without pidfd */

	if (deadline != USEC_INFINITY) {
		usec_t left = deadline > now ? (deadline - now + 999) / 1000 : 0;

		if (left < (usec_t)ms)
			ms = (int)left;
	}
	return ms;
}

static int kill_and_reap(pid_t pid, int *status)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int supervise(pid_t pid, const struct exec_params *p, int *ret_status,
		     enum exec_outcome *ret_outcome)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status;

	for (;;) {
		struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = -1 } };
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			*ret_status = status;
			*ret_outcome = EXEC_EXITED;
			return 0;
		}
		if (w < 0 && errno != EINTR)
			return -errno;
		if (p->deadline != USEC_INFINITY && now_usec() >= p->deadline) {
			*ret_outcome = EXEC_TIMEOUT;
			return kill_and_reap(pid, ret_status);
		}
		if (p->peer)
			peerwatch_pollfd(p->peer, &fds[1]);
		if (poll(fds, 2, poll_timeout(p->deadline)) < 0 && errno != EINTR) {
			int r = -errno;

			/* we stop watching: the compiler must not outlive the job */
			(void)kill_and_reap(pid, &status);
			return r;
		}
		if (p->peer && peerwatch_gone(p->peer, fds[1].revents)) {
			*ret_outcome = EXEC_DISCONNECT;
			return kill_and_reap(pid, ret_status);
		}
	}
}

void exec_kill_children(bool (*spare)(pid_t pid, void *userdata), void *userdata)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *list = NULL;
		_cleanup_close_ int fd = -EBADF;
		char path[300];
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read_fd_max(fd, 1u << 20, &list, &len) < 0)
			continue;
		for (char *q = list, *end; *q; q = end) {
			long pid = strtol(q, &end, 10);

			if (end == q)
				break;
			if (pid > 0 && (!spare || !spare((pid_t)pid, userdata)))
				kill((pid_t)pid, SIGKILL);
		}
	}
	closedir(d);
}

void exec_sweep_children(void)
{
	usec_t end = deadline_in(SWEEP_TIMEOUT_SEC * USEC_PER_SEC);
	unsigned n = 0;

	while (now_usec() < end) {
		pid_t w = waitpid(-1, NULL, WNOHANG | __WALL);

		if (w > 0) {
			n++;
			continue;
		}
		if (w < 0 && errno == ECHILD) {
			if (n > 0)
				log_info("killed %u process%s the compiler left behind", n,
					 n == 1 ? "" : "es");
			return;
		}
		exec_kill_children(NULL, NULL);
		(void)poll(NULL, 0, 1);
	}
	log_error("processes the compiler left behind survive SIGKILL for %u s", SWEEP_TIMEOUT_SEC);
}

/* Kill and reap everything the compiler left: its process group, then
 * every child until there are none (processes may fork while we look). */
static void sweep(pid_t pgid)
{
	kill(-pgid, SIGKILL);
	exec_sweep_children();
}

int exec_compiler(const struct exec_params *p, int *ret_status, enum exec_outcome *ret_outcome)
{
	sigset_t term, old;
	pid_t pid;
	int r;

	/* a SIGTERM between fork() and running_pgid would orphan the compiler */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigaddset(&term, SIGHUP);
	sigprocmask(SIG_BLOCK, &term, &old);
	/* orphans of the compiler become our children, not init's: sweep() */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	pid = fork();
	if (pid == 0)
		child(p);       /* unblocks everything itself */
	if (pid > 0) {
		/* both sides set the group, so killpg works whoever runs first */
		(void)setpgid(pid, pid);
		running_pgid = pid;
	}
	r = pid < 0 ? -errno : 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return log_error_errno(r, "cannot fork the compiler: %m");
	r = supervise(pid, p, ret_status, ret_outcome);
	sweep(pid);
	running_pgid = 0;
	return r;
}
