/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pump mode's discrepancy counter, as distcc 3.4 keeps it: a file next to
 * the include server's socket ("<dir>/socket" -> "<dir>/discrepancy_counter")
 * that grows by one '@' for every job that failed on a server and then
 * succeeded locally. Once it holds DISTCC_MAX_DISCREPANCY bytes, the rest of
 * the build uses plain mode. Shared by distcc and pump.
 */
#pragma once

#include <stdbool.h>

#define DISCREPANCY_FILE "discrepancy_counter"
#define DISCREPANCY_SOCKET "socket"

/* The counter's path for include server socket @port: -ENOENT unless the
 * socket is named "<dir>/socket" (3.4's rule), -ENOMEM. */
int discrepancy_path(const char *port, char **ret);
/* How many discrepancies were noted in @path (0 if it does not exist). */
unsigned discrepancy_count(const char *path);
/* Note one more. *ret_reached is true for exactly the one job whose note
 * made the count reach @max (appends are atomic, so only one sees it). */
int discrepancy_note(const char *path, unsigned max, bool *ret_reached);
