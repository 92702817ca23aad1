/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Materialising a pump client's files in a real temporary job directory:
 * what is created, what is refused (nothing through or over a link the
 * client sent, nothing outside the root), and that removing the job never
 * follows a link out of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "pumproot.h"
#include "wirelimits.h"
#include "workdir.h"

struct fixture {
	char tmp[64];
	struct workdir wd;
	struct pumproot root;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->tmp, "/tmp/test-pumproot.XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	assert_int_equal(workdir_create(f->tmp, ".i", ".o", false, &f->wd), 0);
	assert_int_equal(pumproot_create(f->wd.dir, &f->root), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	pumproot_done(&f->root);
	workdir_done(&f->wd);
	assert_int_equal(rmdir(f->tmp), 0);   /* the job left nothing behind */
	free(f);
	return 0;
}

static char *under(const struct fixture *f, const char *client_path)
{
	char *p = NULL;

	assert_int_equal(pumproot_server_path(&f->root, client_path, &p), 0);
	return p;
}

static void assert_file(const struct fixture *f, const char *client_path, const char *content)
{
	char *p = under(f, client_path), buf[256] = "";
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	assert_string_equal(buf, content);
	close(fd);
	free(p);
}

static void test_files_and_links(void **state)
{
	struct fixture *f = *state;
	const char *why = NULL;
	char *p, text[PATH_MAX];
	ssize_t n;

	assert_int_equal(f->root.path[0], '/');
	assert_int_equal(pumproot_add_file(&f->root, "/src/p/p.c", "int x;\n", 7, &why), 0);
	assert_int_equal(pumproot_add_file(&f->root, "/src/p/inc/my.h", "#define A 1\n", 12, &why), 0);
	assert_int_equal(pumproot_add_file(&f->root, "/src/p/inc/empty.h", "", 0, &why), 0);
	assert_int_equal(pumproot_add_link(&f->root, "/src/p/inc/link.h", "my.h", &why), 0);
	assert_int_equal(pumproot_add_link(&f->root, "/src/p/abs.h", "/src/p/inc/my.h", &why), 0);
	assert_int_equal(pumproot_add_dir(&f->root, "/src/p/build/obj", &why), 0);
	assert_int_equal(pumproot_add_dir(&f->root, "/src/p", &why), 0);
	assert_file(f, "/src/p/p.c", "int x;\n");
	assert_file(f, "/src/p/inc/empty.h", "");
	/* links resolve inside the root */
	p = under(f, "/src/p/inc/link.h");
	assert_true(access(p, R_OK) == 0);
	free(p);
	p = under(f, "/src/p/abs.h");
	n = readlink(p, text, sizeof(text) - 1);
	assert_true(n > 0);
	text[n] = 0;
	assert_string_equal(text, "../../src/p/inc/my.h");
	free(p);
	assert_file(f, "/src/p/inc/link.h", "#define A 1\n");
	p = under(f, "/src/p/build/obj");
	assert_true(access(p, W_OK) == 0);
	free(p);
}

static void test_refusals(void **state)
{
	struct fixture *f = *state;
	const char *why = NULL;
	char *p;

	/* NAME with "..": nothing is created */
	assert_int_equal(pumproot_add_file(&f->root, "/../../evil", "x", 1, &why), -EACCES);
	assert_non_null(strstr(why, "'..'"));
	/* a LINK out of the root */
	assert_int_equal(pumproot_add_link(&f->root, "/l", "../../../../../../../../tmp", &why),
			 -EACCES);
	assert_non_null(strstr(why, "leaves the job root"));
	/* a LINK to a directory inside the root, then a FILE through it */
	assert_int_equal(pumproot_add_file(&f->root, "/d/real.h", "x", 1, &why), 0);
	assert_int_equal(pumproot_add_link(&f->root, "/via", "d", &why), 0);
	assert_int_equal(pumproot_add_file(&f->root, "/via/new.h", "x", 1, &why), -EACCES);
	assert_non_null(strstr(why, "through a file or link"));
	assert_int_equal(pumproot_add_link(&f->root, "/via/new.h", "real.h", &why), -EACCES);
	assert_int_equal(pumproot_add_dir(&f->root, "/via/sub", &why), -EACCES);
	p = under(f, "/d/new.h");
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	/* a FILE over the LINK itself (O_EXCL: never written through) */
	assert_int_equal(pumproot_add_file(&f->root, "/via", "x", 1, &why), -EACCES);
	assert_non_null(strstr(why, "twice"));
	/* sent twice, over a directory, under a file */
	assert_int_equal(pumproot_add_file(&f->root, "/d/real.h", "y", 1, &why), -EACCES);
	assert_int_equal(pumproot_add_file(&f->root, "/d", "y", 1, &why), -EACCES);
	assert_int_equal(pumproot_add_file(&f->root, "/d/real.h/x", "y", 1, &why), -EACCES);
	assert_non_null(strstr(why, "through a file or link"));
	assert_file(f, "/d/real.h", "x");
	/* the directory budget */
	f->root.dirs = MAX_PUMP_DIRS - 1;
	assert_int_equal(pumproot_add_file(&f->root, "/n1/n2/x.h", "x", 1, &why), -EACCES);
	assert_non_null(strstr(why, "directories"));
}

/* The system include dir shape: the link reaches the server's own path,
 * and removing the job removes the link, never what it points to. */
static void test_system_link_and_removal(void **state)
{
	struct fixture *f = *state;
	char canary[64], name[80], target[512] = "", *p, *file;
	const char *why = NULL;
	struct stat a, b;
	FILE *c;

	strcpy(canary, "/tmp/test-pumproot-canary.XXXXXX");
	assert_non_null(mkdtemp(canary));
	assert_int_equal(asprintf(&file, "%s/keep.h", canary) > 0, 1);
	c = fopen(file, "w");
	assert_non_null(c);
	fclose(c);
	snprintf(name, sizeof(name), "%s", canary);
	for (unsigned i = 0; i < f->root.depth + 2; i++)
		strcat(target, "../");
	strcat(target, canary + 1);
	assert_int_equal(pumproot_add_link(&f->root, name, target, &why), 0);
	p = under(f, name);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(stat(canary, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	free(p);
	/* and a deep tree with links in it */
	assert_int_equal(pumproot_add_file(&f->root, "/a/b/c/d/e/f/g/h.h", "x", 1, &why), 0);
	assert_int_equal(pumproot_add_link(&f->root, "/a/b/up", "../../tmp", &why), 0);
	pumproot_done(&f->root);
	workdir_done(&f->wd);
	assert_int_equal(access(file, F_OK), 0);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rmdir(canary), 0);
	free(file);
	/* teardown's workdir_done/pumproot_done accept the cleared state */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files_and_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_link_and_removal, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
