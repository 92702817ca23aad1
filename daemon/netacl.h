/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's network access list (--allow, --allow-private). Pure: parses
 * "IP[/BITS]" into rules and matches socket addresses against them. IPv4-mapped
 * IPv6 peers (::ffff:a.b.c.d) are matched as the IPv4 address they carry.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct netacl_rule {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t addr[16];        /* network address, host bits cleared */
	unsigned bits;           /* prefix length */
};

struct netacl {
	struct netacl_rule *rules;
	size_t n;
};

/* Parse "IP" or "IP/BITS" (v4 or v6). -EINVAL on anything else. */
int netacl_parse_rule(const char *spec, struct netacl_rule *ret);
/* Parse and append. -EINVAL, -ENOMEM. */
int netacl_add(struct netacl *l, const char *spec);
/* Append the private ranges: 10/8, 172.16/12, 192.168/16, 127/8, ::1, fe80::/10, fc00::/7. */
int netacl_add_private(struct netacl *l);
void netacl_free(struct netacl *l);
/* True if @sa matches any rule. An empty list matches nothing. */
bool netacl_match(const struct netacl *l, const struct sockaddr *sa, socklen_t len);
/* "1.2.3.4:567" / "[::1]:567" / "unknown" for logs; @out at least 64 bytes. */
void netacl_format_peer(const struct sockaddr *sa, socklen_t len, char *out, size_t n);
