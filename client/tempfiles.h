/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Temporary files and what must go at exit: temp files are created with
 * CSPRNG names, O_EXCL and mode 0600 (UPSTREAM-BUGS B1) and registered
 * here; they and the monitor state file are removed at exit and on
 * SIGTERM/SIGINT/SIGHUP (then the signal is re-raised), unless
 * DISTCC_SAVE_TEMPS asked to keep temps. A signal that was ignored when
 * distcc started (nohup) is left ignored. While a local compiler runs as
 * our child, such a signal is passed on to it instead, and we end as the
 * compiler does.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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

/* While @pid (the local compiler) runs, SIGTERM/SIGINT/SIGHUP do not end
 * distcc: they are forwarded to it (unless the terminal sent them to the
 * whole process group), and its wait status decides. */
void tempfiles_track_child(pid_t pid);
/* The compiler has been reaped: signals end distcc again. */
void tempfiles_untrack_child(void);
/* Remove what must go, then end this process by @sig (default action, no
 * core file: the compiler wrote its own). Returns only if @sig does not
 * end a process. */
void tempfiles_die_by_signal(int sig);

/* Fill @out with @n random hex digits (n even), from getrandom(). */
int tempfiles_random_hex(char *out, size_t n);
