/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Run one short command and keep its output: posix_spawnp with a pipe, a
 * bounded read until EOF or the deadline, then reap (killing a child that
 * outlives the deadline). Nothing here logs; callers decide what a failure
 * means.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "macro.h"
#include "strv.h"

extern char **environ;

/* environ with LC_ALL=C: compilers' messages in one language for parsing */
static char **c_locale_env(void)
{
	char **env = NULL;

	for (char **e = environ; e && *e; e++)
		if (!str_has_prefix(*e, "LC_ALL=") && strv_push(&env, *e) < 0)
			goto fail;
	if (strv_push(&env, "LC_ALL=C") < 0)
		goto fail;
	return env;
fail:
	strv_free(env);
	return NULL;
}

static int spawn(char *const argv[], int out_fd, bool with_stderr, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	char **env = c_locale_env();
	int r;

	if (!env)
		return -ENOMEM;
	r = posix_spawn_file_actions_init(&fa);
	if (r == 0) {
		r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		if (r == 0)
			r = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
		if (r == 0)
			r = with_stderr ? posix_spawn_file_actions_adddup2(&fa, out_fd, 2)
					: posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		if (r == 0)
			r = posix_spawnp(ret_pid, argv[0], &fa, NULL, argv, env);
		posix_spawn_file_actions_destroy(&fa);
	}
	strv_free(env);
	return -r;
}

/* Read until EOF or @deadline; bytes beyond @max are read and dropped so
 * the child never blocks on a full pipe. */
static int drain(int fd, size_t max, usec_t deadline, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *out = malloc(max + 1);
	size_t len = 0;

	if (!out)
		return -ENOMEM;
	for (;;) {
		char chunk[4096];
		ssize_t k;
		int r = fd_wait(fd, POLLIN, deadline);

		if (r < 0)
			return r;
		k = read(fd, chunk, sizeof(chunk));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		if (len < max) {
			size_t take = (size_t)k < max - len ? (size_t)k : max - len;

			memcpy(out + len, chunk, take);
			len += take;
		}
	}
	out[len] = 0;
	*ret = TAKE_PTR(out);
	*ret_len = len;
	return 0;
}

int capture_output(char *const argv[], bool with_stderr, size_t max, usec_t timeout,
		   char **ret_out, int *ret_status)
{
	_cleanup_free_ char *out = NULL;
	usec_t deadline = deadline_in(timeout);
	int fds[2], status = 0, r;
	size_t len;
	pid_t pid;

	if (!argv || !argv[0])
		return -EINVAL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	r = spawn(argv, fds[1], with_stderr, &pid);
	close(fds[1]);
	if (r < 0) {
		close(fds[0]);
		return r;
	}
	r = drain(fds[0], max, deadline, &out, &len);
	close(fds[0]);
	if (r < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (r < 0)
		return r;
	*ret_out = TAKE_PTR(out);
	*ret_status = status;
	return 0;
}

char *capture_first_line(const char *text)
{
	size_t n = strcspn(text ? text : "", "\n");

	return strndup(text ? text : "", n);
}

char *capture_cc_line(const char *arg)
{
	char *argv[] = { (char *)"cc", (char *)arg, NULL };
	_cleanup_free_ char *out = NULL;
	int status;

	if (capture_output(argv, false, 4096, CAPTURE_TIMEOUT_USEC, &out, &status) < 0 || status != 0)
		return NULL;
	return capture_first_line(out);
}
