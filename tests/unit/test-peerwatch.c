/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching the client: a half-closed client (shutdown SHUT_WR) gets the
 * early bytes and is not gone; a closed one is gone once its end errors;
 * stray bytes stop the reading side only; pipes (ssh, inetd) likewise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "peerwatch.h"

static const char DONE_TOKEN[] = "DONE00000001";

/* One poll of the watch, @ms at most; true when the peer is gone. */
static bool step(struct peer_watch *w, int ms)
{
	struct pollfd p;

	peerwatch_pollfd(w, &p);
	assert_true(poll(&p, 1, ms) >= 0);
	return peerwatch_gone(w, p.revents);
}

static void test_half_close_is_served(void **state)
{
	struct peer_watch w;
	char got[32];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	peerwatch_init(&w, sv[0], sv[0], DONE_TOKEN, 12);
	assert_false(step(&w, 10));                      /* nothing yet */
	assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
	assert_false(step(&w, 100));
	assert_true(w.eof && w.early_sent);
	assert_int_equal(read(sv[1], got, sizeof(got)), 12);
	assert_memory_equal(got, DONE_TOKEN, 12);
	assert_false(step(&w, 10));                      /* still waiting for the rest */
	close(sv[1]);
	assert_true(step(&w, 100));                      /* now it has gone */
	close(sv[0]);
}

static void test_close_is_gone(void **state)
{
	struct peer_watch w;
	int sv[2];
	bool gone = false;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	peerwatch_init(&w, sv[0], sv[0], DONE_TOKEN, 12);
	close(sv[1]);
	for (int i = 0; i < 3 && !gone; i++)
		gone = step(&w, 100);
	assert_true(gone);
	close(sv[0]);
}

static void test_stray_bytes(void **state)
{
	struct peer_watch w;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	peerwatch_init(&w, sv[0], sv[0], NULL, 0);
	assert_int_equal(write(sv[1], "x", 1), 1);
	assert_false(step(&w, 100));
	assert_true(w.eof && !w.early_sent);            /* no more reading, nothing sent */
	assert_false(step(&w, 10));                      /* and no busy loop on the byte */
	close(sv[1]);
	close(sv[0]);
}

static void test_pipes(void **state)
{
	struct peer_watch w;
	int in[2], out[2];
	char got[16];

	(void)state;
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	peerwatch_init(&w, in[0], out[1], DONE_TOKEN, 12);
	assert_false(w.in_is_socket);
	close(in[1]);                                    /* ssh's stdin at EOF */
	assert_false(step(&w, 100));
	assert_true(w.early_sent);
	assert_int_equal(read(out[0], got, sizeof(got)), 12);
	close(out[0]);                                   /* the reader is gone */
	assert_true(step(&w, 100));
	close(in[0]);
	close(out[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_half_close_is_served),
		cmocka_unit_test(test_close_is_gone),
		cmocka_unit_test(test_stray_bytes),
		cmocka_unit_test(test_pipes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
