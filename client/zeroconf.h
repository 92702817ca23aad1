/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * +zeroconf in the host list: the hosts the background browser
 * (zcbrowse.h) has found, from DISTCC_DIR/zeroconf/hosts. distcc 3.4's
 * rules: the browser holds DISTCC_DIR/zeroconf/lock; a client that finds
 * the lock free starts one and waits for its first list; every use marks
 * the list as used, and an unused browser ends after ZC_IDLE_SEC.
 */
#pragma once

/* The discovered host specs as host-list text (malloc'd; "" when none).
 * When the list is empty for a reason (Avahi not running...),
 * *ret_why says it (malloc'd, else NULL). -errno when DISTCC_DIR/zeroconf
 * cannot be made or read. */
int zeroconf_hosts(const char *distcc_dir, char **ret_text, char **ret_why);
