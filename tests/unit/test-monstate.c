/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Monitor record codec against a 296-byte layout built by hand from
 * DISTCC-REFERENCE 5 (little-endian LP64, as distcc 3.4 on x86-64 writes
 * it), hostile records, and the binstate_<pid> file helpers.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "monstate.h"

static void le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void build_record(uint8_t rec[296], uint64_t pid, const char *file, const char *host,
			 int32_t slot, int32_t phase)
{
	memset(rec, 0, 296);
	le(rec + 0, 296, 8);
	le(rec + 8, 0x44494800, 8);
	le(rec + 16, pid, 8);
	memcpy(rec + 24, file, strlen(file));
	memcpy(rec + 152, host, strlen(host));
	le(rec + 280, (uint32_t)slot, 4);
	le(rec + 284, (uint32_t)phase, 4);
}

static void test_encode_layout(void **state)
{
	struct monstate s = { .pid = 18429, .slot = 3, .phase = PHASE_COMPILE };
	uint8_t want[296], got[296];

	(void)state;
	strcpy(s.file, "hello.c");
	strcpy(s.host, "127.0.0.1");
	build_record(want, 18429, "hello.c", "127.0.0.1", 3, 5);
	memset(got, 0xa5, sizeof(got));
	monstate_encode(&s, got);
	assert_memory_equal(got, want, 296);
	/* magic "DIH\0" read as bytes at offset 8 */
	assert_int_equal(got[8], 0x00);
	assert_int_equal(got[9], 0x48);
	assert_int_equal(got[10], 0x49);
	assert_int_equal(got[11], 0x44);
}

static void test_decode_hand_built(void **state)
{
	uint8_t rec[296];
	struct monstate s;

	(void)state;
	build_record(rec, 4242, "drivers/x.c", "build3", 7, 6);
	/* garbage "next" pointer, as 3.4 leaves it */
	le(rec + 288, 0xdeadbeefcafeull, 8);
	assert_int_equal(monstate_decode(rec, sizeof(rec), &s), 0);
	assert_int_equal(s.pid, 4242);
	assert_string_equal(s.file, "drivers/x.c");
	assert_string_equal(s.host, "build3");
	assert_int_equal(s.slot, 7);
	assert_int_equal(s.phase, PHASE_RECEIVE);
	assert_string_equal(monstate_phase_name(s.phase), "Receive");
}

static void test_decode_rejects(void **state)
{
	uint8_t rec[300];
	struct monstate s = { .pid = 99 };

	(void)state;
	build_record(rec, 1, "a.c", "h", 0, 5);
	assert_int_equal(monstate_decode(rec, 295, &s), -EBADMSG);
	assert_int_equal(monstate_decode(rec, 0, &s), -EBADMSG);
	rec[8] ^= 1;
	assert_int_equal(monstate_decode(rec, 296, &s), -EBADMSG);
	rec[8] ^= 1;
	le(rec, 288, 8);
	assert_int_equal(monstate_decode(rec, 296, &s), -EBADMSG);
	le(rec, 296 | (1ull << 40), 8);
	assert_int_equal(monstate_decode(rec, 296, &s), -EBADMSG);
	assert_int_equal(s.pid, 99); /* untouched on failure */
	le(rec, 296, 8);
	assert_int_equal(monstate_decode(rec, 300, &s), 0);
}

static void test_phase_clamp_and_unterminated(void **state)
{
	uint8_t rec[296];
	struct monstate s;

	(void)state;
	build_record(rec, 5, "a.c", "h", 0, 8);
	assert_int_equal(monstate_decode(rec, 296, &s), 0);
	assert_int_equal(s.phase, PHASE_COMPILE);
	build_record(rec, 5, "a.c", "h", 0, -3);
	assert_int_equal(monstate_decode(rec, 296, &s), 0);
	assert_int_equal(s.phase, PHASE_COMPILE);
	build_record(rec, 5, "a.c", "h", 0, 7);
	assert_int_equal(monstate_decode(rec, 296, &s), 0);
	assert_int_equal(s.phase, PHASE_DONE);
	/* file and host fields without any NUL stay in bounds */
	memset(rec + 24, 'f', 128);
	memset(rec + 152, 'h', 128);
	assert_int_equal(monstate_decode(rec, 296, &s), 0);
	assert_int_equal(strlen(s.file), 127);
	assert_int_equal(strlen(s.host), 127);
}

static void test_long_strings_truncated(void **state)
{
	struct monstate s = { .pid = 1, .phase = PHASE_SEND }, back;
	uint8_t rec[296];

	(void)state;
	memset(s.file, 'x', sizeof(s.file) - 1);
	s.file[sizeof(s.file) - 1] = 0;
	strcpy(s.host, "[::1]");
	monstate_encode(&s, rec);
	assert_int_equal(rec[24 + 127], 0);
	assert_int_equal(monstate_decode(rec, sizeof(rec), &back), 0);
	assert_string_equal(back.file, s.file);
	assert_string_equal(back.host, "[::1]");
}

static void test_phase_names(void **state)
{
	static const char *const want[] = { "Startup", "Blocked", "Connect", "Preprocess",
					    "Send",    "Compile", "Receive", "Done" };

	(void)state;
	for (int i = 0; i < 8; i++)
		assert_string_equal(monstate_phase_name((enum mon_phase)i), want[i]);
}

/* The phase of the whole record in @path (asserts it is one). */
static int read_phase(const char *path)
{
	struct monstate back;
	uint8_t buf[400];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, MONSTATE_SIZE);
	assert_int_equal(monstate_decode(buf, n, &back), 0);
	return (int)back.phase;
}

static void test_write_remove(void **state)
{
	char tmpl[] = "/tmp/test-monstate.XXXXXX", dir[128], path[256];
	struct monstate s = { .pid = 31337, .slot = 1, .phase = PHASE_CPP };
	struct stat st;
	DIR *d;
	struct dirent *de;
	int entries = 0, fd = -1;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	snprintf(dir, sizeof(dir), "%s/sub/state", tmpl);
	strcpy(s.file, "m.c");
	strcpy(s.host, "localhost");
	assert_int_equal(monstate_write(dir, &s, &fd), 0);
	assert_true(fd >= 0);
	s.phase = PHASE_COMPILE;
	assert_int_equal(monstate_write(dir, &s, &fd), 0);      /* in place */
	snprintf(path, sizeof(path), "%s/binstate_31337", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(read_phase(path), PHASE_COMPILE);
	/* no temp file left behind */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")))
			entries++;
	closedir(d);
	assert_int_equal(entries, 1);
	/* a monitor removed the file (stale): the next write makes a new one */
	assert_int_equal(unlink(path), 0);
	s.phase = PHASE_RECEIVE;
	assert_int_equal(monstate_write(dir, &s, &fd), 0);
	assert_int_equal(read_phase(path), PHASE_RECEIVE);
	close(fd);
	assert_int_equal(monstate_remove(dir, 31337), 0);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(monstate_remove(dir, 31337), 0);
	assert_int_equal(rmdir(dir), 0);
	snprintf(dir, sizeof(dir), "%s/sub", tmpl);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(rmdir(tmpl), 0);
}

/* The name the exit handler unlinks is formatted up front, the same one
 * monstate_write() creates. */
static void test_state_path(void **state)
{
	char small[8], path[64];

	(void)state;
	assert_int_equal(monstate_path("/d/state", 42, path, sizeof(path)), 0);
	assert_string_equal(path, "/d/state/binstate_42");
	assert_int_equal(monstate_path("/d/state", 42, small, sizeof(small)), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_layout),
		cmocka_unit_test(test_decode_hand_built),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_phase_clamp_and_unterminated),
		cmocka_unit_test(test_long_strings_truncated),
		cmocka_unit_test(test_phase_names),
		cmocka_unit_test(test_write_remove),
		cmocka_unit_test(test_state_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
