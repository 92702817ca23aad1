/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host figures for the stats page, read from /proc and statvfs. Parsing is
 * kept apart from reading so it is tested on fixed text; the readers log
 * nothing and leave a figure at 0 when its source cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "capacity.h"
#include "macro.h"
#include "parse.h"
#include "strv.h"
#include "sysinfo.h"

#define TOKEN_MAX 64

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Copy the next blank-separated token of *p into @dst. -EINVAL if none or too long. */
static int next_token(const char **p, char dst[TOKEN_MAX])
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '\n')
		n++;
	if (n == 0 || n >= TOKEN_MAX)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = 0;
	*p = s + n;
	return 0;
}

static int next_uint(const char **p, unsigned long long *ret)
{
	char tok[TOKEN_MAX];
	int r = next_token(p, tok);

	return r < 0 ? r : parse_uint(tok, 0, UINT64_MAX, ret);
}

static int parse_double(const char *tok, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(tok, &end);
	if (errno || end == tok || *end || !isfinite(v) || v < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

int sysinfo_parse_loadavg(const char *text, double ret_load[3], int *ret_running)
{
	char tok[TOKEN_MAX], *slash;
	unsigned long long running;
	double load[3];
	int r;

	for (int i = 0; i < 3; i++) {
		r = next_token(&text, tok);
		if (r >= 0)
			r = parse_double(tok, &load[i]);
		if (r < 0)
			return r;
	}
	r = next_token(&text, tok);
	if (r < 0)
		return r;
	slash = strchr(tok, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	r = parse_uint(tok, 0, INT32_MAX, &running);
	if (r < 0)
		return r;
	memcpy(ret_load, load, sizeof(load));
	*ret_running = (int)running;
	return 0;
}

int sysinfo_parse_proc_stat(const char *text, struct sysinfo_proc *ret)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')'), *p;
	unsigned long long v = 0;
	struct sysinfo_proc proc = { 0 };
	char tok[TOKEN_MAX];
	size_t n;
	int r;

	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return -EINVAL;
	n = (size_t)(close - open) + 1;
	if (n >= sizeof(proc.name))
		n = sizeof(proc.name) - 1;
	memcpy(proc.name, open, n);
	proc.name[n] = 0;
	proc.state = close[2];
	p = close + 3;
	/* Fields 4..23 follow the state (some may be -1); rss is field 24. */
	for (int field = 4; field < 24; field++)
		if (next_token(&p, tok) < 0)
			return -EINVAL;
	r = next_uint(&p, &v);
	if (r < 0)
		return r;
	proc.rss_pages = (long long)v;
	*ret = proc;
	return 0;
}

bool sysinfo_is_compiler_name(const char *name)
{
	size_t n = strlen(name);

	if (n >= 3 && name[n - 1] == ')')
		return (name[n - 3] == 'c' && name[n - 2] == 'c') ||
		       (name[n - 3] == '+' && name[n - 2] == '+');
	return str_has_suffix(name, "cc") || str_has_suffix(name, "++");
}

static int parse_diskstats_line(const char *line, bool (*want)(const char *, void *), void *ud,
				uint64_t *sum)
{
	char dev[TOKEN_MAX];
	unsigned long long v[8];
	int r;

	r = next_uint(&line, &v[0]);                 /* major */
	if (r >= 0)
		r = next_uint(&line, &v[0]);         /* minor */
	if (r >= 0)
		r = next_token(&line, dev);
	for (int i = 0; r >= 0 && i < 7; i++)        /* reads..sectors written */
		r = next_uint(&line, &v[i]);
	if (r < 0)
		return r;
	if (!want || want(dev, ud))
		*sum += v[2] + v[6];
	return 0;
}

int sysinfo_parse_diskstats(const char *text, bool (*want)(const char *dev, void *ud), void *ud,
			    uint64_t *ret_sectors)
{
	uint64_t sum = 0;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		char line[512];
		int r;

		if (n >= sizeof(line))
			return -EINVAL;
		memcpy(line, text, n);
		line[n] = 0;
		if (strspn(line, " \t") != n) {
			r = parse_diskstats_line(line, want, ud, &sum);
			if (r < 0)
				return r;
		}
		text += n + (nl ? 1 : 0);
	}
	*ret_sectors = sum;
	return 0;
}

void sysinfo_update_rate(struct sysinfo_state *st, uint64_t sectors, usec_t now)
{
	if (st->have && now > st->when && sectors >= st->sectors) {
		uint64_t dt = now - st->when;
		st->rate = (long)((sectors - st->sectors) * USEC_PER_SEC / dt);
	}
	if (!st->have || now > st->when) {
		st->sectors = sectors;
		st->when = now;
		st->have = true;
	}
}

/* Whole disks only (partitions would count twice): those have /sys/block/NAME. */
static bool is_whole_disk(const char *dev, void *ud)
{
	char path[TOKEN_MAX + 16];

	(void)ud;
	if (str_has_prefix(dev, "loop") || str_has_prefix(dev, "ram"))
		return false;
	snprintf(path, sizeof(path), "/sys/block/%s", dev);
	return access(path, F_OK) == 0;
}

static void sample_procs(struct stats_host *h)
{
	_cleanup_(closedirp) DIR *d = opendir("/proc");
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *text = NULL;
		struct sysinfo_proc p;
		char path[64];

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/stat", de->d_name);
		if (read_file_max(path, 4096, &text, NULL) < 0 || sysinfo_parse_proc_stat(text, &p) < 0)
			continue;
		if (p.state == 'D')
			h->procs_d++;
		if (!sysinfo_is_compiler_name(p.name) && p.rss_pages * page_kb > h->max_rss_kb) {
			h->max_rss_kb = p.rss_pages * page_kb;
			memcpy(h->max_rss_name, p.name, sizeof(h->max_rss_name));
		}
	}
}

void sysinfo_sample(struct sysinfo_state *st, const char *tmpdir, usec_t now,
		    struct stats_host *ret)
{
	_cleanup_free_ char *load = NULL, *disks = NULL;
	struct stats_host h = { .io_rate = -1 };
	struct statvfs vfs;
	uint64_t sectors;

	if (read_file_max("/proc/loadavg", 4096, &load, NULL) >= 0)
		(void)sysinfo_parse_loadavg(load, h.load, &h.running_tasks);
	sample_procs(&h);
	if (read_file_max("/proc/diskstats", 1 << 20, &disks, NULL) >= 0 &&
	    sysinfo_parse_diskstats(disks, is_whole_disk, NULL, &sectors) >= 0)
		sysinfo_update_rate(st, sectors, now);
	h.io_rate = st->rate;
	if (statvfs(tmpdir ? tmpdir : "/tmp", &vfs) == 0)
		h.free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	capacity_sample(&h.mem_available, &h.millicpus);
	*ret = h;
}
