/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the host list comes from (DISTCC-REFERENCE 2): $DISTCC_HOSTS when
 * set (even empty), else $DISTCC_DIR/hosts, else SYSCONFDIR/distcc/hosts.
 * Parsing itself is hostspec.c's.
 */
#pragma once

#include "config.h"
#include "hostspec.h"

/* Load and parse the list. *ret_source (malloc'd, the caller frees it)
 * names where it came from: "DISTCC_HOSTS" or the file's path; NULL when no
 * list exists anywhere (an empty list, n == 0, as is a set but empty
 * DISTCC_HOSTS). On a parse error returns -EINVAL with the bad token in
 * *ret_bad (malloc'd) and a static reason in *ret_why (may be NULL).
 * --randomize is applied. "+zeroconf" words are replaced by the discovered
 * hosts (zeroconf.h), which may start a background browser. */
int hosts_load(const struct client_config *cfg, struct hostlist *ret, char **ret_bad,
	       const char **ret_why, char **ret_source);
/* *ret_source of a list that +zeroconf alone would have filled, found empty */
#define HOSTS_SOURCE_ZEROCONF "+zeroconf"

/* distcc 3.4's warning for an empty list from @source (NULL: none at all). */
void hosts_log_empty(const char *source);
