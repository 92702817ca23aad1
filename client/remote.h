/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Transport for one remote job over TCP (protocol 1, or 2 with LZO):
 * connect with a per-address timeout, send the request head while the
 * local preprocessor still runs, then DOTI, then read the reply. Protocol 3
 * (pump) sends the head, the source and its headers in one stream instead.
 * Every failure here is a transport failure (the caller backs off the host).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostspec.h"
#include "io.h"
#include "proto.h"

#define REMOTE_CONNECT_TIMEOUT_USEC (4 * USEC_PER_SEC)
#define REMOTE_READ_AHEAD (64 * 1024)

/* Try every getaddrinfo() result for @h, @timeout each. */
int remote_connect(const struct host *h, usec_t timeout, int *ret_fd);
/* DIST ARGC ARGV... in one write. */
int remote_send_head(int fd, uint32_t version, char *const argv[], usec_t deadline);
/* DOTI from the whole file @in_fd (at offset 0); sendfile for protocol 1. */
int remote_send_doti(int fd, uint32_t version, int in_fd, usec_t deadline);
/* DONE STAT SERR SOUT DOTO through a read-ahead buffer: a small reply
 * costs a few read()s, not a poll and a read per token. */
int remote_read_reply(int fd, uint32_t version, usec_t deadline, struct proto_reply *ret);

/* One entry of a pump request, in send order. */
struct remote_file {
	const char *name;       /* NAME: absolute path on the client */
	const char *body;       /* FILE: a file holding the LZO1X bytes to send verbatim */
	const char *link;       /* LINK: symlink text, when body is NULL */
};

/* Protocol 3 request (DISTCC-REFERENCE 1.4): DIST 3, CDIR @cwd, ARGC/ARGV
 * @argv, NFIL @n, then NAME + FILE|LINK for each of @files. Small pieces
 * are gathered into few writes. -E2BIG when a count or size exceeds what a
 * server accepts (wirelimits.h), -errno of an unreadable body file (not the
 * host's fault: the caller should not back the host off for those, see
 * *ret_local). */
int remote_send_pump(int fd, const char *cwd, char *const argv[], const struct remote_file *files,
		     size_t n, usec_t deadline, bool *ret_local);
