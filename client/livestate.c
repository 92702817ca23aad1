/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live state codec and limit policy (livestate.h). Both pages are plain
 * "name value" lines; unknown lines are ignored so newer servers stay
 * readable, and every number is range-checked.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "livestate.h"
#include "macro.h"

#define LINE_MAX_LEN 512u

/* Strict non-negative number (integer or decimal) from @s. */
static int number(const char *s, double *ret)
{
	char *end;
	double v;

	while (*s == ' ')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return -EBADMSG;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !isfinite(v) || v < 0)
		return -EBADMSG;
	if (*end)
		return -EBADMSG;
	*ret = v;
	return 0;
}

static unsigned clamp_u(double v, unsigned max)
{
	return v > max ? max : (unsigned)v;
}

static uint64_t clamp_u64(double v)
{
	return v >= 1.8e19 ? UINT64_MAX : (uint64_t)v;
}

/* One line of distcc 3.4's page ("dcc_NAME value"). */
static void line_distcc(const char *name, const char *val, struct live_state *s, bool *have_max)
{
	static const char *const failures[] = { "dcc_compile_timeout", "dcc_rej_overload",
						"dcc_rej_bad_req", "dcc_other" };
	double v;

	if (number(val, &v) < 0)
		return;
	if (strcmp(name, "dcc_max_kids") == 0) {
		s->max_jobs = clamp_u(v, LIVE_MAX_JOBS);
		*have_max = true;
	} else if (strcmp(name, "dcc_load1") == 0)
		s->load1 = v;
	else if (strcmp(name, "dcc_free_mem") == 0) {   /* distcc master: MB */
		s->has_mem = true;
		s->mem_available = clamp_u64(v * 1048576.0);
	} else if (strcmp(name, "dcc_num_compiles1") == 0)
		s->compiles1 = clamp_u64(v);
	for (size_t i = 0; i < ELEMENTSOF(failures); i++)
		if (strcmp(name, failures[i]) == 0)
			s->failures += clamp_u64(v);
}

/* One line of our /metrics ("name{labels} value"). */
static void line_metrics(const char *name, const char *val, struct live_state *s, bool *have_max)
{
	double v;

	if (number(val, &v) < 0)
		return;
	if (strcmp(name, "distccd_max_jobs") == 0) {
		s->max_jobs = clamp_u(v, LIVE_MAX_JOBS);
		*have_max = true;
	} else if (strcmp(name, "distccd_compiling_jobs") == 0)
		s->compiling = clamp_u(v, LIVE_MAX_JOBS);
	else if (strcmp(name, "distccd_queued_jobs") == 0)
		s->queued = clamp_u(v, LIVE_MAX_JOBS);
	else if (strcmp(name, "distccd_host_load_average{window=\"1m\"}") == 0)
		s->load1 = v;
	else if (strcmp(name, "distccd_host_memory_available_bytes") == 0) {
		s->has_mem = true;
		s->mem_available = clamp_u64(v);
	} else if (strcmp(name, "distccd_host_cpus") == 0)
		s->cpus = v > LIVE_MAX_JOBS ? LIVE_MAX_JOBS : v;
	else if (strcmp(name, "distccd_recent_compiles{window=\"1m\"}") == 0)
		s->compiles1 = clamp_u64(v);
	else if (strcmp(name, "distccd_jobs_total{result=\"COMPILE_TIMEOUT\"}") == 0 ||
		 strcmp(name, "distccd_jobs_total{result=\"REJ_OVERLOAD\"}") == 0 ||
		 strcmp(name, "distccd_jobs_total{result=\"REJ_BAD_REQ\"}") == 0 ||
		 strcmp(name, "distccd_jobs_total{result=\"OTHER\"}") == 0)
		s->failures += clamp_u64(v);
}

int livestate_parse(const char *text, size_t len, struct live_state *ret)
{
	struct live_state s = {};
	bool have_max = false, distcc = false, metrics = false;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[LINE_MAX_LEN], *sp;

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = 0;
			if (strcmp(line, "<distccstats>") == 0)
				distcc = true;
			else if (strncmp(line, "# TYPE distccd_", 15) == 0)
				metrics = true;
			if (n > 3 && strcmp(line + n - 3, " MB") == 0)
				line[n - 3] = 0;   /* "dcc_free_mem 123 MB" */
			sp = strrchr(line, ' ');
			if (sp && line[0] != '#') {
				*sp = 0;
				if (distcc)
					line_distcc(line, sp + 1, &s, &have_max);
				else if (metrics)
					line_metrics(line, sp + 1, &s, &have_max);
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (!have_max || (!distcc && !metrics))
		return -EBADMSG;
	s.ours = metrics && !distcc;
	*ret = s;
	return 0;
}

unsigned livestate_limit(const struct live_state *s, uint64_t job_mem, unsigned load_pct)
{
	double other = (s->load1 - (double)s->compiling) * load_pct / 100.0;
	double cpus = s->cpus ? s->cpus : s->max_jobs, lim = s->max_jobs;

	if (s->cpus > 0) {
		double by_cpu = floor(s->cpus * LIVE_JOBS_PER_CPU + 0.5);

		lim = by_cpu < 1 ? 1 : by_cpu < lim ? by_cpu : lim;
	}
	if (other > 0 && cpus > 0) {
		lim -= floor(other * (double)s->max_jobs / cpus + 0.5);
		if (lim < 1 && s->max_jobs > 0)
			lim = 1;
	}
	if (s->has_mem && job_mem > 0) {
		double by_mem = (double)s->compiling + floor((double)s->mem_available / (double)job_mem);

		if (by_mem < lim)
			lim = by_mem;
	}
	if (lim < 0)
		return 0;
	return lim > s->max_jobs ? s->max_jobs : (unsigned)lim;
}

double livestate_load(unsigned lim, unsigned busy)
{
	return lim ? ((double)busy + 1.0) / (double)lim : HUGE_VAL;
}

unsigned livestate_others(const struct live_state *s, unsigned mine)
{
	unsigned busy = s->compiling + s->queued;

	return busy > mine ? busy - mine : 0;
}

int live_entry_encode(const struct live_entry *e, char *out, size_t n)
{
	const struct live_state *s = &e->st;
	int k = snprintf(out, n,
			 "live2 %" PRIu64 " %d %d %u %d %u %u %u %.2f %d %" PRIu64 " %.3f %" PRIu64
			 " %" PRIu64 "\n",
			 (uint64_t)e->when, e->up, e->reported, e->mine, s->ours, s->max_jobs, s->compiling,
			 s->queued, s->load1, s->has_mem, s->mem_available, s->cpus, s->compiles1,
			 s->failures);

	return k < 0 || (size_t)k >= n ? -ENOBUFS : 0;
}

int live_entry_decode(const char *text, struct live_entry *ret)
{
	struct live_entry e = {};
	struct live_state *s = &e.st;
	int up, rep, ours, mem, used = 0;
	uint64_t when;

	if (sscanf(text,
		   "live2 %" SCNu64 " %d %d %u %d %u %u %u %lf %d %" SCNu64 " %lf %" SCNu64 " %" SCNu64
		   "\n%n",
		   &when, &up, &rep, &e.mine, &ours, &s->max_jobs, &s->compiling, &s->queued, &s->load1,
		   &mem, &s->mem_available, &s->cpus, &s->compiles1, &s->failures, &used) != 14 ||
	    used == 0 || text[used] != 0)
		return -EBADMSG;
	if ((up | rep | ours | mem) & ~1 || s->max_jobs > LIVE_MAX_JOBS || e.mine > LIVE_MAX_JOBS ||
	    s->compiling > LIVE_MAX_JOBS || s->queued > LIVE_MAX_JOBS || !(s->cpus >= 0 && s->cpus <= LIVE_MAX_JOBS) ||
	    !isfinite(s->load1) || s->load1 < 0)
		return -EBADMSG;
	e.when = when;
	e.up = up;
	e.reported = rep;
	s->ours = ours;
	s->has_mem = mem;
	*ret = e;
	return 0;
}

bool live_entry_stale(const struct live_entry *e, usec_t now, usec_t max_age)
{
	return e->when > now || now - e->when > max_age;
}
