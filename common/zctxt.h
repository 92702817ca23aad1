/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Zeroconf (DNS-SD) records of a distcc server, both directions, pure:
 * what distccd --zeroconf publishes (distcc 3.4's TXT records and subtype
 * plus our "options=" entry) and the host-list line the client makes from
 * what it resolved. No Avahi, no I/O: see daemon/zcpublish.c and
 * client/zcbrowse.c for that.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define ZC_SERVICE_TYPE "_distcc._tcp"
#define ZC_DEFAULT_JOBS 4          /* 3.4's browser: a server without jobs= */
#define ZC_MAX_JOBS 1024           /* cap on a peer-announced jobs= */
#define ZC_LINE_MAX 128

struct zc_server_info {
	unsigned cpus, jobs;
	const char *cc_machine;    /* `cc -dumpmachine`, e.g. x86_64-linux-gnu; may be NULL */
	const char *cc_version;    /* `cc -dumpversion`, e.g. 12; may be NULL */
	const char *gnuhost;       /* host_triple() */
	bool lzo, cpp;             /* protocol options this server speaks */
};

/* The TXT strings ("key=value") for @info, in 3.4's order with ours last:
 * txtvers=1 cpus= jobs= distcc=3.4 gnuhost= cc_version= cc_machine=
 * options=lzo,cpp. *ret is a NULL-terminated strv (strv_free). -ENOMEM. */
int zc_txt_build(const struct zc_server_info *info, char ***ret);

/* 3.4's subtype "_<machine>--<version>._sub._distcc._tcp" into @buf, both
 * spelt as 3.4 does (A-Z lowered, anything but a-z 0-9 becomes '-', so
 * x86_64-linux-gnu is "x86-64-linux-gnu"): 3.4's clients browse exactly
 * that name. -EINVAL when either is missing or the label would not fit. */
int zc_subtype(const char *machine, const char *version, char *buf, size_t size);

/* What one resolved service says, from its TXT strings (NULL-terminated
 * array of "key=value", as received): jobs= (default ZC_DEFAULT_JOBS,
 * capped at ZC_MAX_JOBS) and our options= (absent: neither). */
struct zc_found {
	unsigned jobs;
	bool lzo, cpp;
};
void zc_txt_parse(const char *const *txt, struct zc_found *ret);

/* The host-list line for a resolved server: "ADDR:PORT/JOBS[,lzo[,cpp]]",
 * IPv6 in brackets. @addr is numeric. IPv6 link-local addresses (fe80::/10)
 * need an interface scope that a host spec cannot carry: -EADDRNOTAVAIL, the
 * caller skips them. -EINVAL for a malformed @addr or port 0. */
int zc_host_line(const char *addr, unsigned port, const struct zc_found *f, char *buf, size_t size);

/* Replace each "+zeroconf" word of host-list @text (outside comments) by
 * @discovered (may be empty). *ret_used tells whether there was one; *ret is
 * the new text (malloc'd). -ENOMEM. */
int zc_expand(const char *text, const char *discovered, char **ret, bool *ret_used);
/* Whether @text names +zeroconf (outside comments). */
bool zc_mentioned(const char *text);
