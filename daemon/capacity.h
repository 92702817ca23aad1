/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the machine can still take, for clients that balance by live state
 * (distcc-hosts(5) ",auto"): memory available (MemAvailable, or less when
 * the daemon's memory cgroup has a limit) and the CPUs it may use (its
 * affinity, or less under a cgroup CPU quota). cgroup v2 and v1 both. The
 * parsers are pure; capacity_sample() reads /proc and /sys and never fails.
 */
#pragma once

#include <stdint.h>

/* MemAvailable from /proc/meminfo text, in bytes. -EINVAL if absent. */
int capacity_parse_meminfo(const char *text, uint64_t *ret_bytes);
/* The cgroup path of @controller ("memory", "cpu"; NULL or "" = the v2
 * unified line "0::") in /proc/self/cgroup text, into @out. -ENOENT. */
int capacity_parse_cgroup(const char *text, const char *controller, char *out, size_t n);
/* A limit file's value ("max" and v1's huge values = no limit: UINT64_MAX). */
int capacity_parse_limit(const char *text, uint64_t *ret);
/* Thousandths of a CPU from a quota and a period (microseconds), at least 1;
 * UINT32_MAX for no quota. */
unsigned capacity_millicpus_from_quota(uint64_t quota, uint64_t period);

/* Sample the machine now: memory available, thousandths of a CPU usable. */
void capacity_sample(uint64_t *ret_mem_available, unsigned *ret_millicpus);
