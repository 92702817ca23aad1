/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Protocol 3 job glue: the codec's entries go straight to pumproot as they
 * arrive (one file in memory at a time); the first refusal is kept and the
 * rest of the list is read but not written, so the client reads our reply
 * rather than a reset connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depfile.h"
#include "io.h"
#include "macro.h"
#include "pumpserve.h"
#include "wirelimits.h"

static int add_entry(struct pumpserve *pj, const struct proto_pump_entry *e, const char **ret_why)
{
	if (e->kind == PROTO_PUMP_LINK)
		return pumproot_add_link(&pj->root, e->name, e->target, ret_why);
	return pumproot_add_file(&pj->root, e->name, e->body.data, e->body.len, ret_why);
}

static int read_entries(struct pumpserve *pj, struct proto_src *src, const char **ret_why,
			char **ret_what)
{
	struct proto_pump_budget b;
	int r, refused = 0;

	r = proto_read_nfil(src, &b);
	while (r >= 0 && b.left > 0) {
		struct proto_pump_entry e;

		r = proto_read_pump_entry(src, &b, &e);
		if (r < 0)
			break;
		if (!refused) {
			r = add_entry(pj, &e, ret_why);
			if (r == -EACCES) {
				refused = 1;
				*ret_what = TAKE_PTR(e.name);
				r = 0;
			}
		}
		proto_pump_entry_free(&e);
	}
	if (r < 0 && refused) {
		free(*ret_what);
		*ret_what = NULL;
	}
	return r < 0 ? r : refused ? -EACCES : 0;
}

/* "path '<what>': <why>", the client's bytes made safe for a log line. */
static int refusal(const char *what, const char *why, char **ret_message)
{
	char shown[256];
	size_t i;

	for (i = 0; what[i] && i + 1 < sizeof(shown); i++)
		shown[i] = (unsigned char)what[i] < 0x20 || what[i] == 0x7f ? '?' : what[i];
	shown[i] = 0;
	if (asprintf(ret_message, "protocol 3 path '%s%s': %s", shown, what[i] ? "..." : "",
		     why) < 0)
		return -ENOMEM;
	return -EACCES;
}

int pumpserve_receive(struct pumpserve *pj, struct proto_src *src, const char *jobdir,
		    const char *cdir, char **ret_message)
{
	_cleanup_free_ char *what = NULL;
	const char *why = NULL;
	int r;

	r = pumproot_create(jobdir, &pj->root);
	if (r < 0)
		return r;
	if (strchr(pj->root.path, '=') || asprintf(&pj->deps, "%s/output.d", jobdir) < 0)
		return -EINVAL;     /* '=' would split -ffile-prefix-map=<root>= */
	r = read_entries(pj, src, &why, &what);
	if (r == -EACCES)
		return refusal(what, why, ret_message);
	if (r < 0)
		return r;
	r = pumproot_add_dir(&pj->root, cdir, &why);
	if (r == -EACCES)
		return refusal(cdir, why, ret_message);
	return r < 0 ? r : pumproot_server_path(&pj->root, cdir, &pj->cwd);
}

int pumpserve_results(const struct pumpserve *pj, const void *err, size_t err_len, int status,
		    struct buf *serr, struct buf *dotd)
{
	_cleanup_free_ char *d = NULL;
	size_t len = 0;
	int r = depfile_unroot_text(err, err_len, pj->root.path, serr);

	if (r < 0 || status != 0)
		return r;
	r = read_file_max(pj->deps, MAX_BULK_PLAIN, &d, &len);
	if (r == -ENOENT)
		return 0;     /* no .d asked for and none written: DOTD is empty */
	if (r < 0)
		return r;
	r = depfile_unroot(d, len, pj->root.path, dotd);
	if (r == -EBADMSG)
		r = depfile_unroot_text(d, len, pj->root.path, dotd);
	return r;
}

void pumpserve_done(struct pumpserve *pj)
{
	pumproot_done(&pj->root);
	free(pj->cwd);
	free(pj->deps);
	*pj = PUMPSERVE_NULL;
}
