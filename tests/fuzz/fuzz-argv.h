/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the argv fuzzers: split fuzz input on NUL bytes into a
 * NULL-terminated argv (at most FUZZ_MAX_ARGS words) in one allocation.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_ARGS 256

/* Returns the storage to free; *argv points into it. NULL on no memory. */
static inline char *fuzz_split_argv(const uint8_t *data, size_t size, const char *argv[])
{
	char *store = malloc(size + 1);
	size_t n = 0, start = 0;

	if (!store)
		return NULL;
	memcpy(store, data, size);
	store[size] = 0;
	for (size_t i = 0; i <= size && n < FUZZ_MAX_ARGS - 1; i++)
		if (store[i] == 0) {
			argv[n++] = store + start;
			start = i + 1;
		}
	argv[n] = NULL;
	return store;
}
