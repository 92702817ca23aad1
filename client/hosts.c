/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host list lookup order and --randomize. Reads at most two small files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "hosts.h"
#include "io.h"
#include "log.h"
#include "macro.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define HOSTS_FILE_MAX (1u << 20)

static void shuffle(struct hostlist *l)
{
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);

	for (size_t i = l->n; i > 1; i--) {
		size_t j = (size_t)rand_r(&seed) % i;
		struct host t = l->hosts[i - 1];

		l->hosts[i - 1] = l->hosts[j];
		l->hosts[j] = t;
	}
}

static int read_hosts_file(const char *path, char **ret)
{
	size_t len;

	return read_file_max(path, HOSTS_FILE_MAX, ret, &len);
}

void hosts_log_empty(const char *source)
{
	if (source)
		log_warning("%s%s contained no hosts; can't distribute work",
			    strcmp(source, "DISTCC_HOSTS") == 0 ? "$" : "", source);
	else
		log_warning("no hostlist is set; can't distribute work");
}

/* The list's text from the first place that has one; *ret_source is
 * malloc'd (NULL with *ret_text NULL when there is none). */
static int read_list(const struct client_config *cfg, char **ret_text, char **ret_source)
{
	_cleanup_free_ char *text = NULL, *src = NULL;

	if (cfg->hosts) {
		text = strdup(cfg->hosts);
		src = strdup("DISTCC_HOSTS");
	} else {
		if (asprintf(&src, "%s/hosts", cfg->dir) < 0)
			return -ENOMEM;
		if (read_hosts_file(src, &text) < 0) {
			free(src);
			src = NULL;
			if (read_hosts_file(SYSCONFDIR "/distcc/hosts", &text) >= 0)
				src = strdup(SYSCONFDIR "/distcc/hosts");
		}
	}
	if ((cfg->hosts && !text) || (text && !src))
		return -ENOMEM;
	*ret_text = TAKE_PTR(text);
	*ret_source = TAKE_PTR(src);
	return 0;
}

int hosts_load(const struct client_config *cfg, struct hostlist *ret, char **ret_bad,
	       const char **ret_why, char **ret_source)
{
	_cleanup_free_ char *text = NULL, *src = NULL;
	int r = read_list(cfg, &text, &src);

	if (r < 0)
		return r;
	if (ret_why)
		*ret_why = NULL;
	r = hostspec_parse_why(text ? text : "", ret, ret_bad, ret_why);
	if (r < 0)
		return r;
	if (ret->randomize)
		shuffle(ret);
	*ret_source = TAKE_PTR(src);
	return 0;
}
