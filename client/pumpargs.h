/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a pump-mode job (protocol 3) sends and expects, derived from the
 * scanned command line: the full argv (DISTCC-REFERENCE 3.3: nothing is
 * stripped; "-MT <target>" appended when a .d file is wanted and no target
 * was given, as distcc 3.4 does, with the target a local -MD build would
 * write) and the path the server's DOTD goes to. Also the rules that keep a
 * job in plain mode. Pure: no I/O, no environment, no logging.
 */
#pragma once

#include "argscan.h"
#include "config.h"

struct pump_args {
	char **argv;     /* sent to the server */
	char *dotd;      /* where DOTD is written; NULL when no .d is wanted */
};

/* Why @scan (a REMOTE job) must use plain mode even on a ',cpp' host:
 * a static reason, or NULL when pump mode may be used. Looks at the
 * configuration only (the discrepancy counter is the driver's). */
const char *pumpargs_blocker(const struct client_config *cfg, const struct argscan_job *scan);
/* Build the argv and .d path for a REMOTE job. -ENOMEM only. */
int pumpargs_build(const struct argscan_job *scan, struct pump_args *ret);
void pumpargs_free(struct pump_args *a);
