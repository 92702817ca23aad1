/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drives the ",auto" hosts (livehosts.h): joins the cache (livefetch.c),
 * the limit policy (livestate.c) and the slot locks this build holds.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "livefetch.h"
#include "livehosts.h"
#include "lock.h"
#include "log.h"
#include "macro.h"

static uint64_t job_memory(const struct client_config *cfg)
{
	return (uint64_t)cfg->auto_mem_mb * 1024 * 1024;
}

/* The host's live limit, capped by a written "/N". */
static unsigned live_limit(const struct client_config *cfg, const struct host *h,
			   const struct live_state *st)
{
	unsigned lim = livestate_limit(st, job_memory(cfg), cfg->auto_load_pct);

	return h->limit_given && h->limit < lim ? h->limit : lim;
}

/* One line per outage: the first process that sees it says so. */
static void announce_down(const struct client_config *cfg, struct host *h, struct live_entry *e)
{
	if (!e->reported) {
		log_warning("host %s does not answer on its stats port %u: not used for this build",
			    h->spec, h->stats_port);
		e->reported = true;
		(void)livecache_write(cfg->dir, h, e);
	}
	h->down = true;
}

/* Stable insertion sort of the ",auto" hosts, in the places they hold, by
 * @load (parallel to the list), lowest first; static hosts stay put. */
static void order_by_load(struct hostlist *l, double *load)
{
	for (size_t i = 1; i < l->n; i++) {
		if (!l->hosts[i].autolimit)
			continue;
		for (size_t j = i; j > 0;) {
			size_t prev = j - 1;
			struct host t;
			double tk;

			while (prev > 0 && !l->hosts[prev].autolimit)
				prev--;
			if (!l->hosts[prev].autolimit || load[j] >= load[prev])
				break;
			t = l->hosts[j];
			l->hosts[j] = l->hosts[prev];
			l->hosts[prev] = t;
			tk = load[j];
			load[j] = load[prev];
			load[prev] = tk;
			j = prev;
		}
	}
}

/* Every ",auto" host that is up is full with jobs: rather than compile
 * here, queue as distcc 3.4 waits for a slot, on the least loaded of them
 * (jobs per slot; ties share), up to its live limit: the server never runs
 * more than its slots, and the queue forms where it drains first. */
static void wait_for_full(struct hostlist *l, const bool *full, const unsigned *lims,
			  const double *load)
{
	double best = HUGE_VAL;

	for (size_t i = 0; i < l->n; i++)
		if (full[i] && load[i] < best)
			best = load[i];
	for (size_t i = 0; i < l->n; i++)
		if (full[i] && load[i] <= best) {
			l->hosts[i].down = false;
			l->hosts[i].limit = lims[i];
		}
}

void livehosts_apply(const struct client_config *cfg, int lockdir, struct hostlist *l)
{
	_cleanup_free_ double *load = calloc(l->n ? l->n : 1, sizeof(*load));
	_cleanup_free_ bool *full = calloc(l->n ? l->n : 1, sizeof(*full));
	_cleanup_free_ unsigned *lims = calloc(l->n ? l->n : 1, sizeof(*lims));
	bool any = false, any_room = false;

	if (!load || !full || !lims)
		return;   /* out of memory: the list as written */
	for (size_t i = 0; i < l->n; i++) {
		struct host *h = &l->hosts[i];
		struct live_entry e;
		unsigned lim, mine, others;

		load[i] = HUGE_VAL;
		if (!h->autolimit || h->down || h->mode == HOST_LOCAL)
			continue;
		any = true;
		if (livecache_get(cfg->dir, h, &e) < 0) {
			log_debug("no live state for host %s yet: not used for this job", h->spec);
			h->down = true;
			continue;
		}
		if (!e.up) {
			announce_down(cfg, h, &e);
			continue;
		}
		lim = live_limit(cfg, h, &e.st);
		mine = lock_count_held(lockdir, h, e.st.max_jobs);
		others = livestate_others(&e.st, e.mine);
		h->limit = lim > others ? lim - others : 0;
		load[i] = livestate_load(lim, others + mine);
		log_debug("host %s: live limit %u, %u used by others, %u by us: limit %u", h->spec,
			  lim, others, mine, h->limit);
		/* no room once our own jobs are counted too: a job that took
		 * such a host would only wait for our own slot there, while
		 * another host may free one first (wait_for_full() then) */
		full[i] = lim > 0 && others + mine >= lim;
		lims[i] = lim;
		if (others + mine >= lim)
			h->down = true;
		else
			any_room = true;
	}
	if (!any_room)
		wait_for_full(l, full, lims, load);
	if (any)
		order_by_load(l, load);
}

size_t livehosts_refresh(const struct client_config *cfg, struct hostlist *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct host *h = &l->hosts[i];
		struct live_entry e;

		if (!h->autolimit || h->down || h->mode == HOST_LOCAL)
			continue;
		n++;
		/* asked directly: always say so (and the build's jobs need not) */
		if (livecache_refresh(cfg->dir, h, &e) < 0) {
			e.reported = false;
			announce_down(cfg, h, &e);
			continue;
		}
		h->limit = live_limit(cfg, h, &e.st);
		if (h->limit == 0)
			h->down = true;
	}
	return n;
}

unsigned long livehosts_jobs(const struct hostlist *l, size_t nauto, unsigned long *ret_remote)
{
	unsigned long total = 0, remote = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct host *h = &l->hosts[i];

		if (nauto > 0 && h->down)
			continue;
		total += h->limit;
		if (h->mode != HOST_LOCAL && !h->down)
			remote += h->limit;
	}
	if (nauto > 0)
		total += l->localslots;
	if (ret_remote)
		*ret_remote = remote;
	return total;
}

static void table_row(const struct client_config *cfg, int lockdir, const struct host *h, FILE *out)
{
	struct host sh = *h;
	struct live_state st;
	char run[32] = "-", load[16] = "-", mem[16] = "-", rate[16] = "-", fail[24] = "-";
	const char *state;
	bool exists, backed;
	int r;

	if (!sh.stats_port)
		sh.stats_port = HOST_DEFAULT_STATS_PORT;
	r = livefetch_now(&sh, LIVE_FETCH_TIMEOUT_USEC, &st);
	backed = lockdir >= 0 && backoff_check(lockdir, h, cfg->backoff_sec, &exists);
	if (r < 0)
		state = h->autolimit ? "down" : "no-stats";
	else {
		unsigned lim = live_limit(cfg, h, &st);

		state = h->down ? "disabled" : st.compiling >= lim ? "full" : "up";
		if (st.ours)
			snprintf(run, sizeof(run), "%u+%u/%u", st.compiling, st.queued, lim);
		else
			snprintf(run, sizeof(run), "?/%u", lim);
		snprintf(load, sizeof(load), "%.2f", st.load1);
		if (st.has_mem)
			snprintf(mem, sizeof(mem), "%lluM",
				 (unsigned long long)(st.mem_available / (1024 * 1024)));
		snprintf(rate, sizeof(rate), "%.2f", (double)st.compiles1 / 60.0);
		snprintf(fail, sizeof(fail), "%llu", (unsigned long long)st.failures);
	}
	fprintf(out, "%-28s %-9s %-10s %6s %9s %7s %6s %s\n", h->spec, state, run, load, mem,
		rate, fail, backed ? "yes" : "no");
}

void livehosts_table(const struct client_config *cfg, const struct hostlist *l, FILE *out)
{
	_cleanup_close_ int lockdir = -EBADF;

	(void)lock_dir_open(cfg->dir, &lockdir);
	fprintf(out, "%-28s %-9s %-10s %6s %9s %7s %6s %s\n", "HOST", "STATE", "RUN+Q/MAX",
		"LOAD", "FREE-MEM", "JOBS/S", "FAILS", "BACKOFF");
	for (size_t i = 0; i < l->n; i++) {
		const struct host *h = &l->hosts[i];

		if (h->mode == HOST_LOCAL)
			fprintf(out, "%-28s %-9s %-10u %6s %9s %7s %6s %s\n", h->spec, "local", h->limit,
				"-", "-", "-", "-", "-");
		else
			table_row(cfg, lockdir, h, out);
	}
	fflush(out);
}
