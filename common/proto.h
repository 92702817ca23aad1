/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The distcc 3.4 token codec (DISTCC-REFERENCE section 1): 12-byte headers
 * of a 4-letter token and 8 hex digits, strings, bulk payloads (LZO in
 * protocol 2 and 3), and the request/reply messages built from them.
 *
 * Readers take a struct proto_src: either an fd with an absolute deadline,
 * read through io.h's xreader (the drivers), or a memory cursor (unit tests,
 * fuzzers). Every announced
 * size is checked against limits.h before anything is allocated.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "io.h"

#define PROTO_HDR_LEN 12
#define PROTO_MIN_VERSION 1
#define PROTO_MAX_VERSION 3

struct proto_src {
	/* used when mem == NULL. Its optional read-ahead buffer
	 * (PROTO_SRC_FD_BUF) serves small tokens from one read() each fill
	 * instead of two syscalls per token; it reads past the message, so use
	 * it only when nothing else reads the fd afterwards (e.g. the client
	 * reading the reply). */
	struct xreader rd;
	struct cursor *mem;
	uint64_t bytes;          /* bytes consumed so far */
};

#define PROTO_SRC_FD(f, d) ((struct proto_src){ .rd = XREADER(f, d) })
#define PROTO_SRC_FD_BUF(f, d, b, n, nb) ((struct proto_src){ .rd = XREADER_BUF(f, d, b, n, nb) })
#define PROTO_SRC_MEM(c) ((struct proto_src){ .rd = XREADER(-1, USEC_INFINITY), .mem = (c) })

static inline bool proto_compressed(uint32_t version)
{
	return version >= 2;
}

/* Pure header codec. parse: -EBADMSG unless 4 letters A-Z and 8 hex digits. */
void proto_format_header(char out[PROTO_HDR_LEN], const char tok[4], uint32_t v);
int proto_parse_header(const uint8_t in[PROTO_HDR_LEN], char ret_tok[5], uint32_t *ret_v);

/* Encoders append to @out. Bulk payloads are compressed when @lzo. */
int proto_put_int(struct buf *out, const char tok[4], uint32_t v);
int proto_put_str(struct buf *out, const char tok[4], const char *s);
int proto_put_bulk(struct buf *out, const char tok[4], const void *p, size_t n, bool lzo);

/* Readers. -EBADMSG on a wrong token or an over-cap size, -EPIPE/-ENODATA on
 * EOF, -ETIMEDOUT past the deadline. */
int proto_read_header(struct proto_src *s, char ret_tok[5], uint32_t *ret_v);
int proto_read_int(struct proto_src *s, const char tok[4], uint32_t *ret_v);
/* A string of at most @max bytes; *ret is NUL-terminated and must not contain
 * NUL bytes (-EBADMSG otherwise). */
int proto_read_str(struct proto_src *s, const char tok[4], uint32_t max, char **ret);
/* The body of a string/bulk whose header was already read, value @len. */
int proto_read_str_body(struct proto_src *s, uint32_t len, uint32_t max, char **ret);
int proto_read_bulk_body(struct proto_src *s, uint32_t len, bool lzo, size_t max_plain,
			 struct buf *out);
int proto_read_bulk(struct proto_src *s, const char tok[4], bool lzo, size_t max_plain,
		    struct buf *out);

/* ---- messages ---- */

struct proto_request {
	uint32_t version;
	char *cwd;               /* CDIR, protocol 3 only */
	uint32_t argc;
	char **argv;             /* argc entries + NULL */
};

void proto_request_free(struct proto_request *req);
/* @argc ARGV strings into a NULL-terminated vector (strv_free()); it grows
 * with what actually arrives, so an announced count costs nothing until its
 * strings are sent. MAX_ARGV_BYTES in all. */
int proto_read_argv(struct proto_src *s, uint32_t argc, char ***ret);
/* Reads DIST (1..3, else -EPROTO), CDIR for v3, ARGC, ARGV. */
int proto_read_request_head(struct proto_src *s, struct proto_request *ret);
/* Client side: DIST, ARGC, ARGV (v1/v2) or DIST, CDIR, ARGC, ARGV (v3). */
int proto_put_request_head(struct buf *out, uint32_t version, const char *cwd,
			   const char *const argv[]);

struct proto_reply {
	uint32_t version;
	uint32_t status;         /* raw wait status */
	struct buf serr, sout, doto, dotd;
	bool has_dotd;
};

void proto_reply_init(struct proto_reply *r);
void proto_reply_free(struct proto_reply *r);
/* DONE STAT SERR SOUT DOTO [DOTD when v3 and status == 0]. */
int proto_put_reply(struct buf *out, const struct proto_reply *r);
/* Reads a reply for a request of @version; DOTO is read only if status==0
 * is not required: its bytes are kept as sent. */
int proto_read_reply(struct proto_src *s, uint32_t version, struct proto_reply *ret);

/* ---- protocol 3 (pump): the files after ARGV ----
 * NFIL <n>, then n times NAME <client path> followed by FILE <LZO body> or
 * LINK <target>. The codec checks the wire (order, tokens, sizes, the LZO
 * stream); what a name or target may mean on the server is the daemon's
 * business (daemon/pumproot.h). */

enum proto_pump_kind { PROTO_PUMP_FILE, PROTO_PUMP_LINK };

struct proto_pump_entry {
	enum proto_pump_kind kind;
	char *name;              /* NAME, NUL-free, non-empty */
	char *target;            /* LINK: the symlink text, NUL-free, non-empty */
	struct buf body;         /* FILE: the decompressed contents */
};

/* Running totals of one request, checked against wirelimits.h. */
struct proto_pump_budget {
	uint32_t left;           /* entries still to come */
	uint64_t names, wire, plain;
};

/* NFIL: -EBADMSG when over MAX_NFIL. Sets up @ret_budget for the entries. */
int proto_read_nfil(struct proto_src *s, struct proto_pump_budget *ret_budget);
/* The next entry. -EBADMSG on a token other than NAME then FILE/LINK, an
 * empty name or target, a corrupt LZO stream, or any size over its cap
 * (MAX_ARG_LEN for strings, MAX_PUMP_FILE per body, MAX_PUMP_NAMES_BYTES
 * and MAX_PUMP_TOTAL per request, decompressed sizes included); -ERANGE
 * when all NFIL entries were already read. -EPIPE on a truncated stream. */
int proto_read_pump_entry(struct proto_src *s, struct proto_pump_budget *b,
			  struct proto_pump_entry *ret);
void proto_pump_entry_free(struct proto_pump_entry *e);

/* Encoders, as distcc 3.4's client sends them: FILE is always LZO (an
 * empty file is the 3-byte stream 11 00 00), LINK the target verbatim. */
int proto_put_nfil(struct buf *out, uint32_t n);
int proto_put_pump_file(struct buf *out, const char *name, const void *p, size_t n);
int proto_put_pump_link(struct buf *out, const char *name, const char *target);
