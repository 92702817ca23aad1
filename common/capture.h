/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Asking a compiler about itself: run a short command (`gcc --version`,
 * `gcc -###`, `gcc -dumpmachine`) and capture what it prints, bounded in
 * size and time. Used by the client (-march=native, --check-hosts) and by
 * distccd --list-compilers; never on a job's path in the daemon.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "io.h"

#define CAPTURE_TIMEOUT_USEC (10 * USEC_PER_SEC)
#define CAPTURE_MAX (256 * 1024)

/* Run @argv (argv[0] looked up on the current PATH) with stdin on /dev/null,
 * LC_ALL=C, and stdout (plus stderr when @with_stderr, else /dev/null)
 * captured into *ret_out (NUL-terminated, malloc'd; output past @max bytes
 * is dropped). A child still running at @timeout is killed (-ETIMEDOUT).
 * *ret_status is the wait status. -errno when it cannot be started. */
int capture_output(char *const argv[], bool with_stderr, size_t max, usec_t timeout,
		   char **ret_out, int *ret_status);
/* The first line of @text, copied (without the newline). NULL on -ENOMEM. */
char *capture_first_line(const char *text);
/* The first line `cc @arg` prints (e.g. -dumpmachine), or NULL when it
 * fails. */
char *capture_cc_line(const char *arg);
