/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssh as a child process carrying one job (see sshconn.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "sshcmd.h"
#include "sshconn.h"
#include "strv.h"

/* A private directory: created 0700, or existing, ours, and not open to
 * others (a control socket there is a login to our servers). */
static char **strv_free_null(char **v)
{
	strv_free(v);
	return NULL;
}

static int private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return -EPERM;
	return 0;
}

/* DISTCC_DIR/ssh when its socket paths fit, else $XDG_RUNTIME_DIR/distcc-ssh,
 * else /tmp/distcc-ssh-UID. */
static int control_dir(const char *sshdir, char **ret)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *alt[3] = {};
	int r = -ENAMETOOLONG;

	alt[0] = strdup(sshdir);
	if (xdg && *xdg == '/' && asprintf(&alt[1], "%s/distcc-ssh", xdg) < 0)
		alt[1] = NULL;
	if (asprintf(&alt[2], "/tmp/distcc-ssh-%lu", (unsigned long)geteuid()) < 0)
		alt[2] = NULL;
	for (size_t i = 0; i < ELEMENTSOF(alt); i++) {
		if (r >= 0 || !alt[i] || strlen(alt[i]) > SSHCMD_MAX_CONTROL_DIR ||
		    private_dir(alt[i]) < 0) {
			free(alt[i]);
			continue;
		}
		*ret = alt[i];
		r = 0;
	}
	return r;
}

int sshconn_config(const struct client_config *cfg, char **ret_path)
{
	_cleanup_free_ char *sshdir = NULL, *path = NULL, *ctl = NULL, *text = NULL, *old = NULL;
	size_t len = 0;
	int r;

	if (!cfg->dir || asprintf(&sshdir, "%s/ssh", cfg->dir) < 0)
		return -ENOMEM;
	(void)mkdir(cfg->dir, 0755);
	r = private_dir(sshdir);
	if (r < 0)
		return r;
	r = control_dir(sshdir, &ctl);
	if (r < 0)
		return r;
	r = sshcmd_config_text(ctl, &text);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/config", sshdir) < 0)
		return -ENOMEM;
	if (read_file_max(path, 4096, &old, &len) < 0 || len != strlen(text) ||
	    memcmp(old, text, len) != 0) {
		r = write_file_atomic(path, text, strlen(text), 0600, NULL);
		if (r < 0)
			return r;
	}
	*ret_path = TAKE_PTR(path);
	return 0;
}

/* A shared connection is assumed up this long after a job succeeded over
 * it (ssh keeps it SSHCMD_PERSIST_SEC after its last use). */
#define STAMP_FRESH_SEC (SSHCMD_PERSIST_SEC * 3 / 4)

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h * 0x100000001b3ull;
}

static bool stamp_fresh(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && time(NULL) - st.st_mtime < STAMP_FRESH_SEC &&
	       st.st_mtime <= time(NULL);
}

/* While no job succeeded lately on this host (with these DISTCC_SSH words),
 * take its start lock: the first job opens the shared connection, the
 * others find it when they get the lock. Best effort: errors skip it. */
static void gate(const struct client_config *cfg, const struct host *h, struct sshconn *c)
{
	_cleanup_free_ char *lock = NULL;
	uint64_t k = fnv1a(fnv1a(0xcbf29ce484222325ull, h->spec), cfg->ssh);

	if (asprintf(&c->stamp, "%s/ssh/up-%016llx", cfg->dir, (unsigned long long)k) < 0) {
		c->stamp = NULL;
		return;
	}
	if (stamp_fresh(c->stamp) || asprintf(&lock, "%s.lock", c->stamp) < 0)
		return;
	c->gate_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->gate_fd < 0)
		return;
	while (flock(c->gate_fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			c->gate_fd = safe_close(c->gate_fd);
			return;
		}
	if (stamp_fresh(c->stamp))
		c->gate_fd = safe_close(c->gate_fd);
}

int sshconn_open(const struct client_config *cfg, const struct host *h, struct sshconn *ret)
{
	_cleanup_(strv_freep) char **argv = NULL;
	_cleanup_free_ char *conf = NULL;
	_cleanup_close_ int err = -EBADF;
	struct sshconn c = SSHCONN_NULL;
	int sv[2], r;

	r = sshcmd_split(cfg->ssh, &argv);
	if (r >= 0 && !sshcmd_user_decides(argv)) {
		r = sshconn_config(cfg, &conf);
		if (r < 0)
			log_debug_errno(r, "no ssh connection reuse (%s/ssh): %m", cfg->dir);
		else
			gate(cfg, h, &c);
	}
	argv = strv_free_null(argv);
	r = sshcmd_build(&(struct sshcmd_params){ .ssh_env = cfg->ssh, .config = conf }, h, &argv);
	if (r < 0) {
		c.gate_fd = safe_close(c.gate_fd);
		free(c.stamp);
		return log_warning_errno(r, "cannot use DISTCC_SSH for host '%s' (%s): %m",
					 h->spec, r == -EINVAL ? "its first word must be the ssh program, "
					 "not an option" : "too many words");
	}
	err = memfd_create("distcc-ssh-stderr", MFD_CLOEXEC);
	if (err < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		c.gate_fd = safe_close(c.gate_fd);
		free(c.stamp);
		return log_error_errno(r, "cannot set up the pipes for ssh: %m");
	}
	r = child_spawn_fds(argv, sv[1], sv[1], err, &c.pid);
	safe_close(sv[1]);
	if (r < 0) {
		safe_close(sv[0]);
		c.gate_fd = safe_close(c.gate_fd);
		free(c.stamp);
		return log_warning_errno(r, "cannot run '%s' for host '%s': %m", argv[0], h->spec);
	}
	log_debug("started ssh for '%s': %s ...", h->spec, argv[0]);
	c.fd = sv[0];
	(void)fd_set_nonblock(c.fd, 1);
	c.err_fd = TAKE_FD(err);
	c.spec = strdup(h->spec);
	c.program = strdup(argv[0]);
	c.command = strdup(h->via_daemon ? "ssh -W" : h->command ? h->command : SSHCMD_DEFAULT_COMMAND);
	*ret = c;
	return 0;
}

/* waitpid with a deadline; kills ssh (SIGTERM, then SIGKILL) past it. */
static int wait_ssh(pid_t pid, int *ret_status)
{
	usec_t end = deadline_in(SSHCONN_EXIT_TIMEOUT_USEC);
	struct timespec ts = { 0, 200 * 1000 };
	int st, sig = SIGTERM;

	for (;;) {
		pid_t p = waitpid(pid, &st, WNOHANG);

		if (p == pid) {
			*ret_status = st;
			return 0;
		}
		if (p < 0 && errno != EINTR)
			return -errno;
		if (now_usec() >= end) {
			(void)kill(pid, sig);
			sig = SIGKILL;
			end = deadline_in(USEC_PER_SEC);
		}
		nanosleep(&ts, NULL);
		if (ts.tv_nsec < 20 * 1000 * 1000)
			ts.tv_nsec *= 2;
	}
}

/* ssh's stderr, once, as it wrote it. */
static void show_stderr(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && st.st_size > 0 && lseek(fd, 0, SEEK_SET) == 0)
		(void)xcopy_fd(fd, STDERR_FILENO, (uint64_t)st.st_size, deadline_in(USEC_PER_SEC));
}

static const char *strna(const char *s)
{
	return s ? s : "n/a";
}

static int explain(const struct sshconn *c, int st, bool failed)
{
	int code = child_exit_code(st);

	if (WIFEXITED(st) && code == 0)
		return 0;
	if (WIFSIGNALED(st)) {
		if (failed)
			log_warning("ssh to '%s' was killed by signal %d (%s)", c->spec, WTERMSIG(st),
				    strsignal(WTERMSIG(st)));
		return -EINTR;
	}
	if (code == 255) {
		if (failed)
			log_warning("ssh to '%s' failed (%s exit status 255: connection, host key or "
				    "login refused)", c->spec, c->program);
		return -ECONNREFUSED;
	}
	if (code == 127) {
		if (failed)
			log_warning("ssh to '%s': command '%s' not found on the server (exit "
				    "status 127)", c->spec, strna(c->command));
		return -ENOENT;
	}
	if (failed)
		log_warning("ssh to '%s' ended before the job was done (remote exit status %d)",
			    c->spec, code);
	return -EPROTO;
}

int sshconn_close(struct sshconn *c, bool failed)
{
	int st = 0, r = 0;

	c->fd = safe_close(c->fd);
	if (c->pid > 0) {
		r = wait_ssh(c->pid, &st);
		c->pid = 0;
		if (c->err_fd >= 0)
			show_stderr(c->err_fd);
		if (r < 0)
			log_warning_errno(r, "cannot wait for ssh to '%s': %m", c->spec);
		else
			r = explain(c, st, failed);
		if (r == 0 && !failed && c->stamp) {
			_cleanup_close_ int fd = open(c->stamp, O_WRONLY | O_CREAT | O_CLOEXEC |
						      O_NOFOLLOW, 0600);

			if (fd >= 0)
				(void)futimens(fd, NULL);
		}
	}
	c->gate_fd = safe_close(c->gate_fd);
	free(c->stamp);
	c->err_fd = safe_close(c->err_fd);
	free(c->spec);
	free(c->program);
	free(c->command);
	*c = SSHCONN_NULL;
	return r;
}
