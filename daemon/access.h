/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's address access list (--allow, --allow-private). Pure: parses
 * "IP[/BITS]" into rules and matches socket addresses against them. IPv4-mapped
 * IPv6 peers (::ffff:a.b.c.d) are matched as the IPv4 address they carry.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct access_rule {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t addr[16];        /* network address, host bits cleared */
	unsigned bits;           /* prefix length */
};

struct access_list {
	struct access_rule *rules;
	size_t n;
};

/* Parse "IP" or "IP/BITS" (v4 or v6). -EINVAL on anything else. */
int access_parse(const char *spec, struct access_rule *ret);
/* Parse and append. -EINVAL, -ENOMEM. */
int access_list_add(struct access_list *l, const char *spec);
/* Append the private ranges: 10/8, 172.16/12, 192.168/16, 127/8, ::1, fe80::/10, fc00::/7. */
int access_list_add_private(struct access_list *l);
void access_list_free(struct access_list *l);
/* True if @sa matches any rule. An empty list matches nothing. */
bool access_check(const struct access_list *l, const struct sockaddr *sa, socklen_t len);
/* "1.2.3.4:567" / "[::1]:567" / "unknown" for logs; @out at least 64 bytes. */
void access_format_peer(const struct sockaddr *sa, socklen_t len, char *out, size_t n);
