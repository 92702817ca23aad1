/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running compilers as children: the local preprocessor writing a temp file
 * (-o), and a local compile with distcc's own stdin, stdout and stderr.
 */
#pragma once

#include <sys/types.h>

/* Ignore SIGPIPE (we see EPIPE instead), remembering whether our parent had
 * it ignored already: children get the parent's disposition back. */
void child_ignore_sigpipe(void);
/* Start @argv (PATH lookup) with stdin /dev/null, stdout inherited (the
 * preprocessor is given "-o FILE") and stderr inherited, or @err_fd when
 * >= 0. */
int child_cpp(char *const argv[], int err_fd, pid_t *ret_pid);
/* Start @argv (PATH lookup) with @in_fd, @out_fd and @err_fd as its
 * stdin, stdout and stderr (ssh for an SSH host). */
int child_spawn_fds(char *const argv[], int in_fd, int out_fd, int err_fd, pid_t *ret_pid);
/* Wait for @pid; *ret_status is a wait status. */
int child_wait(pid_t pid, int *ret_status);
/* Exit status distcc reports for a wait status: code, or 128+signal. */
int child_exit_code(int wait_status);
/* Start @argv (PATH lookup) with our stdin, stdout and stderr, as exec'ing
 * it would: -ENOENT/-EACCES... when it cannot be run. */
int child_spawn(char *const argv[], pid_t *ret_pid);
