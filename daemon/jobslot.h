/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compile slots in the standalone server. Each connection's child holds one
 * end of a SOCK_SEQPACKET pair, the parent the other; the parent's
 * admission table (admission.h) decides who compiles. One-byte messages:
 * the child says WANT once its request is in and allowed and DONE once the
 * compiler has finished, the parent answers WANT with GO. A child that
 * dies holding a slot frees it by dying (the parent reaps it).
 */
#pragma once

#include "io.h"
#include "peerwatch.h"

enum { JOBSLOT_WANT = 'W', JOBSLOT_DONE = 'D', JOBSLOT_GO = 'G' };

/* ret_fds[0] for the parent, ret_fds[1] for the child; both CLOEXEC, the
 * parent's non-blocking. */
int jobslot_pair(int ret_fds[2]);

/* Child: ask for a slot and wait for it, watching the client (@w). 0: go;
 * -ECONNRESET: the client is gone; -ETIMEDOUT: no slot by @deadline;
 * -EPIPE: the parent is gone. */
int jobslot_acquire(int fd, struct peer_watch *w, usec_t deadline);
/* Child: the compiler is done, the slot is free for another job. */
void jobslot_release(int fd);

/* Parent: one message from a child. 1 and *ret_msg; 0: none waiting;
 * -EPIPE: the child closed its end. */
int jobslot_recv(int fd, char *ret_msg);
/* Parent: tell the child to compile. */
int jobslot_grant(int fd);
