/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A server's live state for ",auto" hosts (distcc-hosts(5)): the page its
 * stats port serves (our distccd's /metrics, or distcc 3.4's --stats page)
 * parsed into numbers; the job limit the client derives from them; and the
 * one-line cache record shared by all jobs of a build. Pure: no I/O, no
 * clock (callers pass times), no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io.h"

#define LIVE_DEFAULT_STATS_PORT 3633
#define LIVE_DEFAULT_JOB_MEMORY_MB 256u   /* DISTCC_AUTO_COMPILER_MEMORY */
#define LIVE_MAX_JOBS 100000u

struct live_state {
	bool ours;               /* our distccd's /metrics (else distcc 3.4's page) */
	unsigned max_jobs;       /* --jobs */
	unsigned compiling;      /* holding a slot now (ours only) */
	unsigned queued;         /* waiting for a slot (ours only) */
	double load1;            /* 1-minute load average */
	bool has_mem;
	uint64_t mem_available;  /* bytes */
	double cpus;             /* usable CPUs (fractions from a quota); 0 when not reported */
	uint64_t compiles1;      /* compiles finished in the last minute */
	uint64_t failures;       /* timeouts, overload refusals, bad requests, other */
};

/* Parse a whole HTTP reply (header and page). -EBADMSG when it is neither
 * page or lacks the job limit. */
int livestate_parse(const char *text, size_t len, struct live_state *ret);

#define LIVE_JOBS_PER_CPU 2      /* a host is worth about this many jobs per usable CPU */

/* The host's job limit now: its --jobs, at most LIVE_JOBS_PER_CPU per
 * usable CPU (rounded, at least 1) when the server says, less the share of its CPUs busy
 * with other work (load beyond its compiles, weighted @load_pct percent;
 * this never takes the last slot), bounded by what its free memory holds
 * at @job_mem bytes a job (0: no memory bound). 0..max_jobs. */
unsigned livestate_limit(const struct live_state *s, uint64_t job_mem, unsigned load_pct);
/* Where the next job finishes first: the jobs a host would hold with it,
 * @busy + 1, per slot of its live limit @lim (slots follow its CPUs, so a
 * host with twice the CPUs takes twice the jobs). Lower is better;
 * HUGE_VAL for a host without slots. */
double livestate_load(unsigned lim, unsigned busy);
/* Jobs on the server that are not ours: compiling + queued - @mine (ours
 * when the state was fetched), >= 0. */
unsigned livestate_others(const struct live_state *s, unsigned mine);

/* One cache record: what a fetch found at monotonic time @when. */
struct live_entry {
	usec_t when;
	bool up;                 /* answered with a page we could read */
	bool reported;           /* the "down" line was printed for this outage */
	unsigned mine;           /* slots this build held on the host when fetched: the
				  * server counted those jobs, now maybe finished */
	struct live_state st;    /* valid when up */
};

#define LIVE_RECORD_MAX 256u
/* Encode @e as one text line into @out (LIVE_RECORD_MAX bytes). */
int live_entry_encode(const struct live_entry *e, char *out, size_t n);
/* -EBADMSG on anything else. */
int live_entry_decode(const char *text, struct live_entry *ret);
/* Is the record older than @max_age at @now (or from the future: a reboot)? */
bool live_entry_stale(const struct live_entry *e, usec_t now, usec_t max_age);
