/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ELF reader behind --check-hosts: hand-built objects (64-bit little
 * endian, 32-bit big endian), several .comment strings, no .comment, and
 * hostile headers (offsets and sizes past the end, SIZE_MAX-ish values,
 * truncation at every length).
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

#include "elfinfo.h"

static const char SHSTR[] = "\0.shstrtab\0.comment\0";   /* names at 1 and 11 */

static void put(uint8_t *p, uint64_t v, unsigned n, int big)
{
	for (unsigned i = 0; i < n; i++)
		p[big ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* ehdr, .shstrtab data, .comment data, three section headers. */
static size_t build(uint8_t *out, int is64, int big, const char *comment, size_t clen,
		    unsigned machine)
{
	size_t eh = is64 ? 64 : 52, sh = is64 ? 64 : 40;
	size_t str_off = eh, com_off = str_off + sizeof(SHSTR), sh_off = com_off + clen;
	uint8_t *s;

	memset(out, 0, sh_off + 3 * sh);
	memcpy(out, "\177ELF", 4);
	out[4] = is64 ? 2 : 1;
	out[5] = big ? 2 : 1;
	out[6] = 1;
	put(out + 16, 1, 2, big);                        /* ET_REL */
	put(out + 18, machine, 2, big);
	if (is64) {
		put(out + 40, sh_off, 8, big);
		put(out + 48, 0x5000000, 4, big);
		put(out + 58, sh, 2, big);
		put(out + 60, 3, 2, big);
		put(out + 62, 1, 2, big);
	} else {
		put(out + 32, sh_off, 4, big);
		put(out + 36, 0x5000400, 4, big);
		put(out + 46, sh, 2, big);
		put(out + 48, 3, 2, big);
		put(out + 50, 1, 2, big);
	}
	memcpy(out + str_off, SHSTR, sizeof(SHSTR));
	memcpy(out + com_off, comment, clen);
	for (int i = 1; i <= 2; i++) {
		uint64_t name = i == 1 ? 1 : 11, off = i == 1 ? str_off : com_off;
		uint64_t size = i == 1 ? sizeof(SHSTR) : clen;

		s = out + sh_off + (size_t)i * sh;
		put(s, name, 4, big);
		put(s + (is64 ? 24 : 16), off, is64 ? 8 : 4, big);
		put(s + (is64 ? 32 : 20), size, is64 ? 8 : 4, big);
	}
	return sh_off + 3 * sh;
}

static void test_read(void **state)
{
	static const char c[] = "GCC: (Debian 12.2.0-14) 12.2.0\0\0Linker X\0";
	uint8_t buf[1024];
	struct elfinfo e;
	size_t n = build(buf, 1, 0, c, sizeof(c) - 1, 62);

	(void)state;
	assert_int_equal(elfinfo_read(buf, n, &e), 0);
	assert_int_equal(e.elf_class, 2);
	assert_int_equal(e.data, 1);
	assert_int_equal(e.machine, 62);
	assert_int_equal(e.flags, 0x5000000);
	assert_string_equal(e.comment, "GCC: (Debian 12.2.0-14) 12.2.0; Linker X");

	n = build(buf, 0, 1, "clang 14", 8, 40);             /* unterminated, 32-bit BE */
	assert_int_equal(elfinfo_read(buf, n, &e), 0);
	assert_int_equal(e.elf_class, 1);
	assert_int_equal(e.data, 2);
	assert_int_equal(e.machine, 40);
	assert_int_equal(e.flags, 0x5000400);
	assert_string_equal(e.comment, "clang 14");

	n = build(buf, 1, 0, "", 0, 183);
	assert_int_equal(elfinfo_read(buf, n, &e), 0);
	assert_string_equal(e.comment, "");
}

static void test_long_comment(void **state)
{
	char c[600];
	uint8_t buf[2048];
	struct elfinfo e;
	size_t n;

	(void)state;
	memset(c, 'v', sizeof(c));
	n = build(buf, 1, 0, c, sizeof(c), 62);
	assert_int_equal(elfinfo_read(buf, n, &e), 0);
	assert_true(strlen(e.comment) < sizeof(e.comment));
}

static void test_hostile(void **state)
{
	static const char c[] = "GCC: x\0";
	uint8_t buf[1024], bad[1024];
	struct elfinfo e = { .machine = 4242 };
	size_t n = build(buf, 1, 0, c, sizeof(c) - 1, 62);

	(void)state;
	/* every truncation is refused or reads only what is there */
	for (size_t len = 0; len < n; len++) {
		int r = elfinfo_read(buf, len, &e);

		assert_true(r == -EBADMSG || r == 0);
	}
	assert_int_equal(elfinfo_read(NULL, 100, &e), -EBADMSG);
	memcpy(bad, buf, n);
	bad[4] = 3;                                        /* bad class */
	assert_int_equal(elfinfo_read(bad, n, &e), -EBADMSG);
	memcpy(bad, buf, n);
	put(bad + 16, 2, 2, 0);                            /* ET_EXEC */
	assert_int_equal(elfinfo_read(bad, n, &e), -EBADMSG);
	memcpy(bad, buf, n);
	put(bad + 40, UINT64_MAX - 10, 8, 0);              /* section headers past the end */
	assert_int_equal(elfinfo_read(bad, n, &e), -EBADMSG);
	memcpy(bad, buf, n);
	put(bad + 62, 7, 2, 0);                            /* shstrndx >= shnum */
	assert_int_equal(elfinfo_read(bad, n, &e), -EBADMSG);
	memcpy(bad, buf, n);
	put(bad + 58, 8, 2, 0);                            /* tiny shentsize */
	assert_int_equal(elfinfo_read(bad, n, &e), -EBADMSG);
	memcpy(bad, buf, n);
	put(bad + n - 64 + 24, UINT64_MAX - 2, 8, 0);      /* .comment offset */
	assert_int_equal(elfinfo_read(bad, n, &e), -EBADMSG);
	memcpy(bad, buf, n);
	put(bad + n - 64 + 32, 1u << 30, 8, 0);            /* .comment size */
	assert_int_equal(elfinfo_read(bad, n, &e), -EBADMSG);
	memcpy(bad, buf, n);
	put(bad + n - 64, 1u << 20, 4, 0);                 /* name past .shstrtab: skipped */
	assert_int_equal(elfinfo_read(bad, n, &e), 0);
	assert_string_equal(e.comment, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_long_comment),
		cmocka_unit_test(test_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
