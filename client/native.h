/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -march=native, -mtune=native and -mcpu=native resolved on the client
 * (distcc 3.4 keeps such jobs local: the server's CPU is not ours). The
 * compiler itself is asked what it makes of them (`-###`): gcc's cc1 line
 * holds the expansion (-march=znver3 -mavx2 ... --param=l1-cache-size=48
 * -mtune=znver3), clang's -cc1 line the CPU and its target features, which
 * become -march=CPU plus -m<feature>/-mno-<feature>. The result is checked
 * by asking the compiler again: the resolved flags must give the same cc1
 * target options, else the job stays local. Results are cached per
 * compiler binary and boot in $DISTCC_DIR/native/.
 */
#pragma once

#include <stdbool.h>

/* True when @argv has one of the three native flags. */
bool native_wanted(char *const argv[]);
/* Rewrite *argv (a strv) in place: the native flags removed, the resolved
 * flags inserted after argv[0]. Returns 1 when resolved, 0 when there is
 * nothing to do or the compiler's answer cannot reproduce the local build
 * exactly (argv unchanged: the job stays local), -ENOMEM. @path is the PATH
 * the compiler is found on; @cache_dir may be NULL (no cache). *ret_why
 * says why not, for a debug line. */
int native_resolve(char ***argv, const char *path, const char *cache_dir, const char **ret_why);

/* Pure helpers, exposed for the unit tests. */
/* Split a `-###` command line into words ("quoted \"words\"" or bare). */
int native_split_words(const char *line, char ***ret);
/* The words of the compiler-proper line in `-###` output (gcc's cc1/cc1plus,
 * clang's "-cc1"), --param X joined to --param=X. *ret_clang tells which.
 * -ENOENT when there is none. */
int native_cc1_words(const char *out, char ***ret, bool *ret_clang);
/* Words of @with that are not in @without (multiset difference, order
 * kept; a repeated word is matched from the end). */
int native_word_diff(char *const with[], char *const without[], char ***ret);
/* Whether gcc would record the command line in the object (debug info on,
 * -grecord-gcc-switches being gcc's default). */
bool native_gcc_records_switches(char *const argv[]);
/* clang -cc1 words -> the driver flags giving the same CPU, tuning and
 * features: -march=CPU (when @march), -mtune=TUNE (when @mtune), and
 * -m<f>/-mno-<f> for each feature of @native not already in @base. */
int native_clang_flags(char *const native[], char *const base[], bool march, bool mtune,
		       char ***ret);
/* The target options of a clang -cc1 line, for comparing two of them:
 * "cpu=", "tune=" and each feature, with features implied by every x86-64
 * CPU model (+64bit, +cx8, +cmov) left out. */
int native_clang_target(char *const cc1[], char ***ret);
