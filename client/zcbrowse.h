/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The zeroconf browser behind +zeroconf (the Avahi side): browses
 * _distcc._tcp servers whose compiler is ours (3.4's subtype, from
 * `cc -dumpmachine` and `cc -dumpversion`; all of them when cc cannot say),
 * resolves each server and keeps DIR/hosts (ZC_HOSTS_FILE)
 * up to date, one host spec per line (common/zctxt.h), replaced atomically
 * (rename) so readers need no lock. Runs as distcc 3.4's background
 * daemon does: it holds an fcntl write lock on DIR/lock for its whole life
 * (so 3.4's browser and ours never both run for one DISTCC_DIR), and ends
 * once no client has used the list for ZC_IDLE_SEC (our clients touch the
 * lock file's mtime, 3.4's read the hosts file).
 */
#pragma once

#define ZC_HOSTS_FILE "hosts"
#define ZC_LOCK_FILE "lock"
#define ZC_STATUS_FILE "status"   /* why the list is empty, when it is for a reason */
#define ZC_IDLE_SEC 20            /* 3.4's MAX_IDLE_TIME */
#define ZC_FIRST_LIST_SEC 3       /* the first list is written by then at the latest */

/* Take the lock and browse until idle; @dir_fd is the zeroconf directory.
 * Returns 0 when idle or when another browser holds the lock, -errno when
 * Avahi failed (its reason is in DIR/status then, an empty list in
 * DIR/hosts). */
int zcbrowse_run(int dir_fd);
