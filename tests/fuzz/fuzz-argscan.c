/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the client's distribute-or-local classifier over
 * NUL-separated argv: every command line gets a verdict (or -ENOMEM) and a
 * reason when it stays local.
 */
#include <stdlib.h>

#include "argscan.h"
#include "fuzz-argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[FUZZ_MAX_ARGS];
	struct argscan_job job = { 0 };
	enum argscan_verdict v;
	char *store = fuzz_split_argv(data, size, argv);

	if (!store)
		return 0;
	if (argv[0] && argscan_classify(argv, &job, &v) == 0) {
		if (v != ARGSCAN_REMOTE && !job.reason)
			abort();
		argscan_job_free(&job);
	}
	free(store);
	return 0;
}
