/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the real compiler behind a name: the first executable of that
 * name on PATH that is not a distcc masquerade link (a link whose target is
 * a program called distcc), so that asking the compiler something never
 * goes through distcc again.
 */
#pragma once

/* Full path (malloc'd) of @name on the colon-separated @path, skipping
 * masquerade links; a name with a '/' is taken as it is. -ENOENT, -ENOMEM. */
int compilerpath_find(const char *name, const char *path, char **ret);
/* @path without the directories where @name is a masquerade link: the PATH
 * a masquerade invocation of @name would use. malloc'd. -ENOMEM. */
int compilerpath_trim(const char *name, const char *path, char **ret);
