/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the daemon's argument policy. Input: one byte of
 * protocol version, then NUL-separated arguments. Besides memory safety it
 * checks two properties: no allowed argv contains a response file after
 * argv[0], and the policy is idempotent (what it allows, it allows again unchanged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argpolicy.h"
#include "fuzz-argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_allowed(char **argv, unsigned protover)
{
	struct argpolicy_verdict again = { 0 };
	size_t i;

	/* argv[0] is the compiler (whitelist.c's business), never parsed */
	for (i = 1; argv[i]; i++)
		if (argv[i][0] == '@')
			abort();
	if (argpolicy_check((const char *const *)argv, protover, &again) < 0)
		return;
	if (!again.allowed || again.n_rewritten)
		abort();
	for (i = 0; argv[i]; i++)
		if (!again.argv[i] || strcmp(argv[i], again.argv[i]))
			abort();
	if (again.argv[i])
		abort();
	argpolicy_verdict_done(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[FUZZ_MAX_ARGS];
	struct argpolicy_verdict v = { 0 };
	unsigned protover;
	char *store;

	if (size < 1)
		return 0;
	protover = data[0] % 4;
	store = fuzz_split_argv(data + 1, size - 1, argv);
	if (!store)
		return 0;
	if (argpolicy_check(argv, protover, &v) == 0) {
		if (v.allowed)
			check_allowed(v.argv, protover);
		else if (!v.reason || !v.arg)
			abort();
	}
	argpolicy_verdict_done(&v);
	free(store);
	return 0;
}
