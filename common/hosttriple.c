/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host triple from uname(2), computed once. No logging.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "hosttriple.h"

const char *host_triple(void)
{
	static char triple[128];
	struct utsname u;
	bool x86;

	if (triple[0])
		return triple;
	if (uname(&u) < 0)
		snprintf(u.machine, sizeof(u.machine), "unknown");
	x86 = strcmp(u.machine, "x86_64") == 0 ||
	      (u.machine[0] == 'i' && strcmp(u.machine + 2, "86") == 0);
#ifdef __GLIBC__
	const char *os = "linux-gnu";
#else
	const char *os = "linux-musl";
#endif
	snprintf(triple, sizeof(triple), "%s-%s-%s", u.machine, x86 ? "pc" : "unknown", os);
	return triple;
}
