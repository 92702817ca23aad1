/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Include options of gcc and clang. Options that take a value accept it
 * joined or as the next word, as both compilers do; an include-related
 * option we do not know is a refusal, never a guess.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "srcext.h"
#include "incargs.h"

enum opt_target { O_QUOTE, O_BRACKET, O_SYSTEM, O_AFTER, O_IMACROS, O_INCLUDE, O_DEFINE,
		  O_SYSROOT, O_ISYSROOT, O_PROBE_VAL, O_LANG, O_IPREFIX, O_WPREFIX, O_WPREFIXB };

struct opt {
	const char *name;
	enum opt_target target;
};

/* Longest names first where one is a prefix of another. */
static const struct opt OPTS[] = {
	{ "-iwithprefixbefore", O_WPREFIXB }, { "-iwithprefix", O_WPREFIX },
	{ "-iprefix", O_IPREFIX }, { "-iquote", O_QUOTE }, { "-isystem", O_SYSTEM },
	{ "-idirafter", O_AFTER }, { "-imacros", O_IMACROS }, { "-include", O_INCLUDE },
	{ "-isysroot", O_ISYSROOT }, { "--sysroot", O_SYSROOT },
	{ "--include-directory-after", O_AFTER }, { "--include-directory", O_BRACKET },
	{ "--include-with-prefix-before", O_WPREFIXB }, { "--include-with-prefix-after", O_WPREFIX },
	{ "--include-with-prefix", O_WPREFIX }, { "--include-prefix", O_IPREFIX },
	{ "--include", O_INCLUDE }, { "--imacros", O_IMACROS }, { "--define-macro", O_DEFINE },
	{ "-target", O_PROBE_VAL }, { "--target", O_PROBE_VAL }, { "--gcc-toolchain", O_PROBE_VAL },
	{ "-stdlib", O_PROBE_VAL }, { "--stdlib", O_PROBE_VAL }, { "-I", O_BRACKET },
	{ "-D", O_DEFINE }, { "-x", O_LANG },
};

/* Flags without a value that change the default directories. */
static const char *const PROBE_ALONE[] = {
	"-nostdinc", "-nostdinc++", "-nostdlibinc", "-nobuiltininc", "-m32", "-m64", "-mx32",
	"-m16", "-ffreestanding", "-fopenmp", "-pthread", NULL,
};

/* Include-related options the analysis does not model. */
static const char *const REFUSE_PREFIX[] = {
	"-I-", "-iframework", "-ivfsoverlay", "-include-pch", "-imultilib", "-iwithsysroot",
	"-F", "-fmodules", "-fmodule-map-file", "-fimplicit-module-maps", "-cxx-isystem",
	"-Xpreprocessor", "-Xclang", "-fplugin", "-B", "--prefix", "-specs", "--specs", "@",
	"-imsvc", "-fprebuilt-module-path", "-fmodule-file", NULL,
};

void incargs_free(struct incargs *a)
{
	free(a->source);
	strv_free(a->quote_dirs);
	strv_free(a->bracket_dirs);
	strv_free(a->system_dirs);
	strv_free(a->after_dirs);
	strv_free(a->imacros);
	strv_free(a->includes);
	strv_free(a->defines);
	strv_free(a->probe_flags);
	free(a->sysroot);
	*a = (struct incargs){ 0 };
}

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return true;
	return false;
}

static const char *lang_of_source(const char *path)
{
	static const char *const cxx[] = { "cc", "cp", "cxx", "cpp", "CPP", "c++", "C", NULL };
	const char *e = srcext_of(path);

	if (!e)
		return NULL;
	if (strcmp(e, "c") == 0)
		return "c";
	if (in_list(cxx, e))
		return "c++";
	if (strcmp(e, "m") == 0)
		return "objective-c";
	if (strcmp(e, "mm") == 0 || strcmp(e, "M") == 0)
		return "objective-c++";
	return NULL;
}

static const char *lang_static(const char *l)
{
	static const char *const langs[] = { "c", "c++", "objective-c", "objective-c++" };

	for (size_t i = 0; i < ELEMENTSOF(langs); i++)
		if (strcmp(langs[i], l) == 0)
			return langs[i];
	return NULL;
}

/* Options outside OPTS whose value is the next word. */
static const char *const SKIP_NEXT[] = {
	"-o", "-MF", "-MT", "-MQ", "-U", "-L", "-l", "-u", "-T", "-z", "--param", "-aux-info",
	"-Xassembler", "-Xlinker", "-arch", "-A", "-e", "-MJ", NULL,
};

struct parse {
	struct incargs *a;
	char *iprefix;
	char **wprefix, **wprefixb;
	const char *xlang;
};

/* Match @arg against OPTS: the option and its value (joined or next word). */
static const struct opt *match(char *const *argv, size_t *i, const char **val)
{
	const char *a = argv[*i];

	for (size_t k = 0; k < ELEMENTSOF(OPTS); k++) {
		const struct opt *o = &OPTS[k];
		size_t n = strlen(o->name);
		bool eq_only = o->name[1] == '-' || strcmp(o->name, "-stdlib") == 0;

		if (strncmp(a, o->name, n) != 0)
			continue;
		if (a[n] == 0) {
			if (strcmp(o->name, "-stdlib") == 0)
				continue;
			if (!argv[*i + 1])
				return NULL;
			*val = argv[++*i];
			return o;
		}
		if (eq_only && a[n] != '=')
			continue;
		*val = eq_only ? a + n + 1 : a + n;
		return o;
	}
	return NULL;
}

static int add_probe(struct incargs *a, const char *opt, const char *val)
{
	int r = strv_push(&a->probe_flags, opt);

	return r >= 0 && val ? strv_push(&a->probe_flags, val) : r;
}

static int apply(struct parse *p, const struct opt *o, const char *arg, const char *val,
		 const char **why)
{
	struct incargs *a = p->a;

	switch (o->target) {
	case O_QUOTE:     return strv_push(&a->quote_dirs, val);
	case O_BRACKET:   return strv_push(&a->bracket_dirs, val);
	case O_SYSTEM:    return strv_push(&a->system_dirs, val);
	case O_AFTER:     return strv_push(&a->after_dirs, val);
	case O_IMACROS:   return strv_push(&a->imacros, val);
	case O_INCLUDE:   return strv_push(&a->includes, val);
	case O_DEFINE:    return strv_push(&a->defines, val);
	case O_WPREFIX:   return strv_push(&p->wprefix, val);
	case O_WPREFIXB:  return strv_push(&p->wprefixb, val);
	case O_IPREFIX:
		free(p->iprefix);
		p->iprefix = strdup(val);
		return p->iprefix ? 0 : -ENOMEM;
	case O_SYSROOT:
	case O_ISYSROOT:
		free(a->sysroot);
		a->sysroot = strdup(val);
		if (!a->sysroot)
			return -ENOMEM;
		return add_probe(a, o->target == O_SYSROOT ? "--sysroot" : "-isysroot", val);
	case O_PROBE_VAL:     /* joined (-stdlib=x) as one word, separate as two */
		return add_probe(a, arg, val >= arg && val <= arg + strlen(arg) ? NULL : val);
	case O_LANG:
		p->xlang = strcmp(val, "none") == 0 ? NULL : val;
		if (p->xlang && !lang_static(val))
			*why = "-x language the analysis does not cover";
		return 0;
	}
	return 0;
}

/* -Wp,a,b: only dependency and macro options are modelled there. */
static int apply_wp(struct incargs *a, const char *arg, const char **why)
{
	_cleanup_free_ char *copy = strdup(arg + 4);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	bool value = false;

	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		static const char *const with_value[] = { "-MD", "-MMD", "-MF", "-MT", "-MQ", NULL };

		if (value) {
			value = false;
			continue;
		}
		value = in_list(with_value, w);
		if (str_has_prefix(w, "-D") && w[2]) {
			int r = strv_push(&a->defines, w + 2);

			if (r < 0)
				return r;
		} else if (!str_has_prefix(w, "-M") && !str_has_prefix(w, "-U")) {
			*why = "-Wp, passes an option the analysis does not model";
			return 0;
		}
	}
	return 0;
}

static int operand(struct parse *p, const char *arg, const char **why)
{
	if (!srcext_preproc(arg, false) && !p->xlang)
		return 0;
	if (p->a->source) {
		*why = "two input files";
		return 0;
	}
	if (srcext_is_preprocessed(arg) && !p->xlang) {
		*why = "input is already preprocessed";
		return 0;
	}
	p->a->lang = p->xlang ? lang_static(p->xlang) : lang_of_source(arg);
	if (!p->a->lang) {
		*why = "source language the analysis does not cover";
		return 0;
	}
	p->a->source = strdup(arg);
	return p->a->source ? 0 : -ENOMEM;
}

static int one(struct parse *p, char *const argv[], size_t *i, const char **why)
{
	const char *arg = argv[*i], *val = NULL;
	const struct opt *o;

	if (arg[0] != '-' || arg[1] == 0) {
		if (arg[0] == '-') {
			*why = "source read from stdin";
			return 0;
		}
		return arg[0] == '@' ? (*why = "response file", 0) : operand(p, arg, why);
	}
	for (const char *const *r = REFUSE_PREFIX; *r; r++)
		if (str_has_prefix(arg, *r)) {
			*why = "option the include analysis does not model";
			return 0;
		}
	if (str_has_prefix(arg, "-Wp,"))
		return apply_wp(p->a, arg, why);
	if (in_list(PROBE_ALONE, arg))
		return add_probe(p->a, arg, NULL);
	if (in_list(SKIP_NEXT, arg)) {
		if (argv[*i + 1])
			++*i;
		return 0;
	}
	o = match(argv, i, &val);
	if (o)
		return apply(p, o, arg, val, why);
	if (str_has_prefix(arg, "-i") || str_has_prefix(arg, "--include") ||
	    str_has_prefix(arg, "--sysroot") || str_has_prefix(arg, "-I")) {
		*why = "include option without a value, or one the analysis does not know";
		return 0;
	}
	return 0;
}

/* "=dir" and "$SYSROOT/dir" name a directory under the sysroot. */
static int fix_sysroot_prefix(char **v, const char *sysroot)
{
	for (; v && *v; v++) {
		const char *rest = NULL;
		char *n;

		if ((*v)[0] == '=')
			rest = *v + 1;
		else if (str_has_prefix(*v, "$SYSROOT"))
			rest = *v + strlen("$SYSROOT");
		if (!rest)
			continue;
		if (asprintf(&n, "%s%s", sysroot ? sysroot : "", rest) < 0)
			return -ENOMEM;
		free(*v);
		*v = n;
	}
	return 0;
}

static int prefixed(char ***dst, char **v, const char *prefix)
{
	for (; v && *v; v++) {
		_cleanup_free_ char *n = NULL;

		if (asprintf(&n, "%s%s", prefix, *v) < 0 || strv_push(dst, n) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int finish(struct parse *p, const char **why)
{
	struct incargs *a = p->a;
	int r = 0;

	if (!a->source) {
		*why = "no source file";
		return 0;
	}
	if ((p->wprefix || p->wprefixb) && !p->iprefix) {
		*why = "-iwithprefix without -iprefix";
		return 0;
	}
	if (p->iprefix) {
		r = prefixed(&a->bracket_dirs, p->wprefixb, p->iprefix);
		if (r >= 0)
			r = prefixed(&a->after_dirs, p->wprefix, p->iprefix);
	}
	char **const lists[] = { a->quote_dirs, a->bracket_dirs, a->system_dirs, a->after_dirs };

	for (size_t k = 0; r >= 0 && k < ELEMENTSOF(lists); k++)
		r = fix_sysroot_prefix(lists[k], a->sysroot);
	return r < 0 ? r : 1;
}

int incargs_parse(char *const argv[], struct incargs *ret, const char **ret_why)
{
	struct incargs a = { 0 };
	struct parse p = { .a = &a };
	const char *why = NULL;
	int r = 0;

	if (!argv || !argv[0])
		return -EINVAL;
	for (size_t i = 1; argv[i] && r >= 0 && !why; i++)
		r = one(&p, argv, &i, &why);
	if (r >= 0 && !why)
		r = finish(&p, &why);
	free(p.iprefix);
	strv_free(p.wprefix);
	strv_free(p.wprefixb);
	if (r <= 0 || why) {
		incargs_free(&a);
		if (r < 0)
			return r;
		*ret_why = why;
		return 0;
	}
	*ret = a;
	return 1;
}
