/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Server-side scan of the argv a distcc client sends (already stripped of
 * preprocessor options by the client). Pure: no I/O, no logging.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jobargs.h"
#include "srcext.h"
#include "macro.h"
#include "strv.h"

static const char *const with_value[] = {
	"-I", "-D", "-U", "-include", "-imacros", "-idirafter", "-iprefix", "-iwithprefix",
	"-iwithprefixbefore", "-isystem", "-isysroot", "-iquote", "-imultilib", "-MF", "-MT",
	"-MQ", "-Xpreprocessor", "-Xassembler", "-Xlinker", "-Xclang", "-L", "-l", "-u",
	"-aux-info", "--param", "-target", "-arch", "-dumpbase", "-dumpdir", "-auxbase",
	"-auxbase-strip", "-G", "-T",
};

static bool takes_value(const char *a)
{
	for (size_t i = 0; i < ELEMENTSOF(with_value); i++)
		if (strcmp(a, with_value[i]) == 0)
			return true;
	return false;
}

int jobargs_scan(char *const argv[], struct job_args *ret)
{
	struct job_args ja = { .input = 0, .output = 0 };
	bool compile = false, have_in = false, have_out = false;

	for (size_t i = 1; argv[i]; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == 0) {
			if (have_in || !(ja.in_ext = srcext_preproc(a, true)))
				return -EINVAL;
			have_in = true;
			ja.input = i;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "-S") == 0) {
			compile = true;
			if (a[1] == 'S')
				ja.out_ext = ".s";
		} else if (strcmp(a, "-E") == 0 || str_has_prefix(a, "-x")) {
			return -EINVAL;
		} else if (str_has_prefix(a, "-o")) {
			if (have_out || (a[2] == 0 && !argv[i + 1]))
				return -EINVAL;
			have_out = true;
			ja.output = i;
			ja.output_joined = a[2] != 0;
			if (!ja.output_joined)
				i++;
		} else if (takes_value(a)) {
			if (!argv[++i])
				return -EINVAL;
		}
	}
	if (!compile || !have_in || !have_out)
		return -EINVAL;
	if (!ja.out_ext)
		ja.out_ext = ".o";
	*ret = ja;
	return 0;
}

int jobargs_rewrite(char *const argv[], const struct job_args *ja, const char *in, const char *out,
		    char ***ret)
{
	char **v = strv_copy(argv);
	char *n;

	if (!v)
		return -ENOMEM;
	n = strdup(in);
	if (!n)
		goto oom;
	free(v[ja->input]);
	v[ja->input] = n;
	if (ja->output_joined) {
		n = malloc(strlen(out) + 3);
		if (!n)
			goto oom;
		strcpy(n, "-o");
		strcat(n, out);
		free(v[ja->output]);
		v[ja->output] = n;
	} else {
		n = strdup(out);
		if (!n)
			goto oom;
		free(v[ja->output + 1]);
		v[ja->output + 1] = n;
	}
	*ret = v;
	return 0;
oom:
	strv_free(v);
	return -ENOMEM;
}
