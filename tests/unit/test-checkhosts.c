/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --check-hosts verdicts for servers that did not compile: 110 is missing,
 * our distccd's "not offered" 113 is missing, other 113s are refusals,
 * anything else (compile errors, a killed compiler) a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "checkhosts.h"

static void test_classify(void **state)
{
	static const char offered[] = "distccd[1] WARNING: refusing job from 1.2.3.4:5: compiler "
				      "'x' ... is not offered by this server (not in the whitelist)";
	static const char policy[] = "distccd[1] WARNING: refusing job from 1.2.3.4:5: argument "
				     "'-fplugin=x': would load code";

	(void)state;
	assert_int_equal(check_classify_status(110 << 8, NULL, 0), CHECK_MISSING);
	assert_int_equal(check_classify_status(113 << 8, offered, strlen(offered)), CHECK_MISSING);
	assert_int_equal(check_classify_status(113 << 8, policy, strlen(policy)), CHECK_REFUSED);
	assert_int_equal(check_classify_status(113 << 8, NULL, 0), CHECK_REFUSED);
	assert_int_equal(check_classify_status(1 << 8, NULL, 0), CHECK_FAILED);
	assert_int_equal(check_classify_status(9, NULL, 0), CHECK_FAILED);  /* killed */
	assert_string_equal(check_verdict_to_string(CHECK_VERSION), "different version");
	assert_string_equal(check_verdict_to_string(CHECK_UNREACHABLE), "unreachable");
	assert_string_equal(check_verdict_to_string((enum check_verdict)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
