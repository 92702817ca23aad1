/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host backoff (DISTCC-REFERENCE 3.5): after a transport failure the client
 * touches $DISTCC_DIR/lock/backoff_<mode>_<host>[_<port>]_0; hosts whose file
 * is younger than DISTCC_BACKOFF_PERIOD are skipped; success removes it.
 * A period of 0 disables all three. File names match distcc 3.4's so both
 * clients on one machine honour each other's backoffs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "hostspec.h"

/* Pure: the file name for @h. -ENAMETOOLONG. */
int backoff_name(const struct host *h, char *out, size_t n);
/* Pure: is a host whose backoff file has @mtime still backed off at @now? */
bool backoff_active(time_t mtime, time_t now, unsigned period_sec);

/* Is @h backed off? *ret_exists says whether a backoff file is there (so a
 * success only pays for the unlink when one exists). */
bool backoff_check(int dirfd, const struct host *h, unsigned period_sec, bool *ret_exists);
/* Mark @h as failed now. Errors are ignored: backoff is advisory. */
void backoff_mark(int dirfd, const struct host *h, unsigned period_sec);
void backoff_clear(int dirfd, const struct host *h, unsigned period_sec);
