/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ",auto" hosts in a build (distcc-hosts(5)): each one's limit comes from
 * the live state its server reports (livestate.h, via livefetch.h's
 * cache), and among themselves they are tried least loaded first (jobs
 * per slot), host by host, so several clients spread over the cluster.
 * Static hosts keep distcc 3.4's limits and their exact place in the slot
 * order.
 */
#pragma once

#include <stdio.h>

#include "config.h"
#include "hostspec.h"

/* For one job: set each ",auto" host's limit to its share now (its live
 * limit less what other clients use), mark it down when its server does
 * not answer (one line per outage) or has no room (its live limit taken by
 * other clients' jobs and ours), and reorder the ",auto" hosts, in the
 * places they hold in the list, by livestate_load(). When all
 * of them are full, they stay usable with their whole live limit (the job
 * waits for a slot, as with static hosts). @lockdir
 * (-1: none) tells which slots this build holds. Never waits on the
 * network (livefetch.h). */
void livehosts_apply(const struct client_config *cfg, int lockdir, struct hostlist *l);

/* Fetch every ",auto" host now and fill in its live limit (down ones
 * marked down, one line each). Returns how many ",auto" hosts the list
 * has. */
size_t livehosts_refresh(const struct client_config *cfg, struct hostlist *l);

/* Suggested parallelism: distcc 3.4's sum of limits for a static list;
 * with ",auto" hosts (after livehosts_refresh) the sum of the limits of
 * the hosts that are up plus --localslots. *ret_remote (may be NULL) gets
 * the remote part alone (0: no remote host is usable). */
unsigned long livehosts_jobs(const struct hostlist *l, size_t nauto, unsigned long *ret_remote);

/* The cluster view: one line per host of the list (state, running/max
 * jobs, load, free memory, jobs/s, failures, backoff), from each server's
 * stats port fetched now. */
void livehosts_table(const struct client_config *cfg, const struct hostlist *l, FILE *out);
