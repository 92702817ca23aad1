/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Builds a pump job's argv. The dependency options follow distcc 3.4's
 * server: -MMD when the client asked for no .d (so DOTD always has one),
 * -MF into the job directory, and a target when the client named none
 * (-MQ <its -o>, which is what gcc would have used locally).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "pumpargv.h"

static const char *const prefix_maps[] = {
	"-ffile-prefix-map=", "-fdebug-prefix-map=", "-fmacro-prefix-map=",
};

/* argv[i] with @root inserted at @offset. */
static int reroot(char **v, unsigned i, unsigned offset, const char *root)
{
	char *n = NULL;

	if (asprintf(&n, "%.*s%s%s", (int)offset, v[i], root, v[i] + offset) < 0)
		return -ENOMEM;
	free(v[i]);
	v[i] = n;
	return 0;
}

static int move_paths(char **v, size_t argc, const struct pumpargv_spec *sp)
{
	for (size_t k = 0; k < sp->n_paths; k++) {
		const struct pumpargv_path *p = &sp->paths[k];
		int r;

		if (p->index == 0 || p->index >= argc || p->offset > strlen(v[p->index]))
			return -EINVAL;
		if (p->under_prefix || v[p->index][p->offset] != '/')
			continue;     /* relative: resolves from <root><CDIR> as on the client */
		r = reroot(v, p->index, p->offset, sp->root);
		if (r < 0)
			return r;
	}
	/* a client's own map of an absolute directory must match it in the root */
	for (size_t i = 1; i < argc; i++)
		for (size_t m = 0; m < ELEMENTSOF(prefix_maps); m++) {
			size_t o = strlen(prefix_maps[m]);
			int r;

			if (!str_has_prefix(v[i], prefix_maps[m]) || v[i][o] != '/')
				continue;
			r = reroot(v, (unsigned)i, (unsigned)o, sp->root);
			if (r < 0)
				return r;
		}
	return 0;
}

/* The -o value the client sent, or what gcc would have named the output. */
static char *client_output(char *const argv[], const struct pumpargv_spec *sp)
{
	const char *in, *dot;
	char *n = NULL;

	if (sp->output_index)
		return strdup(sp->output_joined ? argv[sp->output_index] + 2
						 : argv[sp->output_index + 1]);
	in = str_basename(argv[sp->input]);
	dot = strrchr(in, '.');
	if (asprintf(&n, "%.*s%s", (int)(dot ? dot - in : (int)strlen(in)), in, sp->out_ext) < 0)
		return NULL;
	return n;
}

static int replace_output(char **v, const struct pumpargv_spec *sp)
{
	unsigned i = sp->output_index + (sp->output_joined ? 0 : 1);
	char *n = NULL;

	if (sp->output_joined ? asprintf(&n, "-o%s", sp->output) < 0 : !(n = strdup(sp->output)))
		return -ENOMEM;
	free(v[i]);
	v[i] = n;
	return 0;
}

/* <argv[0]> -ffile-prefix-map=<root>= <argv[1..]> [-o OUT] [-MMD] [-MQ T] -MF DEPS */
static int assemble(char **c, const struct pumpargv_spec *sp, const char *target, char ***ret)
{
	_cleanup_(strv_freep) char **v = NULL;
	_cleanup_free_ char *map = NULL;
	int r;

	if (asprintf(&map, "-ffile-prefix-map=%s=", sp->root) < 0)
		return -ENOMEM;
	r = strv_push(&v, c[0]);
	if (r >= 0)
		r = strv_push(&v, map);
	for (size_t i = 1; r >= 0 && c[i]; i++)
		r = strv_push(&v, c[i]);
	if (r >= 0 && !sp->output_index && (r = strv_push(&v, "-o")) >= 0)
		r = strv_push(&v, sp->output);
	if (r >= 0 && !sp->md && !sp->mmd)
		r = strv_push(&v, "-MMD");
	if (r >= 0 && sp->n_targets == 0 && (r = strv_push(&v, "-MQ")) >= 0)
		r = strv_push(&v, target);
	if (r >= 0 && (r = strv_push(&v, "-MF")) >= 0)
		r = strv_push(&v, sp->deps);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(v);
	return 0;
}

int pumpargv_build(char *const argv[], const struct pumpargv_spec *sp, char ***ret)
{
	_cleanup_(strv_freep) char **c = NULL;
	_cleanup_free_ char *target = NULL;
	size_t argc = strv_length(argv);
	int r;

	if (argc == 0 || sp->input == 0 || sp->input >= argc ||
	    (sp->output_index && sp->output_index + !sp->output_joined >= argc))
		return -EINVAL;
	target = client_output(argv, sp);
	c = strv_copy(argv);
	if (!target || !c)
		return -ENOMEM;
	r = move_paths(c, argc, sp);
	if (r >= 0 && sp->output_index)
		r = replace_output(c, sp);
	return r < 0 ? r : assemble(c, sp, target, ret);
}
