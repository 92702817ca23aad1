/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strings and NULL-terminated string vectors: the small helpers every module
 * used to carry its own copy of. Pure: no I/O, no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Number of strings before the NULL; 0 for a NULL vector. */
size_t strv_length(char *const *v);
/* A deep copy, or NULL on -ENOMEM. A NULL @v gives an empty vector. */
char **strv_copy(char *const *v);
/* Free every string and the vector; NULL is fine. */
void strv_free(char **v);
/* For _cleanup_(strv_freep). */
void strv_freep(char ***v);
/* Append a copy of @s; *v may be NULL. -ENOMEM leaves *v as it was. */
int strv_push(char ***v, const char *s);

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* The part of @path after its last '/' (a pointer into @path, not a copy);
 * @path itself when it has no '/'; "" for NULL. */
const char *str_basename(const char *path);
