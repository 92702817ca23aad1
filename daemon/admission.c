/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission bookkeeping for the standalone server (see admission.h). The
 * table is small (--max-connections): linear scans are the whole design.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"

/* The address as 16 bytes, IPv4 mapped into IPv6, so that a client seen
 * as 10.0.0.5 and as ::ffff:10.0.0.5 is one source. Other families
 * (a UNIX socket, a pipe) are all one source. */
static void source_key(const struct sockaddr *sa, socklen_t len, uint8_t out[16])
{
	memset(out, 0, 16);
	if (sa && sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6))
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

int admission_init(struct admission *a, const struct admission_limits *lim)
{
	if (lim->jobs == 0 || lim->per_source_jobs == 0 || lim->conns == 0 ||
	    lim->per_source_conns == 0)
		return -EINVAL;
	*a = (struct admission){ .lim = *lim };
	a->c = calloc(2 * (size_t)lim->conns, sizeof(*a->c));
	return a->c ? 0 : -ENOMEM;
}

void admission_done(struct admission *a)
{
	free(a->c);
	*a = (struct admission){ 0 };
}

static struct admission_conn *find(struct admission *a, int64_t id)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->c[i].id == id)
			return &a->c[i];
	return NULL;
}

enum count { COUNT_HELD, COUNT_PARKED, COUNT_COMPILING, COUNT_QUEUED };

static bool counts(const struct admission_conn *c, enum count what)
{
	switch (what) {
	case COUNT_HELD:
		return c->state != ADM_PARKED;
	case COUNT_PARKED:
		return c->state == ADM_PARKED;
	case COUNT_COMPILING:
		return c->state == ADM_COMPILING;
	case COUNT_QUEUED:
		return c->state == ADM_WAITING || c->state == ADM_PARKED;
	}
	return false;
}

/* Connections from @key (NULL: from anywhere) in the @what class. */
static unsigned count(const struct admission *a, const uint8_t *key, enum count what)
{
	unsigned n = 0;

	for (size_t i = 0; i < a->n; i++)
		if ((!key || memcmp(a->c[i].addr, key, 16) == 0) && counts(&a->c[i], what))
			n++;
	return n;
}

static bool may_hold(const struct admission *a, const uint8_t key[16])
{
	return count(a, NULL, COUNT_HELD) < a->lim.conns &&
	       count(a, key, COUNT_HELD) < a->lim.per_source_conns;
}

enum admission_verdict admission_check(const struct admission *a, const struct sockaddr *peer,
				       socklen_t len)
{
	uint8_t key[16];

	source_key(peer, len, key);
	if (may_hold(a, key))
		return ADMISSION_OK;
	if (count(a, key, COUNT_PARKED) >= a->lim.per_source_conns)
		return ADMISSION_SOURCE_FULL;
	if (count(a, NULL, COUNT_PARKED) >= a->lim.conns)
		return ADMISSION_FULL;
	return ADMISSION_PARK;
}

int admission_add(struct admission *a, int64_t id, const struct sockaddr *peer, socklen_t len,
		  bool parked)
{
	struct admission_conn *c;

	if (count(a, NULL, parked ? COUNT_PARKED : COUNT_HELD) >= a->lim.conns)
		return -ENOSPC;
	c = &a->c[a->n++];
	*c = (struct admission_conn){ .id = id, .state = parked ? ADM_PARKED : ADM_READING,
				      .seq = a->seq++ };
	source_key(peer, len, c->addr);
	return 0;
}

int admission_unpark(struct admission *a, int64_t *ret_id)
{
	struct admission_conn *best = NULL;

	for (size_t i = 0; i < a->n; i++) {
		struct admission_conn *c = &a->c[i];

		if (c->state == ADM_PARKED && (!best || c->seq < best->seq) && may_hold(a, c->addr))
			best = c;
	}
	if (!best)
		return 0;
	best->state = ADM_READING;
	*ret_id = best->id;
	return 1;
}

int admission_want(struct admission *a, int64_t id)
{
	struct admission_conn *c = find(a, id);

	if (!c)
		return -ENOENT;
	if (c->state != ADM_READING)
		return -EINVAL;
	c->state = ADM_WAITING;
	c->seq = a->seq++;
	return 0;
}

unsigned admission_compiling(const struct admission *a)
{
	return count(a, NULL, COUNT_COMPILING);
}

unsigned admission_queued(const struct admission *a)
{
	return count(a, NULL, COUNT_QUEUED);
}

size_t admission_held(const struct admission *a)
{
	return count(a, NULL, COUNT_HELD);
}

int admission_next(struct admission *a, int64_t *ret_id)
{
	struct admission_conn *best = NULL;

	if (admission_compiling(a) >= a->lim.jobs)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		struct admission_conn *c = &a->c[i];

		if (c->state != ADM_WAITING || (best && best->seq < c->seq))
			continue;
		if (count(a, c->addr, COUNT_COMPILING) < a->lim.per_source_jobs)
			best = c;
	}
	if (!best)
		return 0;
	best->state = ADM_COMPILING;
	*ret_id = best->id;
	return 1;
}

int admission_release(struct admission *a, int64_t id)
{
	struct admission_conn *c = find(a, id);

	if (!c)
		return -ENOENT;
	if (c->state != ADM_COMPILING)
		return -EINVAL;
	c->state = ADM_REPLYING;
	return 0;
}

void admission_remove(struct admission *a, int64_t id)
{
	struct admission_conn *c = find(a, id);

	if (c)
		*c = a->c[--a->n];
}
