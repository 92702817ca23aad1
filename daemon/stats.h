/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccd's job statistics: the counters the parent keeps (fed from its
 * children's exit statuses and result records), sliding 1/5/15-minute
 * windows, the child->parent result record codec, and the two pages served
 * on the stats port: distcc 3.4's exact text page and an OpenMetrics
 * exposition. Pure: no fds, no clock (callers pass `now`), no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "io.h"
#include "jobsum.h"

#define STATS_WINDOW_SECS 900u          /* 15 minutes of one-second buckets... */
#define STATS_RING (STATS_WINDOW_SECS + 1u) /* ...plus the partly covered oldest one */
#define STATS_NAME_MAX 128u             /* longest kept input/compiler name, with NUL */

struct stats {
	uint64_t tcp_accept;
	uint64_t denied;                        /* by the access list */
	uint64_t results[_JOB_RESULT_MAX];
	unsigned max_kids;
	unsigned running;                       /* jobs (children) alive now */
	unsigned compiling;                     /* holding a compile slot now */
	unsigned queued;                        /* request in, waiting for a slot */

	char longest_input[STATS_NAME_MAX];     /* "" until the first successful job */
	char longest_compiler[STATS_NAME_MAX];
	int64_t longest_msecs;                  /* -1 until the first successful job */

	usec_t start;                           /* when counting began */
	usec_t last;                            /* time of the newest event seen */
	uint64_t head;                          /* absolute second of the newest bucket */
	uint32_t compiles[STATS_RING];   /* finished compiles per second */
	uint64_t kid_usec[STATS_RING];   /* integral of `running` per second */
};

/* Start counting at @now with @max_kids job slots. */
void stats_init(struct stats *s, unsigned max_kids, usec_t now);
/* Bring the windows up to @now (time never goes backwards; earlier is ignored). */
void stats_advance(struct stats *s, usec_t now);
/* A connection was accepted on the compile port; one was refused by --allow. */
void stats_accepted(struct stats *s);
void stats_denied(struct stats *s);
/* A job (child) started / finished with @result. */
void stats_job_started(struct stats *s, usec_t now);
void stats_job_finished(struct stats *s, enum job_result result, usec_t now);
/* Slots in use and requests waiting for one (the admission's view). */
void stats_slots(struct stats *s, unsigned compiling, unsigned queued);
/* A successful job took @msecs: keeps the longest. Names are copied, cut to fit. */
void stats_job_duration(struct stats *s, const char *input, const char *compiler, int64_t msecs);

/* Windowed values at the time of the last stats_advance(). @minutes is 1, 5 or 15.
 * The average divides by the window or by the time counted so far if shorter. */
double stats_avg_running(const struct stats *s, unsigned minutes);
uint64_t stats_recent_compiles(const struct stats *s, unsigned minutes);

/* The result record a child sends its parent before exiting: fixed size,
 * little-endian, so one write() of it on a pipe is atomic. */
#define STATS_RECORD_SIZE (16u + 2u * STATS_NAME_MAX)
#define STATS_RECORD_MAGIC 0x64635231u   /* "1Rcd" */

struct stats_record {
	uint32_t pid;
	enum job_result result;
	uint32_t msecs;
	char input[STATS_NAME_MAX];
	char compiler[STATS_NAME_MAX];
};

void stats_record_encode(const struct stats_record *rec, uint8_t out[STATS_RECORD_SIZE]);
/* -EBADMSG on a wrong magic, result out of range, or a name not NUL-terminated. */
int stats_record_decode(const uint8_t in[STATS_RECORD_SIZE], struct stats_record *ret);
/* Fill @rec, cutting names to fit (a NULL name becomes ""). */
void stats_record_fill(struct stats_record *rec, uint32_t pid, enum job_result result,
		       uint32_t msecs, const char *input, const char *compiler);

/* What the host looked like when the page was asked for (see sysinfo.h). */
struct stats_host {
	int running_tasks;              /* 4th field of /proc/loadavg, before the '/' */
	double load[3];
	int procs_d;                    /* processes in D state */
	long long max_rss_kb;           /* largest RSS, compilers excluded */
	char max_rss_name[STATS_NAME_MAX]; /* "(python3)" style, as 3.4 prints it */
	long io_rate;                   /* sectors per second, -1 if not known yet */
	uint64_t free_bytes;            /* free space of $TMPDIR */
	uint64_t mem_available;         /* bytes: MemAvailable, or less under a cgroup limit */
	unsigned millicpus;             /* CPUs the daemon may use (affinity, cgroup quota), x1000 */
};

/* Which page a request asks for: /metrics or (anything else) the 3.4 page. */
enum stats_page { STATS_PAGE_DISTCC, STATS_PAGE_METRICS };
/* @req is whatever the client sent so far (possibly nothing). */
enum stats_page stats_page_for_request(const char *req, size_t len);
/* True once @req holds a full request line (or enough to decide). */
bool stats_request_complete(const char *req, size_t len);

/* distcc 3.4's page (DISTCC-REFERENCE 4.7), with its HTTP header, LF only. */
int stats_format_distcc(const struct stats *s, const struct stats_host *h, struct buf *out);
/* OpenMetrics 1.0.0 text exposition with its HTTP header; ends with "# EOF\n". */
int stats_format_metrics(const struct stats *s, const struct stats_host *h, struct buf *out);
