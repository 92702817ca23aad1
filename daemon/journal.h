/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * distccd's journal backend for log.h: structured entries through
 * sd_journal_send (MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER=distccd) and, for
 * the per-job summary, DISTCC_* fields that journalctl can match on.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

struct journal_field {
	const char *name;        /* "DISTCC_CLIENT" */
	const char *value;       /* NULL: field left out */
};

/* Should the daemon log to the journal? True when $JOURNAL_STREAM names
 * stderr's device:inode (started by systemd with stderr to the journal) or
 * @socket_path (normally JOURNAL_SOCKET) exists. Pure apart from the fstat/stat. */
bool journal_wanted(const char *journal_stream, const char *socket_path);

/* Route every log_*() call to the journal (log_to_sink). */
void journal_log_enable(void);
/* True after journal_log_enable(). */
bool journal_log_enabled(void);

/* One entry: MESSAGE=@message, PRIORITY=@level, SYSLOG_IDENTIFIER=distccd,
 * plus @fields. Dropped when @level is above the log level, like log_*().
 * Returns 0 or -errno. */
int journal_send(int level, const char *message, const struct journal_field *fields, size_t n);

/* Relay for the accept loop's children. A child exits right after its last
 * message, often before journald has read its cgroup: the entry would lack
 * _SYSTEMD_UNIT and be missing from `journalctl -u distccd`. So children hand
 * their entries to the long-lived parent, which sends them on.
 * journal_relay_open: a datagram socketpair, [0] for the parent, [1] for
 * children (-errno). journal_relay_child: in a child, send every entry
 * through @fd. journal_relay_forward: in the parent, send on every queued
 * entry (non-blocking). */
int journal_relay_open(int ret_fds[2]);
void journal_relay_child(int fd);
void journal_relay_forward(int fd);
