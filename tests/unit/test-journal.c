/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When the daemon decides to log to the journal: $JOURNAL_STREAM must name
 * stderr itself (not just be set), or the journal socket must be a socket.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "journal.h"

static void test_stream_must_be_stderr(void **state)
{
	struct stat st;
	char js[64];

	(void)state;
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	assert_true(journal_wanted(js, NULL));
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	assert_false(journal_wanted(js, NULL));
	assert_false(journal_wanted("", NULL));
	assert_false(journal_wanted("12", NULL));
	assert_false(journal_wanted("a:b", NULL));
	assert_false(journal_wanted(":", NULL));
	assert_false(journal_wanted("1:-2", NULL));
	assert_false(journal_wanted("99999999999999999999999:1", NULL));
	assert_false(journal_wanted(NULL, NULL));
}

static void test_socket_path(void **state)
{
	char dir[] = "/tmp/test-journal-XXXXXX", path[128], file[128];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/socket", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	assert_false(journal_wanted(NULL, path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_true(journal_wanted(NULL, path));
	close(fd);
	fclose(fopen(file, "w"));
	assert_false(journal_wanted(NULL, file));
	unlink(path);
	unlink(file);
	rmdir(dir);
}

static void test_too_many_fields(void **state)
{
	struct journal_field f[17] = { { "A", "b" } };

	(void)state;
	assert_int_equal(journal_send(0, "x", f, 17), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_must_be_stderr),
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_too_many_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
