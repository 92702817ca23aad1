/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host list grammar of distcc 3.4 (DISTCC-REFERENCE section 2): pure parser
 * from text (DISTCC_HOSTS or a hosts file) to a list. No I/O, no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum host_mode { HOST_LOCAL, HOST_TCP, HOST_SSH };

struct host {
	enum host_mode mode;
	char *spec;            /* the token as written (for --show-hosts) */
	char *hostname;        /* TCP/SSH; IPv6 without brackets; "localhost" for LOCAL */
	unsigned port;         /* TCP, and SSH ,daemon=PORT; default 3632 */
	char *user;            /* SSH user@, or NULL */
	char *command;         /* SSH :COMMAND, or NULL */
	unsigned limit;        /* /N; default 4 (TCP, SSH) or 2 (localhost) */
	bool lzo, cpp, down;
	bool autolimit;        /* ",auto[=PORT]": limit from live state (livehosts.h) */
	bool limit_given;      /* "/N" was written (caps an ",auto" limit) */
	unsigned stats_port;   /* ",auto=PORT", default 3633 */
	bool via_daemon;       /* SSH ",daemon[=PORT]": the job goes through the SSH
				* connection to the server's own distccd on
				* 127.0.0.1:port (ssh -W), not to a "distccd --inetd" */
	unsigned protover;     /* 1 plain, 2 lzo, 3 cpp+lzo */
};

struct hostlist {
	struct host *hosts;
	size_t n;
	bool randomize;
	unsigned localslots;      /* default 4 */
	unsigned localslots_cpp;  /* default 8 */
};

#define HOST_DEFAULT_PORT 3632
#define HOST_DEFAULT_STATS_PORT 3633
#define HOST_DEFAULT_LIMIT 4
#define HOST_LOCALHOST_LIMIT 2
#define HOST_DEFAULT_LOCALSLOTS 4
#define HOST_DEFAULT_LOCALSLOTS_CPP 8

/* Parse @text. On a bad token returns -EINVAL and sets *ret_bad (if not
 * NULL) to a malloc'd copy of that token. An empty list is not an error
 * here (ret->n == 0); callers decide. */
int hostspec_parse(const char *text, struct hostlist *ret, char **ret_bad);
/* Same, and on error *ret_why (if not NULL) is a static text saying why
 * (e.g. "'+zeroconf' is not supported ..."), for the caller's message. */
int hostspec_parse_why(const char *text, struct hostlist *ret, char **ret_bad,
		       const char **ret_why);
void hostlist_free(struct hostlist *l);
