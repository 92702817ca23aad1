/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live state fetch and cache (livefetch.h). The refresher is a grandchild
 * (its parent exits at once, so nothing waits for it) with stdio on
 * /dev/null: a build tool reading our output never waits for it either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "livefetch.h"
#include "lock.h"
#include "log.h"
#include "macro.h"
#include "remote.h"

#define PAGE_MAX (256u * 1024u)
#define REQUEST "GET /metrics HTTP/1.0\r\n\r\n"

int livefetch_now(const struct host *h, usec_t timeout, struct live_state *ret)
{
	struct host sh = { .mode = HOST_TCP, .hostname = h->hostname, .port = h->stats_port };
	usec_t deadline = deadline_in(timeout);
	_cleanup_close_ int fd = -EBADF;
	struct buf b = BUF_INIT(PAGE_MAX);
	int r;

	r = remote_connect(&sh, timeout, &fd);
	if (r < 0)
		return r;
	r = xwrite_all(fd, REQUEST, strlen(REQUEST), deadline);
	/* a 3.4 server may close before reading: its page is still there */
	while (r >= 0 || r == -EPIPE || r == -ECONNRESET) {
		char chunk[4096];
		ssize_t k = xread_some(fd, chunk, sizeof(chunk), deadline, true);

		if (k <= 0) {
			r = (int)k;
			break;
		}
		r = buf_append(&b, chunk, (size_t)k);
	}
	if (r >= 0)
		r = livestate_parse((const char *)b.data, b.len, ret);
	buf_free(&b);
	return r;
}

static int cache_path(const char *dir, const struct host *h, const char *suffix, char *out,
		      size_t n)
{
	int k = snprintf(out, n, "%s/live/%s_%u%s", dir, h->hostname, h->stats_port, suffix);

	if (k < 0 || (size_t)k >= n)
		return -ENAMETOOLONG;
	for (char *p = out + strlen(dir) + 6; *p; p++)
		if (*p == '/')
			*p = '_';
	return 0;
}

/* mkdir $DISTCC_DIR and its live/ (their parents are the user's). */
static int make_dir(const char *dir)
{
	char p[4096];

	if (snprintf(p, sizeof(p), "%s/live", dir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int livecache_read(const char *dir, const struct host *h, struct live_entry *ret)
{
	_cleanup_free_ char *text = NULL;
	char path[4096];
	int r = cache_path(dir, h, "", path, sizeof(path));

	if (r >= 0)
		r = read_file_max(path, LIVE_RECORD_MAX, &text, NULL);
	if (r >= 0)
		r = live_entry_decode(text, ret);
	return r;
}

int livecache_write(const char *dir, const struct host *h, const struct live_entry *e)
{
	char path[4096], line[LIVE_RECORD_MAX];
	int r;

	r = make_dir(dir);
	if (r >= 0)
		r = cache_path(dir, h, "", path, sizeof(path));
	if (r >= 0)
		r = live_entry_encode(e, line, sizeof(line));
	if (r >= 0)
		r = write_file_atomic(path, line, strlen(line), 0644, NULL);
	return r;
}

int livecache_refresh(const char *dir, const struct host *h, struct live_entry *ret)
{
	struct live_entry old, e = {};
	int r = livefetch_now(h, LIVE_FETCH_TIMEOUT_USEC, &e.st);

	e.up = r >= 0;
	e.when = now_usec();
	if (e.up) {
		/* the server counted this build's jobs too: remember how many
		 * there were, so that one finishing frees its slot at once */
		_cleanup_close_ int lockdir = -EBADF;

		if (lock_dir_open(dir, &lockdir) >= 0)
			e.mine = lock_count_held(lockdir, h, e.st.max_jobs);
	}
	/* an outage already announced stays announced */
	if (!e.up && livecache_read(dir, h, &old) >= 0 && !old.up)
		e.reported = old.reported;
	(void)livecache_write(dir, h, &e);
	if (ret)
		*ret = e;
	return r;
}

/* Start a detached refresher unless one runs for @h already. */
static void refresh_async(const char *dir, const struct host *h)
{
	char lock[4096];
	int fd, status;
	pid_t pid;

	if (make_dir(dir) < 0 || cache_path(dir, h, ".lock", lock, sizeof(lock)) < 0)
		return;
	fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		safe_close(fd);
		return;
	}
	pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			int null = open("/dev/null", O_RDWR);

			if (null >= 0) {
				dup2(null, 0);
				dup2(null, 1);
				dup2(null, 2);
			}
			(void)livecache_refresh(dir, h, NULL);
			_exit(0);   /* the flock goes with the last fd */
		}
		_exit(0);
	}
	safe_close(fd);
	if (pid > 0)
		(void)waitpid(pid, &status, 0);
}

int livecache_get(const char *dir, const struct host *h, struct live_entry *ret)
{
	usec_t now = now_usec(), until;
	int r = livecache_read(dir, h, ret);

	if (r >= 0 && ret->when != 0 && !live_entry_stale(ret, now, LIVE_MAX_AGE_USEC))
		return 0;
	refresh_async(dir, h);
	if (r >= 0 && ret->when != 0)
		return 0;
	for (until = now + LIVE_FIRST_WAIT_USEC; now_usec() < until;) {
		(void)nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
		if (livecache_read(dir, h, ret) >= 0 && ret->when != 0)
			return 0;
	}
	return -ENOENT;
}
