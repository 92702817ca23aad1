/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Include server RPC codec. Bytes to structs and back, nothing else: the
 * argv and entry vectors grow with what actually arrives, never with the
 * count ARGC or NFIL announced.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "wirelimits.h"
#include "incrpc.h"

#define MAX_WHYSLEN 4096u

void incrpc_request_free(struct incrpc_request *req)
{
	free(req->cwd);
	strv_free(req->argv);
	free(req->compiler_path);
	*req = (struct incrpc_request){ 0 };
}

int incrpc_put_request(struct buf *out, const char *cwd, char *const argv[],
		       const char *compiler_path)
{
	size_t argc = strv_length(argv);
	int r;

	if (argc == 0 || argc > MAX_ARGC || !cwd || !compiler_path)
		return -EINVAL;
	r = proto_put_str(out, "CDIR", cwd);
	if (r >= 0)
		r = proto_put_int(out, "ARGC", (uint32_t)argc);
	for (size_t i = 0; r >= 0 && i < argc; i++)
		r = proto_put_str(out, "ARGV", argv[i]);
	if (r >= 0)
		r = proto_put_str(out, "CCPA", compiler_path);
	return r;
}

int incrpc_read_request(struct proto_src *s, struct incrpc_request *ret)
{
	struct incrpc_request req = { 0 };
	uint32_t argc;
	int r;

	r = proto_read_str(s, "CDIR", MAX_ARG_LEN, &req.cwd);
	if (r >= 0)
		r = proto_read_int(s, "ARGC", &argc);
	if (r >= 0 && (argc == 0 || argc > MAX_ARGC))
		r = -EBADMSG;
	if (r >= 0)
		r = proto_read_argv(s, argc, &req.argv);
	if (r >= 0)
		r = proto_read_str(s, "CCPA", MAX_ARG_LEN, &req.compiler_path);
	if (r < 0) {
		incrpc_request_free(&req);
		return r == -ENODATA ? -EPIPE : r;
	}
	*ret = req;
	return 0;
}

int incrpc_put_reply(struct buf *out, const struct incserver_closure *c, const char *why)
{
	int r;

	if (!c || c->n == 0) {
		r = proto_put_int(out, "NFIL", 0);
		return r < 0 ? r : proto_put_str(out, "WHYS", why ? why : "not covered");
	}
	if (c->n > MAX_NFIL)
		return -E2BIG;
	r = proto_put_int(out, "NFIL", (uint32_t)c->n);
	for (size_t i = 0; r >= 0 && i < c->n; i++) {
		const struct incserver_entry *e = &c->entries[i];

		r = proto_put_str(out, "NAME", e->name);
		if (r >= 0)
			r = proto_put_str(out, e->kind == INCSERVER_FILE ? "FILE" : "LINK",
					  e->kind == INCSERVER_FILE ? e->path : e->target);
	}
	return r;
}

void incserver_closure_free(struct incserver_closure *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->entries[i].name);
		free(c->entries[i].path);   /* same member as target */
	}
	free(c->entries);
	*c = (struct incserver_closure){ 0 };
}

/* One NAME + FILE|LINK pair into @e. */
static int read_entry(struct proto_src *s, struct incserver_entry *e)
{
	_cleanup_free_ char *name = NULL, *val = NULL;
	char tok[5];
	uint32_t len;
	int r;

	r = proto_read_str(s, "NAME", MAX_ARG_LEN, &name);
	if (r >= 0)
		r = proto_read_header(s, tok, &len);
	if (r < 0)
		return r == -ENODATA ? -EPIPE : r;
	if (strcmp(tok, "FILE") != 0 && strcmp(tok, "LINK") != 0)
		return -EBADMSG;
	r = proto_read_str_body(s, len, MAX_ARG_LEN, &val);
	if (r < 0)
		return r;
	if (name[0] != '/' || val[0] == 0 || (tok[0] == 'F' && val[0] != '/'))
		return -EBADMSG;
	*e = (struct incserver_entry){
		.name = TAKE_PTR(name),
		.kind = tok[0] == 'F' ? INCSERVER_FILE : INCSERVER_LINK,
		.path = TAKE_PTR(val),
	};
	return 0;
}

int incrpc_read_reply(struct proto_src *s, struct incserver_closure *ret, char **ret_why)
{
	struct incserver_closure c = { 0 };
	size_t cap = 0;
	uint32_t n;
	int r;

	r = proto_read_int(s, "NFIL", &n);
	if (r < 0)
		return r == -ENODATA ? -EPIPE : r;
	if (n > MAX_NFIL)
		return -EBADMSG;
	if (n == 0) {
		char *why = NULL;

		r = proto_read_str(s, "WHYS", MAX_WHYSLEN, &why);
		if (r < 0)
			return r == -ENODATA ? -EPIPE : r;
		*ret = c;
		*ret_why = why;
		return 0;
	}
	while (c.n < n) {
		if (c.n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct incserver_entry *ne;

			ncap = ncap > n ? n : ncap;
			ne = realloc(c.entries, ncap * sizeof(*ne));
			if (!ne) {
				r = -ENOMEM;
				break;
			}
			c.entries = ne;
			cap = ncap;
		}
		r = read_entry(s, &c.entries[c.n]);
		if (r < 0)
			break;
		c.n++;
	}
	if (r < 0) {
		incserver_closure_free(&c);
		return r;
	}
	*ret = c;
	*ret_why = NULL;
	return 0;
}
