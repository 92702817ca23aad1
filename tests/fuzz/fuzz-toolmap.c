/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the toolchain map parser and its lookups: memory
 * safety, the line number on errors, and every parsed entry usable (plain
 * names, options that start with '-').
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "toolmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *local = NULL;
	const struct toolmap_entry *e;
	struct toolmap m = { 0 };
	const char *why = NULL;
	unsigned line = 0;
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	r = toolmap_parse(text, &m, &line, &why);
	if (r == -EINVAL && (line == 0 || !why))
		abort();
	for (size_t i = 0; r == 0 && i < m.n; i++) {
		if (!*m.entries[i].from || strchr(m.entries[i].to, '/'))
			abort();
		for (size_t k = 0; m.entries[i].args[k]; k++)
			if (m.entries[i].args[k][0] != '-')
				abort();
		if (toolmap_lookup(&m, m.entries[i].from, &e, &local) < 0)
			abort();
		free(local);
		local = NULL;
	}
	toolmap_free(&m);
	free(text);
	return 0;
}
