/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the daemon's argv scanner. Input: one byte of
 * protocol version, then NUL-separated arguments. Besides memory safety it
 * checks: no allowed argv contains a response file after argv[0]; the scan
 * is idempotent (what it allows, it allows again unchanged, with the same
 * facts); every reported path lies inside its argument; the rewrite works.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-argv.h"
#include "jobscan.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_facts(const struct jobscan *v)
{
	char **run = NULL;

	if (v->argc != strv_length(v->argv) || !v->input || v->input >= v->argc)
		abort();
	if (v->output >= v->argc || !v->in_ext || !v->out_ext || !v->n_paths)
		abort();
	for (size_t i = 0; i < v->n_paths; i++)
		if (v->paths[i].index >= v->argc ||
		    v->paths[i].offset > strlen(v->argv[v->paths[i].index]) ||
		    v->paths[i].joined != (v->paths[i].offset > 0))
			abort();
	if (jobscan_rewrite(v, "input.i", "output.o", &run) == 0)
		strv_free(run);
}

static void check_allowed(const struct jobscan *v, unsigned protover)
{
	struct jobscan again = { 0 };
	size_t i;

	/* argv[0] is the compiler (compilerlist.c's business), never parsed */
	for (i = 1; v->argv[i]; i++)
		if (v->argv[i][0] == '@')
			abort();
	check_facts(v);
	if (jobscan_argv((const char *const *)v->argv, protover, &again) < 0)
		return;
	if (!again.allowed || again.n_rewritten || again.argc != v->argc)
		abort();
	for (i = 0; v->argv[i]; i++)
		if (strcmp(v->argv[i], again.argv[i]))
			abort();
	if (again.input != v->input || again.output != v->output ||
	    again.asm_only != v->asm_only || again.language != v->language ||
	    strcmp(again.in_ext, v->in_ext) || again.n_paths != v->n_paths)
		abort();
	jobscan_done(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[FUZZ_MAX_ARGS];
	struct jobscan v = { 0 };
	unsigned protover;
	char *store;

	if (size < 1)
		return 0;
	protover = data[0] % 4;
	store = fuzz_split_argv(data + 1, size - 1, argv);
	if (!store)
		return 0;
	if (jobscan_argv(argv, protover, &v) == 0) {
		if (v.allowed)
			check_allowed(&v, protover);
		else if (!v.reason || !v.arg || v.argv || v.paths)
			abort();
	}
	jobscan_done(&v);
	free(store);
	return 0;
}
