/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The compiler-argument policy of distccd: a pure function from the argv a
 * client sent (and the protocol version) to a verdict. Deny by default:
 * every argument must match a reviewed rule (docs/argument-policy.md).
 * Options that execute or load code, read server files outside what a
 * compile needs, or write outside the job directory are refused. A few
 * options that are inert in a compile are dropped (the verdict's argv).
 * No I/O, no logging; the session logs the verdict and replies with
 * EXIT_ACCESS_DENIED.
 */
#pragma once

#include <stdbool.h>

struct argpolicy_verdict {
	bool allowed;
	/* Refused: a static reason, the offending argument (points into the
	 * caller's argv) and its index. */
	const char *reason;
	const char *arg;
	unsigned index;
	/* Allowed: the argv to run, owned (strv_free), with inert options
	 * dropped and -Wp,-MD,<file> rewritten to -MD; argv[0] unchanged. The
	 * input and -o are kept as sent; the session substitutes them. */
	char **argv;
	unsigned n_rewritten;
};

/* Classify @argv (argv[0] is the compiler; its name is whitelist.c's
 * business). @protover is the request's DIST value: 1 and 2 carry
 * preprocessed input, 3 (pump) source plus headers under the job root.
 * Returns 0 and fills *ret (allowed or refused); -EINVAL for an empty argv,
 * -ENOMEM. */
int argpolicy_check(const char *const argv[], unsigned protover, struct argpolicy_verdict *ret);

/* Free the verdict's argv; accepts a zeroed verdict. */
void argpolicy_verdict_done(struct argpolicy_verdict *v);
