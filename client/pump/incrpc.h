/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The codec of the include server's RPC (see incserver.h): request and reply
 * to bytes and back through common/proto. Pure: no sockets of its own, no
 * logging; every size the peer announces is capped (wirelimits.h) before it
 * costs memory.
 */
#pragma once

#include "buf.h"
#include "proto.h"
#include "../incserver.h"

struct incrpc_request {
	char *cwd;                  /* CDIR */
	char **argv;                /* ARGC strings + NULL */
	char *compiler_path;        /* CCPA */
};

void incrpc_request_free(struct incrpc_request *req);
/* Appends CDIR ARGC ARGV... CCPA. -EINVAL for an empty argv. */
int incrpc_put_request(struct buf *out, const char *cwd, char *const argv[],
		       const char *compiler_path);
/* Reads a request. -EBADMSG on a wrong token, an over-cap size or ARGC 0. */
int incrpc_read_request(struct proto_src *s, struct incrpc_request *ret);

/* Appends NFIL n and the entries, or (c == NULL or c->n == 0) NFIL 0 WHYS @why. */
int incrpc_put_reply(struct buf *out, const struct incserver_closure *c, const char *why);
/* Reads a reply. Entries' NAME and FILE paths must be absolute (-EBADMSG).
 * On success *ret holds the entries, and *ret_why the reason when n == 0. */
int incrpc_read_reply(struct proto_src *s, struct incserver_closure *ret, char **ret_why);
