/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The monitor's view of $DISTCC_DIR/state: which binstate_<pid> records
 * describe live jobs (distcc 3.4's reader rules, DISTCC-REFERENCE 5), and
 * how distccmon-text prints one.
 */
#pragma once

#include <stddef.h>

#include "monstate.h"

#define MONITOR_MAX_ENTRIES 65536

/* Read every live record in @state_dir: names not starting "binstate_" are
 * ignored, files older than MONSTATE_STALE_SEC are unlinked, records with a
 * wrong size or magic are skipped, entries whose pid is gone are dropped.
 * Sorted by host, then slot. A missing directory is an empty list.
 * *ret is malloc'd (may be NULL when *ret_n == 0). */
int monitor_poll(const char *state_dir, struct monstate **ret, size_t *ret_n);

/* One distccmon-text line ("%6ld  %-10.10s  %-30.30s %24.24s[%d]\n":
 * pid, phase name, file field as stored, host, slot) into @buf. Returns the length, or -ENOBUFS. */
int monitor_format_line(const struct monstate *s, char *buf, size_t size);
