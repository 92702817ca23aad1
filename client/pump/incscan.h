/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include scanner: from one source or header text, every directive that
 * can make the compiler open a file (#include, #include_next, #import,
 * __has_include and __has_include_next operands), whatever #if says, and
 * every #define (the values computed includes may take). Comments, string
 * and character literals, raw strings and backslash-newlines are handled as
 * the preprocessor does. Pure: bytes in, lists out.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum incscan_kind {
	INCSCAN_QUOTE,      /* "name" */
	INCSCAN_ANGLE,      /* <name> */
	INCSCAN_COMPUTED,   /* anything else: macro text to expand */
};

struct incscan_include {
	char *name;                 /* without delimiters; raw operand text when COMPUTED */
	enum incscan_kind kind;
	bool next;                  /* #include_next / __has_include_next */
	bool probe;                 /* __has_include*: only tested for existence */
};

struct incscan_define {
	char *name;
	char **params;              /* NULL: object-like; else NULL-terminated (may be empty) */
	bool variadic;              /* last parameter is ... (named __VA_ARGS__) or name... */
	char *body;                 /* replacement text, comments removed, spaces kept */
};

struct incscan_result {
	struct incscan_include *inc;
	size_t ninc;
	struct incscan_define *def;
	size_t ndef;
};

/* Scan @len bytes of @text (need not be NUL-terminated). -ENOMEM only:
 * every text has a result. */
int incscan_scan(const char *text, size_t len, struct incscan_result *ret);
void incscan_result_free(struct incscan_result *r);
