/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pump session's directory and its include server process (see
 * pumpdir.h). Only ever signals the server it started or one whose pid and
 * directory pump --startup printed and that is still a pump process.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "discrepancy.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "parse.h"
#include "pumpdir.h"
#include "strv.h"

#define STOP_GRACE_USEC (5 * USEC_PER_SEC)

/* Remove @name in @dfd and everything below it, not following symlinks. */
static int rm_rf_at(int dfd, const char *name)
{
	_cleanup_close_ int fd = -EBADF;
	DIR *d;
	struct dirent *e;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -EBADF; /* owned by d */
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(void)rm_rf_at(dirfd(d), e->d_name);
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int listen_unix(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -EBADF;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* In the child: stdin from /dev/null; when detached, a session of its own
 * and output into files (the terminal pump --startup ran in may go away). */
static void server_stdio(const char *dir, bool detach)
{
	char p[PATH_MAX];
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		(void)dup2(fd, STDIN_FILENO);
	if (!detach)
		return;
	(void)setsid();
	snprintf(p, sizeof(p), "%s/stdout", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		(void)dup2(fd, STDOUT_FILENO);
	snprintf(p, sizeof(p), "%s/stderr", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0)
		(void)dup2(fd, STDERR_FILENO);
}

static _noreturn_ void server_main(int listen_fd, const char *dir, bool detach,
				   const struct incserver_options *opt)
{
	char cache[PATH_MAX];
	int r;

	server_stdio(dir, detach);
	signal(SIGINT, detach ? SIG_IGN : SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	if (mkdir(cache, 0700) < 0 && errno != EEXIST) {
		log_error_errno(errno, "cannot create '%s': %m", cache);
		_exit(1);
	}
	r = incserver_serve(listen_fd, cache, opt);
	_exit(r < 0 ? 1 : 0);
}

static int make_dir(const char *tmpdir, struct pumpdir *p)
{
	char tmpl[PATH_MAX];
	int n = snprintf(tmpl, sizeof(tmpl), "%s/" PUMPDIR_PREFIX "XXXXXX", tmpdir);

	if (n < 0 || (size_t)n >= sizeof(tmpl))
		return -ENAMETOOLONG;
	if (!mkdtemp(tmpl))
		return -errno;
	p->dir = realpath(tmpl, NULL);
	if (!p->dir) {
		n = -errno;
		(void)rmdir(tmpl);
		return n;
	}
	if (asprintf(&p->socket, "%s/" DISCREPANCY_SOCKET, p->dir) < 0) {
		p->socket = NULL;
		return -ENOMEM;
	}
	return 0;
}

int pumpdir_start(const char *tmpdir, bool detach, const struct incserver_options *opt,
		  struct pumpdir *ret)
{
	struct pumpdir p = { .child = !detach, .detached = detach };
	_cleanup_close_ int fd = -EBADF;
	pid_t pid;
	int r;

	r = make_dir(tmpdir, &p);
	if (r >= 0)
		r = listen_unix(p.socket, &fd);
	if (r >= 0) {
		fflush(NULL);
		pid = fork();
		if (pid == 0)
			server_main(fd, p.dir, detach, opt);
		r = pid < 0 ? -errno : 0;
		p.server_pid = pid > 0 ? pid : 0;
	}
	if (r < 0) {
		pumpdir_stop(&p);
		return r;
	}
	*ret = p;
	return 0;
}

int pumpdir_adopt(const char *dir, const char *pid, struct pumpdir *ret)
{
	struct pumpdir p = {};
	const char *b;
	unsigned v = 0;
	struct stat st;

	if (!dir || dir[0] != '/' || !pid || parse_uint32(pid, 2, INT32_MAX, &v) < 0)
		return -EINVAL;
	b = strrchr(dir, '/') + 1;
	if (!str_has_prefix(b, PUMPDIR_PREFIX) || lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid())
		return -EINVAL;
	p.dir = strdup(dir);
	if (!p.dir || asprintf(&p.socket, "%s/" DISCREPANCY_SOCKET, dir) < 0) {
		free(p.dir);
		return -ENOMEM;
	}
	p.server_pid = (pid_t)v;
	p.detached = true;
	*ret = p;
	return 0;
}

void pumpdir_report(const struct pumpdir *p, unsigned max)
{
	_cleanup_free_ char *path = NULL;
	unsigned n;

	if (!p->socket || discrepancy_path(p->socket, &path) < 0)
		return;
	n = discrepancy_count(path);
	if (n == 0)
		return;
	fprintf(stderr, "__________Warning: %u pump-mode compilation(s) failed on server, "
			"but succeeded locally.\n", n);
	if (n >= max)
		fprintf(stderr, "__________Distcc-pump was demoted to plain mode.\n");
	fprintf(stderr, "See DISCREPANCIES in pump(1).\n");
}

/* Is @pid still the server? Ours: not yet reaped. Adopted: a live process
 * that runs the same program as we do (pump). */
static bool server_alive(const struct pumpdir *p)
{
	char a[PATH_MAX], b[PATH_MAX], link[64];
	ssize_t n, m;

	if (p->child)
		return waitpid(p->server_pid, NULL, WNOHANG) == 0;
	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)p->server_pid);
	n = readlink(link, a, sizeof(a) - 1);
	m = readlink("/proc/self/exe", b, sizeof(b) - 1);
	return n > 0 && n == m && memcmp(a, b, (size_t)n) == 0;
}

static void stop_server(struct pumpdir *p)
{
	usec_t until = deadline_in(STOP_GRACE_USEC);
	bool killed = false;

	if (p->server_pid <= 0 || !server_alive(p))
		return;
	(void)kill(p->server_pid, SIGTERM);
	while (server_alive(p)) {
		if (!killed && now_usec() >= until) {
			(void)kill(p->server_pid, SIGKILL);
			killed = true;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
}

static void replay(const char *dir, const char *name, int to)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -EBADF;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		(void)xcopy_fd(fd, to, (uint64_t)st.st_size, USEC_INFINITY);
}

void pumpdir_stop(struct pumpdir *p)
{
	stop_server(p);
	p->server_pid = 0;
	if (p->dir) {
		if (p->detached) {
			replay(p->dir, "stdout", STDOUT_FILENO);
			replay(p->dir, "stderr", STDERR_FILENO);
		}
		(void)rm_rf_at(AT_FDCWD, p->dir);
	}
	free(p->dir);
	free(p->socket);
	*p = (struct pumpdir){};
}
