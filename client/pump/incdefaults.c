/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Default include directories of a compiler. The probe runs it with stdin
 * and stdout on /dev/null and stderr on a pipe, reads until EOF or the
 * deadline, and kills it past the deadline.
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

#include "buf.h"
#include "macro.h"
#include "strv.h"
#include "incdefaults.h"

#define MAX_PROBE_OUTPUT (1u << 20)

extern char **environ;

static const char *const DROP_ENV[] = {
	"CPATH=", "C_INCLUDE_PATH=", "CPLUS_INCLUDE_PATH=", "OBJC_INCLUDE_PATH=",
	"OBJCPLUS_INCLUDE_PATH=", "LC_ALL=", "LANG=", "LANGUAGE=", "LC_MESSAGES=",
	"GCC_EXEC_PREFIX=", "COMPILER_PATH=", "DEPENDENCIES_OUTPUT=", "SUNPRO_DEPENDENCIES=", NULL,
};

int incdefaults_parse(const char *text, char ***ret_quote, char ***ret_bracket)
{
	_cleanup_free_ char *copy = strdup(text);
	char **quote = NULL, **bracket = NULL, ***cur = NULL;
	bool seen = false;
	char *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *l = strtok_r(copy, "\n", &save); l && r >= 0; l = strtok_r(NULL, "\n", &save)) {
		char *e;

		if (str_has_prefix(l, "#include \"...\" search starts here:"))
			cur = &quote;
		else if (str_has_prefix(l, "#include <...> search starts here:")) {
			cur = &bracket;
			seen = true;
		} else if (str_has_prefix(l, "End of search list."))
			cur = NULL;
		else if (cur && l[0] == ' ') {
			l++;
			e = strstr(l, " (framework directory)");
			if (e)
				continue;
			e = l + strlen(l);
			while (e > l && (e[-1] == ' ' || e[-1] == '\r'))
				*--e = 0;
			if (*l == '/')
				r = strv_push(cur, l);
		}
	}
	if (r >= 0 && !seen)
		r = -ENOMSG;
	if (r < 0) {
		strv_free(quote);
		strv_free(bracket);
		return r;
	}
	*ret_quote = quote;
	*ret_bracket = bracket;
	return 0;
}

static int build_env(char ***ret)
{
	char **env = NULL;
	int r = 0;

	for (char **e = environ; e && *e && r >= 0; e++) {
		bool drop = false;

		for (const char *const *d = DROP_ENV; *d; d++)
			drop = drop || str_has_prefix(*e, *d);
		if (!drop)
			r = strv_push(&env, *e);
	}
	if (r >= 0)
		r = strv_push(&env, "LC_ALL=C");
	if (r < 0) {
		strv_free(env);
		return r;
	}
	*ret = env;
	return 0;
}

static int spawn_probe(char *const argv[], int err_fd, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, def;
	_cleanup_(strv_freep) char **env = NULL;
	int r;

	r = build_env(&env);
	if (r < 0)
		return r;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	/* the include server blocks SIGTERM/SIGINT and ignores SIGPIPE */
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = -posix_spawn(ret_pid, argv[0], &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

/* Read the child's stderr to EOF (at most MAX_PROBE_OUTPUT) by @deadline. */
static int read_all(int fd, usec_t deadline, struct buf *out)
{
	for (;;) {
		ssize_t k;
		int r = fd_wait(fd, POLLIN, deadline);

		if (r < 0)
			return r;
		r = buf_reserve(out, 4096);
		if (r < 0)
			return r;
		k = read(fd, out->data + out->len, 4096);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return buf_terminate(out);
		out->len += (size_t)k;
	}
}

int incdefaults_probe(const char *compiler, const char *lang, char *const flags[],
		      usec_t deadline, char ***ret_bracket)
{
	_cleanup_(strv_freep) char **argv = NULL, **quote = NULL;
	_cleanup_(buf_free) struct buf out = BUF_INIT(MAX_PROBE_OUTPUT);
	_cleanup_close_ int rd = -EBADF;
	int p[2], status, r, rw;
	pid_t pid;

	r = strv_push(&argv, compiler);
	if (r >= 0)
		r = strv_push(&argv, "-x");
	if (r >= 0)
		r = strv_push(&argv, lang);
	for (size_t i = 0; flags && flags[i] && r >= 0; i++)
		r = strv_push(&argv, flags[i]);
	const char *tail[] = { "-v", "-E", "/dev/null", NULL };

	for (size_t i = 0; tail[i] && r >= 0; i++)
		r = strv_push(&argv, tail[i]);
	if (r < 0)
		return r;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	rd = p[0];
	r = spawn_probe(argv, p[1], &pid);
	close(p[1]);
	if (r < 0)
		return r;
	r = read_all(rd, deadline, &out);
	if (r < 0)
		kill(pid, SIGKILL);
	while ((rw = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	if (rw < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -ECHILD;
	return incdefaults_parse((const char *)out.data, &quote, ret_bracket);
}
