/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running compilers: the local preprocessor as a child writing a temp file
 * (-o), and the compiler itself exec'd in place of distcc.
 */
#pragma once

#include <sys/types.h>

/* Ignore SIGPIPE (we see EPIPE instead), remembering whether our parent had
 * it ignored already: children get the parent's disposition back. */
void child_ignore_sigpipe(void);
/* Start @argv (PATH lookup) with stdin /dev/null, stdout and stderr
 * inherited (the preprocessor is given "-o FILE"). */
int child_cpp(char *const argv[], pid_t *ret_pid);
/* Wait for @pid; *ret_status is a wait status. */
int child_wait(pid_t pid, int *ret_status);
/* Exit status distcc reports for a wait status: code, or 128+signal. */
int child_exit_code(int wait_status);
/* Run @argv (PATH lookup) with our stdin, stdout and stderr and wait for
 * it; *ret_status is its wait status. For a local compile whose result we
 * still need to see (pump mode's discrepancy check). */
int child_run(char *const argv[], int *ret_status);
/* execvp @argv in place of this process. Returns only on failure (-errno). */
int child_exec(char *const argv[]);
