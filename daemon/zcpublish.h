/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccd --zeroconf: publish _distcc._tcp (3.4's TXT records and subtype,
 * plus options=lzo,cpp) through the Avahi daemon, from a thread of its own
 * (every signal blocked there: the main loop's signalfd sees them all).
 * Waits for Avahi when it is not running yet and re-registers when it
 * restarts; a name collision picks Avahi's alternative name.
 */
#pragma once

struct zc_publisher;

/* Start publishing "distcc@<hostname>" on @port with @jobs slots. The
 * compiler facts come from `cc -dumpmachine` / `cc -dumpversion` on PATH
 * (missing: no subtype, as 3.4). -errno (logged) when Avahi's client cannot
 * be created at all. */
int zc_publish_start(unsigned port, unsigned jobs, struct zc_publisher **ret);
/* Withdraw and free; NULL is fine. */
void zc_publish_stop(struct zc_publisher *p);
/* --zeroconf-publish: publish, then wait for SIGTERM/SIGINT. Returns 0 or
 * -errno (logged). */
int zc_publish_run(unsigned port, unsigned jobs);
