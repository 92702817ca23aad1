/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Source file extensions as distcc sees them: which names are C-family
 * sources and what a preprocessed copy of each is called. Shared by the
 * client (what to distribute) and the daemon (naming the job's input). Pure.
 */
#pragma once

#include <stdbool.h>

/* The extension, without the dot, of @path's last component, or NULL. */
const char *srcext_of(const char *path);
/* ".i", ".ii", ".mi" or ".mii" for a C, C++, Objective-C(++) source or an
 * already preprocessed one; with @assembler also ".s" for .s/.S. NULL for
 * anything else. */
const char *srcext_preproc(const char *path, bool assembler);
/* True for .i .ii .mi .mii: already preprocessed, sent as is. */
bool srcext_is_preprocessed(const char *path);
