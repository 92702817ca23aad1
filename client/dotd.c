/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Re-wrapping of a compiler's dependency rule (see dotd.h). Names are kept
 * exactly as written (already quoted by the compiler); only the whitespace
 * between them is rewritten, with the compilers' own column rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dotd.h"
#include "strv.h"

#define GCC_COLMAX 72
#define CLANG_COLMAX 75

struct word {
	const char *p;
	size_t len;
};

enum dotd_style dotd_style_of(const char *argv0)
{
	return strstr(str_basename(argv0), "clang") ? DOTD_CLANG : DOTD_GCC;
}

/* The end of the first rule: the first newline not escaped by '\'. */
static size_t rule_end(const char *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\\' && i + 1 < n)
			i++;
		else if (in[i] == '\n')
			return i;
	}
	return n;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Split the rule into words (just count them when @w is NULL); a '\'
 * keeps the next character in the word, except before a newline (a
 * continuation). */
static size_t split(const char *in, size_t n, struct word *w, size_t max)
{
	size_t k = 0, i = 0;

	while (i < n) {
		size_t start;

		while (i < n && (is_space(in[i]) || (in[i] == '\\' && i + 1 < n && in[i + 1] == '\n')))
			i += in[i] == '\\' ? 2 : 1;
		if (i >= n)
			break;
		start = i;
		while (i < n && !is_space(in[i])) {
			if (in[i] == '\\' && i + 1 < n && in[i + 1] == '\n')
				break;
			i += in[i] == '\\' && i + 1 < n ? 2 : 1;
		}
		if (w && k < max)
			w[k] = (struct word){ in + start, i - start };
		k++;
	}
	return k;
}

/* gcc's make_write_name(): wrap before a name that would pass colmax. */
static int put_gcc(struct buf *b, const struct word *w, size_t *col)
{
	int r = 0;

	if (*col) {
		if (*col + w->len > GCC_COLMAX) {
			r = buf_append_str(b, " \\\n");
			*col = 0;
		}
		(*col)++;
		if (r >= 0)
			r = buf_append(b, " ", 1);
	}
	*col += w->len;
	return r < 0 ? r : buf_append(b, w->p, w->len);
}

static int emit_gcc(struct buf *b, const struct word *w, size_t n, size_t colon)
{
	size_t col = 0;
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		r = put_gcc(b, &w[i], &col);
		if (r >= 0 && i == colon) {
			r = buf_append(b, ":", 1);
			col++;
		}
	}
	return r;
}

/* clang's DependencyFileGenerator: targets wrap with two spaces of indent,
 * prerequisites with one, both before a name that would pass 75 columns. */
static int emit_clang(struct buf *b, const struct word *w, size_t n, size_t colon)
{
	size_t col = 0;
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		if (i <= colon) {
			if (col == 0)
				col = w[i].len;
			else if (col + w[i].len + 2 > CLANG_COLMAX) {
				col = w[i].len + 2;
				r = buf_append_str(b, " \\\n  ");
			} else {
				col += w[i].len + 1;
				r = buf_append(b, " ", 1);
			}
		} else {
			if (col + w[i].len + 1 + 2 > CLANG_COLMAX) {
				r = buf_append_str(b, " \\\n ");
				col = 2;
			}
			if (r >= 0)
				r = buf_append(b, " ", 1);
			col += w[i].len + 1;
		}
		if (r >= 0)
			r = buf_append(b, w[i].p, w[i].len);
		if (r >= 0 && i == colon) {
			r = buf_append(b, ":", 1);
			col++;
		}
	}
	return r;
}

/* The word whose trailing ':' ends the targets; its length loses the ':'. */
static size_t find_colon(struct word *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (w[i].len > 1 && w[i].p[w[i].len - 1] == ':' &&
		    !(w[i].len > 2 && w[i].p[w[i].len - 2] == '\\')) {
			w[i].len--;
			return i;
		}
	}
	return n;
}

int dotd_rewrap(const char *in, size_t n, enum dotd_style style, struct buf *out)
{
	size_t end = rule_end(in, n), k, colon, mark = out->len;
	struct word *w;
	int r;

	k = split(in, end, NULL, 0);
	w = calloc(k ? k : 1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	(void)split(in, end, w, k);
	colon = find_colon(w, k);
	if (colon >= k) {
		free(w);
		return buf_append(out, in, n);
	}
	r = style == DOTD_CLANG ? emit_clang(out, w, k, colon) : emit_gcc(out, w, k, colon);
	free(w);
	if (r >= 0)
		r = buf_append(out, in + end, n - end);
	if (r < 0)
		out->len = mark;
	return r;
}
