/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dropping root before the first byte from a peer is parsed.
 */
#pragma once

/* When running as root: switch to @user (NULL: "distccd", else "nobody"),
 * clear supplementary groups, set PR_SET_NO_NEW_PRIVS, and verify that root
 * cannot be regained. Not root: a warning if @user was given, then 0.
 * Returns 0 or -errno (the caller exits EXIT_SETUID_FAILED). */
int privdrop_apply(const char *user);
