/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Slot lock names (distcc 3.4's, so both clients share slots), slot-major
 * selection, busy slots held by another process, the B5 bound, and B3/B4
 * (mode 0666 under umask 022, lock dir created with its parents).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../client/lock.h"

static struct host tcp(const char *name, unsigned port, unsigned limit)
{
	return (struct host){ .mode = HOST_TCP, .hostname = (char *)name, .port = port,
			      .limit = limit, .protover = 1 };
}

static void test_names(void **state)
{
	char b[128];
	struct host t = tcp("10.0.0.5", 3632, 4);
	struct host l = { .mode = HOST_LOCAL, .hostname = (char *)"localhost", .limit = 2 };
	struct host s = { .mode = HOST_SSH, .hostname = (char *)"angry", .limit = 4 };

	(void)state;
	assert_int_equal(lock_name(&t, 3, b, sizeof(b)), 0);
	assert_string_equal(b, "cpu_tcp_10.0.0.5_3632_3");
	assert_int_equal(lock_name(&l, 1, b, sizeof(b)), 0);
	assert_string_equal(b, "cpu_localhost_1");
	assert_int_equal(lock_name(&s, 0, b, sizeof(b)), 0);
	assert_string_equal(b, "cpu_ssh_angry_0");
	assert_int_equal(lock_name_local(7, b, sizeof(b)), 0);
	assert_string_equal(b, "cpu_localhost_7");
	assert_int_equal(lock_name(&t, 3, b, 10), -ENAMETOOLONG);
}

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-lock-%ld", (long)getpid());
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A child that holds @names until killed. */
static pid_t hold(int dirfd, const char *const *names)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (; *names; names++) {
			struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
			int fd = openat(dirfd, *names, O_RDWR | O_CREAT, 0666);

			if (fd < 0 || fcntl(fd, F_SETLK, &fl) < 0)
				_exit(1);
		}
		(void)!write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void unhold(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_dir_created_with_parents(void **state)
{
	char sub[300], lockdir[320];
	struct stat st;
	int fd;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/a/b/.distcc", dir);
	assert_int_equal(lock_dir_open(sub, &fd), 0);
	snprintf(lockdir, sizeof(lockdir), "%s/lock", sub);
	assert_int_equal(stat(lockdir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
}

static void test_slot_major_and_mode(void **state)
{
	struct host hosts[2] = { tcp("a", 1, 2), tcp("b", 2, 1) };
	bool usable[2] = { true, true };
	struct slot s1, s2, s3;
	struct stat st;
	mode_t old = umask(022);
	int fd;

	(void)state;
	assert_int_equal(lock_dir_open(dir, &fd), 0);
	/* our own process can re-take its own fcntl locks, so hold in a child */
	assert_int_equal(lock_pick_host(fd, hosts, usable, 2, 10, NULL, NULL, &s1), 0);
	assert_int_equal(s1.host, 0);
	assert_int_equal(s1.slot, 0);
	assert_int_equal(fstatat(fd, "cpu_tcp_a_1_0", &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0666); /* B3 */
	lock_release(&s1);
	{
		const char *busy[] = { "cpu_tcp_a_1_0", NULL };
		pid_t pid = hold(fd, busy);

		assert_int_equal(lock_pick_host(fd, hosts, usable, 2, 10, NULL, NULL, &s2), 0);
		assert_int_equal(s2.host, 1); /* slot 0 of b before slot 1 of a */
		assert_int_equal(s2.slot, 0);
		lock_release(&s2);
		unhold(pid);
	}
	{
		const char *busy[] = { "cpu_tcp_a_1_0", "cpu_tcp_b_2_0", NULL };
		pid_t pid = hold(fd, busy);

		assert_int_equal(lock_pick_host(fd, hosts, usable, 2, 10, NULL, NULL, &s3), 0);
		assert_int_equal(s3.host, 0);
		assert_int_equal(s3.slot, 1);
		lock_release(&s3);
		unhold(pid);
	}
	umask(old);
	close(fd);
}

/* A list livehosts.h has ordered (",auto" hosts): every slot of the first
 * host before the next host, so a job goes where the load per slot is least. */
static void test_auto_hosts_host_major(void **state)
{
	struct host hosts[2] = { tcp("a", 1, 2), tcp("b", 2, 1) };
	bool usable[2] = { true, true };
	const char *busy[] = { "cpu_tcp_a_1_0", NULL };
	struct slot s;
	pid_t pid;
	int fd;

	(void)state;
	hosts[0].autolimit = hosts[1].autolimit = true;
	assert_int_equal(lock_dir_open(dir, &fd), 0);
	pid = hold(fd, busy);
	assert_int_equal(lock_pick_host(fd, hosts, usable, 2, 10, NULL, NULL, &s), 0);
	assert_int_equal(s.host, 0);   /* slot 1 of a before slot 0 of b */
	assert_int_equal(s.slot, 1);
	lock_release(&s);
	unhold(pid);
	close(fd);
}

static void on_wait(void *userdata)
{
	(*(int *)userdata)++;
}

static void test_waits_then_gets_freed_slot(void **state)
{
	struct host hosts[1] = { tcp("c", 3, 1) };
	bool usable[1] = { true };
	const char *busy[] = { "cpu_tcp_c_3_0", NULL };
	struct slot s;
	int fd, waited = 0;
	pid_t holder, killer;

	(void)state;
	assert_int_equal(lock_dir_open(dir, &fd), 0);
	holder = hold(fd, busy);
	killer = fork();
	if (killer == 0) {
		usleep(150000);
		kill(holder, SIGKILL);
		_exit(0);
	}
	assert_int_equal(lock_pick_host(fd, hosts, usable, 1, 50, on_wait, &waited, &s), 0);
	assert_int_equal(waited, 1); /* reported once, not per round */
	assert_int_equal(s.slot, 0);
	lock_release(&s);
	waitpid(holder, NULL, 0);
	waitpid(killer, NULL, 0);
	close(fd);
}

static void test_bound_from_limit(void **state)
{
	/* UPSTREAM-BUGS B5: no fixed cap; slot 40 of a /41 host is reachable */
	struct host hosts[1] = { tcp("d", 4, 41) };
	bool usable[1] = { true };
	const char *busy[41];
	char names[40][32];
	struct slot s;
	pid_t pid;
	int fd;

	(void)state;
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "cpu_tcp_d_4_%d", i);
		busy[i] = names[i];
	}
	busy[40] = NULL;
	assert_int_equal(lock_dir_open(dir, &fd), 0);
	pid = hold(fd, busy);
	assert_int_equal(lock_pick_host(fd, hosts, usable, 1, 10, NULL, NULL, &s), 0);
	assert_int_equal(s.slot, 40);
	lock_release(&s);
	unhold(pid);
	close(fd);
}

static void test_none_usable(void **state)
{
	struct host hosts[1] = { tcp("e", 5, 4) };
	bool usable[1] = { false };
	struct slot s;
	int fd;

	(void)state;
	assert_int_equal(lock_dir_open(dir, &fd), 0);
	assert_int_equal(lock_pick_host(fd, hosts, usable, 1, 10, NULL, NULL, &s), -ENOENT);
	assert_int_equal(lock_pick_local(fd, 2, 10, NULL, NULL, &s), 0);
	assert_int_equal(s.host, -1);
	assert_int_equal(s.slot, 0);
	lock_release(&s);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dir_created_with_parents),
		cmocka_unit_test(test_slot_major_and_mode),
		cmocka_unit_test(test_auto_hosts_host_major),
		cmocka_unit_test(test_waits_then_gets_freed_slot),
		cmocka_unit_test(test_bound_from_limit),
		cmocka_unit_test(test_none_usable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
