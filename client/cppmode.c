/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Choosing and applying the plain-mode preprocessing mode (cppmode.h).
 * Pure: argv in, argv out; no I/O, no environment, no logging.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cppmode.h"
#include "macro.h"
#include "strv.h"

/* Options after which -E -fdirectives-only would not write what the
 * server's -fpreprocessed -fdirectives-only compile expects. */
static const char *const KEEP_FULL[] = {
	"-C", "-CC", "-traditional", "-traditional-cpp", "-fpreprocessed", "-fdirectives-only",
	"-fno-directives-only", "-dD", "-dM", "-dN", "-dI", "-dU", "-g3", "-ggdb3",
	NULL,
};

/* "gcc", "g++", "x86_64-linux-gnu-gcc-12", "g++-12": the name without a
 * "-<version>" suffix is gcc or g++ or ends in "-gcc"/"-g++". */
static bool is_gcc(const char *compiler)
{
	const char *base = str_basename(compiler);
	size_t n = strlen(base);

	while (n > 0 && (isdigit((unsigned char)base[n - 1]) || base[n - 1] == '.'))
		n--;
	if (n > 0 && n < strlen(base) && base[n - 1] == '-')
		n--;
	else
		n = strlen(base);
	for (const char *const *w = (const char *const[]){ "gcc", "g++", NULL }; *w; w++) {
		size_t k = strlen(*w);

		if (n == k && strncmp(base, *w, k) == 0)
			return true;
		if (n > k && base[n - k - 1] == '-' && strncmp(base + n - k, *w, k) == 0)
			return true;
	}
	return false;
}

static const char *keep_full_option(char *const *argv)
{
	for (size_t i = 1; argv[i]; i++) {
		for (const char *const *k = KEEP_FULL; *k; k++)
			if (strcmp(argv[i], *k) == 0)
				return *k;
		if (str_has_prefix(argv[i], "-Wp,") || str_has_prefix(argv[i], "-Xpreprocessor"))
			return argv[i];
		/* gcc: "-fdirectives-only is incompatible with -Wunused-macros" */
		if (strcmp(argv[i], "-Wunused-macros") == 0 ||
		    strcmp(argv[i], "-Werror=unused-macros") == 0)
			return argv[i];
	}
	return NULL;
}

enum cppmode cppmode_choose(const struct argscan_job *job, bool wanted, const char **ret_why)
{
	const char *why = NULL;

	if (!wanted)
		why = "directives-only preprocessing is off (DISTCC_DIRECTIVES_ONLY=0)";
	else if (job->preprocessed || !job->cpp_argv || !job->server_argv)
		why = "nothing to preprocess";
	else if (!is_gcc(job->argv[0]))
		why = "not a gcc compiler";
	else if (keep_full_option(job->argv))
		why = "an option changes what the preprocessor writes";
	if (why) {
		*ret_why = why;
		return CPPMODE_FULL;
	}
	*ret_why = NULL;
	return CPPMODE_DIRECTIVES_ONLY;
}

int cppmode_apply(enum cppmode mode, struct argscan_job *job)
{
	_cleanup_(strv_freep) char **cpp = NULL, **server = NULL;

	if (mode == CPPMODE_FULL)
		return 0;
	cpp = strv_copy(job->cpp_argv);
	server = strv_copy(job->server_argv);
	if (!cpp || !server || strv_push(&cpp, "-fdirectives-only") < 0 ||
	    strv_push(&server, "-fpreprocessed") < 0 || strv_push(&server, "-fdirectives-only") < 0)
		return -ENOMEM;
	strv_free(job->cpp_argv);
	strv_free(job->server_argv);
	job->cpp_argv = TAKE_PTR(cpp);
	job->server_argv = TAKE_PTR(server);
	return 0;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Length of the comment or literal starting at @p (0: none). An unclosed
 * one runs to the end. */
static size_t skip_len(const char *p, const char *end)
{
	const char *q;

	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		q = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);
		return q ? (size_t)(q + 2 - p) : (size_t)(end - p);
	}
	if (p + 1 < end && p[0] == '/' && p[1] == '/') {
		q = memchr(p, '\n', (size_t)(end - p));
		return q ? (size_t)(q - p) : (size_t)(end - p);
	}
	if (*p == '"' || *p == '\'') {
		for (q = p + 1; q < end && *q != *p && *q != '\n'; q++)
			if (*q == '\\' && q + 1 < end)
				q++;
		return (size_t)((q < end ? q + 1 : end) - p);
	}
	return 0;
}

/* Whether identifier @name appears in @text outside comments and string
 * or character literals. */
static bool names_identifier(const char *text, size_t n, const char *name)
{
	const char *p = text, *end = text + n;
	size_t len = strlen(name);

	if (!memmem(text, n, name, len))
		return false; /* the common case: one fast pass */
	while (p < end) {
		size_t skip = skip_len(p, end);

		if (skip) {
			p += skip;
		} else if (ident_char(*p)) {
			const char *start = p;

			while (p < end && ident_char(*p))
				p++;
			if ((size_t)(p - start) == len && memcmp(start, name, len) == 0)
				return true;
		} else {
			p++;
		}
	}
	return false;
}

bool cppmode_output_is_local(const void *text, size_t n)
{
	static const char *const names[] = {
		"__BASE_FILE__", "__TIMESTAMP__", "__DATE__", "__TIME__",
	};

	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (names_identifier(text, n, names[i]))
			return true;
	return false;
}
