/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --allow network list: parsing of IP[/BITS] and matching of IPv4, IPv6 and
 * IPv4-mapped IPv6 peers; the private default includes ::1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "netacl.h"

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

static bool allowed(const struct netacl *l, const char *ip)
{
	socklen_t len;
	struct sockaddr_storage ss = peer(ip, &len);

	return netacl_match(l, (struct sockaddr *)&ss, len);
}

static void test_parse(void **state)
{
	struct netacl_rule r;

	(void)state;
	assert_int_equal(netacl_parse_rule("10.1.2.3", &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.bits, 32);
	assert_int_equal(netacl_parse_rule("10.1.2.3/8", &r), 0);
	assert_int_equal(r.bits, 8);
	assert_int_equal(r.addr[0], 10);
	assert_int_equal(r.addr[1], 0);     /* host bits cleared */
	assert_int_equal(netacl_parse_rule("fe80::1/10", &r), 0);
	assert_int_equal(r.family, AF_INET6);
	assert_int_equal(r.bits, 10);
	assert_int_equal(netacl_parse_rule("0.0.0.0/0", &r), 0);
	assert_int_equal(netacl_parse_rule("::/0", &r), 0);
	assert_int_equal(netacl_parse_rule("::1", &r), 0);
	assert_int_equal(r.bits, 128);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0.1/", "10.0.0.1/33", "::1/129", "10.0.0.1/-1", "10.0.0.1/ 8",
		"10.0.0.1/8x", "10.0.0", "300.1.1.1", "host.example", "10.0.0.1/08/1",
		"1.2.3.4 ", "::1/1281", "[::1]", "10.0.0.1/99999999999999999999",
	};
	struct netacl_rule r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(netacl_parse_rule(bad[i], &r), -EINVAL);
	assert_int_equal(netacl_parse_rule(NULL, &r), -EINVAL);
}

static void test_match_v4(void **state)
{
	struct netacl l = { 0 };

	(void)state;
	assert_int_equal(netacl_add(&l, "192.168.5.0/24"), 0);
	assert_int_equal(netacl_add(&l, "10.0.0.7"), 0);
	assert_true(allowed(&l, "192.168.5.1"));
	assert_true(allowed(&l, "192.168.5.255"));
	assert_false(allowed(&l, "192.168.6.1"));
	assert_true(allowed(&l, "10.0.0.7"));
	assert_false(allowed(&l, "10.0.0.8"));
	assert_false(allowed(&l, "::1"));
	/* IPv4-mapped peers match IPv4 rules (3.4 had a byte-order bug) */
	assert_true(allowed(&l, "::ffff:192.168.5.9"));
	assert_false(allowed(&l, "::ffff:192.168.7.9"));
	assert_true(allowed(&l, "::ffff:10.0.0.7"));
	netacl_free(&l);
}

static void test_match_v6(void **state)
{
	struct netacl l = { 0 };

	(void)state;
	assert_int_equal(netacl_add(&l, "2001:db8::/32"), 0);
	assert_int_equal(netacl_add(&l, "2001:db9:0:1::/63"), 0);
	assert_true(allowed(&l, "2001:db8:ffff::1"));
	assert_true(allowed(&l, "2001:db9::1"));      /* /63 covers :0: and :1: */
	assert_false(allowed(&l, "2001:dba::1"));
	assert_true(allowed(&l, "2001:db9:0:1::5"));
	assert_false(allowed(&l, "2001:db9:0:2::5"));
	assert_false(allowed(&l, "192.168.1.1"));
	netacl_free(&l);
}

static void test_private(void **state)
{
	struct netacl l = { 0 };
	static const char *const yes[] = { "10.255.0.1", "172.16.0.1", "172.31.255.255",
					   "192.168.0.1", "127.0.0.1", "127.8.8.8", "::1",
					   "fe80::abcd", "fd00::1", "fc00::1", "::ffff:127.0.0.1" };
	static const char *const no[] = { "172.32.0.1", "11.0.0.1", "8.8.8.8", "::2",
					  "2001:db8::1", "fec0::1", "::ffff:8.8.8.8", "0.0.0.0" };

	(void)state;
	assert_int_equal(netacl_add_private(&l), 0);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(allowed(&l, yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(allowed(&l, no[i]));
	netacl_free(&l);
}

static void test_empty_denies(void **state)
{
	struct netacl l = { 0 };
	struct sockaddr_un_like {
		sa_family_t f;
		char path[20];
	} un = { AF_UNIX, "x" };

	(void)state;
	assert_false(allowed(&l, "127.0.0.1"));   /* 3.4: empty list allowed everyone */
	assert_int_equal(netacl_add(&l, "0.0.0.0/0"), 0);
	assert_true(allowed(&l, "8.8.8.8"));
	assert_false(allowed(&l, "::1"));
	assert_false(netacl_match(&l, (struct sockaddr *)&un, sizeof(un)));
	assert_false(netacl_match(&l, NULL, 0));
	netacl_free(&l);
}

static void test_format(void **state)
{
	socklen_t len;
	struct sockaddr_storage ss = peer("::1", &len);
	char out[96];

	(void)state;
	((struct sockaddr_in6 *)&ss)->sin6_port = htons(3632);
	netacl_format_peer((struct sockaddr *)&ss, len, out, sizeof(out));
	assert_string_equal(out, "[::1]:3632");
	ss = peer("10.0.0.1", &len);
	((struct sockaddr_in *)&ss)->sin_port = htons(80);
	netacl_format_peer((struct sockaddr *)&ss, len, out, sizeof(out));
	assert_string_equal(out, "10.0.0.1:80");
	/* dual-stack socket (distccd.socket): IPv4 clients logged as IPv4 */
	ss = peer("::ffff:10.77.1.1", &len);
	((struct sockaddr_in6 *)&ss)->sin6_port = htons(40000);
	netacl_format_peer((struct sockaddr *)&ss, len, out, sizeof(out));
	assert_string_equal(out, "10.77.1.1:40000");
	netacl_format_peer(NULL, 0, out, sizeof(out));
	assert_string_equal(out, "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	     cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_match_v4),     cmocka_unit_test(test_match_v6),
		cmocka_unit_test(test_private),	     cmocka_unit_test(test_empty_denies),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
