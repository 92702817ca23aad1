/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Slot locks. Waiting never spins: when every slot is busy we block in
 * F_SETLKW on one of them with an interval timer as the bound, then rescan,
 * so a freed slot is taken at once and others are noticed within the pause.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "macro.h"

int lock_name(const struct host *h, unsigned slot, char *out, size_t n)
{
	int r;

	switch (h->mode) {
	case HOST_LOCAL:
		return lock_name_local(slot, out, n);
	case HOST_SSH:
		r = snprintf(out, n, "cpu_ssh_%s_%u", h->hostname, slot);
		break;
	default:
		r = snprintf(out, n, "cpu_tcp_%s_%u_%u", h->hostname, h->port, slot);
		break;
	}
	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

int lock_name_local(unsigned slot, char *out, size_t n)
{
	int r = snprintf(out, n, "cpu_localhost_%u", slot);

	return r < 0 || (size_t)r >= n ? -ENAMETOOLONG : 0;
}

static int mkdir_p(char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(path, mode) < 0 && errno != EEXIST) {
			int r = -errno;
			*s = '/';
			return r;
		}
		*s = '/';
	}
	return mkdir(path, mode) < 0 && errno != EEXIST ? -errno : 0;
}

int lock_dir_open(const char *distcc_dir, int *ret_dirfd)
{
	char p[4096];
	int fd, r;

	if (snprintf(p, sizeof(p), "%s/lock", distcc_dir) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		r = mkdir_p(p, 0755); /* UPSTREAM-BUGS B4: create missing parents */
		if (r < 0)
			return r;
		fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	*ret_dirfd = fd;
	return 0;
}

static int open_lockfile(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0 || errno != ENOENT)
		return fd < 0 ? -errno : fd;
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0 && errno == EEXIST)
		fd = openat(dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	else if (fd >= 0)
		(void)fchmod(fd, 0666); /* B3: shared lock dirs survive umask 022 */
	return fd < 0 ? -errno : fd;
}

/* 0 with *ret_fd holding the lock; -EAGAIN when busy. @wait blocks. */
static int lock_one(int dirfd, const char *name, bool wait, int *ret_fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open_lockfile(dirfd, name);

	if (fd < 0)
		return fd;
	if (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) < 0) {
		int r = errno == EACCES || errno == EINTR ? -EAGAIN : -errno;
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

void lock_release(struct slot *s)
{
	s->fd = safe_close(s->fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Arm a one-shot SIGALRM that interrupts F_SETLKW (no SA_RESTART). */
static void arm_timer(unsigned msec)
{
	static bool installed;
	struct itimerval it = { 0 };

	if (!installed) {
		struct sigaction sa = { .sa_handler = on_alarm };
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		installed = true;
	}
	if (msec < 10)
		msec = 10;
	it.it_value.tv_sec = msec / 1000;
	it.it_value.tv_usec = (msec % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_timer(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

struct pool {
	const struct host *hosts;   /* NULL: the local pool */
	const bool *usable;
	size_t n;
	unsigned nlocal;
	bool host_major;            /* ",auto" hosts: each host's slots in turn */
};

static struct pool host_pool(const struct host *hosts, const bool *usable, size_t n)
{
	struct pool p = { .hosts = hosts, .usable = usable, .n = n };

	for (size_t i = 0; i < n; i++)
		p.host_major |= usable[i] && hosts[i].autolimit;
	return p;
}

static unsigned pool_max_slots(const struct pool *p)
{
	unsigned m = 0;

	if (!p->hosts)
		return p->nlocal;
	for (size_t i = 0; i < p->n; i++)
		if (p->usable[i] && p->hosts[i].limit > m)
			m = p->hosts[i].limit;
	return m;
}

/* Walks the candidates: slot-major, as distcc 3.4 (slot 0 of every host,
 * then slot 1...), or host-major for a list livehosts.h has ordered
 * (every slot of the first host, then the next host). */
struct pool_iter {
	unsigned max;               /* slot bound of the slot-major walk */
	unsigned outer, inner;
};

#define POOL_ITER(p) ((struct pool_iter){ .max = pool_max_slots(p) })

static bool pool_usable(const struct pool *p, size_t host, unsigned slot)
{
	return p->usable[host] && slot < p->hosts[host].limit;
}

/* The next candidate (host -1: a local slot), or false past the end. */
static bool pool_next(const struct pool *p, struct pool_iter *it, int *ret_host, unsigned *ret_slot)
{
	if (!p->hosts) {
		if (it->outer >= p->nlocal)
			return false;
		*ret_host = -1;
		*ret_slot = it->outer++;
		return true;
	}
	if (p->host_major) {
		for (; it->outer < p->n; it->outer++, it->inner = 0)
			if (pool_usable(p, it->outer, it->inner)) {
				*ret_host = (int)it->outer;
				*ret_slot = it->inner++;
				return true;
			}
		return false;
	}
	for (; it->outer < it->max; it->outer++, it->inner = 0)
		for (; it->inner < p->n; it->inner++)
			if (pool_usable(p, it->inner, it->outer)) {
				*ret_host = (int)it->inner++;
				*ret_slot = it->outer;
				return true;
			}
	return false;
}

static int candidate_name(const struct pool *p, int host, unsigned slot, char *name, size_t n)
{
	return host >= 0 ? lock_name(&p->hosts[host], slot, name, n) : lock_name_local(slot, name, n);
}

/* Candidate number @k in the pool's order, or false past the end. */
static bool pool_nth(const struct pool *p, size_t k, char *name, size_t n, int *ret_host,
		     unsigned *ret_slot)
{
	struct pool_iter it = POOL_ITER(p);

	while (pool_next(p, &it, ret_host, ret_slot))
		if (k-- == 0)
			return candidate_name(p, *ret_host, *ret_slot, name, n) >= 0;
	return false;
}

static int try_candidate(int dirfd, const char *name, int host, unsigned slot, struct slot *ret)
{
	int fd, r = lock_one(dirfd, name, false, &fd);

	if (r == 0)
		*ret = (struct slot){ .fd = fd, .host = host, .slot = slot };
	return r;
}

/* One non-blocking pass in the pool's order; counts the candidates. */
static int pool_scan(int dirfd, const struct pool *p, size_t *ret_count, struct slot *ret)
{
	struct pool_iter it = POOL_ITER(p);
	char name[512];
	size_t k = 0;
	unsigned slot;
	int host, r;

	while (pool_next(p, &it, &host, &slot)) {
		k++;
		r = candidate_name(p, host, slot, name, sizeof(name));
		if (r >= 0)
			r = try_candidate(dirfd, name, host, slot, ret);
		if (r != -EAGAIN)
			return r;
	}
	*ret_count = k;
	return -EAGAIN;
}

/* One non-blocking pass, then, all busy, a wait of at most @wait_msec on
 * candidate @pick (modulo their count), @on_wait called first: 0 with a
 * slot, -EAGAIN when the wait ended without one, -ENOENT for no candidate. */
static int pool_round(int dirfd, const struct pool *p, size_t pick, unsigned wait_msec,
		      lock_wait_fn on_wait, void *userdata, struct slot *ret)
{
	char name[512];
	size_t count = 0;
	unsigned slot;
	int host, fd, r;

	r = pool_scan(dirfd, p, &count, ret);
	if (r != -EAGAIN)
		return r;
	if (count == 0 || !pool_nth(p, pick % count, name, sizeof(name), &host, &slot))
		return -ENOENT;
	if (on_wait)
		on_wait(userdata);
	arm_timer(wait_msec);
	r = lock_one(dirfd, name, true, &fd);
	disarm_timer();
	if (r == 0) {
		*ret = (struct slot){ .fd = fd, .host = host, .slot = slot };
		return 0;
	}
	if (r == -EDEADLK) {
		struct timespec ts = { wait_msec / 1000, (long)(wait_msec % 1000) * 1000000 };

		nanosleep(&ts, NULL);
		return -EAGAIN;
	}
	return r;
}

static int pool_take(int dirfd, const struct pool *p, unsigned pause_msec, lock_wait_fn on_wait,
		     void *userdata, struct slot *ret)
{
	unsigned spread = (unsigned)getpid();

	for (unsigned round = 0;; round++) {
		int r = pool_round(dirfd, p, spread + round, pause_msec, round == 0 ? on_wait : NULL,
				   userdata, ret);

		if (r != -EAGAIN)
			return r;
	}
}

unsigned lock_count_held(int lockdir, const struct host *h, unsigned max)
{
	unsigned n = 0;

	for (unsigned slot = 0; lockdir >= 0 && slot < max; slot++) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		char name[512];
		int fd;

		if (lock_name(h, slot, name, sizeof(name)) < 0)
			break;
		fd = openat(lockdir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			n++;
		close(fd);
	}
	return n;
}

int lock_pick_host(int dirfd, const struct host *hosts, const bool *usable, size_t n,
		   unsigned pause_msec, lock_wait_fn on_wait, void *userdata, struct slot *ret)
{
	struct pool p = host_pool(hosts, usable, n);

	return pool_take(dirfd, &p, pause_msec, on_wait, userdata, ret);
}

int lock_pick_host_within(int dirfd, const struct host *hosts, const bool *usable, size_t n,
			  unsigned wait_msec, struct slot *ret)
{
	struct pool p = host_pool(hosts, usable, n);

	return pool_round(dirfd, &p, 0, wait_msec, NULL, NULL, ret);
}

int lock_pick_local(int dirfd, unsigned nslots, unsigned pause_msec, lock_wait_fn on_wait,
		    void *userdata, struct slot *ret)
{
	struct pool p = { .nlocal = nslots ? nslots : 1 };

	return pool_take(dirfd, &p, pause_msec, on_wait, userdata, ret);
}
