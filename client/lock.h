/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Slot locks in $DISTCC_DIR/lock (DISTCC-REFERENCE 3.5): one file per
 * (host, slot), whole-file fcntl write locks that the kernel releases when
 * the process dies, compatible with distcc 3.4 clients on the same machine.
 * Remote hosts are filled slot-major; local work (a "localhost" entry,
 * --localslots, --localslots_cpp) shares the cpu_localhost_N files.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hostspec.h"

/* Lock file name for @h's slot @slot into @out. Pure. -ENAMETOOLONG. */
int lock_name(const struct host *h, unsigned slot, char *out, size_t n);
/* Name of local slot @slot ("cpu_localhost_<slot>"). Pure. */
int lock_name_local(unsigned slot, char *out, size_t n);

/* mkdir -p @distcc_dir/lock (mode 0755... then files 0666) and open it. */
int lock_dir_open(const char *distcc_dir, int *ret_dirfd);

/* One held slot (fd is O_CLOEXEC: a compiler we run does not inherit it;
 * we hold the slot while we wait for it). */
struct slot {
	int fd;
	int host;             /* index into the candidate list, -1 for local */
	unsigned slot;
};

#define SLOT_NONE ((struct slot){ .fd = -1, .host = -1 })

void lock_release(struct slot *s);

/* Called while waiting, e.g. to publish a Blocked monitor state. */
typedef void (*lock_wait_fn)(void *userdata);

/* Slots 0..@max-1 of @h that other processes hold now (F_GETLK does not
 * report the caller's own locks). */
unsigned lock_count_held(int lockdir, const struct host *h, unsigned max);

/* Take a slot on one of @hosts[i] where @usable[i]: slot-major order, the
 * bound on slots is the largest limit in the list (UPSTREAM-BUGS B5); a
 * list with ",auto" hosts (ordered by livehosts_apply()) host-major. When
 * all are busy, block on one of them for at most @pause_msec, then rescan.
 * -ENOENT if no host is usable. */
int lock_pick_host(int dirfd, const struct host *hosts, const bool *usable, size_t n,
		   unsigned pause_msec, lock_wait_fn on_wait, void *userdata, struct slot *ret);
/* One pass as lock_pick_host(), then a wait of at most @wait_msec on the
 * first candidate (the least loaded ",auto" host's): -EAGAIN when it
 * stays busy, so the caller can look at the live state again. */
int lock_pick_host_within(int dirfd, const struct host *hosts, const bool *usable, size_t n,
			  unsigned wait_msec, struct slot *ret);
/* Take one of local slots 0..@nslots-1 the same way. */
int lock_pick_local(int dirfd, unsigned nslots, unsigned pause_msec, lock_wait_fn on_wait,
		    void *userdata, struct slot *ret);
