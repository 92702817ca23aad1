/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol 3 path rules: which NAMEs and LINK targets a job may use,
 * and the symlink text each allowed LINK becomes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pumppath.h"

static void test_split(void **state)
{
	struct pumppath p;
	const char *why = NULL;

	(void)state;
	assert_int_equal(pumppath_split("/src//p/p.c", 0, &p, &why), 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(p.comp[0], "src");
	assert_string_equal(p.comp[2], "p.c");
	pumppath_done(&p);
	assert_int_equal(pumppath_split("/", 1, &p, &why), 0);
	assert_int_equal(p.n, 0);
	pumppath_done(&p);
	assert_int_equal(pumppath_split("/", 0, &p, &why), -EACCES);
	assert_non_null(strstr(why, "root directory"));
	assert_int_equal(pumppath_split("src/p.c", 0, &p, &why), -EACCES);
	assert_non_null(strstr(why, "absolute"));
	assert_int_equal(pumppath_split("/src/../../etc/passwd", 0, &p, &why), -EACCES);
	assert_non_null(strstr(why, "'..'"));
	assert_int_equal(pumppath_split("/src/./p.c", 0, &p, &why), -EACCES);
	assert_int_equal(pumppath_split("/..", 0, &p, &why), -EACCES);
	/* dots inside a name are just a name */
	assert_int_equal(pumppath_split("/a/..b/c../.x", 0, &p, &why), 0);
	pumppath_done(&p);
}

static void test_split_limits(void **state)
{
	char deep[129 * 2 + 1], longp[5000];
	struct pumppath p;
	const char *why = NULL;

	(void)state;
	for (int i = 0; i < 129; i++)
		memcpy(deep + 2 * i, "/a", 2);
	deep[sizeof(deep) - 1] = 0;
	assert_int_equal(pumppath_split(deep, 0, &p, &why), -EACCES);
	assert_non_null(strstr(why, "deeper"));
	deep[2 * 128] = 0;                       /* 128 components: the cap */
	assert_int_equal(pumppath_split(deep, 0, &p, &why), 0);
	assert_int_equal(p.n, 128);
	pumppath_done(&p);
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	assert_int_equal(pumppath_split(longp, 0, &p, &why), -EACCES);
	assert_non_null(strstr(why, "longer"));
}

/* 0 and the text, or the refusal reason. */
static const char *link_text(const char *name, const char *target, unsigned depth, char *out)
{
	char *text = NULL;
	const char *why = NULL;
	int r = pumppath_link_text(name, target, depth, &text, &why);

	if (r == -EACCES)
		return why;
	assert_int_equal(r, 0);
	strcpy(out, text);
	free(text);
	return out;
}

static void test_links_inside(void **state)
{
	char b[8192];

	(void)state;
	/* DISTCC-REFERENCE 1.7: a sibling */
	assert_string_equal(link_text("/src/p/inc/link.h", "my.h", 4, b), "my.h");
	assert_string_equal(link_text("/src/p/inc/link.h", "./my.h", 4, b), "my.h");
	assert_string_equal(link_text("/src/p/inc/link.h", "../../q/x.h", 4, b), "../../q/x.h");
	/* up to the root exactly, and a directory link */
	assert_string_equal(link_text("/src/p/l", "../../x", 4, b), "../../x");
	assert_string_equal(link_text("/src/p/l", "..", 4, b), "..");
	assert_string_equal(link_text("/l", ".", 4, b), ".");
	/* absolute targets are client paths: the same path inside the root */
	assert_string_equal(link_text("/src/p/inc/link.h", "/src/p/inc/my.h", 4, b),
			    "../../../src/p/inc/my.h");
	assert_string_equal(link_text("/l.h", "/x//y.h", 4, b), "x/y.h");
	assert_string_equal(link_text("/a/l", "/", 4, b), "..");
}

static void test_links_refused(void **state)
{
	char b[8192];

	(void)state;
	/* one ".." too many: into the job directory */
	assert_non_null(strstr(link_text("/src/l", "../../etc/passwd", 4, b), "leaves the job root"));
	assert_non_null(strstr(link_text("/l", "../x", 4, b), "leaves the job root"));
	/* out to the server's "/" but naming another path than the link's own */
	assert_non_null(strstr(link_text("/usr/include", "../../../../../../etc", 4, b),
			       "leaves the job root"));
	assert_non_null(strstr(link_text("/usr/include", "../../../../../..", 4, b),
			       "leaves the job root"));
	/* the system-dir shape, but not enough ".." to reach "/" from this root */
	assert_non_null(strstr(link_text("/usr/include", "../../../usr/include", 4, b),
			       "leaves the job root"));
	/* ".." after a name could climb through another link: refused */
	assert_non_null(strstr(link_text("/src/p/l", "inc/../../x", 4, b), "after a directory"));
	assert_non_null(strstr(link_text("/src/p/l", "/src/../etc/passwd", 4, b), "absolute LINK"));
	assert_non_null(strstr(link_text("/src/p/l", "/src/./x", 4, b), "absolute LINK"));
	/* the NAME's own rules hold for links too */
	assert_non_null(strstr(link_text("/src/../l", "x", 4, b), "'..'"));
	assert_non_null(strstr(link_text("l", "x", 4, b), "absolute"));
}

/* distcc 3.4's include server maps a client's system include dir back to
 * the server's: NAME /usr/include, LINK ("../" x (20 + 2)) "usr/include". */
static void test_links_system_dirs(void **state)
{
	char b[8192], target[256] = "";
	const char *sysdir = "/usr/lib/gcc/x86_64-linux-gnu/12/include";

	(void)state;
	for (int i = 0; i < 22; i++)
		strcat(target, "../");
	strcat(target, "usr/include");
	assert_string_equal(link_text("/usr/include", target, 4, b), target);
	assert_string_equal(link_text("/usr/include", target, 21, b), target);
	/* a root deeper than the link climbs: refused (would stay inside it) */
	assert_non_null(strstr(link_text("/usr/include", target, 22, b), "leaves the job root"));
	target[0] = 0;
	for (int i = 0; i < 20 + 6; i++)
		strcat(target, "../");
	strcat(target, sysdir + 1);
	assert_string_equal(link_text(sysdir, target, 4, b), target);
	/* same shape, another path: refused */
	assert_non_null(strstr(link_text("/usr/lib/gcc/x86_64-linux-gnu/12/includf", target, 4, b),
			       "leaves the job root"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_limits),
		cmocka_unit_test(test_links_inside),
		cmocka_unit_test(test_links_refused),
		cmocka_unit_test(test_links_system_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
