/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission: connections being read take no compile slot, the per-source
 * shares of connections and slots, first come first served among the
 * waiting, IPv4-mapped peers counted as their IPv4 address.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "admission.h"

static const struct admission_limits LIM = { .jobs = 4, .per_source_jobs = 2, .conns = 16,
					     .per_source_conns = 4 };

static struct sockaddr_storage peer(const char *ip, socklen_t *len)
{
	struct sockaddr_storage ss = { 0 };

	if (inet_pton(AF_INET, ip, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		*len = sizeof(struct sockaddr_in);
	} else {
		assert_int_equal(inet_pton(AF_INET6, ip, &((struct sockaddr_in6 *)&ss)->sin6_addr), 1);
		ss.ss_family = AF_INET6;
		*len = sizeof(struct sockaddr_in6);
	}
	return ss;
}

static enum admission_verdict check(struct admission *a, const char *ip)
{
	socklen_t len;
	struct sockaddr_storage ss = peer(ip, &len);

	return admission_check(a, (struct sockaddr *)&ss, len);
}

static void add(struct admission *a, int64_t id, const char *ip)
{
	socklen_t len;
	struct sockaddr_storage ss = peer(ip, &len);

	assert_int_equal(admission_check(a, (struct sockaddr *)&ss, len), ADMISSION_OK);
	assert_int_equal(admission_add(a, id, (struct sockaddr *)&ss, len, false), 0);
}

static void park(struct admission *a, int64_t id, const char *ip)
{
	socklen_t len;
	struct sockaddr_storage ss = peer(ip, &len);

	assert_int_equal(admission_check(a, (struct sockaddr *)&ss, len), ADMISSION_PARK);
	assert_int_equal(admission_add(a, id, (struct sockaddr *)&ss, len, true), 0);
}

static int64_t unpark(struct admission *a)
{
	int64_t id = -1;

	return admission_unpark(a, &id) == 1 ? id : -1;
}

static int64_t next(struct admission *a)
{
	int64_t id = -1;

	return admission_next(a, &id) == 1 ? id : -1;
}

static void test_readers_take_no_slot(void **state)
{
	struct admission a;

	(void)state;
	assert_int_equal(admission_init(&a, &LIM), 0);
	for (int i = 0; i < 4; i++)
		add(&a, 100 + i, "10.0.0.1");         /* idle: never send their request */
	for (int i = 0; i < 4; i++)
		park(&a, 300 + i, "10.0.0.1");        /* over the share: parked, not read */
	assert_int_equal(check(&a, "10.0.0.1"), ADMISSION_SOURCE_FULL);
	add(&a, 200, "10.0.0.2");
	assert_int_equal(next(&a), -1);               /* nobody waits yet */
	assert_int_equal(admission_want(&a, 200), 0);
	assert_int_equal(next(&a), 200);              /* at once, despite the four */
	assert_int_equal(admission_compiling(&a), 1);
	assert_int_equal(admission_held(&a), 5);
	assert_int_equal(unpark(&a), -1);             /* 10.0.0.1 still holds its four */
	admission_remove(&a, 102);
	assert_int_equal(unpark(&a), 300);            /* first parked, first held */
	assert_int_equal(unpark(&a), -1);
	assert_int_equal(admission_held(&a), 5);
	admission_done(&a);
}

static void test_parking_bounded(void **state)
{
	struct admission_limits lim = { .jobs = 1, .per_source_jobs = 1, .conns = 3,
					.per_source_conns = 2 };
	struct admission a;

	(void)state;
	assert_int_equal(admission_init(&a, &lim), 0);
	add(&a, 1, "10.0.0.1");
	add(&a, 2, "10.0.0.1");
	park(&a, 3, "10.0.0.1");
	add(&a, 4, "10.0.0.2");                       /* the third held: now full */
	park(&a, 5, "10.0.0.2");
	park(&a, 6, "10.0.0.1");
	assert_int_equal(check(&a, "10.0.0.1"), ADMISSION_SOURCE_FULL);
	assert_int_equal(check(&a, "10.0.0.3"), ADMISSION_FULL);  /* 3 parked: --max-connections */
	admission_remove(&a, 4);
	assert_int_equal(unpark(&a), 5);              /* 3 is older, but 10.0.0.1 is at its share */
	assert_int_equal(unpark(&a), -1);
	admission_remove(&a, 1);
	assert_int_equal(unpark(&a), 3);
	admission_done(&a);
}

static void test_per_source_jobs(void **state)
{
	struct admission a;

	(void)state;
	assert_int_equal(admission_init(&a, &LIM), 0);
	for (int i = 0; i < 4; i++) {
		add(&a, i, "10.0.0.1");
		assert_int_equal(admission_want(&a, i), 0);
	}
	add(&a, 10, "10.0.0.2");
	assert_int_equal(admission_want(&a, 10), 0);
	assert_int_equal(next(&a), 0);
	assert_int_equal(next(&a), 1);
	assert_int_equal(next(&a), 10);     /* 10.0.0.1 has its two: skipped, not blocking */
	assert_int_equal(next(&a), -1);
	assert_int_equal(admission_release(&a, 0), 0);
	assert_int_equal(next(&a), 2);
	admission_remove(&a, 1);
	assert_int_equal(next(&a), 3);
	assert_int_equal(admission_compiling(&a), 3);
	admission_done(&a);
}

static void test_global_jobs_fifo(void **state)
{
	struct admission a;

	(void)state;
	assert_int_equal(admission_init(&a, &LIM), 0);
	for (int i = 0; i < 6; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "10.0.1.%d", i);
		add(&a, i, ip);
	}
	for (int i = 5; i >= 0; i--)
		assert_int_equal(admission_want(&a, i), 0);
	for (int i = 5; i >= 2; i--)
		assert_int_equal(next(&a), i);      /* in the order they asked */
	assert_int_equal(next(&a), -1);         /* --jobs 4 */
	admission_remove(&a, 3);
	assert_int_equal(next(&a), 1);
	admission_done(&a);
}

static void test_mapped_is_same_source(void **state)
{
	struct admission a;

	(void)state;
	assert_int_equal(admission_init(&a, &LIM), 0);
	add(&a, 1, "10.0.0.1");
	add(&a, 2, "::ffff:10.0.0.1");
	add(&a, 3, "10.0.0.1");
	add(&a, 4, "::ffff:10.0.0.1");
	assert_int_equal(check(&a, "10.0.0.1"), ADMISSION_PARK);
	assert_int_equal(check(&a, "::ffff:10.0.0.1"), ADMISSION_PARK);
	assert_int_equal(check(&a, "::1"), ADMISSION_OK);
	admission_done(&a);
}

static void test_full_and_states(void **state)
{
	struct admission_limits lim = { .jobs = 1, .per_source_jobs = 1, .conns = 2,
					.per_source_conns = 2 };
	struct admission a;
	socklen_t len;
	struct sockaddr_storage ss = peer("10.0.0.9", &len);

	(void)state;
	assert_int_equal(admission_init(&a, &lim), 0);
	add(&a, 1, "10.0.0.1");
	add(&a, 2, "10.0.0.2");
	assert_int_equal(check(&a, "10.0.0.3"), ADMISSION_PARK);
	assert_int_equal(admission_add(&a, 3, (struct sockaddr *)&ss, len, false), -ENOSPC);
	assert_int_equal(admission_want(&a, 7), -ENOENT);
	assert_int_equal(admission_release(&a, 1), -EINVAL);      /* not compiling */
	assert_int_equal(admission_want(&a, 1), 0);
	assert_int_equal(admission_want(&a, 1), -EINVAL);         /* twice */
	admission_remove(&a, 42);                                 /* unknown: no-op */
	admission_remove(&a, 2);
	assert_int_equal(check(&a, "10.0.0.3"), ADMISSION_OK);
	assert_int_equal(admission_init(&a, &(struct admission_limits){ 0 }), -EINVAL);
	admission_done(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_take_no_slot),
		cmocka_unit_test(test_per_source_jobs),
		cmocka_unit_test(test_global_jobs_fifo),
		cmocka_unit_test(test_mapped_is_same_source),
		cmocka_unit_test(test_full_and_states),
		cmocka_unit_test(test_parking_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
