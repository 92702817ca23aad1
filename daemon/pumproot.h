/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The private root of one protocol 3 job: <job dir>/root, where the files
 * a pump client sends are recreated at their client paths. Everything is
 * created relative to directory fds with O_NOFOLLOW / O_EXCL, so nothing
 * is ever created through (or over) a symlink the client sent; the link
 * rules are pumppath.h's. The job directory's removal (workdir.c) takes
 * the root with it.
 */
#pragma once

#include <stddef.h>

struct pumproot {
	int fd;            /* the root directory (O_PATH) */
	char *path;        /* its real absolute path */
	unsigned depth;    /* components of path */
	unsigned dirs;     /* directories created so far (MAX_PUMP_DIRS) */
};

#define PUMPROOT_NULL ((struct pumproot){ .fd = -1 })

/* Make <@jobdir>/root (mode 0700). */
int pumproot_create(const char *jobdir, struct pumproot *ret);
void pumproot_done(struct pumproot *r);

/* Materialise one entry. 0 on success; -EACCES when the client's entry is
 * refused (*ret_why: static text for the log and the client: escapes the
 * root, written through a link, sent twice, too many directories...);
 * other -errno for the server's own failures. */
int pumproot_add_file(struct pumproot *r, const char *name, const void *p, size_t n,
		      const char **ret_why);
int pumproot_add_link(struct pumproot *r, const char *name, const char *target,
		      const char **ret_why);
/* Make sure the client's working directory exists in the root (CDIR,
 * created after the files so a client link cannot stand in for it). */
int pumproot_add_dir(struct pumproot *r, const char *dir, const char **ret_why);
/* <root><client path> (malloc'd); @client_path must be absolute. */
int pumproot_server_path(const struct pumproot *r, const char *client_path, char **ret);
