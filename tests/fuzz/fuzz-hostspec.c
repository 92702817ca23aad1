/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the client's host-list parser (DISTCC_HOSTS and
 * hosts files come from users and shared config): memory safety plus the
 * parser's own contract (a list on success, the bad token on -EINVAL).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *bad = NULL;
	struct hostlist l = { 0 };
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	r = hostspec_parse(text, &l, &bad);
	if (r >= 0) {
		for (size_t i = 0; i < l.n; i++)
			if (!l.hosts[i].spec || l.hosts[i].limit == 0)
				abort();
		hostlist_free(&l);
	}
	free(bad);
	free(text);
	return 0;
}
