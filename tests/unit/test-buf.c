/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct buf and struct cursor against the invariants buf.h states: never
 * past max (also for SIZE_MAX requests), data[len] == 0 after every call,
 * failed calls change nothing, cap <= max + 1; cursor bounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void check_invariants(const struct buf *b)
{
	assert_true(b->len <= b->max);
	assert_true((b->data == NULL) == (b->cap == 0));
	if (b->data) {
		assert_true(b->len < b->cap);
		assert_true(b->max == SIZE_MAX || b->cap <= b->max + 1);
		assert_int_equal(b->data[b->len], 0);
	}
}

static void test_init_allocates_nothing(void **state)
{
	struct buf b = BUF_INIT(10);

	(void)state;
	check_invariants(&b);
	assert_null(b.data);
	buf_reset(&b);
	buf_free(&b);
	check_invariants(&b);
}

static void test_append_up_to_max(void **state)
{
	struct buf b = BUF_INIT(1000);
	char chunk[7] = "abcdefg";

	(void)state;
	for (size_t i = 0; i < 142; i++) {
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
		check_invariants(&b);
	}
	assert_int_equal(b.len, 994);
	assert_int_equal(buf_append(&b, chunk, 6), 0);    /* exactly max */
	assert_int_equal(b.len, 1000);
	check_invariants(&b);
	assert_int_equal(buf_append(&b, "x", 1), -E2BIG);  /* one past */
	assert_int_equal(b.len, 1000);
	assert_memory_equal(b.data + 994, "abcdef", 6);
	check_invariants(&b);
	buf_free(&b);
}

static void test_huge_requests_fail_cleanly(void **state)
{
	struct buf b = BUF_INIT(64);
	struct buf big = BUF_INIT(SIZE_MAX);

	(void)state;
	assert_int_equal(buf_append_str(&b, "hello"), 0);
	assert_int_equal(buf_reserve(&b, SIZE_MAX), -E2BIG);
	assert_int_equal(buf_reserve(&b, SIZE_MAX - 2), -E2BIG);
	assert_int_equal(buf_reserve(&b, 60), -E2BIG);     /* 5 + 60 > 64 */
	assert_int_equal(buf_reserve(&b, 59), 0);
	assert_string_equal((char *)b.data, "hello");
	check_invariants(&b);
	/* no cap at all: an impossible size is -ENOMEM or -E2BIG, never a wrap */
	assert_int_equal(buf_append_str(&big, "x"), 0);
	assert_true(buf_reserve(&big, SIZE_MAX) < 0);
	assert_true(buf_reserve(&big, SIZE_MAX - 1) < 0);
	assert_int_equal(big.len, 1);
	check_invariants(&big);
	buf_free(&b);
	buf_free(&big);
}

static void test_printf(void **state)
{
	struct buf b = BUF_INIT(16);

	(void)state;
	assert_int_equal(buf_printf(&b, "%s=%d", "n", 42), 0);
	assert_string_equal((char *)b.data, "n=42");
	assert_int_equal(b.len, 4);
	assert_int_equal(buf_printf(&b, "%s", "0123456789ab"), 0);   /* exactly 16 */
	assert_int_equal(b.len, 16);
	assert_int_equal(buf_printf(&b, "%c", 'z'), -E2BIG);
	assert_int_equal(b.len, 16);
	assert_string_equal((char *)b.data, "n=420123456789ab");
	check_invariants(&b);
	buf_free(&b);
}

static void test_binary_and_reset(void **state)
{
	struct buf b = BUF_INIT(100);
	size_t cap;

	(void)state;
	assert_int_equal(buf_append(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);        /* memory kept for reuse */
	check_invariants(&b);
	assert_int_equal(buf_append(&b, NULL, 0), 0);
	check_invariants(&b);
	buf_free(&b);
	assert_int_equal(b.max, 100);        /* reusable with the same cap */
	assert_int_equal(buf_append_str(&b, "again"), 0);
	check_invariants(&b);
	buf_free(&b);
}

static void test_reserve_then_direct_write(void **state)
{
	struct buf b = BUF_INIT(32);

	(void)state;
	assert_int_equal(buf_reserve(&b, 8), 0);
	check_invariants(&b);                /* a fresh allocation is terminated too */
	assert_true(b.cap > b.len + 8);
	memcpy(b.data + b.len, "12345678", 8);
	b.len += 8;
	assert_int_equal(buf_terminate(&b), 0);
	check_invariants(&b);
	assert_string_equal((char *)b.data, "12345678");
	buf_free(&b);
}

static void test_steal(void **state)
{
	struct buf b = BUF_INIT(8);
	char *s;

	(void)state;
	s = buf_steal(&b);                   /* empty: still a string */
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	check_invariants(&b);
	assert_int_equal(buf_append_str(&b, "abc"), 0);
	s = buf_steal(&b);
	assert_string_equal(s, "abc");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	check_invariants(&b);
	free(s);
}

static void test_cursor(void **state)
{
	static const char data[] = "0123456789";
	struct cursor c = CURSOR(data, 10);
	const uint8_t *p = NULL;

	(void)state;
	assert_int_equal(cursor_take(&c, 4, &p), 0);
	assert_ptr_equal(p, data);
	assert_int_equal(cursor_left(&c), 6);
	assert_int_equal(cursor_take(&c, 7, &p), -EBADMSG);
	assert_int_equal(cursor_take(&c, SIZE_MAX, &p), -EBADMSG);
	assert_int_equal(c.pos, 4);          /* a failed take moves nothing */
	assert_ptr_equal(p, data);
	assert_int_equal(cursor_take(&c, 6, &p), 0);
	assert_ptr_equal(p, data + 4);
	assert_int_equal(cursor_left(&c), 0);
	assert_int_equal(cursor_take(&c, 0, &p), 0);
	assert_int_equal(cursor_take(&c, 1, &p), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_allocates_nothing),
		cmocka_unit_test(test_append_up_to_max),
		cmocka_unit_test(test_huge_requests_fail_cleanly),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_binary_and_reset),
		cmocka_unit_test(test_reserve_then_direct_write),
		cmocka_unit_test(test_steal),
		cmocka_unit_test(test_cursor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
