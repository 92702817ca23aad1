/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * posix_spawnp (vfork-fast in glibc) for the preprocessor and for local
 * compiles. The child gets exactly stdin, stdout and stderr; everything
 * else we hold is O_CLOEXEC.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

extern char **environ;

/* SIGPIPE as our parent left it: children get it back. */
static bool sigpipe_was_ignored;

void child_ignore_sigpipe(void)
{
	struct sigaction old;

	if (sigaction(SIGPIPE, NULL, &old) == 0)
		sigpipe_was_ignored = old.sa_handler == SIG_IGN;
	signal(SIGPIPE, SIG_IGN);
}

/* posix_spawnp with SIGPIPE as our parent had it and an empty signal
 * mask (the caller may block signals around the spawn); @fa may be NULL. */
static int spawn(char *const argv[], const posix_spawn_file_actions_t *fa, pid_t *ret_pid)
{
	posix_spawnattr_t attr;
	sigset_t def, none;
	pid_t pid;
	int r;

	r = posix_spawnattr_init(&attr);
	if (r != 0)
		return -r;
	sigemptyset(&def);
	if (!sigpipe_was_ignored)
		sigaddset(&def, SIGPIPE);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	r = posix_spawnp(&pid, argv[0], fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return -r;
	*ret_pid = pid;
	return 0;
}

int child_cpp(char *const argv[], int err_fd, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	int r;

	r = posix_spawn_file_actions_init(&fa);
	if (r != 0)
		return -r;
	r = -posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (r == 0 && err_fd >= 0)
		r = -posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	if (r == 0)
		r = spawn(argv, &fa, ret_pid);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

int child_spawn_fds(char *const argv[], int in_fd, int out_fd, int err_fd, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	int r;

	r = posix_spawn_file_actions_init(&fa);
	if (r != 0)
		return -r;
	r = -posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	if (r == 0)
		r = -posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	if (r == 0)
		r = -posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
	if (r == 0)
		r = spawn(argv, &fa, ret_pid);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

int child_spawn(char *const argv[], pid_t *ret_pid)
{
	return spawn(argv, NULL, ret_pid);
}

int child_wait(pid_t pid, int *ret_status)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*ret_status = st;
	return 0;
}

int child_exit_code(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
