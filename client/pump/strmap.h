/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A string-keyed hash map (open addressing, linear probing) for the include
 * server's caches. Keys are copied; values are the caller's pointers.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strmap_slot {
	char *key;
	void *value;
	size_t hash;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, n;
};

/* The value stored under @key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
bool strmap_contains(const struct strmap *m, const char *key);
/* The map's own copy of @key (stable until the map is cleared), or NULL. */
const char *strmap_key(const struct strmap *m, const char *key);
/* Store @value under @key (replacing; the old value is returned through
 * @ret_old when not NULL). -ENOMEM. */
int strmap_put(struct strmap *m, const char *key, void *value, void **ret_old);
/* Iterate: *i starts at 0; returns false at the end. */
bool strmap_next(const struct strmap *m, size_t *i, const char **ret_key, void **ret_value);
/* Drop every entry, calling @free_value (may be NULL) on each value. */
void strmap_clear(struct strmap *m, void (*free_value)(void *));
