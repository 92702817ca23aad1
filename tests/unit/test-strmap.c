/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include server's string map: growth past many resizes, replacement,
 * a NULL value as "absent", iteration, the map's own key copies.
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

#include "pump/strmap.h"

static void test_grow_and_find(void **state)
{
	struct strmap m = { 0 };
	char key[32];
	size_t i = 0, seen = 0;
	const char *k;
	void *v;

	(void)state;
	for (uintptr_t n = 1; n <= 5000; n++) {
		snprintf(key, sizeof(key), "/usr/include/%lu.h", (unsigned long)n);
		assert_int_equal(strmap_put(&m, key, (void *)n, NULL), 0);
	}
	assert_int_equal(m.n, 5000);
	for (uintptr_t n = 1; n <= 5000; n++) {
		snprintf(key, sizeof(key), "/usr/include/%lu.h", (unsigned long)n);
		assert_ptr_equal(strmap_get(&m, key), (void *)n);
		assert_true(strmap_contains(&m, key));
		assert_string_equal(strmap_key(&m, key), key);
		assert_ptr_not_equal(strmap_key(&m, key), key);
	}
	assert_null(strmap_get(&m, "/usr/include/0.h"));
	assert_false(strmap_contains(&m, ""));
	assert_null(strmap_key(&m, "nope"));
	while (strmap_next(&m, &i, &k, &v)) {
		assert_ptr_equal(strmap_get(&m, k), v);
		seen++;
	}
	assert_int_equal(seen, 5000);
	strmap_clear(&m, NULL);
	assert_int_equal(m.n, 0);
	assert_null(strmap_get(&m, "/usr/include/1.h"));
}

static void test_replace(void **state)
{
	struct strmap m = { 0 };
	void *old = (void *)1;

	(void)state;
	assert_int_equal(strmap_put(&m, "a", (void *)7, &old), 0);
	assert_null(old);
	assert_int_equal(strmap_put(&m, "a", (void *)8, &old), 0);
	assert_ptr_equal(old, (void *)7);
	assert_ptr_equal(strmap_get(&m, "a"), (void *)8);
	/* NULL values: present as keys, absent as values (listings use this) */
	assert_int_equal(strmap_put(&m, "a", NULL, NULL), 0);
	assert_true(strmap_contains(&m, "a"));
	assert_null(strmap_get(&m, "a"));
	assert_int_equal(m.n, 1);
	strmap_clear(&m, NULL);
}

static int freed;

static void count_free(void *p)
{
	freed += p != NULL;
	free(p);
}

static void test_clear_frees_values(void **state)
{
	struct strmap m = { 0 };

	(void)state;
	assert_int_equal(strmap_put(&m, "x", strdup("1"), NULL), 0);
	assert_int_equal(strmap_put(&m, "y", strdup("2"), NULL), 0);
	assert_int_equal(strmap_put(&m, "z", NULL, NULL), 0);
	strmap_clear(&m, count_free);
	assert_int_equal(freed, 2);
	strmap_clear(&m, count_free);      /* an empty map is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow_and_find),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_clear_frees_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
