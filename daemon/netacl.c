/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --allow network list: parsing and matching. Pure: no logging, no I/O. The caller
 * decides what a "no" means (close the connection and log the peer).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "netacl.h"
#include "parse.h"

static void mask_bits(uint8_t *addr, size_t len, unsigned bits)
{
	for (size_t i = 0; i < len; i++) {
		unsigned keep = bits >= 8 ? 8 : bits;

		addr[i] &= (uint8_t)(0xff00u >> keep);
		bits -= keep;
	}
}

int netacl_parse_rule(const char *spec, struct netacl_rule *ret)
{
	struct netacl_rule rule = { 0 };
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash;
	size_t hlen;
	unsigned maxbits;

	if (!spec)
		return -EINVAL;
	slash = strchr(spec, '/');
	hlen = slash ? (size_t)(slash - spec) : strlen(spec);
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, spec, hlen);
	host[hlen] = 0;
	if (inet_pton(AF_INET, host, rule.addr) == 1) {
		rule.family = AF_INET;
		maxbits = 32;
	} else if (inet_pton(AF_INET6, host, rule.addr) == 1) {
		rule.family = AF_INET6;
		maxbits = 128;
	} else
		return -EINVAL;
	rule.bits = maxbits;
	if (slash && parse_uint32(slash + 1, 0, maxbits, &rule.bits) < 0)
		return -EINVAL;
	mask_bits(rule.addr, maxbits / 8, rule.bits);
	*ret = rule;
	return 0;
}

int netacl_add(struct netacl *l, const char *spec)
{
	struct netacl_rule rule, *n;
	int r = netacl_parse_rule(spec, &rule);

	if (r < 0)
		return r;
	n = reallocarray(l->rules, l->n + 1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	l->rules = n;
	l->rules[l->n++] = rule;
	return 0;
}

int netacl_add_private(struct netacl *l)
{
	static const char *const private[] = {
		"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8",
		"::1/128",    "fe80::/10",     "fc00::/7",
	};

	for (size_t i = 0; i < ELEMENTSOF(private); i++) {
		int r = netacl_add(l, private[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

void netacl_free(struct netacl *l)
{
	free(l->rules);
	*l = (struct netacl){ 0 };
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits)
{
	size_t whole = bits / 8;
	unsigned rest = bits % 8;

	if (memcmp(a, net, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ net[whole]) & (uint8_t)(0xff00u >> rest)) == 0;
}

/* Reduce a peer to (family, bytes), unwrapping IPv4-mapped IPv6. */
static int peer_key(const struct sockaddr *sa, socklen_t len, uint8_t out[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		if (memcmp(a, mapped, sizeof(mapped)) == 0) {
			memcpy(out, a + 12, 4);
			return AF_INET;
		}
		memcpy(out, a, 16);
		return AF_INET6;
	}
	return -EAFNOSUPPORT;
}

bool netacl_match(const struct netacl *l, const struct sockaddr *sa, socklen_t len)
{
	uint8_t key[16];
	int family;

	if (!sa)
		return false;
	family = peer_key(sa, len, key);
	if (family < 0)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (l->rules[i].family == family && prefix_match(key, l->rules[i].addr, l->rules[i].bits))
			return true;
	return false;
}

void netacl_format_peer(const struct sockaddr *sa, socklen_t len, char *out, size_t n)
{
	char host[INET6_ADDRSTRLEN];

	if (sa && sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, n, "%s:%u", host, (unsigned)ntohs(in->sin_port));
	} else if (sa && sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		/* a dual-stack socket (distccd.socket) sees IPv4 clients as
		 * ::ffff:a.b.c.d; log them as the IPv4 address users match on */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof(host));
			snprintf(out, n, "%s:%u", host, (unsigned)ntohs(in6->sin6_port));
			return;
		}
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(out, n, "[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
	} else
		snprintf(out, n, "unknown");
}
