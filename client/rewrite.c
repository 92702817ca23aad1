/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiler name rewriting (DISTCC-REFERENCE 3.4, UPSTREAM-BUGS C7/C8):
 * cc/c++ resolved through symlinks or a --version probe, gcc -> <triple>-gcc
 * when that exists, clang gets -target <triple>. Decisions are made on the
 * basename, path-qualified compilers keep their directory. The only side
 * effects are stat/readlink and the one --version probe child.
 *
 * The triple is computed at run time, as distcc's configure (config.guess)
 * would for this machine: uname's machine, vendor "pc" on x86 and "unknown"
 * elsewhere, "linux-gnu" (glibc) or "linux-musl". So on Debian amd64 it is
 * x86_64-pc-linux-gnu, like Debian's distcc 3.4; the gcc rewrite drops the
 * vendor ("-pc-" as in 3.4, and also "-unknown-" so that non-x86 hosts find
 * their aarch64-linux-gnu-gcc instead of a name that never exists).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hosttriple.h"
#include "io.h"
#include "macro.h"
#include "rewrite.h"
#include "strv.h"

#define PROBE_TIMEOUT_USEC (5 * USEC_PER_SEC)
#define PROBE_LINE_MAX 512
#define MAX_LINK_HOPS 16

extern char **environ;

enum family { FAMILY_OTHER, FAMILY_GCC, FAMILY_CLANG };

const char *rewrite_host_triple(void)
{
	return host_triple();
}

/* The triple gcc cross names use: vendor dropped. */
static void gcc_triple(char *buf, size_t size)
{
	const char *t = rewrite_host_triple();
	const char *v = strstr(t, "-pc-");
	size_t skip = 4;

	if (!v) {
		v = strstr(t, "-unknown-");
		skip = 9;
	}
	if (v)
		snprintf(buf, size, "%.*s-%s", (int)(v - t), t, v + skip);
	else
		snprintf(buf, size, "%s", t);
}

/* "name", or "name-<version>" where the version is digits and dots. */
static bool name_is(const char *base, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(base, name, n) != 0)
		return false;
	if (base[n] == 0)
		return true;
	if (base[n] != '-' || !isdigit((unsigned char)base[n + 1]))
		return false;
	return strspn(base + n + 1, "0123456789.") == strlen(base + n + 1);
}

static enum family family_of(const char *path)
{
	const char *b = str_basename(path);

	if (name_is(b, "gcc") || name_is(b, "g++"))
		return FAMILY_GCC;
	if (name_is(b, "clang") || name_is(b, "clang++"))
		return FAMILY_CLANG;
	return FAMILY_OTHER;
}

static bool is_executable(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* First executable @name in the colon-separated @path ("" entries mean
 * the cwd). -ENOENT when not found or @path is NULL. */
static int find_in_path(const char *name, const char *path, char **ret)
{
	const char *p = path;

	while (p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *full = NULL;

		if (asprintf(&full, "%.*s%s%s", (int)n, n ? p : ".", "/", name) < 0)
			return -ENOMEM;
		if (is_executable(full)) {
			*ret = full;
			return 0;
		}
		free(full);
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

/* Follow @path's symlink chain (/usr/bin/cc -> /etc/alternatives/cc ->
 * /usr/bin/gcc -> ...) and return the first hop named like gcc or clang. */
static char *symlink_family_hop(const char *path)
{
	_cleanup_free_ char *cur = strdup(path);

	for (int hop = 0; cur && hop < MAX_LINK_HOPS; hop++) {
		char target[PATH_MAX];
		ssize_t k = readlink(cur, target, sizeof(target) - 1);
		char *next = NULL;

		if (k < 0)
			return NULL;
		target[k] = 0;
		if (target[0] == '/')
			next = strdup(target);
		else if (asprintf(&next, "%.*s%s", (int)(str_basename(cur) - cur), cur, target) < 0)
			next = NULL;
		free(cur);
		cur = next;
		if (cur && family_of(cur) != FAMILY_OTHER)
			return TAKE_PTR(cur);
	}
	return NULL;
}

static int spawn_version(const char *path, int out_fd, pid_t *ret_pid)
{
	char *const argv[] = { (char *)path, (char *)"--version", NULL };
	posix_spawn_file_actions_t fa;
	int r;

	r = posix_spawn_file_actions_init(&fa);
	if (r != 0)
		return -r;
	r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (r == 0)
		r = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (r == 0)
		r = posix_spawn(ret_pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* True if the first line of `<path> --version` mentions clang (C8). */
static bool probe_is_clang(const char *path)
{
	char line[PROBE_LINE_MAX];
	usec_t deadline = deadline_in(PROBE_TIMEOUT_USEC);
	int fds[2], status;
	size_t n = 0;
	pid_t pid;
	int r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return false;
	r = spawn_version(path, fds[1], &pid);
	close(fds[1]);
	if (r < 0) {
		close(fds[0]);
		return false;
	}
	while (n < sizeof(line) - 1 && xread_full(fds[0], line + n, 1, deadline) >= 0 &&
	       line[n] != '\n')
		n++;
	line[n] = 0;
	close(fds[0]);
	/* we have the line: a child still running now is stuck or chatty */
	if (waitpid(pid, &status, WNOHANG) == 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return strstr(line, "clang") != NULL;
}

static int set_argv0(char **argv, const char *name)
{
	char *n = strdup(name);

	if (!n)
		return -ENOMEM;
	free(argv[0]);
	argv[0] = n;
	return 0;
}

/* cc/c++: the real family, and argv[0] renamed when a symlink names it. */
static int resolve_cc(char **argv, const char *path, enum family *ret)
{
	const char *b = str_basename(argv[0]);
	bool cxx = strcmp(b, "c++") == 0;
	_cleanup_free_ char *full = NULL, *hop = NULL, *clang = NULL;
	bool qualified = strchr(argv[0], '/') != NULL;

	*ret = FAMILY_OTHER;
	if (!cxx && strcmp(b, "cc") != 0)
		return 0;
	if (qualified)
		full = strdup(argv[0]);
	else if (find_in_path(argv[0], path, &full) < 0)
		return 0;
	if (!full)
		return -ENOMEM;
	hop = symlink_family_hop(full);
	if (hop) {
		*ret = family_of(hop);
		return set_argv0(argv, qualified ? hop : str_basename(hop));
	}
	if (!probe_is_clang(full))
		return 0;
	*ret = FAMILY_CLANG;
	/* rename only to a clang that really is there; else keep the dispatcher */
	if (find_in_path(cxx ? "clang++" : "clang", path, &clang) < 0)
		return 0;
	return set_argv0(argv, cxx ? "clang++" : "clang");
}

/* gcc, g++, gcc-N -> <triple>-<name>, only if that is executable: on PATH
 * for a bare name, in the same directory for a path (C7). */
static int rewrite_gcc(char **argv, const char *path)
{
	char triple[128], *cand = NULL, *found = NULL;
	const char *b = str_basename(argv[0]);
	int r;

	gcc_triple(triple, sizeof(triple));
	if (b != argv[0]) {
		if (asprintf(&cand, "%.*s%s-%s", (int)(b - argv[0]), argv[0], triple, b) < 0)
			return -ENOMEM;
		r = is_executable(cand) ? set_argv0(argv, cand) : 0;
		free(cand);
		return r;
	}
	if (asprintf(&cand, "%s-%s", triple, b) < 0)
		return -ENOMEM;
	r = find_in_path(cand, path, &found);
	r = r == -ENOENT ? 0 : r >= 0 ? set_argv0(argv, cand) : r;
	free(found);
	free(cand);
	return r;
}

static int add_clang_target(char ***argv)
{
	for (char **a = *argv + 1; *a; a++)
		if (strcmp(*a, "-target") == 0 || str_has_prefix(*a, "--target="))
			return 0;
	/* a path-qualified clang must exist before we talk about its target */
	if (strchr((*argv)[0], '/') && !is_executable((*argv)[0]))
		return 0;
	int r = strv_push(argv, "-target");

	if (r >= 0)
		r = strv_push(argv, rewrite_host_triple());
	return r;
}

int rewrite_compiler(char ***argv, const char *path)
{
	enum family f;
	int r;

	if (!argv || !*argv || !(*argv)[0])
		return -EINVAL;
	r = resolve_cc(*argv, path, &f);
	if (r < 0)
		return r;
	if (f == FAMILY_OTHER)
		f = family_of((*argv)[0]);
	if (f == FAMILY_GCC && family_of((*argv)[0]) == FAMILY_GCC)
		return rewrite_gcc(*argv, path);
	if (f == FAMILY_CLANG)
		return add_clang_target(argv);
	return 0;
}
