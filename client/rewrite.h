/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compiler name rewriting (DISTCC-REFERENCE 3.4, UPSTREAM-BUGS C7/C8):
 * cc/c++ resolved to gcc/g++/clang/clang++, gcc -> <triple>-gcc when that
 * exists on PATH, clang gets -target <triple>. Disabled by
 * DISTCC_NO_REWRITE_CROSS (the caller checks the environment).
 */
#pragma once

/* The GNU triple distcc 3.4 was configured for on this machine,
 * e.g. "x86_64-pc-linux-gnu" (with "-pc-"): common/hosttriple.h's. */
const char *rewrite_host_triple(void);
/* Rewrite argv[0] (and append -target for clang) in place. *argv is a
 * malloc'd string vector (strv_copy); it and argv[0] may be reallocated.
 * @path is the PATH to search (may be NULL: no lookup at all). cc/c++ that
 * are not a symlink to gcc/clang are probed once with `--version` (child
 * with stdin and stderr on /dev/null, killed after 5 s). On -ENOMEM *argv
 * is still a valid vector. Returns 0 also when nothing was changed. */
int rewrite_compiler(char ***argv, const char *path);
