/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Temporary files and what must go at exit: temp files are created with
 * CSPRNG names, O_EXCL and mode 0600 (UPSTREAM-BUGS B1) and registered
 * here; they and the monitor state file are removed at exit and on
 * SIGTERM/SIGINT/SIGHUP (then the signal is re-raised), unless
 * DISTCC_SAVE_TEMPS asked to keep temps. A signal that was ignored when
 * distcc started (nohup) is left ignored.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Install atexit and signal handlers. @state_dir: where monstate files
 * live (NULL: none). @keep_temps: DISTCC_SAVE_TEMPS. */
void tempfiles_init(const char *state_dir, bool keep_temps);

/* Create "@dir/@prefix<16 hex>@suffix" exclusively with @mode, registered
 * for removal. Returns the fd (O_CLOEXEC); *ret_path stays owned by the
 * registry until tempfiles_forget(). */
int tempfiles_mktemp(const char *dir, const char *prefix, const char *suffix, unsigned mode,
		   const char **ret_path);
/* Stop tracking @path (it was renamed into place, or already removed). */
void tempfiles_forget(const char *path);
/* Remove every tracked temp file (honouring keep_temps) and the state
 * file now. Idempotent. */
void tempfiles_run(void);
/* Say that a monitor state file exists for us (so exit removes it). */
void tempfiles_note_state(bool exists);

/* Fill @out with @n random hex digits (n even), from getrandom(). */
int tempfiles_random_hex(char *out, size_t n);
