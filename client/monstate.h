/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Monitor state records in distcc 3.4's 296-byte LP64 layout
 * (DISTCC-REFERENCE section 5), serialised field by field so Debian's
 * distccmon-text reads ours and ours reads theirs.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MONSTATE_SIZE 296
#define MONSTATE_MAGIC 0x44494800ul
#define MONSTATE_STALE_SEC 60

enum mon_phase {
	PHASE_STARTUP, PHASE_BLOCKED, PHASE_CONNECT, PHASE_CPP,
	PHASE_SEND, PHASE_COMPILE, PHASE_RECEIVE, PHASE_DONE,
};

struct monstate {
	unsigned long pid;
	char file[128];        /* basename of the input */
	char host[128];
	int slot;
	enum mon_phase phase;
};

void monstate_encode(const struct monstate *s, uint8_t out[MONSTATE_SIZE]);
/* -EBADMSG on a short record, wrong size field or wrong magic. Phases past
 * Done are clamped to Compile, as distcc 3.4's monitor does. */
int monstate_decode(const uint8_t *in, size_t n, struct monstate *ret);
const char *monstate_phase_name(enum mon_phase p);   /* "Startup", "Blocked", ... */

/* Write @s as <dir>/binstate_<pid> (mode 0644). The first write goes
 * through a '.'-prefixed temp sibling and rename, so readers selecting
 * binstate_* never see a partial record (UPSTREAM-BUGS E1), and leaves the
 * file open in *state_fd (start with -1); later writes overwrite the
 * fixed-size record in place with one pwrite (never truncating), unless a
 * monitor removed the file meanwhile, which makes a new one. @dir (and its
 * parents) are created if missing. */
int monstate_write(const char *dir, const struct monstate *s, int *state_fd);
/* Unlink <dir>/binstate_<pid>; a missing file is not an error. */
int monstate_remove(const char *dir, unsigned long pid);
/* The state file's name for @pid under @dir into @buf: -ENAMETOOLONG when
 * it does not fit. Lets a signal handler unlink it without formatting. */
int monstate_path(const char *dir, unsigned long pid, char *buf, size_t size);
