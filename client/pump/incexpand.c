/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multi-valued macro expansion for computed includes. A sequence is a
 * vector of tokens; expanding a macro that has k definitions forks the
 * sequence k ways. Hide sets are approximated per branch (a name is not
 * expanded twice in one branch), which is what keeps recursion finite.
 * Budgets on steps, depth and results turn pathological inputs into -E2BIG.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "macro.h"
#include "strv.h"
#include "incexpand.h"

#define MAX_STEPS   20000
#define MAX_DEPTH   48
#define MAX_RESULTS 256
#define MAX_TOKENS  4096

enum tok_type { T_IDENT, T_STRING, T_OTHER };

struct tok {
	char *text;
	enum tok_type type;
	bool space;                /* whitespace before it */
};

struct seq {
	struct tok *t;
	size_t n, cap;
};

struct ctx {
	incexpand_lookup_fn lookup;
	void *userdata;
	unsigned steps;
	struct incexpand_result *res;
};

static void seq_free(struct seq *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->t[i].text);
	free(s->t);
	*s = (struct seq){ 0 };
}

static int seq_push(struct seq *s, const char *text, size_t len, enum tok_type type, bool space)
{
	if (s->n >= MAX_TOKENS)
		return -E2BIG;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		struct tok *v = realloc(s->t, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->t = v;
		s->cap = ncap;
	}
	char *c = strndup(text, len);
	if (!c)
		return -ENOMEM;
	s->t[s->n++] = (struct tok){ .text = c, .type = type, .space = space };
	return 0;
}

static int seq_append(struct seq *s, const struct seq *from, size_t a, size_t b)
{
	int r = 0;

	for (size_t i = a; i < b && r >= 0; i++)
		r = seq_push(s, from->t[i].text, strlen(from->t[i].text), from->t[i].type,
			     from->t[i].space);
	return r;
}

static bool ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static int tokenize(const char *p, struct seq *out)
{
	bool space = false;
	int r = 0;

	while (*p && r >= 0) {
		const char *b = p;

		if (strchr(" \t\r\n\f\v", *p)) {
			space = true;
			p++;
			continue;
		}
		if (ident_start((unsigned char)*p) || (*p >= '0' && *p <= '9')) {
			bool num = !ident_start((unsigned char)*p);

			while (ident_char((unsigned char)*p) || (num && *p == '.'))
				p++;
			if (!num && (*p == '"' || *p == '\''))
				goto literal;   /* L"x", u8"x": a prefixed literal */
			r = seq_push(out, b, (size_t)(p - b), num ? T_OTHER : T_IDENT, space);
		} else if (*p == '"' || *p == '\'') {
		literal:;
			char q = *p++;

			while (*p && *p != q)
				p += (*p == '\\' && p[1]) ? 2 : 1;
			if (*p)
				p++;
			r = seq_push(out, b, (size_t)(p - b), q == '"' ? T_STRING : T_OTHER, space);
		} else if (*p == '#' && p[1] == '#') {
			p += 2;
			r = seq_push(out, b, 2, T_OTHER, space);
		} else {
			p++;
			r = seq_push(out, b, 1, T_OTHER, space);
		}
		space = false;
	}
	return r;
}

struct seqlist {
	struct seq *v;
	size_t n, cap;
};

static void seqlist_free(struct seqlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		seq_free(&l->v[i]);
	free(l->v);
	*l = (struct seqlist){ 0 };
}

/* Takes @s over (it is emptied). */
static int seqlist_take(struct seqlist *l, struct seq *s)
{
	if (l->n >= MAX_RESULTS)
		return -E2BIG;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		struct seq *v = realloc(l->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = ncap;
	}
	l->v[l->n++] = *s;
	*s = (struct seq){ 0 };
	return 0;
}

static bool in_strv(char **v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static int param_index(const struct incscan_define *d, const struct tok *t)
{
	if (t->type != T_IDENT || !d->params)
		return -1;
	for (int i = 0; d->params[i]; i++)
		if (strcmp(d->params[i], t->text) == 0)
			return i;
	return -1;
}

struct args {
	size_t b[64], e[64];       /* token ranges in the invoking sequence */
	size_t n;
	size_t close;              /* index of ')' */
};

/* Arguments of an invocation whose '(' is at @open. false: not one. */
static bool parse_args(const struct seq *s, size_t open, const struct incscan_define *d,
		       struct args *a)
{
	size_t np = strv_length(d->params);
	int depth = 0;

	a->n = 0;
	a->b[0] = open + 1;
	for (size_t i = open; i < s->n; i++) {
		const char *t = s->t[i].text;

		if (s->t[i].type != T_OTHER)
			continue;
		if (strcmp(t, "(") == 0)
			depth++;
		else if (strcmp(t, ")") == 0 && --depth == 0) {
			a->e[a->n++] = i;
			a->close = i;
			if (np == 0 && a->n == 1 && a->e[0] == a->b[0])
				a->n = 0;
			if (d->variadic)
				return a->n + 1 >= np;
			return a->n == np;
		} else if (strcmp(t, ",") == 0 && depth == 1 &&
			   !(d->variadic && np > 0 && a->n == np - 1)) {
			if (a->n + 1 >= ELEMENTSOF(a->b))
				return false;
			a->e[a->n] = i;
			a->b[++a->n] = i + 1;
		}
	}
	return false;
}

static int stringify(const struct seq *s, size_t b, size_t e, struct seq *out, bool space)
{
	_cleanup_(buf_free) struct buf t = BUF_INIT(1 << 20);
	int r = buf_append(&t, "\"", 1);

	for (size_t i = b; i < e && r >= 0; i++) {
		if (i > b && s->t[i].space)
			r = buf_append(&t, " ", 1);
		for (const char *p = s->t[i].text; *p && r >= 0; p++) {
			if (s->t[i].type != T_IDENT && (*p == '"' || *p == '\\'))
				r = buf_append(&t, "\\", 1);
			if (r >= 0)
				r = buf_append(&t, p, 1);
		}
	}
	if (r >= 0)
		r = buf_append(&t, "\"", 1);
	return r < 0 ? r : seq_push(out, (char *)t.data, t.len, T_STRING, space);
}

/* a ## b: the last token of @out glued to @t. */
static int paste(struct seq *out, const struct tok *t)
{
	struct tok *l = &out->t[out->n - 1];
	size_t ll = strlen(l->text), tl = strlen(t->text);
	char *c = malloc(ll + tl + 1);
	bool ident = true;

	if (!c)
		return -ENOMEM;
	memcpy(c, l->text, ll);
	memcpy(c + ll, t->text, tl + 1);
	for (const char *p = c; *p; p++)
		ident = ident && (p == c ? ident_start((unsigned char)*p) : ident_char((unsigned char)*p));
	free(l->text);
	l->text = c;
	l->type = ident ? T_IDENT : c[0] == '"' ? T_STRING : T_OTHER;
	return 0;
}

static int expand_all(struct ctx *c, struct seq *s, size_t start, char **hide, unsigned depth,
		      struct seqlist *out);

/* The body of @d with arguments substituted; @choice[i] picks the
 * pre-expanded variant of argument i (vars[i]). */
static int substitute(const struct seq *body, const struct incscan_define *d, const struct seq *s,
		      const struct args *a, struct seqlist *vars, const size_t *choice,
		      struct seq *out)
{
	bool glue = false;
	int r = 0;

	for (size_t j = 0; j < body->n && r >= 0; j++) {
		const struct tok *t = &body->t[j];
		bool next_paste = j + 1 < body->n && strcmp(body->t[j + 1].text, "##") == 0;
		int p = param_index(d, t);
		size_t before = out->n;

		if (strcmp(t->text, "##") == 0 && t->type == T_OTHER) {
			glue = out->n > 0;
			continue;
		}
		if (strcmp(t->text, "#") == 0 && j + 1 < body->n && param_index(d, &body->t[j + 1]) >= 0) {
			int q = param_index(d, &body->t[++j]);

			r = stringify(s, a->b[q], (size_t)q < a->n ? a->e[q] : a->b[q], out, t->space);
		} else if (p >= 0 && (size_t)p >= a->n)
			;       /* empty variadic argument */
		else if (p >= 0 && (glue || next_paste))
			r = seq_append(out, s, a->b[p], a->e[p]);
		else if (p >= 0)
			r = seq_append(out, &vars[p].v[choice[p]], 0, vars[p].v[choice[p]].n);
		else
			r = seq_push(out, t->text, strlen(t->text), t->type, t->space);
		if (r >= 0 && p >= 0 && out->n > before)
			out->t[before].space = t->space;   /* an argument takes its parameter's spacing */
		if (r >= 0 && glue && out->n > before && before > 0) {
			/* glue the first new token onto the one before it */
			struct tok first = out->t[before];

			memmove(&out->t[before], &out->t[before + 1],
				(out->n - before - 1) * sizeof(struct tok));
			out->n--;
			r = paste(out, &first);
			free(first.text);
		}
		if (out->n > before || p >= 0)
			glue = false;
	}
	return r;
}

/* Expand an invocation of function-like @d at @k over every combination of
 * its arguments' variants. */
static int expand_call(struct ctx *c, const struct seq *s, size_t k, const struct incscan_define *d,
		       const struct args *a, char **hide, unsigned depth, struct seqlist *out)
{
	struct seqlist vars[64] = { 0 };
	size_t choice[64] = { 0 };
	struct seq body = { 0 };
	int r = tokenize(d->body, &body);

	for (size_t i = 0; i < a->n && r >= 0; i++) {
		struct seq arg = { 0 };

		r = seq_append(&arg, s, a->b[i], a->e[i]);
		if (r >= 0)
			r = expand_all(c, &arg, 0, hide, depth + 1, &vars[i]);
		seq_free(&arg);
		if (r >= 0 && vars[i].n == 0)
			r = -E2BIG;
	}
	while (r >= 0) {
		struct seq n = { 0 };
		size_t i;

		r = seq_append(&n, s, 0, k);
		if (r >= 0)
			r = substitute(&body, d, s, a, vars, choice, &n);
		if (r >= 0)
			r = seq_append(&n, s, a->close + 1, s->n);
		if (r >= 0)
			r = expand_all(c, &n, k, hide, depth + 1, out);
		seq_free(&n);
		for (i = 0; i < a->n; i++) {        /* next combination */
			if (++choice[i] < vars[i].n)
				break;
			choice[i] = 0;
		}
		if (i == a->n)
			break;
	}
	for (size_t i = 0; i < a->n; i++)
		seqlist_free(&vars[i]);
	seq_free(&body);
	return r;
}

/* One definition applied at @k; 0 if it does not apply (a function-like
 * macro named without arguments), 1 if it did. */
static int expand_def(struct ctx *c, const struct seq *s, size_t k, const struct incscan_define *d,
		      char **hide, unsigned depth, struct seqlist *out)
{
	struct args a;
	struct seq n = { 0 };
	int r;

	if (d->params) {
		if (k + 1 >= s->n || strcmp(s->t[k + 1].text, "(") != 0 || !parse_args(s, k + 1, d, &a))
			return 0;
		r = expand_call(c, s, k, d, &a, hide, depth, out);
		return r < 0 ? r : 1;
	}
	r = seq_append(&n, s, 0, k);
	if (r >= 0)
		r = tokenize(d->body, &n);
	if (r >= 0 && n.n > k)
		n.t[k].space = s->t[k].space;
	if (r >= 0)
		r = seq_append(&n, s, k + 1, s->n);
	if (r >= 0)
		r = expand_all(c, &n, k, hide, depth + 1, out);
	seq_free(&n);
	return r < 0 ? r : 1;
}

static int expand_all(struct ctx *c, struct seq *s, size_t start, char **hide, unsigned depth,
		      struct seqlist *out)
{
	for (size_t k = start; k < s->n; k++) {
		const struct incscan_define *const *defs = NULL;
		size_t ndefs = 0, applied = 0;
		_cleanup_(strv_freep) char **h = NULL;
		int r;

		if (++c->steps > MAX_STEPS || depth > MAX_DEPTH)
			return -E2BIG;
		if (s->t[k].type != T_IDENT || in_strv(hide, s->t[k].text))
			continue;
		c->lookup(c->userdata, s->t[k].text, &defs, &ndefs);
		if (ndefs == 0)
			continue;
		h = strv_copy(hide ? hide : (char *[]){ NULL });
		if (!h || strv_push(&h, s->t[k].text) < 0)
			return -ENOMEM;
		for (size_t i = 0; i < ndefs; i++) {
			r = expand_def(c, s, k, defs[i], h, depth, out);
			if (r < 0)
				return r;
			applied += (size_t)r;
		}
		if (applied > 0)
			return 0;
	}
	struct seq copy = { 0 };
	int r = seq_append(&copy, s, 0, s->n);

	if (r >= 0)
		r = seqlist_take(out, &copy);
	seq_free(&copy);
	return r;
}

/* A fully expanded sequence as a header name, or NULL kind-less. */
static int seq_name(const struct seq *s, struct incexpand_name *ret)
{
	_cleanup_(buf_free) struct buf b = BUF_INIT(1 << 20);
	size_t close = 0;
	int r = 0;

	if (s->n == 0)
		return 0;
	if (s->t[0].type == T_STRING && s->t[0].text[0] == '"') {
		size_t l = strlen(s->t[0].text);

		if (l < 3 || s->t[0].text[l - 1] != '"')
			return 0;
		ret->kind = INCSCAN_QUOTE;
		ret->name = strndup(s->t[0].text + 1, l - 2);
		return ret->name ? 1 : -ENOMEM;
	}
	if (strcmp(s->t[0].text, "<") != 0)
		return 0;
	for (size_t i = 1; i < s->n && !close; i++) {
		if (strcmp(s->t[i].text, ">") == 0)
			close = i;
		else {
			if (i > 1 && s->t[i].space)
				r = buf_append(&b, " ", 1);
			if (r >= 0)
				r = buf_append_str(&b, s->t[i].text);
			if (r < 0)
				return r;
		}
	}
	if (!close || b.len == 0)
		return 0;
	ret->kind = INCSCAN_ANGLE;
	ret->name = buf_steal(&b);
	return ret->name ? 1 : -ENOMEM;
}

void incexpand_result_free(struct incexpand_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	*r = (struct incexpand_result){ 0 };
}

static int result_add(struct incexpand_result *res, struct incexpand_name *nm)
{
	struct incexpand_name *v;

	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].kind == nm->kind && strcmp(res->v[i].name, nm->name) == 0) {
			free(nm->name);
			return 0;
		}
	v = realloc(res->v, (res->n + 1) * sizeof(*v));
	if (!v) {
		free(nm->name);
		return -ENOMEM;
	}
	res->v = v;
	res->v[res->n++] = *nm;
	return 0;
}

int incexpand_operand(const char *text, incexpand_lookup_fn lookup, void *userdata,
		      struct incexpand_result *ret)
{
	struct incexpand_result res = { 0 };
	struct ctx c = { .lookup = lookup, .userdata = userdata, .res = &res };
	struct seqlist all = { 0 };
	struct seq s = { 0 };
	int r = tokenize(text, &s);

	if (r >= 0)
		r = expand_all(&c, &s, 0, NULL, 0, &all);
	for (size_t i = 0; r >= 0 && i < all.n; i++) {
		struct incexpand_name nm = { 0 };

		r = seq_name(&all.v[i], &nm);
		if (r > 0)
			r = result_add(&res, &nm);
	}
	seq_free(&s);
	seqlist_free(&all);
	if (r < 0) {
		incexpand_result_free(&res);
		return r;
	}
	*ret = res;
	return 0;
}
