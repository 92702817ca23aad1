/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Peer addresses as logged (and as the journal's DISTCC_CLIENT= field):
 * IPv4 clients of a dual-stack socket appear as plain IPv4.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "access.h"

static void fmt6(const char *addr, unsigned port, char *out, size_t n)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET6, addr, &in6.sin6_addr), 1);
	access_format_peer((struct sockaddr *)&in6, sizeof(in6), out, n);
}

static void test_format_peer(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(3632) };
	char out[96];

	(void)state;
	inet_pton(AF_INET, "10.77.1.1", &in.sin_addr);
	access_format_peer((struct sockaddr *)&in, sizeof(in), out, sizeof(out));
	assert_string_equal(out, "10.77.1.1:3632");
	fmt6("::ffff:10.77.1.1", 40000, out, sizeof(out));
	assert_string_equal(out, "10.77.1.1:40000");
	fmt6("2001:db8::1", 1, out, sizeof(out));
	assert_string_equal(out, "[2001:db8::1]:1");
	fmt6("::1", 2, out, sizeof(out));
	assert_string_equal(out, "[::1]:2");
	access_format_peer(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "unknown");
	access_format_peer((struct sockaddr *)&in, 2, out, sizeof(out));   /* truncated */
	assert_string_equal(out, "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
