/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host list grammar: distcc 3.4's ParseHostSpec_Case table, its invalid
 * specs, and IPv6, comments, options, old style, global options.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hostspec.h"

/* Render like distcc's h_hosts test helper: "LIMIT MODE [user] host port|command". */
static void render(const struct hostlist *l, char *out, size_t size)
{
	size_t o = (size_t)snprintf(out, size, "%zu\n", l->n);

	for (size_t i = 0; i < l->n && o < size; i++) {
		const struct host *h = &l->hosts[i];

		if (h->mode == HOST_LOCAL)
			o += (size_t)snprintf(out + o, size - o, "%4u LOCAL\n", h->limit);
		else if (h->mode == HOST_TCP)
			o += (size_t)snprintf(out + o, size - o, "%4u TCP %s %u\n", h->limit,
					      h->hostname, h->port);
		else
			o += (size_t)snprintf(out + o, size - o, "%4u SSH %s %s %s\n", h->limit,
					      h->user ? h->user : "(no-user)", h->hostname,
					      h->command ? h->command : "(no-command)");
	}
}

static void test_parse_hostspec_case(void **state)
{
	const char *spec = "localhost 127.0.0.1 @angry   ted@angry\n"
			   "\t@angry:/home/mbp/bin/distccd  angry:4204\n"
			   "ipv4-localhost\n"
			   "angry/44\n"
			   "angry:300/44\n"
			   "angry/44:300\n"
			   "angry,lzo\n"
			   "angry:3000,lzo    # some comment\n"
			   "angry/44,lzo\n"
			   "@angry,lzo#asdasd\n"
			   "# oh yeah nothing here\n"
			   "@angry:/usr/sbin/distccd,lzo\n"
			   "localhostbutnotreally\n";
	const char *expect = "16\n"
			     "   2 LOCAL\n"
			     "   4 TCP 127.0.0.1 3632\n"
			     "   4 SSH (no-user) angry (no-command)\n"
			     "   4 SSH ted angry (no-command)\n"
			     "   4 SSH (no-user) angry /home/mbp/bin/distccd\n"
			     "   4 TCP angry 4204\n"
			     "   4 TCP ipv4-localhost 3632\n"
			     "  44 TCP angry 3632\n"
			     "  44 TCP angry 300\n"
			     "  44 TCP angry 300\n"
			     "   4 TCP angry 3632\n"
			     "   4 TCP angry 3000\n"
			     "  44 TCP angry 3632\n"
			     "   4 SSH (no-user) angry (no-command)\n"
			     "   4 SSH (no-user) angry /usr/sbin/distccd\n"
			     "   4 TCP localhostbutnotreally 3632\n";
	struct hostlist l;
	char out[2048];

	(void)state;
	assert_int_equal(hostspec_parse(spec, &l, NULL), 0);
	render(&l, out, sizeof(out));
	assert_string_equal(out, expect);
	assert_string_equal(l.hosts[10].spec, "angry,lzo");
	assert_int_equal(l.hosts[10].protover, 2);
	assert_int_equal(l.hosts[1].protover, 1);
	assert_string_equal(l.hosts[13].spec, "@angry,lzo");
	assert_true(l.hosts[13].lzo);
	assert_false(l.randomize);
	assert_int_equal(l.localslots, 4);
	assert_int_equal(l.localslots_cpp, 8);
	hostlist_free(&l);
}

static void test_empty_lists(void **state)
{
	const char *empties[] = { "", "   ", "\n\t \n", "# only a comment", NULL };
	struct hostlist l;

	(void)state;
	for (size_t i = 0; empties[i]; i++) {
		assert_int_equal(hostspec_parse(empties[i], &l, NULL), 0);
		assert_int_equal(l.n, 0);
		hostlist_free(&l);
	}
}

static void test_invalid(void **state)
{
	static const struct {
		const char *text, *bad;
	} cases[] = {
		{ "  @ ", "@" },
		{ ":", ":" },
		{ "mbp@", "mbp@" },
		{ "angry::", "angry::" },
		{ ":4200", ":4200" },
		{ "good angry/0", "angry/0" },
		{ "angry/x", "angry/x" },
		{ "angry/", "angry/" },
		{ "angry:0", "angry:0" },
		{ "angry:65536", "angry:65536" },
		{ "angry:http", "angry:http" },
		{ "angry/4/5", "angry/4/5" },
		{ "angry:1:2", "angry:1:2" },
		{ "localhost/0", "localhost/0" },
		{ "localhost/abc", "localhost/abc" },
		{ "@angry/0", "@angry/0" },
		{ "@angry:", "@angry:" },
		{ "angry,cpp", "angry,cpp" },
		{ "angry,lzo,bogus", "angry,lzo,bogus" },
		{ "angry,auth", "angry,auth" },
		{ "angry,auth=host", "angry,auth=host" },
		{ "+zeroconf", "+zeroconf" },
		{ "--localslots=0", "--localslots=0" },
		{ "--localslots", "--localslots" },
		{ "--localslots_cpp/q", "--localslots_cpp/q" },
		{ "--random", "--random" },
		{ "[::1", "[::1" },
		{ "[]:3632", "[]:3632" },
		{ "[::1]x", "[::1]x" },
	};
	struct hostlist l = {};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *bad = NULL;
		const char *why = NULL;

		assert_int_equal(hostspec_parse_why(cases[i].text, &l, &bad, &why), -EINVAL);
		assert_non_null(bad);
		assert_string_equal(bad, cases[i].bad);
		assert_non_null(why);
		free(bad);
	}
}

static void test_refusal_reasons(void **state)
{
	struct hostlist l;
	const char *why = NULL;
	char *bad = NULL;

	(void)state;
	assert_int_equal(hostspec_parse_why("a +zeroconf", &l, &bad, &why), -EINVAL);
	assert_non_null(strstr(why, "expanded when the list is loaded"));
	free(bad);
	assert_int_equal(hostspec_parse_why("a,lzo,auth", &l, &bad, &why), -EINVAL);
	assert_non_null(strstr(why, "GSS-API"));
	free(bad);
	assert_int_equal(hostspec_parse_why("a,cpp", &l, &bad, &why), -EINVAL);
	assert_non_null(strstr(why, "requires compression"));
	free(bad);
}

static void test_ipv6(void **state)
{
	struct hostlist l;

	(void)state;
	assert_int_equal(hostspec_parse("[::1]:3700/8,lzo [fe80::1] [2001:db8::5]/3 "
					"u@[::1]/2:/opt/distccd",
					&l, NULL),
			 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.hosts[0].hostname, "::1");
	assert_int_equal(l.hosts[0].port, 3700);
	assert_int_equal(l.hosts[0].limit, 8);
	assert_int_equal(l.hosts[0].protover, 2);
	assert_string_equal(l.hosts[0].spec, "[::1]:3700/8,lzo");
	assert_string_equal(l.hosts[1].hostname, "fe80::1");
	assert_int_equal(l.hosts[1].port, 3632);
	assert_int_equal(l.hosts[2].limit, 3);
	assert_int_equal(l.hosts[3].mode, HOST_SSH);
	assert_string_equal(l.hosts[3].user, "u");
	assert_string_equal(l.hosts[3].hostname, "::1");
	assert_int_equal(l.hosts[3].limit, 2);
	assert_string_equal(l.hosts[3].command, "/opt/distccd");
	hostlist_free(&l);
}

static void test_options_and_modes(void **state)
{
	struct hostlist l;

	(void)state;
	assert_int_equal(hostspec_parse("h1,cpp,lzo h2,lzo,cpp,down h3=7 localhost/9 "
					"localhost,lzo localhost=4 localhost/3,lzo u@h4=5:cmd,lzo,cpp",
					&l, NULL),
			 0);
	assert_int_equal(l.n, 8);
	assert_int_equal(l.hosts[0].protover, 3);
	assert_true(l.hosts[0].cpp && l.hosts[0].lzo && !l.hosts[0].down);
	assert_true(l.hosts[1].down);
	assert_int_equal(l.hosts[1].protover, 3);
	assert_int_equal(l.hosts[2].limit, 7);
	assert_int_equal(l.hosts[3].mode, HOST_LOCAL);
	assert_int_equal(l.hosts[3].limit, 9);
	assert_string_equal(l.hosts[3].hostname, "localhost");
	/* only "localhost" and "localhost/N" are local */
	assert_int_equal(l.hosts[4].mode, HOST_TCP);
	assert_int_equal(l.hosts[4].protover, 2);
	assert_int_equal(l.hosts[5].mode, HOST_TCP);
	assert_int_equal(l.hosts[5].limit, 4);
	assert_int_equal(l.hosts[6].mode, HOST_LOCAL);
	assert_int_equal(l.hosts[6].limit, 3);
	assert_int_equal(l.hosts[7].mode, HOST_SSH);
	assert_int_equal(l.hosts[7].limit, 5);
	assert_string_equal(l.hosts[7].command, "cmd");
	assert_int_equal(l.hosts[7].protover, 3);
	hostlist_free(&l);
}

/* ",auto[=STATSPORT]" (livehosts.h): limit from live state, "/N" caps it. */
static void test_auto(void **state)
{
	const char *why = NULL;
	struct hostlist l;
	char *bad = NULL;

	(void)state;
	assert_int_equal(hostspec_parse("a,auto b:4000/6,lzo,auto=4001 c/3 [::1]:5,auto", &l, NULL),
			 0);
	assert_int_equal(l.n, 4);
	assert_true(l.hosts[0].autolimit && !l.hosts[0].limit_given);
	assert_int_equal(l.hosts[0].stats_port, HOST_DEFAULT_STATS_PORT);
	assert_int_equal(l.hosts[0].limit, HOST_DEFAULT_LIMIT);
	assert_true(l.hosts[1].autolimit && l.hosts[1].limit_given && l.hosts[1].lzo);
	assert_int_equal(l.hosts[1].stats_port, 4001);
	assert_int_equal(l.hosts[1].port, 4000);
	assert_int_equal(l.hosts[1].limit, 6);
	assert_true(!l.hosts[2].autolimit && l.hosts[2].limit_given);
	assert_true(l.hosts[3].autolimit);
	assert_string_equal(l.hosts[3].hostname, "::1");
	hostlist_free(&l);
	for (const char *const *t = (const char *const[]){ "a,auto=", "a,auto=0", "a,auto=70000",
							   "a,autox", "a,auto=1x", NULL };
	     *t; t++) {
		assert_int_equal(hostspec_parse_why(*t, &l, &bad, &why), -EINVAL);
		assert_string_equal(bad, *t);
		assert_non_null(why);
		free(bad);
		bad = NULL;
	}
}

static void test_old_style_and_globals(void **state)
{
	struct hostlist l;

	(void)state;
	assert_int_equal(hostspec_parse("--randomize --localslots=3 --localslots_cpp/12\n"
					"  a/6:4000 b=2:4001,lzo # trailing comment with a:b/c\n"
					"c:4002=9",
					&l, NULL),
			 0);
	assert_true(l.randomize);
	assert_int_equal(l.localslots, 3);
	assert_int_equal(l.localslots_cpp, 12);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.hosts[0].limit, 6);
	assert_int_equal(l.hosts[0].port, 4000);
	assert_int_equal(l.hosts[1].limit, 2);
	assert_int_equal(l.hosts[1].port, 4001);
	assert_int_equal(l.hosts[2].limit, 9);
	assert_int_equal(l.hosts[2].port, 4002);
	hostlist_free(&l);

	assert_int_equal(hostspec_parse("--localslots/1 x", &l, NULL), 0);
	assert_int_equal(l.localslots, 1);
	assert_int_equal(l.localslots_cpp, 8);
	hostlist_free(&l);
}

static void test_comments_anywhere(void **state)
{
	struct hostlist l;

	(void)state;
	assert_int_equal(hostspec_parse("#a b c\nx#y z\n  #\ny # w\n#", &l, NULL), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.hosts[0].hostname, "x");
	assert_string_equal(l.hosts[1].hostname, "y");
	hostlist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_hostspec_case),
		cmocka_unit_test(test_empty_lists),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_refusal_reasons),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_options_and_modes),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_old_style_and_globals),
		cmocka_unit_test(test_comments_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
