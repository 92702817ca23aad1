/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Job directories: results are read only if they are plain files of ours
 * (a symlink, FIFO or hard link is -EPERM, and a FIFO does not hang), the
 * tree is removed without following links, a zeroed struct owns nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "workdir.h"

static char tmpdir[] = "/tmp/distcc-test-workdir-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static void put(const struct workdir *w, const char *name, const char *text)
{
	int fd = workdir_create_file(w, name);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_read_plain_and_refuse_the_rest(void **state)
{
	struct workdir w;
	struct buf b = BUF_INIT(1 << 20);
	char path[4200], outside[4200];

	(void)state;
	assert_int_equal(workdir_create(tmpdir, ".i", ".o", false, &w), 0);
	put(&w, "output.o", "OBJ");
	assert_int_equal(workdir_read(&w, "output.o", 1 << 20, &b), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "OBJ", 3);
	assert_int_equal(workdir_create_file(&w, "output.o"), -EEXIST);
	assert_int_equal(workdir_read(&w, "missing", 1 << 20, &b), -ENOENT);
	assert_int_equal(workdir_check(&w, "output.o"), 0);
	assert_int_equal(workdir_read(&w, "output.o", 2, &b), -E2BIG);

	/* a symlink to a file outside, a FIFO, a hard link, a directory */
	snprintf(outside, sizeof(outside), "%s/secret", tmpdir);
	assert_int_equal(symlink("/etc/passwd", outside), 0);
	snprintf(path, sizeof(path), "%s/compiler.stdout", w.dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(workdir_read(&w, "compiler.stdout", 1 << 20, &b), -EPERM);
	snprintf(path, sizeof(path), "%s/fifo", w.dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(workdir_read(&w, "fifo", 1 << 20, &b), -EPERM);   /* and no hang */
	snprintf(path, sizeof(path), "%s/hard", w.dir);
	snprintf(outside, sizeof(outside), "%s/output.o", w.dir);
	assert_int_equal(link(outside, path), 0);
	assert_int_equal(workdir_read(&w, "hard", 1 << 20, &b), -EPERM);
	assert_int_equal(workdir_check(&w, "output.o"), -EPERM);            /* 2 links now */
	snprintf(path, sizeof(path), "%s/sub", w.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(workdir_read(&w, "sub", 1 << 20, &b), -EPERM);
	assert_int_equal(b.len, 3);                                          /* nothing appended */
	workdir_done(&w);
	snprintf(outside, sizeof(outside), "%s/secret", tmpdir);
	assert_int_equal(unlink(outside), 0);
	buf_free(&b);
}

static void test_removal_follows_no_link(void **state)
{
	struct workdir w;
	char path[4200], keep[4200], dir[4200];
	struct stat st;

	(void)state;
	snprintf(keep, sizeof(keep), "%s/keep", tmpdir);
	assert_int_equal(mkdir(keep, 0700), 0);
	snprintf(path, sizeof(path), "%s/keep/file", tmpdir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	assert_int_equal(workdir_create(tmpdir, ".i", ".o", false, &w), 0);
	snprintf(dir, sizeof(dir), "%s", w.dir);
	/* nested directories, and a link to a directory outside */
	snprintf(path, sizeof(path), "%s/a", w.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b", w.dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/a/b/f", w.dir);
	close(open(path, O_WRONLY | O_CREAT, 0600));
	snprintf(path, sizeof(path), "%s/a/out", w.dir);
	assert_int_equal(symlink(keep, path), 0);
	workdir_done(&w);
	assert_int_equal(stat(dir, &st), -1);
	snprintf(path, sizeof(path), "%s/keep/file", tmpdir);
	assert_int_equal(stat(path, &st), 0);            /* untouched */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(keep), 0);
}

static void test_zeroed_and_kept(void **state)
{
	struct workdir zero = { 0 }, init = WORKDIR_INIT, w;
	char path[4200];
	struct stat st;

	(void)state;
	workdir_done(&zero);                             /* owns no fd 0 */
	assert_int_equal(fcntl(0, F_GETFD) >= 0 || errno != EBADF, 1);
	workdir_done(&init);
	assert_int_equal(workdir_create(tmpdir, ".ii", ".s", true, &w), 0);
	assert_non_null(strstr(w.input, "/input.ii"));
	assert_non_null(strstr(w.output, "/output.s"));
	snprintf(path, sizeof(path), "%s", w.dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	workdir_done(&w);                                /* keep: still there */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(workdir_create("/nonexistent-distcc-dir", ".i", ".o", false, &w), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_plain_and_refuse_the_rest),
		cmocka_unit_test(test_removal_follows_no_link),
		cmocka_unit_test(test_zeroed_and_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
