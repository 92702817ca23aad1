/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distcc token codec. No logging, no policy: bytes to structs and back,
 * with every peer-announced size checked against limits.h first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wirelimits.h"
#include "lzo.h"
#include "macro.h"
#include "proto.h"

#define BULK_READ_STEP (1u << 20)   /* bulk bodies grow by at most this per read */

static const char hexdigits[] = "0123456789abcdef";

void proto_format_header(char out[PROTO_HDR_LEN], const char tok[4], uint32_t v)
{
	memcpy(out, tok, 4);
	for (int i = 0; i < 8; i++)
		out[4 + i] = hexdigits[(v >> (28 - 4 * i)) & 0xf];
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int proto_parse_header(const uint8_t in[PROTO_HDR_LEN], char ret_tok[5], uint32_t *ret_v)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		if (in[i] < 'A' || in[i] > 'Z')
			return -EBADMSG;
	for (int i = 4; i < PROTO_HDR_LEN; i++) {
		int d = hexval(in[i]);

		if (d < 0)
			return -EBADMSG;
		v = (v << 4) | (uint32_t)d;
	}
	memcpy(ret_tok, in, 4);
	ret_tok[4] = 0;
	*ret_v = v;
	return 0;
}

int proto_put_int(struct buf *out, const char tok[4], uint32_t v)
{
	char h[PROTO_HDR_LEN];

	proto_format_header(h, tok, v);
	return buf_append(out, h, sizeof(h));
}

int proto_put_str(struct buf *out, const char tok[4], const char *s)
{
	size_t n = strlen(s);
	int r;

	if (n > UINT32_MAX)
		return -E2BIG;
	r = proto_put_int(out, tok, (uint32_t)n);
	return r < 0 ? r : buf_append(out, s, n);
}

int proto_put_bulk(struct buf *out, const char tok[4], const void *p, size_t n, bool lzo)
{
	size_t at = out->len, clen;
	int r;

	if (!lzo || n == 0) {
		if (n > UINT32_MAX)
			return -E2BIG;
		r = proto_put_int(out, tok, (uint32_t)n);
		return r < 0 ? r : buf_append(out, p, n);
	}
	/* reserve the header, compress behind it, then fill the length in */
	r = proto_put_int(out, tok, 0);
	if (r < 0)
		return r;
	r = lzo_compress_append(out, p, n);
	if (r < 0)
		return r;
	clen = out->len - at - PROTO_HDR_LEN;
	if (clen > UINT32_MAX)
		return -E2BIG;
	proto_format_header((char *)out->data + at, tok, (uint32_t)clen);
	return 0;
}

static int src_read(struct proto_src *s, void *p, size_t n)
{
	int r;

	if (s->mem) {
		const uint8_t *q;

		if (cursor_left(s->mem) == 0 && n > 0)
			return -ENODATA;
		r = cursor_take(s->mem, n, &q);
		if (r < 0)
			return -EPIPE;
		memcpy(p, q, n);
	} else {
		r = xreader_read(&s->rd, p, n);
		if (r < 0)
			return r;
	}
	s->bytes += n;
	return 0;
}

int proto_read_header(struct proto_src *s, char ret_tok[5], uint32_t *ret_v)
{
	uint8_t h[PROTO_HDR_LEN];
	int r = src_read(s, h, sizeof(h));

	return r < 0 ? r : proto_parse_header(h, ret_tok, ret_v);
}

int proto_read_int(struct proto_src *s, const char tok[4], uint32_t *ret_v)
{
	char got[5];
	uint32_t v;
	int r = proto_read_header(s, got, &v);

	if (r < 0)
		return r;
	if (memcmp(got, tok, 4) != 0)
		return -EBADMSG;
	*ret_v = v;
	return 0;
}

int proto_read_str_body(struct proto_src *s, uint32_t len, uint32_t max, char **ret)
{
	_cleanup_free_ char *p = NULL;
	int r;

	if (len > max)
		return -EBADMSG;
	p = malloc((size_t)len + 1);
	if (!p)
		return -ENOMEM;
	r = src_read(s, p, len);
	if (r < 0)
		return r == -ENODATA ? -EPIPE : r;
	p[len] = 0;
	if (memchr(p, 0, len))
		return -EBADMSG;
	*ret = TAKE_PTR(p);
	return 0;
}

int proto_read_str(struct proto_src *s, const char tok[4], uint32_t max, char **ret)
{
	uint32_t len;
	int r = proto_read_int(s, tok, &len);

	return r < 0 ? r : proto_read_str_body(s, len, max, ret);
}

/* Append @len bytes to @b as they arrive: memory grows with the bytes the
 * peer actually sent, never to the size it announced (a 12-byte header
 * must not buy a 256 MiB allocation). */
static int src_read_append(struct proto_src *s, struct buf *b, size_t len)
{
	while (len > 0) {
		size_t chunk = len < BULK_READ_STEP ? len : BULK_READ_STEP;
		int r = buf_reserve(b, chunk);

		if (r < 0)
			return r;
		r = src_read(s, b->data + b->len, chunk);
		if (r < 0)
			return r;
		b->len += chunk;
		b->data[b->len] = 0;
		len -= chunk;
	}
	return 0;
}

int proto_read_bulk_body(struct proto_src *s, uint32_t len, bool lzo, size_t max_plain,
			 struct buf *out)
{
	struct buf wire = BUF_INIT(MAX_BULK_WIRE);
	size_t at = out->len;
	int r;

	if (len > MAX_BULK_WIRE || (!lzo && len > max_plain))
		return -EBADMSG;
	if (!lzo) {
		r = buf_reserve(out, 0);        /* callers get a terminated buffer, even empty */
		if (r >= 0)
			r = src_read_append(s, out, len);
		if (r < 0) {
			out->len = at;  /* no partial body */
			if (out->data)
				out->data[at] = 0;
		}
	} else {
		r = src_read_append(s, &wire, len);
		if (r >= 0)
			r = lzo_decompress_append(out, wire.data, len, max_plain);
		buf_free(&wire);
	}
	if (r == -ENODATA && len > 0)
		r = -EPIPE;
	return r == -E2BIG ? -EBADMSG : r;
}

int proto_read_bulk(struct proto_src *s, const char tok[4], bool lzo, size_t max_plain,
		    struct buf *out)
{
	uint32_t len;
	int r = proto_read_int(s, tok, &len);

	return r < 0 ? r : proto_read_bulk_body(s, len, lzo, max_plain, out);
}

void proto_request_free(struct proto_request *req)
{
	if (req->argv)
		for (uint32_t i = 0; i < req->argc; i++)
			free(req->argv[i]);
	free(req->argv);
	free(req->cwd);
	*req = (struct proto_request){ 0 };
}

int proto_read_argv(struct proto_src *s, uint32_t argc, char ***ret)
{
	char **v = NULL;
	size_t cap = 0;
	uint64_t total = 0;
	uint32_t n = 0;
	int r = 0;

	while (n < argc) {
		uint32_t len;

		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv;

			if (ncap > (size_t)argc + 1)
				ncap = (size_t)argc + 1;
			nv = realloc(v, ncap * sizeof(char *));
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		r = proto_read_int(s, "ARGV", &len);
		if (r < 0)
			break;
		total += len;
		if (total > MAX_ARGV_BYTES) {
			r = -EBADMSG;
			break;
		}
		r = proto_read_str_body(s, len, MAX_ARG_LEN, &v[n]);
		if (r < 0)
			break;
		v[++n] = NULL;
	}
	if (r < 0) {
		for (uint32_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return r;
	}
	*ret = v;
	return 0;
}

int proto_read_request_head(struct proto_src *s, struct proto_request *ret)
{
	struct proto_request req = { 0 };
	int r;

	r = proto_read_int(s, "DIST", &req.version);
	if (r < 0)
		return r;
	if (req.version < PROTO_MIN_VERSION || req.version > PROTO_MAX_VERSION)
		return -EPROTO;
	if (req.version == 3) {
		r = proto_read_str(s, "CDIR", MAX_ARG_LEN, &req.cwd);
		if (r < 0)
			goto fail;
	}
	r = proto_read_int(s, "ARGC", &req.argc);
	if (r < 0)
		goto fail;
	if (req.argc == 0 || req.argc > MAX_ARGC) {
		r = -EBADMSG;
		goto fail;
	}
	r = proto_read_argv(s, req.argc, &req.argv);
	if (r < 0)
		goto fail;
	*ret = req;
	return 0;
fail:
	proto_request_free(&req);
	return r;
}

int proto_put_request_head(struct buf *out, uint32_t version, const char *cwd,
			   const char *const argv[])
{
	uint32_t argc = 0;
	int r;

	while (argv[argc])
		argc++;
	r = proto_put_int(out, "DIST", version);
	if (r >= 0 && version == 3)
		r = proto_put_str(out, "CDIR", cwd ? cwd : "");
	if (r >= 0)
		r = proto_put_int(out, "ARGC", argc);
	for (uint32_t i = 0; r >= 0 && i < argc; i++)
		r = proto_put_str(out, "ARGV", argv[i]);
	return r;
}

void proto_reply_init(struct proto_reply *r)
{
	*r = (struct proto_reply){
		.serr = BUF_INIT(MAX_BULK_PLAIN),
		.sout = BUF_INIT(MAX_BULK_PLAIN),
		.doto = BUF_INIT(MAX_BULK_PLAIN),
		.dotd = BUF_INIT(MAX_BULK_PLAIN),
	};
}

void proto_reply_free(struct proto_reply *r)
{
	buf_free(&r->serr);
	buf_free(&r->sout);
	buf_free(&r->doto);
	buf_free(&r->dotd);
}

int proto_put_reply(struct buf *out, const struct proto_reply *rep)
{
	bool lzo = proto_compressed(rep->version);
	int r;

	r = proto_put_int(out, "DONE", rep->version);
	if (r >= 0)
		r = proto_put_int(out, "STAT", rep->status);
	if (r >= 0)
		r = proto_put_bulk(out, "SERR", rep->serr.data, rep->serr.len, lzo);
	if (r >= 0)
		r = proto_put_bulk(out, "SOUT", rep->sout.data, rep->sout.len, lzo);
	if (r >= 0)
		r = proto_put_bulk(out, "DOTO", rep->doto.data, rep->doto.len, lzo);
	if (r >= 0 && rep->version == 3 && rep->status == 0)
		r = proto_put_bulk(out, "DOTD", rep->dotd.data, rep->dotd.len, lzo);
	return r;
}

int proto_read_reply(struct proto_src *s, uint32_t version, struct proto_reply *rep)
{
	bool lzo = proto_compressed(version);
	uint32_t v;
	int r;

	r = proto_read_int(s, "DONE", &v);
	if (r < 0)
		return r;
	if (v != version)
		return -EPROTO;
	rep->version = v;
	r = proto_read_int(s, "STAT", &rep->status);
	if (r >= 0)
		r = proto_read_bulk(s, "SERR", lzo, MAX_BULK_PLAIN, &rep->serr);
	if (r >= 0)
		r = proto_read_bulk(s, "SOUT", lzo, MAX_BULK_PLAIN, &rep->sout);
	if (r >= 0)
		r = proto_read_bulk(s, "DOTO", lzo, MAX_BULK_PLAIN, &rep->doto);
	if (r >= 0 && version == 3 && rep->status == 0) {
		r = proto_read_bulk(s, "DOTD", lzo, MAX_BULK_PLAIN, &rep->dotd);
		rep->has_dotd = r >= 0;
	}
	return r;
}

/* ---- protocol 3 files ---- */

static const uint8_t lzo_empty_stream[] = { 0x11, 0x00, 0x00 };

int proto_read_nfil(struct proto_src *s, struct proto_pump_budget *ret_budget)
{
	uint32_t n;
	int r = proto_read_int(s, "NFIL", &n);

	if (r < 0)
		return r;
	if (n > MAX_NFIL)
		return -EBADMSG;
	*ret_budget = (struct proto_pump_budget){ .left = n };
	return 0;
}

/* A NAME or LINK string, charged to the request's string budget. */
static int read_pump_string(struct proto_src *s, struct proto_pump_budget *b, uint32_t len,
			    char **ret)
{
	int r;

	if (len == 0 || len > MAX_PUMP_NAMES_BYTES - b->names)
		return -EBADMSG;
	r = proto_read_str_body(s, len, MAX_ARG_LEN, ret);
	if (r >= 0)
		b->names += len;
	return r;
}

/* A FILE body: always LZO; the decompressed size is capped per file and by
 * what is left of the request's total, so a bomb stops at the cap. */
static int read_pump_body(struct proto_src *s, struct proto_pump_budget *b, uint32_t len,
			  struct buf *out)
{
	uint64_t plain_left = MAX_PUMP_TOTAL - b->plain;
	size_t cap = plain_left < MAX_PUMP_FILE ? (size_t)plain_left : MAX_PUMP_FILE;
	int r;

	if (len > MAX_PUMP_FILE || len > MAX_PUMP_TOTAL - b->wire)
		return -EBADMSG;
	r = proto_read_bulk_body(s, len, true, cap, out);
	if (r < 0)
		return r;
	b->wire += len;
	b->plain += out->len;
	return 0;
}

int proto_read_pump_entry(struct proto_src *s, struct proto_pump_budget *b,
			  struct proto_pump_entry *ret)
{
	struct proto_pump_entry e = { .body = BUF_INIT(MAX_PUMP_FILE) };
	char tok[5];
	uint32_t len;
	int r;

	if (b->left == 0)
		return -ERANGE;
	r = proto_read_int(s, "NAME", &len);
	if (r >= 0)
		r = read_pump_string(s, b, len, &e.name);
	if (r >= 0)
		r = proto_read_header(s, tok, &len);
	if (r >= 0 && strcmp(tok, "FILE") == 0) {
		e.kind = PROTO_PUMP_FILE;
		r = read_pump_body(s, b, len, &e.body);
	} else if (r >= 0 && strcmp(tok, "LINK") == 0) {
		e.kind = PROTO_PUMP_LINK;
		r = read_pump_string(s, b, len, &e.target);
	} else if (r >= 0)
		r = -EBADMSG;
	if (r == -ENODATA)
		r = -EPIPE;     /* the entry was announced: EOF inside it is truncation */
	if (r < 0) {
		proto_pump_entry_free(&e);
		return r;
	}
	b->left--;
	*ret = e;
	return 0;
}

void proto_pump_entry_free(struct proto_pump_entry *e)
{
	free(e->name);
	free(e->target);
	buf_free(&e->body);
	*e = (struct proto_pump_entry){ 0 };
}

int proto_put_nfil(struct buf *out, uint32_t n)
{
	return proto_put_int(out, "NFIL", n);
}

int proto_put_pump_file(struct buf *out, const char *name, const void *p, size_t n)
{
	int r = proto_put_str(out, "NAME", name);

	if (r < 0)
		return r;
	if (n == 0) {
		r = proto_put_int(out, "FILE", sizeof(lzo_empty_stream));
		return r < 0 ? r : buf_append(out, lzo_empty_stream, sizeof(lzo_empty_stream));
	}
	return proto_put_bulk(out, "FILE", p, n, true);
}

int proto_put_pump_link(struct buf *out, const char *name, const char *target)
{
	int r = proto_put_str(out, "NAME", name);

	return r < 0 ? r : proto_put_str(out, "LINK", target);
}
