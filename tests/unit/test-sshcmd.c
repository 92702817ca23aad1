/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssh command lines for SSH hosts: DISTCC_SSH split afresh on every call
 * (3.4's bug #434), user, command and the ,daemon form, our -F only when
 * the user's words leave the choice to us, the reuse config text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hostspec.h"
#include "macro.h"
#include "sshcmd.h"
#include "strv.h"

/* argv joined with single spaces, into a static buffer. */
static const char *joined(char **v)
{
	static char out[1024];
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; v && v[i]; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? " " : "", v[i]);
	return out;
}

static const char *build(const char *ssh_env, const char *config, const char *spec)
{
	_cleanup_(strv_freep) char **v = NULL;
	struct hostlist l = {};
	static char out[1024];

	assert_int_equal(hostspec_parse(spec, &l, NULL), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(sshcmd_build(&(struct sshcmd_params){ .ssh_env = ssh_env, .config = config },
				      &l.hosts[0], &v), 0);
	hostlist_free(&l);
	snprintf(out, sizeof(out), "%s", joined(v));
	return out;
}

static void test_split(void **state)
{
	_cleanup_(strv_freep) char **a = NULL, **b = NULL, **c = NULL;

	(void)state;
	assert_int_equal(sshcmd_split(NULL, &a), 0);
	assert_string_equal(joined(a), "ssh");
	assert_int_equal(sshcmd_split(" \t ", &b), 0);
	assert_string_equal(joined(b), "ssh");
	assert_int_equal(sshcmd_split("  X -o BatchMode=yes\t-p 22 ", &c), 0);
	assert_string_equal(joined(c), "X -o BatchMode=yes -p 22");
}

static void test_split_refuses_option_as_program(void **state)
{
	char **v = NULL;

	(void)state;
	assert_int_equal(sshcmd_split("-oProxyCommand=touch /x", &v), -EINVAL);
	assert_int_equal(sshcmd_split(" -", &v), -EINVAL);
	assert_null(v);
}

static void test_split_too_many(void **state)
{
	char text[SSHCMD_MAX_WORDS * 3 + 8] = "ssh";
	char **v = NULL;

	(void)state;
	for (size_t i = 0; i < SSHCMD_MAX_WORDS; i++)
		strcat(text, " -v");
	assert_int_equal(sshcmd_split(text, &v), -E2BIG);
	assert_null(v);
}

/* 3.4 verified: X -o BatchMode=yes -p 22 -l someuser fakehost /usr/bin/distccd --inetd */
static void test_build_like_34(void **state)
{
	const char *env = "X -o BatchMode=yes -p 22";

	(void)state;
	assert_string_equal(build(env, NULL, "someuser@fakehost/3:/usr/bin/distccd,lzo"),
			    "X -o BatchMode=yes -p 22 -l someuser fakehost /usr/bin/distccd --inetd");
	/* the same words on every connection of the process (3.4 bug #434) */
	assert_string_equal(build(env, NULL, "@other"),
			    "X -o BatchMode=yes -p 22 other distccd --inetd");
	assert_string_equal(build(NULL, NULL, "u@[::1]"), "ssh -l u ::1 distccd --inetd");
}

static void test_build_reuse_config(void **state)
{
	(void)state;
	assert_string_equal(build("ssh -p 2222", "/d/ssh/config", "@h"),
			    "ssh -p 2222 -F /d/ssh/config h distccd --inetd");
	/* the user's own choice wins: no -F of ours */
	assert_string_equal(build("ssh -o ControlMaster=no", "/c", "@h"),
			    "ssh -o ControlMaster=no h distccd --inetd");
	assert_string_equal(build("ssh -ocontrolpath=none", "/c", "@h"),
			    "ssh -ocontrolpath=none h distccd --inetd");
	assert_string_equal(build("ssh -F /mine", "/c", "@h"), "ssh -F /mine h distccd --inetd");
	assert_string_equal(build("ssh -S none", "/c", "@h"), "ssh -S none h distccd --inetd");
	assert_string_equal(build("ssh -o Compression=yes", "/c", "@h"),
			    "ssh -o Compression=yes -F /c h distccd --inetd");
}

static void test_build_daemon_form(void **state)
{
	(void)state;
	assert_string_equal(build(NULL, "/c", "u@h/8,daemon,lzo"),
			    "ssh -F /c -l u -W 127.0.0.1:3632 h");
	assert_string_equal(build("ssh -p 2", NULL, "@h,lzo,cpp,daemon=3700"),
			    "ssh -p 2 -W 127.0.0.1:3700 h");
}

static void test_daemon_form_parse_errors(void **state)
{
	static const char *const bad[] = {
		"h,daemon", "h:3632,daemon", "@h,daemon=0", "@h,daemon=70000", "@h,daemon=x",
		"@h:/usr/bin/distccd,daemon", "@h,daemons",
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct hostlist l = {};
		const char *why = NULL;
		char *tok = NULL;

		assert_int_equal(hostspec_parse_why(bad[i], &l, &tok, &why), -EINVAL);
		assert_string_equal(tok, bad[i]);
		assert_non_null(why);
		free(tok);
	}
}

static void test_not_ssh(void **state)
{
	struct host h = { .mode = HOST_TCP, .hostname = (char *)"h" };
	char **v = NULL;

	(void)state;
	assert_int_equal(sshcmd_build(&(struct sshcmd_params){}, &h, &v), -EINVAL);
	assert_null(v);
}

static void test_config_text(void **state)
{
	_cleanup_free_ char *t = NULL;
	char *x = NULL;
	char longdir[SSHCMD_MAX_CONTROL_DIR + 2];

	(void)state;
	assert_int_equal(sshcmd_config_text("/home/u/.distcc/ssh", &t), 0);
	/* theirs before ours: ssh keeps the first value it obtains */
	assert_true(strstr(t, "Include ~/.ssh/config") < strstr(t, "ControlMaster auto"));
	assert_true(strstr(t, "Include /etc/ssh/ssh_config") < strstr(t, "Host *"));
	assert_non_null(strstr(t, "\n  ControlPath /home/u/.distcc/ssh/%C\n"));
	assert_non_null(strstr(t, "\n  ControlPersist 120\n"));
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = 0;
	assert_int_equal(sshcmd_config_text(longdir, &x), -EINVAL);
	longdir[sizeof(longdir) - 2] = 0;
	assert_int_equal(sshcmd_config_text(longdir, &x), 0);
	free(x);
	x = NULL;
	assert_int_equal(sshcmd_config_text("relative", &x), -EINVAL);
	assert_int_equal(sshcmd_config_text("/with space", &x), -EINVAL);
	assert_int_equal(sshcmd_config_text("/with%percent", &x), -EINVAL);
	assert_null(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_refuses_option_as_program),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_build_like_34),
		cmocka_unit_test(test_build_reuse_config),
		cmocka_unit_test(test_build_daemon_form),
		cmocka_unit_test(test_daemon_form_parse_errors),
		cmocka_unit_test(test_not_ssh),
		cmocka_unit_test(test_config_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
