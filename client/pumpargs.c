/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pump-mode argv and .d location (see pumpargs.h). The local preprocessor
 * command argscan builds already names the .d file and target a local -MD
 * build writes; pump mode takes them from there, so both modes agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "pumpargs.h"

const char *pumpargs_blocker(const struct client_config *cfg, const struct argscan_job *scan)
{
	if (!cfg->include_server_port)
		return "no include server (INCLUDE_SERVER_PORT is not set; run the build under pump)";
	if (scan->preprocessed)
		return "the input is already preprocessed";
	if (cfg->cpath_var)
		return "CPATH, C_INCLUDE_PATH, CPLUS_INCLUDE_PATH or OBJC_INCLUDE_PATH is set";
	if (cfg->deps_env_var)
		return "DEPENDENCIES_OUTPUT or SUNPRO_DEPENDENCIES is set";
	return NULL;
}

/* The value of the last @opt in @argv (separate or joined), or NULL. */
static const char *last_value(char *const *argv, const char *opt)
{
	const char *v = NULL;
	size_t n = strlen(opt);

	for (size_t i = 1; argv[i]; i++) {
		if (strcmp(argv[i], opt) == 0 && argv[i + 1])
			v = argv[++i];
		else if (strncmp(argv[i], opt, n) == 0 && argv[i][n])
			v = argv[i] + n;
	}
	return v;
}

static bool wants_deps(char *const *argv)
{
	for (size_t i = 1; argv[i]; i++)
		if (strcmp(argv[i], "-MD") == 0 || strcmp(argv[i], "-MMD") == 0)
			return true;
	return false;
}

/* gcc's own target for -Wp,-MD: the input's basename with .o. */
static char *input_target(const char *input)
{
	const char *b = strrchr(input, '/') ? strrchr(input, '/') + 1 : input;
	const char *dot = strrchr(b, '.');
	size_t n = dot ? (size_t)(dot - b) : strlen(b);
	char *t = malloc(n + 3);

	if (t) {
		memcpy(t, b, n);
		memcpy(t + n, ".o", 3);
	}
	return t;
}

static int add_target(const struct argscan_job *scan, char ***argv)
{
	_cleanup_free_ char *own = NULL;
	const char *t;
	int r;

	if (last_value(scan->argv, "-MT") || last_value(scan->argv, "-MQ"))
		return 0;
	/* argscan appended "-MQ <target>" to the local preprocessor command
	 * unless gcc derives the right one itself (-Wp,-MD with gcc) */
	t = scan->cpp_argv ? last_value(scan->cpp_argv, "-MQ") : NULL;
	if (!t) {
		t = own = input_target(scan->input);
		if (!own)
			return -ENOMEM;
	}
	r = strv_push(argv, "-MT");
	return r < 0 ? r : strv_push(argv, t);
}

int pumpargs_build(const struct argscan_job *scan, struct pump_args *ret)
{
	struct pump_args a = { .argv = strv_copy(scan->argv) };
	const char *dotd;
	int r = a.argv ? 0 : -ENOMEM;

	if (r >= 0 && wants_deps(scan->argv)) {
		dotd = scan->cpp_argv ? last_value(scan->cpp_argv, "-MF") : NULL;
		if (!dotd)
			dotd = last_value(scan->argv, "-MF");
		r = dotd && !(a.dotd = strdup(dotd)) ? -ENOMEM : 0;
		if (r >= 0 && a.dotd)
			r = add_target(scan, &a.argv);
	}
	if (r < 0) {
		pumpargs_free(&a);
		return r;
	}
	*ret = a;
	return 0;
}

void pumpargs_free(struct pump_args *a)
{
	strv_free(a->argv);
	free(a->dotd);
	*a = (struct pump_args){};
}
