/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helper: runs the daemon's argv scanner (jobscan.h) over many argv
 * for the integration tests, which compare its reading with the real
 * compilers'. stdin: records of NUL-terminated words, each record ended by
 * an empty word. stdout: one line per record,
 *   deny <bad index> <reason>
 *   allow <in_ext> <out_ext> <language|-> <kind>:<index>:<offset>,...<TAB><run argv>
 * where <run argv> is the rewritten argv (input "input<in_ext>", output
 * "output<out_ext>") with words separated by 0x1f. Usage: jobscan-cli PROTOVER
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobscan.h"
#include "parse.h"
#include "strv.h"

#define MAX_WORDS 4096

static void print_allowed(const struct jobscan *v)
{
	char in[32], out[32];
	char **run = NULL;

	snprintf(in, sizeof(in), "input%s", v->in_ext);
	snprintf(out, sizeof(out), "output%s", v->out_ext);
	if (jobscan_rewrite(v, in, out, &run) < 0) {
		printf("error rewrite\n");
		return;
	}
	printf("allow %s %s %s ", v->in_ext, v->out_ext, v->language ? v->language : "-");
	for (size_t i = 0; i < v->n_paths; i++)
		printf("%s%s:%u:%u", i ? "," : "", jobscan_path_kind_to_string(v->paths[i].kind),
		       v->paths[i].index, v->paths[i].offset);
	putchar('\t');
	for (size_t i = 0; run[i]; i++)
		printf("%s%s", i ? "\x1f" : "", run[i]);
	putchar('\n');
	strv_free(run);
}

static int scan_one(char **words, unsigned protover)
{
	struct jobscan v = { 0 };
	int r = jobscan_argv((const char *const *)words, protover, &v);

	if (r < 0)
		printf("error %s\n", strerror(-r));
	else if (!v.allowed)
		printf("deny %u %s\n", v.bad_index, v.reason);
	else
		print_allowed(&v);
	jobscan_done(&v);
	return 0;
}

int main(int argc, char **argv)
{
	char *words[MAX_WORDS + 1];
	size_t n = 0, len = 0;
	char *line = NULL;
	unsigned protover;
	ssize_t got;

	if (argc != 2 || parse_uint32(argv[1], 1, 3, &protover) < 0) {
		fprintf(stderr, "usage: jobscan-cli PROTOVER < records\n");
		return 2;
	}
	while ((got = getdelim(&line, &len, 0, stdin)) > 0) {
		if (got == 1) {                 /* the empty word ends a record */
			words[n] = NULL;
			scan_one(words, protover);
			fflush(stdout);
			while (n)
				free(words[--n]);
			continue;
		}
		if (n == MAX_WORDS || !(words[n++] = strdup(line)))
			return 1;
	}
	free(line);
	while (n)
		free(words[--n]);
	return 0;
}
