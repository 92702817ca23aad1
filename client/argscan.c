/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Distribute-or-local decision for one compiler command line (distcc 3.4's
 * rules, DISTCC-REFERENCE 3.2, with UPSTREAM-BUGS C3-C6 fixed) and the
 * argument vectors derived from it: the local preprocessor command and the
 * stripped argv for the server (3.3). Pure: no I/O, no environment, no logs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "argscan.h"
#include "macro.h"
#include "srcext.h"
#include "strv.h"

struct scan {
	char **argv;           /* expanded */
	ssize_t input, output; /* index of the input / of the -o value (-1) */
	bool output_joined;    /* -oFILE */
	bool seen_c, seen_S;
	bool deps;             /* -MD/-MMD seen */
	bool wp_deps;          /* ... as -Wp,-MD,file: gcc's default target then */
	bool has_mf, has_mt;
	bool output_defaulted; /* no -o: gcc's dependency target is then <base>.o */
	const char *lang;      /* last -x value, or NULL */
};

/* Options whose value is the next argv element (so it is never read as a
 * source file, an option, or stripped on its own). */
static const char *const SEPARATE_ARG[] = {
	"-o", "-x", "-MF", "-MT", "-MQ", "-I", "-D", "-U", "-L", "-l", "-include", "-imacros",
	"-iprefix", "-iwithprefix", "-iwithprefixbefore", "-isystem", "-idirafter", "-iquote",
	"-isysroot", "-imultilib", "-iwithsysroot", "-iframework", "-include-pch", "-Xclang",
	"-Xpreprocessor", "-Xassembler", "-Xlinker", "-aux-info", "-u", "-T", "-z", "--param",
	"-target", "-arch", "--sysroot", NULL,
};

/* Their value is opaque: never interpreted by any of our scanners (C4). */
static const char *const OPAQUE_NEXT[] = {
	"-Xclang", "-Xpreprocessor", "-Xassembler", "-Xlinker", NULL,
};

/* Stripped for the server, with their separate value (3.3, plus -iquote: C3). */
static const char *const STRIP_WITH_ARG[] = {
	"-D", "-I", "-U", "-L", "-l", "-MF", "-MT", "-MQ", "-include", "-imacros", "-iprefix",
	"-iwithprefix", "-isystem", "-iwithprefixbefore", "-idirafter", "-iquote",
	"-Xpreprocessor", NULL,
};
static const char *const STRIP_PREFIX[] = {
	"-Wp,", "-Wl,", "-D", "-U", "-I", "-l", "-L", "-MF", "-MT", "-MQ", "-isystem", "-stdlib",
	"-iquote", NULL,
};
static const char *const STRIP_ALONE[] = {
	"-undef", "-nostdinc", "-nostdinc++", "-MD", "-MMD", "-MG", "-MP", NULL,
};

static const char *const LOCAL_EXACT[] = {
	"-march=native", "-mtune=native", "-mcpu=native", "-fprofile-arcs", "-ftest-coverage",
	"--coverage", "-fprofile-correction", "-frepo", NULL,
};
static const char *const LOCAL_PREFIX[] = {
	"-fprofile-generate", "-fprofile-use", "-fauto-profile", "-specs=", "--specs=",
	"-fplugin=", "-dr", "@", NULL,
};

static const char *const LANGS[] = { "c", "c++", "objective-c", "objective-c++", NULL };

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

static bool has_prefix_in(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (str_has_prefix(s, *l))
			return true;
	return false;
}

/* How many argv elements the option at @i covers (1, or 2 with its value). */
static size_t arg_span(char *const *argv, size_t i)
{
	return in_list(SEPARATE_ARG, argv[i]) && argv[i + 1] ? 2 : 1;
}

/* -Wp,-MD,file and -Wp,-MMD,file become -MD|-MMD -MF file. */
static int expand_wp(const char *const *in, struct scan *s)
{
	char **v = NULL;
	int r = 0;

	for (size_t i = 0; in[i] && r >= 0; i++) {
		const char *a = in[i];
		const char *f = NULL;

		if (str_has_prefix(a, "-Wp,-MD,"))
			f = a + 8;
		else if (str_has_prefix(a, "-Wp,-MMD,"))
			f = a + 9;
		if (f && *f && !strchr(f, ',') && i > 0) {
			s->wp_deps = true;
			r = strv_push(&v, a[6] == 'D' ? "-MD" : "-MMD");
			if (r >= 0)
				r = strv_push(&v, "-MF");
			if (r >= 0)
				r = strv_push(&v, f);
		} else
			r = strv_push(&v, a);
	}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	s->argv = v;
	return 0;
}

/* An option that forces a local run, or NULL. */
static const char *local_option(const char *a, enum argscan_verdict *v)
{
	*v = ARGSCAN_LOCAL;
	if (strcmp(a, "-E") == 0) {
		*v = ARGSCAN_LOCAL_CPP;
		return "-E: preprocessing only";
	}
	/* the reply has no slot for the .dwo: it would stay on the server */
	if (str_has_prefix(a, "-gsplit-dwarf"))
		return "-gsplit-dwarf: the .dwo file cannot come back";
	if (in_list(LOCAL_EXACT, a) || has_prefix_in(LOCAL_PREFIX, a))
		return a[0] == '@' ? "response file: arguments not visible"
				   : "option must run locally (native CPU, profiling, plugins)";
	if (str_has_prefix(a, "-Wa,") && (strstr(a, ",-a") || strstr(a, "--MD")))
		return "assembler listing requested";
	return NULL;
}

/* -M family: the dependency options combine with compiling, the rest
 * (-M, -MM, ...) mean preprocess only. */
static const char *scan_m_option(struct scan *s, const char *a)
{
	if (strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0)
		s->deps = true;
	else if (str_has_prefix(a, "-MF"))
		s->has_mf = true;
	else if (str_has_prefix(a, "-MT") || str_has_prefix(a, "-MQ"))
		s->has_mt = true;
	else if (strcmp(a, "-MG") != 0 && strcmp(a, "-MP") != 0)
		return "-M option: dependency output only";
	return NULL;
}

static const char *scan_output(struct scan *s, size_t i)
{
	const char *a = s->argv[i];
	const char *o = a[2] ? a + 2 : s->argv[i + 1];

	if (!o)
		return "-o without a file name";
	if (s->output >= 0)
		return "two output files: linking?";
	if (strcmp(o, "-") == 0)
		return "output to stdout";
	s->output = a[2] ? (ssize_t)i : (ssize_t)i + 1;
	s->output_joined = a[2] != 0;
	return NULL;
}

static const char *scan_lang(struct scan *s, size_t i)
{
	const char *a = s->argv[i];
	const char *l = a[2] ? a + 2 : s->argv[i + 1];

	if (!l)
		return "-x without a language";
	if (!in_list(LANGS, l))
		return "-x language is not distributed";
	s->lang = l;
	return NULL;
}

static const char *scan_operand(struct scan *s, size_t i)
{
	const char *a = s->argv[i];
	const char *e = srcext_of(a);

	if (srcext_preproc(a, false)) {
		if (s->input >= 0)
			return "two input files";
		s->input = (ssize_t)i;
	} else if (e && (strcmp(e, "s") == 0 || strcmp(e, "S") == 0 || strcmp(e, "sx") == 0))
		return "assembler input is compiled locally";
	else if (e && strcmp(e, "o") == 0)
		return "object file on the command line: linking?";
	return NULL;
}

static const char *scan_one(struct scan *s, size_t i, enum argscan_verdict *v)
{
	const char *a = s->argv[i];
	const char *why;

	if (a[0] != '-' || a[1] == 0)
		return scan_operand(s, i);
	if (in_list(OPAQUE_NEXT, a))
		return NULL;
	why = local_option(a, v);
	if (why)
		return why;
	*v = ARGSCAN_LOCAL;
	if (strcmp(a, "-c") == 0)
		s->seen_c = true;
	else if (strcmp(a, "-S") == 0)
		s->seen_S = true;
	else if (a[1] == 'o')
		return scan_output(s, i);
	else if (a[1] == 'x')
		return scan_lang(s, i);
	else if (a[1] == 'M')
		return scan_m_option(s, a);
	return NULL;
}

/* Left to right, first reason wins; then the whole-command checks. */
static enum argscan_verdict scan(struct scan *s, const char **why)
{
	enum argscan_verdict v = ARGSCAN_LOCAL;
	const char *in;

	for (size_t i = 1; s->argv[i]; i += arg_span(s->argv, i)) {
		*why = scan_one(s, i, &v);
		if (*why)
			return v;
	}
	if (!s->seen_c && !s->seen_S)
		*why = "no -c or -S: linking or preprocessing only";
	else if (s->input < 0)
		*why = "no source file";
	else {
		in = str_basename(s->argv[s->input]);
		if (str_has_prefix(in, "conftest.") || str_has_prefix(in, "tmp.conftest."))
			*why = "autoconf test";
	}
	return *why ? ARGSCAN_LOCAL : ARGSCAN_REMOTE;
}

/* gcc's name for a missing -o: the input's basename, suffix .o (or .s). */
static char *default_output(const char *input, bool S)
{
	const char *b = str_basename(input);
	const char *dot = strrchr(b, '.');
	size_t n = dot ? (size_t)(dot - b) : strlen(b);
	char *o = malloc(n + 3);

	if (o) {
		memcpy(o, b, n);
		memcpy(o + n, S ? ".s" : ".o", 3);
	}
	return o;
}

/* gcc's -MD file for an output: its suffix replaced by .d. */
static char *deps_name(const char *output)
{
	const char *dot = strrchr(str_basename(output), '.');
	size_t n = dot ? (size_t)(dot - output) : strlen(output);
	char *d = malloc(n + 3);

	if (d) {
		memcpy(d, output, n);
		memcpy(d + n, ".d", 3);
	}
	return d;
}

static int push2(char ***v, const char *a, const char *b)
{
	int r = strv_push(v, a);

	return r < 0 ? r : strv_push(v, b);
}

/* The clang driver turns -Wp,-MD,file into its own -MD handling, whose
 * target is the -o value; gcc hands it to cc1, whose target is <base>.o. */
static bool is_clang(const char *compiler)
{
	return strstr(str_basename(compiler), "clang") != NULL;
}

/* argv minus -o, -c/-S -> -E, and for driver-level -MD/-MMD the -MF/-MQ gcc
 * would have derived from -o (the driver appends "-o <tmp>" itself): the -o
 * value, or <base>.o when there was none (also for -S). */
static int build_cpp_argv(const struct scan *s, const char *output, char ***ret)
{
	_cleanup_free_ char *dotd = NULL, *target = NULL;
	char **v = NULL;
	bool e = false;
	int r = 0;

	for (size_t i = 0; s->argv[i] && r >= 0; i += arg_span(s->argv, i)) {
		const char *a = s->argv[i];
		size_t span = arg_span(s->argv, i);

		if (s->output_joined ? (ssize_t)i == s->output
				     : span == 2 && (ssize_t)i + 1 == s->output)
			continue;
		if (i > 0 && (strcmp(a, "-c") == 0 || strcmp(a, "-S") == 0)) {
			if (!e)
				r = strv_push(&v, "-E");
			e = true;
		} else
			r = span == 2 ? push2(&v, a, s->argv[i + 1]) : strv_push(&v, a);
	}
	if (r >= 0 && s->deps && !s->has_mf) {
		dotd = deps_name(output);
		r = dotd ? push2(&v, "-MF", dotd) : -ENOMEM;
	}
	if (r >= 0 && s->deps && !s->has_mt && (!s->wp_deps || is_clang(s->argv[0]))) {
		target = s->output_defaulted ? default_output(s->argv[s->input], false) : NULL;
		r = s->output_defaulted && !target ? -ENOMEM
						   : push2(&v, "-MQ", target ? target : output);
	}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static bool strip_for_server(const char *a, size_t span)
{
	if (span == 2)
		return in_list(STRIP_WITH_ARG, a);
	return in_list(STRIP_ALONE, a) || has_prefix_in(STRIP_PREFIX, a);
}

static int build_server_argv(const struct scan *s, char ***ret)
{
	char **v = NULL;
	int r = 0;

	for (size_t i = 0; s->argv[i] && r >= 0; i += arg_span(s->argv, i)) {
		const char *a = s->argv[i];
		size_t span = arg_span(s->argv, i);

		if (i > 0 && strip_for_server(a, span))
			continue;
		r = span == 2 ? push2(&v, a, s->argv[i + 1]) : strv_push(&v, a);
	}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static const char *lang_ext(const char *lang)
{
	if (strcmp(lang, "c") == 0)
		return ".i";
	if (strcmp(lang, "c++") == 0)
		return ".ii";
	return strcmp(lang, "objective-c") == 0 ? ".mi" : ".mii";
}

/* REMOTE: default the output, then derive the two vectors. */
static int fill_remote(struct scan *s, struct argscan_job *j)
{
	const char *input = s->argv[s->input];
	int r;

	j->output = s->output >= 0 ? strdup(s->argv[s->output] + (s->output_joined ? 2 : 0))
				   : default_output(input, s->seen_S);
	if (!j->output)
		return -ENOMEM;
	if (s->output < 0) {
		s->output_defaulted = true;
		r = push2(&s->argv, "-o", j->output);
		if (r < 0)
			return r;
		s->output = (ssize_t)strv_length(s->argv) - 1;
	}
	j->preprocessed = srcext_is_preprocessed(input);
	j->cpp_ext = j->preprocessed || !s->lang ? srcext_preproc(input, false) : lang_ext(s->lang);
	r = build_cpp_argv(s, j->output, &j->cpp_argv);
	if (r >= 0)
		r = build_server_argv(s, &j->server_argv);
	return r;
}

int argscan_classify(const char *const argv[], struct argscan_job *ret_job,
		     enum argscan_verdict *ret_v)
{
	struct argscan_job j = {};
	struct scan s = { .input = -1, .output = -1 };
	enum argscan_verdict v;
	int r;

	if (!argv || !argv[0])
		return -EINVAL;
	r = expand_wp(argv, &s);
	if (r < 0)
		return r;
	v = scan(&s, &j.reason);
	if (s.input >= 0 && !(j.input = strdup(s.argv[s.input])))
		r = -ENOMEM;
	if (r >= 0 && v == ARGSCAN_REMOTE)
		r = fill_remote(&s, &j);
	else if (r >= 0 && s.output >= 0 &&
		 !(j.output = strdup(s.argv[s.output] + (s.output_joined ? 2 : 0))))
		r = -ENOMEM;
	j.argv = s.argv;
	if (r < 0) {
		argscan_job_free(&j);
		return r;
	}
	*ret_job = j;
	*ret_v = v;
	return 0;
}

void argscan_job_free(struct argscan_job *j)
{
	if (!j)
		return;
	strv_free(j->argv);
	free(j->input);
	free(j->output);
	strv_free(j->cpp_argv);
	strv_free(j->server_argv);
	*j = (struct argscan_job){};
}
