/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How plain mode preprocesses on the client. Full preprocessing (distcc
 * 3.4's way) expands every macro, which changes what the compiler sees:
 * debug line columns differ from a local build wherever a macro is
 * expanded, and some diagnostics (-Werror=address on a macro's test of an
 * array) fire only on the expanded text. Directives-only preprocessing
 * (gcc's -fdirectives-only) inlines the headers and evaluates #if, but
 * leaves macros unexpanded; the server compiles that with
 * "-fpreprocessed -fdirectives-only", as the local compiler would the
 * source. It is only argv, so distcc 3.4 servers do it too. Pure.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "argscan.h"

enum cppmode {
	CPPMODE_FULL,            /* gcc -E: macros expanded on the client */
	CPPMODE_DIRECTIVES_ONLY, /* gcc -E -fdirectives-only; server -fpreprocessed -fdirectives-only */
};

/* The mode for a REMOTE @job when directives-only is @wanted: only for
 * gcc-family compilers (gcc, g++, <triple>-gcc, gcc-12, ...), a source
 * not already preprocessed, and none of the options that change what
 * -E writes (-C, -CC, -traditional-cpp, -fpreprocessed, -fdirectives-only
 * given by the user...) or that gcc refuses with it (-Wunused-macros).
 * *ret_why says why not (static text) for FULL. */
enum cppmode cppmode_choose(const struct argscan_job *job, bool wanted, const char **ret_why);
/* Add @mode's options to job->cpp_argv and job->server_argv. -ENOMEM
 * leaves the job as it was. */
int cppmode_apply(enum cppmode mode, struct argscan_job *job);
/* Whether directives-only output @text (@n bytes) would compile otherwise
 * on a server than here: it names a macro that gcc expands from the main
 * file it is given (__BASE_FILE__, __TIMESTAMP__: on a server, its temp
 * file) or from the clock and SOURCE_DATE_EPOCH (__DATE__, __TIME__: the
 * server has neither ours), where full preprocessing expanded them here.
 * Such a job is compiled locally. */
bool cppmode_output_is_local(const void *text, size_t n);
