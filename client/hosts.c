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
#include "zctxt.h"
#include "zeroconf.h"

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
	if (source && strcmp(source, HOSTS_SOURCE_ZEROCONF) == 0)
		log_warning("+zeroconf found no distcc servers on the network; compiling locally");
	else if (source)
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

/* +zeroconf: its words in *text become the discovered hosts. *ret_none
 * tells whether it was named and found nothing. */
static int expand_zeroconf(const struct client_config *cfg, char **text, bool *ret_none)
{
	_cleanup_free_ char *found = NULL, *why = NULL, *out = NULL;
	bool used;
	int r;

	*ret_none = false;
	if (!zc_mentioned(*text))
		return 0;
	r = zeroconf_hosts(cfg->dir, &found, &why);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && !(found = strdup("")))
		return -ENOMEM;
	if (why)
		log_warning("+zeroconf: %s", why);
	r = zc_expand(*text, found, &out, &used);
	if (r < 0)
		return r;
	free(*text);
	*text = TAKE_PTR(out);
	*ret_none = found[strspn(found, " \t\n")] == '\0';
	return 0;
}

int hosts_load(const struct client_config *cfg, struct hostlist *ret, char **ret_bad,
	       const char **ret_why, char **ret_source)
{
	_cleanup_free_ char *text = NULL, *src = NULL;
	bool zc_none = false;
	int r = read_list(cfg, &text, &src);

	if (r >= 0 && text)
		r = expand_zeroconf(cfg, &text, &zc_none);
	if (r < 0)
		return r;
	if (ret_why)
		*ret_why = NULL;
	r = hostspec_parse_why(text ? text : "", ret, ret_bad, ret_why);
	if (r < 0)
		return r;
	if (ret->randomize)
		shuffle(ret);
	if (zc_none && ret->n == 0) {
		free(src);
		src = strdup(HOSTS_SOURCE_ZEROCONF);
	}
	*ret_source = TAKE_PTR(src);
	return 0;
}
