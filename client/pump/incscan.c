/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Include scanner. Translation phases 2 and 3 as far as directives need
 * them: lines are spliced first, then one pass tracks comments, literals and
 * raw strings so that only a '#' that starts a logical line starts a
 * directive. Over-approximates on purpose: #if is never evaluated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "macro.h"
#include "strv.h"
#include "incscan.h"

#define MAX_LINE (1u << 20)
#define MAX_RAW_DELIM 16

struct scanner {
	char *p;               /* spliced text, NUL-terminated */
	size_t n, i;
	struct incscan_result res;
	size_t cap_inc, cap_def;
	struct buf line;       /* the current directive's cleaned text */
};

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static bool is_ident(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_hspace(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* Phase 2: drop backslash-newline (gcc also accepts spaces between them). */
static int splice(const char *text, size_t len, char **ret, size_t *ret_len)
{
	char *o = malloc(len + 1);
	size_t k = 0;

	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\\') {
			size_t j = i + 1;

			while (j < len && is_hspace(text[j]) && text[j] != '\r')
				j++;
			if (j < len && text[j] == '\r')
				j++;
			if (j < len && text[j] == '\n') {
				i = j;
				continue;
			}
		}
		o[k++] = text[i];
	}
	o[k] = 0;
	*ret = o;
	*ret_len = k;
	return 0;
}

static void skip_block_comment(struct scanner *s)
{
	char *e = memmem(s->p + s->i, s->n - s->i, "*/", 2);

	s->i = e ? (size_t)(e - s->p) + 2 : s->n;
}

static void skip_line_comment(struct scanner *s)
{
	char *e = memchr(s->p + s->i, '\n', s->n - s->i);

	s->i = e ? (size_t)(e - s->p) : s->n;
}

/* After the opening quote @q; stops after the closing one or at a newline. */
static void skip_literal(struct scanner *s, char q)
{
	while (s->i < s->n && s->p[s->i] != '\n') {
		char c = s->p[s->i++];

		if (c == '\\' && s->i < s->n && s->p[s->i] != '\n')
			s->i++;
		else if (c == q)
			return;
	}
}

/* After R" : d-char-sequence ( ... ) d-char-sequence ". false if it is no
 * raw string after all (then the caller treats it as an ordinary one). */
static bool skip_raw_string(struct scanner *s)
{
	char end[MAX_RAW_DELIM + 3];
	size_t j = s->i, d;
	char *e;

	while (j < s->n && j - s->i <= MAX_RAW_DELIM && s->p[j] != '(' &&
	       !strchr(" ()\\\t\v\f\n\"", s->p[j]))
		j++;
	d = j - s->i;
	if (j >= s->n || s->p[j] != '(' || d > MAX_RAW_DELIM)
		return false;
	end[0] = ')';
	memcpy(end + 1, s->p + s->i, d);
	end[d + 1] = '"';
	end[d + 2] = 0;
	e = memmem(s->p + j + 1, s->n - j - 1, end, d + 2);
	s->i = e ? (size_t)(e - s->p) + d + 2 : s->n;
	return true;
}

static bool raw_prefix(const char *id, size_t len)
{
	static const char *const pfx[] = { "R", "LR", "uR", "UR", "u8R" };

	for (size_t k = 0; k < ELEMENTSOF(pfx); k++)
		if (strlen(pfx[k]) == len && memcmp(pfx[k], id, len) == 0)
			return true;
	return false;
}

/* Skip horizontal space and comments inside a directive line. */
static void skip_hspace(struct scanner *s)
{
	while (s->i < s->n) {
		if (is_hspace(s->p[s->i]))
			s->i++;
		else if (s->p[s->i] == '/' && s->p[s->i + 1] == '*') {
			s->i += 2;
			skip_block_comment(s);
		} else
			return;
	}
}

/* The rest of the logical line into s->line: comments become one space,
 * literals are copied as they are. Stops before the newline. */
static int collect_line(struct scanner *s)
{
	buf_reset(&s->line);
	while (s->i < s->n && s->p[s->i] != '\n') {
		char c = s->p[s->i];
		size_t from = s->i;
		int r;

		if (c == '/' && s->p[s->i + 1] == '*') {
			s->i += 2;
			skip_block_comment(s);
			r = buf_append(&s->line, " ", 1);
		} else if (c == '/' && s->p[s->i + 1] == '/') {
			skip_line_comment(s);
			r = 0;
		} else if (c == '"' || c == '\'') {
			s->i++;
			skip_literal(s, c);
			r = buf_append(&s->line, s->p + from, s->i - from);
		} else {
			s->i++;
			r = buf_append(&s->line, &c, 1);
		}
		if (r < 0)
			return r;
	}
	return buf_terminate(&s->line);
}

static int push_include(struct scanner *s, const char *name, size_t len, enum incscan_kind kind,
			bool next, bool probe)
{
	struct incscan_include *v;
	char *copy;

	if (len == 0)
		return 0;
	if (s->res.ninc == s->cap_inc) {
		size_t ncap = s->cap_inc ? s->cap_inc * 2 : 8;

		v = realloc(s->res.inc, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->res.inc = v;
		s->cap_inc = ncap;
	}
	copy = strndup(name, len);
	if (!copy)
		return -ENOMEM;
	s->res.inc[s->res.ninc++] = (struct incscan_include){
		.name = copy, .kind = kind, .next = next, .probe = probe,
	};
	return 0;
}

static size_t trim_len(const char *t, size_t len)
{
	while (len > 0 && (is_hspace(t[len - 1]) || t[len - 1] == ' '))
		len--;
	return len;
}

/* A header name or computed operand starting at @t; *used gets how far it
 * went (for __has_include, the closing parenthesis is left to the caller). */
static int push_operand(struct scanner *s, const char *t, bool next, bool probe)
{
	const char *e;

	while (is_hspace(*t))
		t++;
	if (*t == '"' || *t == '<') {
		e = strchr(t + 1, *t == '"' ? '"' : '>');
		if (e)
			return push_include(s, t + 1, (size_t)(e - t - 1),
					    *t == '"' ? INCSCAN_QUOTE : INCSCAN_ANGLE, next, probe);
	}
	return push_include(s, t, trim_len(t, strlen(t)), INCSCAN_COMPUTED, next, probe);
}

/* __has_include(...) and __has_include_next(...) anywhere in @t. */
static int scan_has_include(struct scanner *s, const char *t)
{
	const char *q = t;

	while ((q = strstr(q, "__has_include"))) {
		const char *a = q + strlen("__has_include");
		bool next = false;
		int depth = 0;
		const char *b;

		if (q > t && is_ident((unsigned char)q[-1])) {
			q = a;
			continue;
		}
		if (strncmp(a, "_next", 5) == 0) {
			next = true;
			a += 5;
		} else if (strncmp(a, "__", 2) == 0)   /* gcc < 10 spelling */
			a += 2;
		q = a;
		if (is_ident((unsigned char)*a))
			continue;
		while (is_hspace(*a) || *a == ' ')
			a++;
		if (*a != '(')
			continue;
		for (b = a; *b; b++)
			if (*b == '(')
				depth++;
			else if (*b == ')' && --depth == 0)
				break;
		{
			_cleanup_free_ char *op = strndup(a + 1, *b ? (size_t)(b - a - 1) : strlen(a + 1));
			int r;

			if (!op)
				return -ENOMEM;
			r = push_operand(s, op, next, true);
			if (r < 0)
				return r;
		}
		q = *b ? b : a + 1;
	}
	return 0;
}

static const char *skip_ws(const char *t)
{
	while (is_hspace(*t) || *t == ' ')
		t++;
	return t;
}

/* (a, b, ...) after a function-like macro's name: 1 and *end past ')',
 * 0 when malformed (no macro then), -ENOMEM. */
static int parse_params(const char *t, struct incscan_define *d, const char **end)
{
	d->params = calloc(1, sizeof(char *));
	if (!d->params)
		return -ENOMEM;
	for (;;) {
		_cleanup_free_ char *name = NULL;
		const char *b;

		t = skip_ws(t);
		if (*t == ')') {
			*end = t + 1;
			return 1;
		}
		b = t;
		while (is_ident((unsigned char)*t))
			t++;
		if (t == b && strncmp(t, "...", 3) != 0)
			return 0;
		name = t == b ? strdup("__VA_ARGS__") : strndup(b, (size_t)(t - b));
		if (!name || strv_push(&d->params, name) < 0)
			return -ENOMEM;
		if (strncmp(t, "...", 3) == 0) {
			d->variadic = true;
			t += 3;
		}
		t = skip_ws(t);
		if (*t == ',')
			t++;
		else if (*t != ')')
			return 0;
	}
}

static void define_free(struct incscan_define *d)
{
	free(d->name);
	strv_free(d->params);
	free(d->body);
}

static int push_define(struct scanner *s, const char *t)
{
	struct incscan_define d = { 0 };
	const char *b;
	int r = 0;

	t = skip_ws(t);
	b = t;
	while (is_ident((unsigned char)*t))
		t++;
	if (t == b || (*b >= '0' && *b <= '9'))
		return 0;
	d.name = strndup(b, (size_t)(t - b));
	if (!d.name)
		return -ENOMEM;
	if (*t == '(') {
		r = parse_params(t + 1, &d, &t);
		if (r <= 0)
			goto out;
	}
	t = skip_ws(t);
	d.body = strndup(t, trim_len(t, strlen(t)));
	if (!d.body) {
		r = -ENOMEM;
		goto out;
	}
	if (s->res.ndef == s->cap_def) {
		size_t ncap = s->cap_def ? s->cap_def * 2 : 16;
		struct incscan_define *v = realloc(s->res.def, ncap * sizeof(*v));

		if (!v) {
			r = -ENOMEM;
			goto out;
		}
		s->res.def = v;
		s->cap_def = ncap;
	}
	s->res.def[s->res.ndef++] = d;
	return 0;
out:
	define_free(&d);
	return r;
}

/* At the directive name, after '#'. Leaves s->i at the end of the line. */
static int directive(struct scanner *s)
{
	size_t b;
	bool inc = false, next = false;
	int r;

	skip_hspace(s);
	b = s->i;
	while (s->i < s->n && is_ident((unsigned char)s->p[s->i]))
		s->i++;
#define IS(w) (s->i - b == strlen(w) && memcmp(s->p + b, w, strlen(w)) == 0)
	if (IS("include") || IS("import"))
		inc = true;
	else if (IS("include_next"))
		inc = next = true;
	if (inc) {
		skip_hspace(s);
		if (s->p[s->i] == '<' || s->p[s->i] == '"') {
			char close = s->p[s->i] == '<' ? '>' : '"';
			size_t e = s->i + 1;

			while (e < s->n && s->p[e] != close && s->p[e] != '\n')
				e++;
			if (e < s->n && s->p[e] == close) {
				r = push_include(s, s->p + s->i + 1, e - s->i - 1,
						 close == '>' ? INCSCAN_ANGLE : INCSCAN_QUOTE, next, false);
				s->i = e + 1;
				if (r < 0)
					return r;
				r = collect_line(s);
				return r;
			}
		}
		r = collect_line(s);
		return r < 0 ? r : push_operand(s, (const char *)s->line.data, next, false);
	}
	bool def = IS("define");
#undef IS
	r = collect_line(s);
	if (r >= 0 && def)
		r = push_define(s, (const char *)s->line.data);
	if (r >= 0)
		r = scan_has_include(s, (const char *)s->line.data);
	return r;
}

/* An identifier or pp-number; a raw string when the identifier is its prefix. */
static void skip_word(struct scanner *s)
{
	size_t b = s->i;
	bool num = s->p[b] >= '0' && s->p[b] <= '9';

	while (s->i < s->n) {
		unsigned char c = (unsigned char)s->p[s->i];

		if (is_ident(c) || (num && (c == '.' || (c == '\'' && s->i + 1 < s->n &&
							 is_ident((unsigned char)s->p[s->i + 1])))))
			s->i++;
		else if (num && (c == '+' || c == '-') && strchr("eEpP", s->p[s->i - 1]))
			s->i++;
		else
			break;
	}
	if (!num && s->i < s->n && s->p[s->i] == '"' && raw_prefix(s->p + b, s->i - b)) {
		s->i++;
		if (!skip_raw_string(s))
			skip_literal(s, '"');
	}
}

static int scan_text(struct scanner *s)
{
	bool bol = true;
	int r;

	while (s->i < s->n) {
		char c = s->p[s->i];

		if (c == '\n') {
			bol = true;
			s->i++;
		} else if (is_hspace(c) || c == 0)    /* gcc ignores NUL characters */
			s->i++;
		else if (c == '/' && s->p[s->i + 1] == '*') {
			s->i += 2;
			skip_block_comment(s);
		} else if (c == '/' && s->p[s->i + 1] == '/')
			skip_line_comment(s);
		else if (bol && (c == '#' || (c == '%' && s->p[s->i + 1] == ':'))) {
			s->i += c == '#' ? 1 : 2;
			r = directive(s);
			if (r < 0)
				return r;
			bol = false;
		} else if (c == '"' || c == '\'') {
			s->i++;
			skip_literal(s, c);
			bol = false;
		} else if (is_ident((unsigned char)c)) {
			skip_word(s);
			bol = false;
		} else {
			s->i++;
			bol = false;
		}
	}
	return 0;
}

void incscan_result_free(struct incscan_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ninc; i++)
		free(r->inc[i].name);
	for (size_t i = 0; i < r->ndef; i++)
		define_free(&r->def[i]);
	free(r->inc);
	free(r->def);
	*r = (struct incscan_result){ 0 };
}

int incscan_scan(const char *text, size_t len, struct incscan_result *ret)
{
	struct scanner s = { .line = BUF_INIT(SIZE_MAX / 4) };
	int r;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {   /* gcc and clang skip a BOM */
		text += 3;
		len -= 3;
	}
	r = splice(text, len, &s.p, &s.n);
	if (r < 0)
		return r;
	r = scan_text(&s);
	free(s.p);
	buf_free(&s.line);
	if (r < 0) {
		incscan_result_free(&s.res);
		return r;
	}
	*ret = s.res;
	return 0;
}
