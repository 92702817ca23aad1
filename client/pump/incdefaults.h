/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler's own include directories, from `cc -x LANG FLAGS -v -E
 * /dev/null`: the parser (pure) and the probe that runs the compiler once
 * with a clean include environment (no CPATH & co, LC_ALL=C).
 */
#pragma once

#include "io.h"

/* Parse the -v output: the "#include <...>" list (framework dirs dropped).
 * -ENOMSG if the output has no search list. */
int incdefaults_parse(const char *text, char ***ret_quote, char ***ret_bracket);
/* Run @compiler (absolute path) for @lang ("c", "c++", ...) with @flags
 * (NULL-terminated, may be NULL) and parse it. -ETIMEDOUT past @deadline,
 * -ECHILD if the compiler fails. */
int incdefaults_probe(const char *compiler, const char *lang, char *const flags[],
		      usec_t deadline, char ***ret_bracket);
