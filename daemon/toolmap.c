/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The toolchain map: parser and lookups. Names are plain compiler names
 * (no '/', no whitespace); what the mapped name may run is still decided by
 * the whitelist and the argument policy, never here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "toolmap.h"

static void entry_free(struct toolmap_entry *e)
{
	free(e->from);
	free(e->to);
	strv_free(e->args);
}

void toolmap_free(struct toolmap *m)
{
	for (size_t i = 0; m && i < m->n; i++)
		entry_free(&m->entries[i]);
	if (m) {
		free(m->entries);
		*m = (struct toolmap){ 0 };
	}
}

static bool name_ok(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	       s[0] != '-' && !strchr(s, '*');
}

/* "NAME" or "PREFIX*": copies the name, strips the star. */
static const char *take_name(const char *tok, char **ret, bool *ret_prefix)
{
	size_t n = strlen(tok);
	bool prefix = n > 1 && tok[n - 1] == '*';

	*ret = strndup(tok, prefix ? n - 1 : n);
	if (!*ret)
		return "out of memory";
	*ret_prefix = prefix;
	return name_ok(*ret) ? NULL : "a name must be a plain compiler name (no '/', no '*' inside)";
}

static const char *check_arg(const char *a)
{
	if (a[0] != '-' || a[1] == 0)
		return "leading arguments must be options (start with '-')";
	if (strcmp(a, "-o") == 0 || str_has_prefix(a, "-o") || strcmp(a, "-c") == 0 ||
	    strcmp(a, "-S") == 0 || strcmp(a, "-E") == 0)
		return "leading arguments must not choose the output or the job kind (-o, -c, -S, -E)";
	return NULL;
}

static const struct toolmap_entry *find_from(const struct toolmap *m, const char *from, bool prefix)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->entries[i].prefix == prefix && strcmp(m->entries[i].from, from) == 0)
			return &m->entries[i];
	return NULL;
}

/* One non-comment line, split in place on blanks. */
static const char *parse_line(struct toolmap *m, char *line, unsigned lineno)
{
	struct toolmap_entry e = { .line = lineno };
	char *save = NULL, *tok[2 + TOOLMAP_MAX_ARGS];
	size_t n = 0;
	bool to_prefix = false;
	const char *why;

	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == ELEMENTSOF(tok))
			return "too many leading arguments";
		tok[n++] = t;
	}
	if (n < 2)
		return "expected: CLIENT-NAME LOCAL-NAME [ARGUMENT...]";
	why = take_name(tok[0], &e.from, &e.prefix);
	if (!why)
		why = take_name(tok[1], &e.to, &to_prefix);
	if (!why && e.prefix != to_prefix)
		why = "a prefix (NAME*) maps only to a prefix";
	if (!why && find_from(m, e.from, e.prefix))
		why = "this client name is mapped twice";
	for (size_t i = 2; !why && i < n; i++)
		why = check_arg(tok[i]);
	for (size_t i = 2; !why && i < n; i++)
		if (strv_push(&e.args, tok[i]) < 0)
			why = "out of memory";
	if (!why && !e.args && !(e.args = calloc(1, sizeof(char *))))
		why = "out of memory";
	if (!why && m->n == TOOLMAP_MAX_ENTRIES)
		why = "too many entries";
	if (why) {
		entry_free(&e);
		return why;
	}
	m->entries[m->n++] = e;
	return NULL;
}

int toolmap_parse(const char *text, struct toolmap *ret, unsigned *ret_line, const char **ret_why)
{
	struct toolmap m = { .entries = calloc(TOOLMAP_MAX_ENTRIES, sizeof(struct toolmap_entry)) };
	const char *p = text ? text : "";
	unsigned lineno = 0;

	if (!m.entries)
		return -ENOMEM;
	while (*p) {
		size_t len = strcspn(p, "\n");
		char line[TOOLMAP_MAX_LINE], *hash;
		const char *why = NULL;

		lineno++;
		if (len >= sizeof(line))
			why = "line too long";
		else {
			memcpy(line, p, len);
			line[len] = 0;
			hash = strchr(line, '#');
			if (hash)
				*hash = 0;
			if (line[strspn(line, " \t\r")])
				why = parse_line(&m, line, lineno);
		}
		if (why) {
			toolmap_free(&m);
			*ret_line = lineno;
			*ret_why = why;
			return strcmp(why, "out of memory") == 0 ? -ENOMEM : -EINVAL;
		}
		p += len + (p[len] == '\n');
	}
	*ret = m;
	return 0;
}

int toolmap_lookup(const struct toolmap *m, const char *name, const struct toolmap_entry **ret_entry,
		   char **ret_local)
{
	const struct toolmap_entry *exact = m ? find_from(m, name, false) : NULL, *best = exact;
	char *local = NULL;

	for (size_t i = 0; m && !exact && i < m->n; i++) {
		const struct toolmap_entry *e = &m->entries[i];
		size_t n = strlen(e->from);

		/* the prefix alone is no compiler name */
		if (e->prefix && strlen(name) > n && str_has_prefix(name, e->from))
			if (!best || n > strlen(best->from))
				best = e;
	}
	if (!best)
		return 0;
	if (!best->prefix)
		local = strdup(best->to);
	else if (asprintf(&local, "%s%s", best->to, name + strlen(best->from)) < 0)
		local = NULL;
	if (!local)
		return -ENOMEM;
	*ret_entry = best;
	*ret_local = local;
	return 1;
}

char *toolmap_client_name(const struct toolmap_entry *e, const char *local, bool *ret_oom)
{
	char *s = NULL;

	*ret_oom = false;
	if (!e->prefix) {
		if (strcmp(local, e->to) != 0)
			return NULL;
		s = strdup(e->from);
	} else {
		if (!str_has_prefix(local, e->to) || strlen(local) <= strlen(e->to))
			return NULL;
		if (asprintf(&s, "%s%s", e->from, local + strlen(e->to)) < 0)
			s = NULL;
	}
	*ret_oom = !s;
	return s;
}

int toolmap_build_argv(char *const argv[], const char *local, char *const args[], char ***ret)
{
	char **v = NULL;
	int r = strv_push(&v, local);

	for (size_t i = 0; r >= 0 && args && args[i]; i++)
		r = strv_push(&v, args[i]);
	for (size_t i = 1; r >= 0 && argv[0] && argv[i]; i++)
		r = strv_push(&v, argv[i]);
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}
