/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host list parser: DISTCC_HOSTS / hosts-file text to a struct hostlist,
 * following distcc 3.4's grammar (DISTCC-REFERENCE 2). Pure: no I/O, no
 * environment, no logging; the caller reports the bad token and the reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hostspec.h"
#include "macro.h"
#include "parse.h"

#define HOST_MAX_LIMIT 100000u

static const char *const WS = " \t\n\r\f\v";

void hostlist_free(struct hostlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->hosts[i].spec);
		free(l->hosts[i].hostname);
		free(l->hosts[i].user);
		free(l->hosts[i].command);
	}
	free(l->hosts);
	l->hosts = NULL;
	l->n = 0;
}

/* Strict decimal in [1, max] from s[0..len). */
static int parse_num(const char *s, size_t len, unsigned max, unsigned *ret)
{
	char tmp[16];

	if (len == 0 || len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	return parse_uint32(tmp, 1, max, ret) < 0 ? -EINVAL : 0;
}

/* Hostname at *p: "[v6]" or a run of characters not in @stop. */
static int take_hostname(const char **p, const char *stop, char **ret)
{
	const char *s = *p;
	size_t n;

	if (*s == '[') {
		const char *e = strchr(s, ']');

		if (!e || e == s + 1)
			return -EINVAL;
		*ret = strndup(s + 1, (size_t)(e - s - 1));
		*p = e + 1;
	} else {
		n = strcspn(s, stop);
		if (n == 0)
			return -EINVAL;
		*ret = strndup(s, n);
		*p = s + n;
	}
	return *ret ? 0 : -ENOMEM;
}

/* "/N" or "=N" at *p (the separator already seen). */
static int take_limit(const char **p, const char *stop, unsigned *ret)
{
	const char *s = *p + 1;
	size_t n = strcspn(s, stop);
	int r = parse_num(s, n, HOST_MAX_LIMIT, ret);

	if (r >= 0)
		*p = s + n;
	return r;
}

/* ",lzo,cpp,down,auth[=NAME]" up to the end of the token. */
static int take_options(const char *p, struct host *h, const char **why)
{
	while (*p == ',') {
		const char *w = p + 1;
		size_t n = strcspn(w, ",");

		if (n == 3 && strncmp(w, "lzo", 3) == 0)
			h->lzo = true;
		else if (n == 3 && strncmp(w, "cpp", 3) == 0)
			h->cpp = true;
		else if (n == 4 && strncmp(w, "down", 4) == 0)
			h->down = true;
		else if ((n == 4 || (n > 5 && w[4] == '=')) && strncmp(w, "auto", 4) == 0) {
			h->autolimit = true;
			h->stats_port = HOST_DEFAULT_STATS_PORT;
			if (n > 5 && parse_num(w + 5, n - 5, 65535, &h->stats_port) < 0) {
				*why = "invalid stats port in ',auto=PORT': must be 1-65535";
				return -EINVAL;
			}
		}
		else if (strncmp(w, "daemon", 6) == 0 && (n == 6 || w[6] == '=')) {
			if (h->mode != HOST_SSH) {
				*why = "',daemon' is for SSH hosts ('@host,daemon') only";
				return -EINVAL;
			}
			if (n > 6 && parse_num(w + 7, n - 7, 65535, &h->port) < 0) {
				*why = "invalid ',daemon=PORT': must be 1-65535";
				return -EINVAL;
			}
			h->via_daemon = true;
		}
		else if ((n == 4 || (n > 4 && w[4] == '=')) && strncmp(w, "auth", 4) == 0) {
			*why = "',auth' needs GSS-API support, which this distcc is built without";
			return -EINVAL;
		} else {
			*why = "unknown host option";
			return -EINVAL;
		}
		p = w + n;
	}
	if (*p) {
		*why = "unexpected text in host specification";
		return -EINVAL;
	}
	if (h->via_daemon && h->command) {
		*why = "',daemon' reaches the server's running distccd: no ':COMMAND' with it";
		return -EINVAL;
	}
	if (h->cpp && !h->lzo) {
		*why = "pump mode (',cpp') requires compression (',lzo')";
		return -EINVAL;
	}
	h->protover = h->cpp ? 3 : h->lzo ? 2 : 1;
	return 0;
}

static int parse_local(const char *tok, struct host *h, const char **why)
{
	h->mode = HOST_LOCAL;
	h->limit = HOST_LOCALHOST_LIMIT;
	h->protover = 1;
	if (tok[9] == '/') {
		/* as in 3.4, anything after the number is ignored */
		const char *s = tok + 10;
		size_t n = strspn(s, "0123456789");

		if (parse_num(s, n, HOST_MAX_LIMIT, &h->limit) < 0) {
			*why = "invalid localhost limit: must be a positive integer";
			return -EINVAL;
		}
	}
	h->hostname = strdup("localhost");
	return h->hostname ? 0 : -ENOMEM;
}

static int parse_tcp(const char *tok, struct host *h, const char **why)
{
	const char *p = tok;
	int r;

	h->mode = HOST_TCP;
	h->port = HOST_DEFAULT_PORT;
	h->limit = HOST_DEFAULT_LIMIT;
	r = take_hostname(&p, "/=:,", &h->hostname);
	if (r < 0) {
		*why = r == -ENOMEM ? NULL : "a host name is required";
		return r;
	}
	/* new style host:port/N, and old style host/N:port */
	for (bool port = false, limit = false; *p == ':' || *p == '/' || *p == '=';) {
		if (*p == ':' && !port) {
			size_t n = strcspn(p + 1, "/=,");

			if (parse_num(p + 1, n, 65535, &h->port) < 0) {
				*why = "invalid port: must be 1-65535";
				return -EINVAL;
			}
			p += 1 + n;
			port = true;
		} else if (*p != ':' && !limit) {
			if (take_limit(&p, ":,", &h->limit) < 0) {
				*why = "invalid limit: must be a positive integer";
				return -EINVAL;
			}
			limit = h->limit_given = true;
		} else {
			*why = "port or limit given twice";
			return -EINVAL;
		}
	}
	return take_options(p, h, why);
}

static int parse_ssh(const char *tok, struct host *h, const char **why)
{
	const char *at = strchr(tok, '@'), *p;
	int r;

	h->mode = HOST_SSH;
	h->limit = HOST_DEFAULT_LIMIT;
	h->port = HOST_DEFAULT_PORT;
	if (at != tok) {
		h->user = strndup(tok, (size_t)(at - tok));
		if (!h->user)
			return -ENOMEM;
	}
	p = at + 1;
	r = take_hostname(&p, "/=:,@", &h->hostname);
	if (r < 0) {
		*why = r == -ENOMEM ? NULL : "a host name is required after '@'";
		return r;
	}
	if (*p == '/' || *p == '=') {
		if (take_limit(&p, ":,", &h->limit) < 0) {
			*why = "invalid limit: must be a positive integer";
			return -EINVAL;
		}
		h->limit_given = true;
	}
	if (*p == ':') {
		size_t n = strcspn(p + 1, ",");

		if (n == 0) {
			*why = "empty ssh command after ':'";
			return -EINVAL;
		}
		h->command = strndup(p + 1, n);
		if (!h->command)
			return -ENOMEM;
		p += 1 + n;
	}
	return take_options(p, h, why);
}

static int parse_global(const char *tok, struct hostlist *l, const char **why)
{
	static const struct {
		const char *name;
		size_t off;
	} slots[] = {
		{ "--localslots_cpp", offsetof(struct hostlist, localslots_cpp) },
		{ "--localslots", offsetof(struct hostlist, localslots) },
	};

	if (strcmp(tok, "--randomize") == 0) {
		l->randomize = true;
		return 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(slots); i++) {
		size_t n = strlen(slots[i].name);

		if (strncmp(tok, slots[i].name, n) != 0 || (tok[n] != '/' && tok[n] != '='))
			continue;
		if (parse_num(tok + n + 1, strlen(tok + n + 1), HOST_MAX_LIMIT,
			      (unsigned *)((char *)l + slots[i].off)) < 0) {
			*why = "invalid local slot count: must be a positive integer";
			return -EINVAL;
		}
		return 0;
	}
	*why = "unknown global option";
	return -EINVAL;
}

static int add_host(struct hostlist *l, const char *tok, const char **why)
{
	struct host h = {}, *nh;
	int r;

	if (strncmp(tok, "localhost", 9) == 0 && (tok[9] == 0 || tok[9] == '/'))
		r = parse_local(tok, &h, why);
	else if (strchr(tok, '@'))
		r = parse_ssh(tok, &h, why);
	else
		r = parse_tcp(tok, &h, why);
	if (r >= 0) {
		h.spec = strdup(tok);
		nh = h.spec ? reallocarray(l->hosts, l->n + 1, sizeof(*nh)) : NULL;
		if (!nh)
			r = -ENOMEM;
	}
	if (r < 0) {
		free(h.spec);
		free(h.hostname);
		free(h.user);
		free(h.command);
		return r;
	}
	l->hosts = nh;
	l->hosts[l->n++] = h;
	return 0;
}

static int parse_token(struct hostlist *l, const char *tok, const char **why)
{
	if (strcmp(tok, "+zeroconf") == 0) {
		*why = "'+zeroconf' is expanded when the list is loaded, not here";
		return -EINVAL;
	}
	if (strncmp(tok, "--", 2) == 0)
		return parse_global(tok, l, why);
	return add_host(l, tok, why);
}

int hostspec_parse_why(const char *text, struct hostlist *ret, char **ret_bad, const char **ret_why)
{
	struct hostlist l = {
		.localslots = HOST_DEFAULT_LOCALSLOTS,
		.localslots_cpp = HOST_DEFAULT_LOCALSLOTS_CPP,
	};
	const char *p = text ? text : "";
	const char *why = NULL;
	int r = 0;

	while (*p) {
		_cleanup_free_ char *tok = NULL;
		size_t n;

		p += strspn(p, WS);
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		n = strcspn(p, " \t\n\r\f\v#");
		if (n == 0)
			continue;
		tok = strndup(p, n);
		if (!tok) {
			r = -ENOMEM;
			break;
		}
		p += n;
		r = parse_token(&l, tok, &why);
		if (r < 0) {
			if (r == -EINVAL && ret_bad)
				*ret_bad = TAKE_PTR(tok);
			break;
		}
	}
	if (r < 0) {
		hostlist_free(&l);
		if (ret_why)
			*ret_why = why ? why : "out of memory";
		return r;
	}
	*ret = l;
	return 0;
}

int hostspec_parse(const char *text, struct hostlist *ret, char **ret_bad)
{
	return hostspec_parse_why(text, ret, ret_bad, NULL);
}
