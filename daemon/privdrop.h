/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dropping root before the first byte from a peer is parsed.
 */
#pragma once

/* When running as root: empty the bounding set, switch to @user (NULL:
 * "distccd", else "nobody"), clear supplementary groups and verify that root
 * cannot be regained. Then, root or not: clear the ambient, inheritable,
 * permitted and effective capabilities, set PR_SET_NO_NEW_PRIVS, and re-read
 * all sets (capdrop_verify); anything left is an error. Not root: a warning
 * if @user was given. Returns 0 or -errno (the caller exits EXIT_SETUID_FAILED). */
int privdrop_apply(const char *user);
