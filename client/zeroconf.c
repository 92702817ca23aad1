/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * +zeroconf: the lock, the browser's start and the list: see zeroconf.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "macro.h"
#include "zcbrowse.h"
#include "zeroconf.h"

#define ZC_LIST_MAX (256u * 1024)
#define ZC_WAIT_STEP_USEC 50000

static int open_dir(const char *distcc_dir, int *ret_fd)
{
	_cleanup_free_ char *dir = NULL;
	int fd;

	if (mkdir(distcc_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (asprintf(&dir, "%s/zeroconf", distcc_dir) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

/* The browser, detached from us (its own session, stdio on /dev/null, no
 * fd of ours but the directory); we reap only the middle process. It takes
 * the lock itself (record locks are not inherited), as 3.4's does. */
static void spawn_browser(int dir_fd)
{
	pid_t pid = fork();
	int null;

	if (pid < 0) {
		log_warning_errno(errno, "zeroconf: cannot start the browser: %m");
		return;
	}
	if (pid > 0) {
		(void)waitpid(pid, NULL, 0);
		return;
	}
	(void)setsid();
	if (fork() != 0)
		_exit(0);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (dup2(dir_fd, 3) < 0)
		_exit(1);
	close_range(4, ~0u, 0);
	if (chdir("/") < 0)
		_exit(1);
	_exit(zcbrowse_run(3) < 0 ? 1 : 0);
}

/* Start a browser when none runs (nobody holds 3.4's fcntl write lock on
 * the lock file: 3.4's browser and ours exclude each other). */
static void ensure_browser(int dir_fd)
{
	_cleanup_close_ int lock_fd = openat(dir_fd, ZC_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (lock_fd < 0)
		return;
	(void)futimens(lock_fd, NULL);          /* the list is in use */
	if (fcntl(lock_fd, F_SETLK, &fl) < 0)
		return;                          /* a browser holds it */
	fl.l_type = F_UNLCK;
	(void)fcntl(lock_fd, F_SETLK, &fl);
	(void)unlinkat(dir_fd, ZC_HOSTS_FILE, 0);
	log_info("zeroconf: starting the browser");
	spawn_browser(dir_fd);
}

static int read_at(int dir_fd, const char *name, char **ret)
{
	_cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *path = NULL;
	size_t len;

	if (fd < 0)
		return -errno;
	if (asprintf(&path, "/proc/self/fd/%d", fd) < 0)
		return -ENOMEM;
	return read_file_max(path, ZC_LIST_MAX, ret, &len);
}

int zeroconf_hosts(const char *distcc_dir, char **ret_text, char **ret_why)
{
	_cleanup_close_ int dir_fd = -EBADF;
	char *text = NULL, *why = NULL;
	usec_t deadline;
	int r = open_dir(distcc_dir, &dir_fd);

	if (r < 0)
		return log_warning_errno(r, "zeroconf: cannot use '%s/zeroconf': %m", distcc_dir);
	(void)ensure_browser(dir_fd);
	/* the first list of a new browser: written within ZC_FIRST_LIST_SEC */
	deadline = deadline_in((ZC_FIRST_LIST_SEC + 1) * USEC_PER_SEC);
	while ((r = read_at(dir_fd, ZC_HOSTS_FILE, &text)) == -ENOENT && now_usec() < deadline)
		usleep(ZC_WAIT_STEP_USEC);
	if (r == -ENOENT)
		text = strdup("");
	else if (r < 0)
		return log_warning_errno(r, "zeroconf: cannot read '%s/zeroconf/hosts': %m", distcc_dir);
	if (!text)
		return -ENOMEM;
	if (read_at(dir_fd, ZC_STATUS_FILE, &why) >= 0)
		why[strcspn(why, "\n")] = '\0';
	*ret_text = text;
	*ret_why = why;
	return 0;
}
