/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission in the standalone server: which connections it holds and which
 * of them may compile now. Reading a request costs no compile slot: a
 * connection is READING until its request is in and allowed, WAITING for a
 * slot, COMPILING while it holds one, REPLYING once the compiler is done.
 * Limits: --jobs slots in all, --max-per-source slots per client address,
 * twice that many connections per address, --max-connections in all.
 * A connection over its address's share is PARKED (accepted, not read,
 * no process) until one of that address's connections ends, up to the same
 * share again; only past that is it refused. A client that reconnects the
 * moment it has its reply, before the server has reaped the old
 * connection, so waits instead of failing.
 * Pure bookkeeping: no fds, no clock, no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct admission_limits {
	unsigned jobs;              /* compile slots */
	unsigned per_source_jobs;   /* compile slots one address may hold */
	unsigned conns;             /* connections held in all states */
	unsigned per_source_conns;  /* connections one address may hold */
};

enum admission_state { ADM_PARKED, ADM_READING, ADM_WAITING, ADM_COMPILING, ADM_REPLYING };

struct admission_conn {
	int64_t id;                 /* the caller's key (the server uses the child's pid) */
	uint8_t addr[16];           /* the client address (IPv4 as ::ffff:a.b.c.d) */
	enum admission_state state;
	uint64_t seq;               /* when it was parked or started waiting: first come, first served */
};

struct admission {
	struct admission_limits lim;
	struct admission_conn *c;   /* 2 * lim.conns entries: held and parked */
	size_t n;
	uint64_t seq;
};

enum admission_verdict {
	ADMISSION_OK,
	ADMISSION_PARK,             /* its address holds its share: park it */
	ADMISSION_FULL,             /* --max-connections held and as many parked */
	ADMISSION_SOURCE_FULL,      /* its address holds its share and parks as many */
};

int admission_init(struct admission *a, const struct admission_limits *lim);
void admission_done(struct admission *a);
/* May a new connection from @peer be held (OK), or parked? */
enum admission_verdict admission_check(const struct admission *a, const struct sockaddr *peer,
				       socklen_t len);
/* Hold it under @id, READING, or PARKED with @parked. -ENOSPC when full
 * (check first). */
int admission_add(struct admission *a, int64_t id, const struct sockaddr *peer, socklen_t len,
		  bool parked);
/* The parked connection that may be held now (the longest parked whose
 * address is under its share): made READING. 1 and its id, or 0. */
int admission_unpark(struct admission *a, int64_t *ret_id);
/* Its request is in: READING -> WAITING. -ENOENT unknown, -EINVAL not reading. */
int admission_want(struct admission *a, int64_t id);
/* Pick the waiting connection that may compile now, the longest-waiting
 * one whose address is under its share, and make it COMPILING. Returns 1
 * and its id, or 0 when none may. */
int admission_next(struct admission *a, int64_t *ret_id);
/* The compiler is done: COMPILING -> REPLYING (frees its slot). */
int admission_release(struct admission *a, int64_t id);
/* The connection is gone, in whatever state. */
void admission_remove(struct admission *a, int64_t id);
/* Connections held (not parked) / compiling now. */
size_t admission_held(const struct admission *a);
unsigned admission_compiling(const struct admission *a);
/* Connections waiting for a slot (request in) or parked. */
unsigned admission_queued(const struct admission *a);
