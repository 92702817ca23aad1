/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stats service on a loopback listener, driven the way the accept loop
 * drives it (pollfds, poll, process): page routing, the access callback,
 * clients that send nothing, and child records arriving on the pipe.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../daemon/stats-server.h"

static bool deny_all;

static bool allow_cb(const struct sockaddr *sa, socklen_t len, void *ud)
{
	(void)sa;
	(void)len;
	(void)ud;
	return !deny_all;
}

static int listener(struct sockaddr_in *ret)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*ret = a;
	return fd;
}

static int connect_to(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)a, sizeof(*a)), 0);
	return fd;
}

/* Run the service until @fd has been answered and closed; return the answer. */
static char *exchange(struct stats_server *ss, int fd)
{
	struct buf got = BUF_INIT(1 << 16);
	char chunk[4096];

	(void)fd_set_nonblock(fd, 1);
	for (int round = 0; round < 200; round++) {
		struct pollfd pfd[STATS_SERVER_MAX_POLLFDS];
		size_t n = stats_server_pollfds(ss, pfd, STATS_SERVER_MAX_POLLFDS);
		ssize_t k;

		(void)poll(pfd, n, 20);
		stats_server_process(ss, pfd, n);
		while ((k = read(fd, chunk, sizeof(chunk))) > 0)
			assert_int_equal(buf_append(&got, chunk, (size_t)k), 0);
		if (k == 0 || (k < 0 && errno != EAGAIN)) {
			close(fd);
			assert_int_equal(buf_terminate(&got), 0);
			return buf_steal(&got);
		}
	}
	fail_msg("no answer from the stats service");
	return NULL;
}

static struct stats_server *new_server(struct sockaddr_in *a)
{
	struct stats_server *ss = NULL;

	assert_int_equal(stats_server_new(listener(a), 3, "/tmp", allow_cb, NULL, &ss), 0);
	return ss;
}

static void test_pages(void **state)
{
	struct sockaddr_in a;
	struct stats_server *ss = new_server(&a);
	char *page;
	int fd;

	(void)state;
	deny_all = false;
	fd = connect_to(&a);
	assert_int_equal(write(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 35), 35);
	page = exchange(ss, fd);
	assert_true(strncmp(page, "HTTP/1.0 200 OK\r\nContent-Type: application/openmetrics-text", 59) == 0);
	assert_non_null(strstr(page, "\ndistccd_max_jobs 3\n"));
	free(page);

	fd = connect_to(&a);
	assert_int_equal(write(fd, "GET / HTTP/1.0\r\n\r\n", 18), 18);
	page = exchange(ss, fd);
	assert_true(strncmp(page, "HTTP/1.0 200 OK\nContent-Type: text/plain\n", 41) == 0);
	assert_non_null(strstr(page, "\ndcc_max_kids 3\n"));
	free(page);

	/* nothing sent: 3.4's page after a short wait */
	fd = connect_to(&a);
	page = exchange(ss, fd);
	assert_non_null(strstr(page, "<distccstats>\n"));
	free(page);
	stats_server_free(ss);
}

static void test_denied(void **state)
{
	struct sockaddr_in a;
	struct stats_server *ss = new_server(&a);
	char *page;

	(void)state;
	deny_all = true;
	page = exchange(ss, connect_to(&a));
	assert_string_equal(page, "");
	free(page);
	deny_all = false;
	stats_server_free(ss);
}

static void test_child_records(void **state)
{
	struct sockaddr_in a;
	struct stats_server *ss = new_server(&a);
	struct stats_record rec;
	const struct stats *st;
	char *page;
	pid_t pid;
	int status;

	(void)state;
	deny_all = false;
	stats_server_accepted(ss);
	stats_server_job_started(ss);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = stats_server_child_fd(ss);

		stats_record_fill(&rec, (uint32_t)getpid(), JOB_COMPILE_OK, 1500, "hello.c", "gcc");
		_exit(stats_report(fd, &rec) < 0 ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	stats_server_job_finished(ss, JOB_COMPILE_OK);
	st = stats_server_counters(ss);
	assert_int_equal(st->running, 0);
	page = exchange(ss, connect_to(&a));   /* the loop reads the pipe too */
	assert_non_null(strstr(page, "\ndcc_tcp_accept 1\n"));
	assert_non_null(strstr(page, "\ndcc_compile_ok 1\n"));
	assert_non_null(strstr(page, "\ndcc_longest_job hello.c\ndcc_longest_job_compiler gcc\n"
				     "dcc_longest_job_time_msecs 1500\n"));
	assert_non_null(strstr(page, "\ndcc_num_compiles1 1\n"));
	free(page);
	stats_server_free(ss);
}

static void test_count_only(void **state)
{
	struct stats_server *ss = NULL;
	struct pollfd pfd[STATS_SERVER_MAX_POLLFDS];
	size_t n;

	(void)state;
	assert_int_equal(stats_server_new(-1, 2, NULL, NULL, NULL, &ss), 0);
	n = stats_server_pollfds(ss, pfd, STATS_SERVER_MAX_POLLFDS);
	assert_int_equal(n, 2);
	assert_int_equal(pfd[1].fd, -1);
	assert_int_equal(stats_server_timeout_ms(ss, now_usec()), -1);
	stats_server_free(ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_child_records),
		cmocka_unit_test(test_count_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
