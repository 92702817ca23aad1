/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compile slot protocol between a connection's child and the parent:
 * WANT, GO, DONE; no GO by the deadline, a client that goes away while it
 * waits, a parent that is gone.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "jobslot.h"

struct fixture {
	int slot[2];        /* [0] parent, [1] child */
	int client[2];      /* [0] the child's client socket, [1] the client */
	struct peer_watch w;
};

static int setup(void **state)
{
	static struct fixture f;

	if (jobslot_pair(f.slot) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f.client) < 0)
		return -1;
	peerwatch_init(&f.w, f.client[0], f.client[0], NULL, 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < 2; i++) {
		if (f->slot[i] >= 0)
			close(f->slot[i]);
		if (f->client[i] >= 0)
			close(f->client[i]);
	}
	return 0;
}

static void test_want_go_done(void **state)
{
	struct fixture *f = *state;
	char msg;

	assert_int_equal(jobslot_recv(f->slot[0], &msg), 0);          /* nothing yet */
	assert_int_equal(jobslot_grant(f->slot[0]), 0);                /* GO already queued */
	assert_int_equal(jobslot_acquire(f->slot[1], &f->w, deadline_in(USEC_PER_SEC)), 0);
	assert_int_equal(jobslot_recv(f->slot[0], &msg), 1);
	assert_int_equal(msg, JOBSLOT_WANT);
	jobslot_release(f->slot[1]);
	assert_int_equal(jobslot_recv(f->slot[0], &msg), 1);
	assert_int_equal(msg, JOBSLOT_DONE);
	close(f->slot[1]);
	f->slot[1] = -1;
	assert_int_equal(jobslot_recv(f->slot[0], &msg), -EPIPE);     /* the child left */
}

static void test_no_slot_in_time(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(jobslot_acquire(f->slot[1], &f->w, deadline_in(50 * USEC_PER_MSEC)),
			 -ETIMEDOUT);
}

static void test_client_gone_while_waiting(void **state)
{
	struct fixture *f = *state;

	close(f->client[1]);
	f->client[1] = -1;
	assert_int_equal(jobslot_acquire(f->slot[1], &f->w, deadline_in(USEC_PER_SEC)),
			 -ECONNRESET);
}

static void test_parent_gone(void **state)
{
	struct fixture *f = *state;

	close(f->slot[0]);
	f->slot[0] = -1;
	assert_int_equal(jobslot_acquire(f->slot[1], &f->w, deadline_in(USEC_PER_SEC)), -EPIPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_want_go_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_slot_in_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_gone_while_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_gone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
