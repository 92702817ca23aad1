/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The root comes out of the text first; the first rule ("targets: deps",
 * continued with " \" newline) is then split into its make-quoted words
 * and laid out again with the writing compiler's own line-filling rule
 * (gcc libcpp mkdeps, clang DependencyFileGenerator). Phony rules (-MP)
 * are one per line and need nothing more.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "depfile.h"
#include "macro.h"

enum style { STYLE_GCC, STYLE_CLANG };

int depfile_unroot_text(const void *in, size_t n, const char *root, struct buf *out)
{
	const char *p = in, *end = p + n;
	size_t rl = strlen(root);
	int r = 0;

	while (r >= 0 && p < end) {
		const char *hit = rl ? memmem(p, (size_t)(end - p), root, rl) : NULL;

		while (hit && !(hit + rl < end && hit[rl] == '/'))
			hit = memmem(hit + 1, (size_t)(end - hit - 1), root, rl);
		if (!hit)
			return buf_append(out, p, (size_t)(end - p));
		r = buf_append(out, p, (size_t)(hit - p));
		p = hit + rl;
	}
	return r;
}

/* End of the first logical line: the first newline not escaped by '\'. */
static size_t first_rule_end(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\\'))
			return i;
	return n;
}

static enum style detect_style(const char *s, size_t n)
{
	const char *c = memmem(s, n, "\\\n", 2);

	if (c && (size_t)(c - s) + 3 < n && c[2] == ' ' && c[3] == ' ')
		return STYLE_CLANG;
	return STYLE_GCC;
}

/* Words of a rule: separated by blanks and " \" newlines; "\ " stays in a word. */
struct word {
	const char *p;
	size_t len;
};

static size_t split_words(const char *s, size_t n, struct word *w, size_t max)
{
	size_t k = 0, i = 0;

	while (i < n) {
		size_t start;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
				 (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n')))
			i++;
		if (i >= n)
			break;
		start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') {
			if (s[i] == '\\' && i + 1 < n && (s[i + 1] == ' ' || s[i + 1] == '\t'))
				i++;
			else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\n')
				break;
			i++;
		}
		if (k == max)
			return SIZE_MAX;
		w[k++] = (struct word){ s + start, i - start };
	}
	return k;
}

/* clang counts a file name's unquoted length: "\ ", "\#" and "$$" are one. */
static size_t plain_len(const struct word *w)
{
	size_t n = 0;

	for (size_t i = 0; i < w->len; i++, n++)
		if ((w->p[i] == '\\' && i + 1 < w->len && strchr(" \t#", w->p[i + 1])) ||
		    (w->p[i] == '$' && i + 1 < w->len && w->p[i + 1] == '$'))
			i++;
	return n;
}

/* gcc: a word goes on the line unless col + size > 72; a new line starts " ". */
static int emit_gcc(struct buf *out, const struct word *w, size_t nw, size_t colon)
{
	size_t col = 0;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < nw; i++) {
		if (i == colon) {
			r = buf_append_str(out, ":");
			col++;
			continue;
		}
		if (col) {
			if (col + w[i].len > 72) {
				r = buf_append_str(out, " \\\n");
				col = 0;
			}
			if (r >= 0)
				r = buf_append_str(out, " ");
			col++;
		}
		if (r >= 0)
			r = buf_append(out, w[i].p, w[i].len);
		col += w[i].len;
	}
	return r;
}

/* clang: targets wrap at 75 with "  "; each dependency starts a new line
 * "  " when col + size + 1 + 2 > 75. */
static int emit_clang(struct buf *out, const struct word *w, size_t nw, size_t colon)
{
	size_t col = 0;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < nw; i++) {
		size_t n = plain_len(&w[i]);

		if (i == colon) {
			r = buf_append_str(out, ":");
			col++;
			continue;
		}
		if (i < colon) {
			if (col == 0)
				col = n;
			else if (col + n + 2 > 75) {
				r = buf_append_str(out, " \\\n  ");
				col = n + 2;
			} else {
				r = buf_append_str(out, " ");
				col += n + 1;
			}
		} else {
			if (col + n + 1 + 2 > 75) {
				r = buf_append_str(out, " \\\n ");
				col = 2;
			}
			if (r >= 0)
				r = buf_append_str(out, " ");
			col += n + 1;
		}
		if (r >= 0)
			r = buf_append(out, w[i].p, w[i].len);
	}
	return r;
}

/* Words of the first rule with the ':' as a word of its own at *ret_colon. */
static int rule_words(const char *s, size_t n, struct word **ret, size_t *ret_n,
		      size_t *ret_colon)
{
	size_t max = n / 2 + 2, nw, colon = SIZE_MAX;
	_cleanup_free_ struct word *w = calloc(max, sizeof(*w));

	if (!w)
		return -ENOMEM;
	nw = split_words(s, n, w, max - 1);
	if (nw == SIZE_MAX)
		return -EBADMSG;
	for (size_t i = 0; i < nw && colon == SIZE_MAX; i++)
		if (w[i].len > 1 && w[i].p[w[i].len - 1] == ':' && w[i].p[w[i].len - 2] != '\\')
			colon = i;
	if (colon == SIZE_MAX)
		return -EBADMSG;
	w[colon].len--;
	memmove(&w[colon + 2], &w[colon + 1], (nw - colon - 1) * sizeof(*w));
	w[colon + 1] = (struct word){ ":", 1 };
	*ret_colon = colon + 1;
	*ret_n = nw + 1;
	*ret = TAKE_PTR(w);
	return 0;
}

int depfile_unroot(const void *in, size_t n, const char *root, struct buf *out)
{
	struct buf text = BUF_INIT(n + 1);
	_cleanup_free_ struct word *w = NULL;
	enum style style = detect_style(in, first_rule_end(in, n));
	size_t end, nw = 0, colon = 0, at = out->len;
	int r;

	r = depfile_unroot_text(in, n, root, &text);
	if (r < 0)
		goto done;
	end = first_rule_end((const char *)text.data, text.len);
	r = rule_words((const char *)text.data, end, &w, &nw, &colon);
	if (r < 0)
		goto done;
	r = style == STYLE_CLANG ? emit_clang(out, w, nw, colon) : emit_gcc(out, w, nw, colon);
	if (r >= 0)
		r = buf_append(out, text.data + end, text.len - end);
done:
	if (r < 0)
		out->len = at;
	buf_free(&text);
	return r;
}
