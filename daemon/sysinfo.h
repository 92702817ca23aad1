/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host figures distcc 3.4's stats page reports: load average, processes
 * in D state, the largest non-compiler RSS, disk I/O rate, free space of the
 * temp dir. The parsers are pure (text in, numbers out) and unit-tested; the
 * samplers read /proc and statvfs and never fail: what cannot be read stays 0
 * (or -1 for the I/O rate).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "stats.h"

/* "0.52 0.58 0.59 2/345 12345" -> load[3], running tasks (2). -EINVAL. */
int sysinfo_parse_loadavg(const char *text, double ret_load[3], int *ret_running);

struct sysinfo_proc {
	char state;                     /* 'R', 'S', 'D', ... */
	char name[STATS_NAME_MAX];      /* comm with its parentheses: "(cc1)" */
	long long rss_pages;
};
/* One /proc/PID/stat line. The name may hold spaces and ')'. -EINVAL. */
int sysinfo_parse_proc_stat(const char *text, struct sysinfo_proc *ret);
/* True for names 3.4 leaves out of dcc_max_RSS: "(...cc)" and "(...++)". */
bool sysinfo_is_compiler_name(const char *name);

/* Sum of sectors read + written over /proc/diskstats lines whose device
 * @want accepts (all if NULL). -EINVAL on a malformed line. */
int sysinfo_parse_diskstats(const char *text, bool (*want)(const char *dev, void *ud), void *ud,
			    uint64_t *ret_sectors);

/* I/O rate needs two samples: the sampler keeps the previous one here. */
struct sysinfo_state {
	bool have;
	uint64_t sectors;
	usec_t when;
	long rate;                      /* -1 until two samples */
};
#define SYSINFO_STATE_INIT ((struct sysinfo_state){ .rate = -1 })

/* Rate from two samples; keeps the previous rate when no time passed. */
void sysinfo_update_rate(struct sysinfo_state *st, uint64_t sectors, usec_t now);

/* Fill @ret from /proc and statvfs(@tmpdir). */
void sysinfo_sample(struct sysinfo_state *st, const char *tmpdir, usec_t now,
		    struct stats_host *ret);
