/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Take a directory prefix (a pump server's job root) back out of what a
 * compiler wrote, so the result is what a local compile would have written:
 * a make dependency file byte for byte (its first rule re-wrapped as the
 * compiler wraps it), or plain text such as messages. In common/ so the
 * server (DOTD) and a client (a server that leaves its root in) can share
 * it. Pure: bytes in, bytes out.
 */
#pragma once

#include <stddef.h>

#include "buf.h"

/* Append @in to @out with "<root>/" replaced by "/" wherever it occurs. */
int depfile_unroot_text(const void *in, size_t n, const char *root, struct buf *out);

/* The same for a make dependency file, then its first rule re-wrapped the
 * way the compiler that wrote it wraps lines (gcc: at 72 columns,
 * continuation lines start with one space; clang: 75 columns, two spaces;
 * told apart by the file's own continuation lines). Shorter paths wrap
 * differently, so only this makes a stripped file identical to a local
 * one. -EBADMSG when the first rule has no "target:" (the text is then
 * left to the caller). */
int depfile_unroot(const void *in, size_t n, const char *root, struct buf *out);
