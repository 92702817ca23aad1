/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fetching ",auto" hosts' live state and sharing it between the jobs of a
 * build: $DISTCC_DIR/live/HOST_PORT holds the last fetch (livestate.h's
 * record). A job never waits on the network: when the record is older than
 * a second it starts a detached refresher (one per host at a time, under
 * an flock) and goes on with what it has.
 */
#pragma once

#include "hostspec.h"
#include "livestate.h"

#define LIVE_MAX_AGE_USEC (1000 * USEC_PER_MSEC)  /* refetch at most once a second */
#define LIVE_FETCH_TIMEOUT_USEC (1000 * USEC_PER_MSEC)
#define LIVE_FIRST_WAIT_USEC (20 * USEC_PER_MSEC)  /* a job with no record waits this long */

/* Ask @h's stats port (h->stats_port) for its page now, waiting at most
 * @timeout. -errno when it does not answer or sends no readable page. */
int livefetch_now(const struct host *h, usec_t timeout, struct live_state *ret);

/* The record for @h from $DISTCC_DIR (@dir). -ENOENT when none. */
int livecache_read(const char *dir, const struct host *h, struct live_entry *ret);
/* Replace it. */
int livecache_write(const char *dir, const struct host *h, const struct live_entry *e);

/* Fetch now (waiting up to LIVE_FETCH_TIMEOUT_USEC) and store the result. */
int livecache_refresh(const char *dir, const struct host *h, struct live_entry *ret);
/* The freshest record a job may use without waiting: a fresh one as is; a
 * stale one after starting a refresher; none: start one and wait up to
 * LIVE_FIRST_WAIT_USEC for it. -ENOENT when there is still none. */
int livecache_get(const char *dir, const struct host *h, struct live_entry *ret);
