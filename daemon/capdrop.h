/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capability drop with libcap, around privdrop's identity switch: empty the
 * bounding set while CAP_SETPCAP is still there, then (after setuid) clear
 * ambient, inheritable, permitted and effective, set NO_NEW_PRIVS, and re-read
 * every set, failing closed if anything is left.
 */
#pragma once

#include <stdbool.h>

/* Empty the bounding set. Needs CAP_SETPCAP (raised into the effective set if
 * permitted). Without it (an ordinary user) nothing is dropped and
 * *ret_dropped is false: under NO_NEW_PRIVS with empty permitted/ambient sets
 * the bounding set can never be used again. Returns 0 or -errno. */
int capdrop_bounding(bool *ret_dropped);

/* Clear ambient, inheritable, permitted and effective; set NO_NEW_PRIVS. */
int capdrop_clear(void);

/* Re-read the process's sets: 0 when P/E/I and ambient are empty, NO_NEW_PRIVS
 * is set and, if @bounding_must_be_empty, the bounding set is empty too;
 * otherwise -EPERM (the first leftover is logged). */
int capdrop_verify(bool bounding_must_be_empty);
