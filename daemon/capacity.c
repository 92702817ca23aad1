/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Free memory and usable CPUs, as capacity.h says. A figure that cannot be
 * read leaves the next source in charge: no cgroup limit means the
 * machine's figure, no /proc/meminfo means 0 (the client then skips the
 * memory bound, see livestate.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capacity.h"
#include "io.h"
#include "macro.h"
#include "parse.h"

#define CG_PATH_MAX 512
/* cgroup v1 writes "no limit" as a page-rounded LONG_MAX */
#define V1_NO_LIMIT (UINT64_C(1) << 62)

int capacity_parse_meminfo(const char *text, uint64_t *ret_bytes)
{
	const char *p = strstr(text, "MemAvailable:");
	unsigned long long kb;
	char *end;

	if (!p || (p != text && p[-1] != '\n'))
		return -EINVAL;
	p += strlen("MemAvailable:");
	errno = 0;
	kb = strtoull(p, &end, 10);
	if (errno || end == p || kb > UINT64_MAX / 1024)
		return -EINVAL;
	*ret_bytes = (uint64_t)kb * 1024;
	return 0;
}

/* Does the comma-separated list @list (length @n) name @want? */
static bool names(const char *list, size_t n, const char *want)
{
	size_t w = strlen(want);

	for (const char *p = list, *end = list + n; p < end;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t len = c ? (size_t)(c - p) : (size_t)(end - p);

		if (len == w && memcmp(p, want, w) == 0)
			return true;
		p += len + 1;
	}
	return false;
}

int capacity_parse_cgroup(const char *text, const char *controller, char *out, size_t n)
{
	bool v2 = !controller || !*controller;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;

		if (c2) {
			size_t clen = (size_t)(c2 - c1 - 1), plen = len - (size_t)(c2 + 1 - line);
			bool match = v2 ? clen == 0 && c1 - line == 1 && line[0] == '0'
					: clen > 0 && names(c1 + 1, clen, controller);

			if (match) {
				if (plen == 0 || plen >= n || c2[1] != '/')
					return -EINVAL;
				memcpy(out, c2 + 1, plen);
				out[plen] = 0;
				return 0;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

int capacity_parse_limit(const char *text, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (strncmp(text, "max", 3) == 0 && (text[3] == 0 || text[3] == '\n' || text[3] == ' ')) {
		*ret = UINT64_MAX;
		return 0;
	}
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || text[0] == '-')
		return -EINVAL;
	*ret = v >= V1_NO_LIMIT ? UINT64_MAX : (uint64_t)v;
	return 0;
}

unsigned capacity_millicpus_from_quota(uint64_t quota, uint64_t period)
{
	uint64_t c;

	if (period == 0 || quota == UINT64_MAX)
		return UINT32_MAX;
	c = quota / period * 1000 + quota % period * 1000 / period;
	return c == 0 ? 1 : c >= UINT32_MAX ? UINT32_MAX - 1 : (unsigned)c;
}

static int read_value(const char *dir, const char *cg, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *text = NULL;
	char path[CG_PATH_MAX * 2];

	if ((size_t)snprintf(path, sizeof(path), "/sys/fs/cgroup%s%s/%s", dir, cg, file) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	if (read_file_max(path, 4096, &text, NULL) < 0)
		return -ENOENT;
	return capacity_parse_limit(text, ret);
}

/* Room left under the memory cgroup's limit, or UINT64_MAX. */
static uint64_t cgroup_mem_room(const char *self)
{
	char cg[CG_PATH_MAX];
	uint64_t max, cur;

	if (capacity_parse_cgroup(self, NULL, cg, sizeof(cg)) >= 0 &&
	    read_value("", cg, "memory.max", &max) >= 0 &&
	    read_value("", cg, "memory.current", &cur) >= 0)
		return max == UINT64_MAX ? max : max > cur ? max - cur : 0;
	if (capacity_parse_cgroup(self, "memory", cg, sizeof(cg)) >= 0 &&
	    read_value("/memory", cg, "memory.limit_in_bytes", &max) >= 0 &&
	    read_value("/memory", cg, "memory.usage_in_bytes", &cur) >= 0)
		return max == UINT64_MAX ? max : max > cur ? max - cur : 0;
	return UINT64_MAX;
}

/* Thousandths of a CPU the cgroup's quota allows, or UINT32_MAX. */
static unsigned cgroup_cpus(const char *self)
{
	_cleanup_free_ char *text = NULL;
	char cg[CG_PATH_MAX], path[CG_PATH_MAX + 32];
	unsigned long long quota, period;
	uint64_t q, p;

	if (capacity_parse_cgroup(self, NULL, cg, sizeof(cg)) >= 0 &&
	    (size_t)snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpu.max", cg) < sizeof(path) &&
	    read_file_max(path, 4096, &text, NULL) >= 0) {
		if (strncmp(text, "max", 3) == 0)
			return UINT32_MAX;
		if (sscanf(text, "%llu %llu", &quota, &period) == 2)
			return capacity_millicpus_from_quota(quota, period);
	}
	if (capacity_parse_cgroup(self, "cpu", cg, sizeof(cg)) >= 0 &&
	    read_value("/cpu", cg, "cpu.cfs_quota_us", &q) >= 0 &&
	    read_value("/cpu", cg, "cpu.cfs_period_us", &p) >= 0)
		return capacity_millicpus_from_quota(q, p);
	return UINT32_MAX;
}

void capacity_sample(uint64_t *ret_mem_available, unsigned *ret_millicpus)
{
	_cleanup_free_ char *mem = NULL, *self = NULL;
	uint64_t avail = 0, room;
	unsigned cpus = 1000, cg;
	cpu_set_t set;

	if (read_file_max("/proc/meminfo", 1 << 16, &mem, NULL) >= 0)
		(void)capacity_parse_meminfo(mem, &avail);
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		cpus = (unsigned)CPU_COUNT(&set) * 1000;
	if (read_file_max("/proc/self/cgroup", 1 << 16, &self, NULL) >= 0) {
		room = cgroup_mem_room(self);
		if (room < avail)
			avail = room;
		cg = cgroup_cpus(self);
		if (cg < cpus)
			cpus = cg;
	}
	*ret_mem_available = avail;
	*ret_millicpus = cpus;
}
