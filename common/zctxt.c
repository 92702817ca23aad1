/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Zeroconf records, pure: see zctxt.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "strv.h"
#include "zctxt.h"

static int push_kv(char ***v, const char *key, const char *val)
{
	_cleanup_free_ char *s = NULL;

	if (asprintf(&s, "%s=%s", key, val) < 0)
		return -ENOMEM;
	return strv_push(v, s);
}

static int push_num(char ***v, const char *key, unsigned n)
{
	char num[16];

	snprintf(num, sizeof(num), "%u", n);
	return push_kv(v, key, num);
}

int zc_txt_build(const struct zc_server_info *info, char ***ret)
{
	char **v = NULL;
	const char *opts = info->cpp ? "lzo,cpp" : info->lzo ? "lzo" : NULL;
	int r = push_kv(&v, "txtvers", "1");

	if (r >= 0)
		r = push_num(&v, "cpus", info->cpus);
	if (r >= 0)
		r = push_num(&v, "jobs", info->jobs);
	if (r >= 0)
		r = push_kv(&v, "distcc", PACKAGE_VERSION);
	if (r >= 0 && info->gnuhost)
		r = push_kv(&v, "gnuhost", info->gnuhost);
	if (r >= 0 && info->cc_version)
		r = push_kv(&v, "cc_version", info->cc_version);
	if (r >= 0 && info->cc_machine)
		r = push_kv(&v, "cc_machine", info->cc_machine);
	if (r >= 0 && opts)
		r = push_kv(&v, "options", opts);
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

/* 3.4's spelling in a label: a-z and 0-9 kept, A-Z lowered, all else '-'. */
static void label_clean(char *s)
{
	for (; *s; s++) {
		if (isupper((unsigned char)*s))
			*s = (char)tolower((unsigned char)*s);
		else if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
			*s = '-';
	}
}

int zc_subtype(const char *machine, const char *version, char *buf, size_t size)
{
	char m[64], v[64];
	int n;

	if (!machine || !*machine || !version || !*version)
		return -EINVAL;
	snprintf(m, sizeof(m), "%s", machine);
	snprintf(v, sizeof(v), "%s", version);
	label_clean(m);
	label_clean(v);
	n = snprintf(buf, size, "_%s--%s._sub." ZC_SERVICE_TYPE, m, v);
	/* one DNS label is at most 63 bytes */
	if (n < 0 || (size_t)n >= size || strlen(m) + strlen(v) + 3 > 63)
		return -EINVAL;
	return 0;
}

static void parse_options(const char *val, struct zc_found *f)
{
	while (*val) {
		size_t len = strcspn(val, ",");

		if (len == 3 && strncmp(val, "lzo", 3) == 0)
			f->lzo = true;
		else if (len == 3 && strncmp(val, "cpp", 3) == 0)
			f->cpp = true;
		val += len;
		if (*val == ',')
			val++;
	}
}

void zc_txt_parse(const char *const *txt, struct zc_found *ret)
{
	struct zc_found f = { .jobs = ZC_DEFAULT_JOBS };

	for (; txt && *txt; txt++) {
		if (strncmp(*txt, "jobs=", 5) == 0) {
			char *end;
			unsigned long n = strtoul(*txt + 5, &end, 10);

			if (end != *txt + 5 && *end == '\0' && n > 0)
				f.jobs = n > ZC_MAX_JOBS ? ZC_MAX_JOBS : (unsigned)n;
		} else if (strncmp(*txt, "options=", 8) == 0) {
			parse_options(*txt + 8, &f);
		}
	}
	/* a host spec allows ,cpp only with ,lzo */
	if (!f.lzo)
		f.cpp = false;
	*ret = f;
}

int zc_host_line(const char *addr, unsigned port, const struct zc_found *f, char *buf, size_t size)
{
	struct in6_addr a6;
	struct in_addr a4;
	const char *opts = f->cpp ? ",lzo,cpp" : f->lzo ? ",lzo" : "";
	int n;

	if (port == 0 || port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		n = snprintf(buf, size, "%s:%u/%u%s", addr, port, f->jobs, opts);
	else if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (IN6_IS_ADDR_LINKLOCAL(&a6))
			return -EADDRNOTAVAIL;
		n = snprintf(buf, size, "[%s]:%u/%u%s", addr, port, f->jobs, opts);
	} else
		return -EINVAL;
	if (n < 0 || (size_t)n >= size)
		return -EINVAL;
	return 0;
}

/* The next "+zeroconf" word of @p outside comments, or NULL. */
static const char *find_word(const char *p)
{
	static const char word[] = "+zeroconf";
	bool start = true;

	for (; *p; p++) {
		if (*p == '#') {
			p += strcspn(p, "\n");
			if (!*p)
				break;
			start = true;
			continue;
		}
		if (start && strncmp(p, word, sizeof(word) - 1) == 0) {
			char c = p[sizeof(word) - 1];

			if (c == '\0' || c == '#' || isspace((unsigned char)c))
				return p;
		}
		start = isspace((unsigned char)*p);
	}
	return NULL;
}

bool zc_mentioned(const char *text)
{
	return text && find_word(text);
}

int zc_expand(const char *text, const char *discovered, char **ret, bool *ret_used)
{
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *p = text, *w;
	bool used = false;

	if (!f)
		return -ENOMEM;
	while ((w = find_word(p))) {
		fwrite(p, 1, (size_t)(w - p), f);
		fprintf(f, " %s ", discovered);
		p = w + strlen("+zeroconf");
		used = true;
	}
	fputs(p, f);
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(out);
	*ret_used = used;
	return 0;
}
