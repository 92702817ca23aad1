/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ssh command line for one job to an SSH host (DISTCC-REFERENCE 1.8),
 * and the ssh configuration that turns on connection reuse. Pure: the
 * caller passes DISTCC_SSH and the paths; no I/O, no environment, no logging.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hostspec.h"

#define SSHCMD_MAX_WORDS 64             /* DISTCC_SSH words we accept */
#define SSHCMD_DEFAULT_COMMAND "distccd"
#define SSHCMD_PERSIST_SEC 120          /* ControlPersist of the shared connection */
/* sun_path holds 108 bytes; ssh adds ".XXXXXXXXXXXXXXXX" while it binds, and
 * %C is 40 hex digits: a control directory longer than this cannot be used. */
#define SSHCMD_MAX_CONTROL_DIR (108 - 1 - 40 - 17 - 1)

struct sshcmd_params {
	const char *ssh_env;     /* DISTCC_SSH, or NULL: "ssh" */
	const char *config;      /* our reuse config (sshcmd_config_text()), passed
				  * as -F; NULL: none (no reuse, or the user chose) */
};

/* Split DISTCC_SSH on blanks (a fresh copy every call: every connection of
 * a process gets the same words, unlike 3.4's strtok on the environment).
 * NULL, empty or blank gives { "ssh" }. -E2BIG past SSHCMD_MAX_WORDS,
 * -EINVAL when the first word (the program) starts with '-'. */
int sshcmd_split(const char *ssh_env, char ***ret_words);

/* Whether the user's words already decide the configuration or the
 * multiplexing (-F, -S, or -o Control...=): then we add no -F of ours. */
bool sshcmd_user_decides(char *const words[]);

/* The argv for a job on @h:
 *   WORDS... [-F CONFIG] [-l USER] HOST COMMAND --inetd      (default)
 *   WORDS... [-F CONFIG] [-l USER] -W 127.0.0.1:PORT HOST    (,daemon)
 * COMMAND is the host's ":COMMAND", else "distccd". */
int sshcmd_build(const struct sshcmd_params *p, const struct host *h, char ***ret_argv);

/* The text of our ssh config: the user's ~/.ssh/config and the system's
 * /etc/ssh/ssh_config first (the first value ssh obtains wins, so theirs
 * win), then ControlMaster auto, ControlPath @control_dir/%C and
 * ControlPersist. -EINVAL when @control_dir is too long for a socket. */
int sshcmd_config_text(const char *control_dir, char **ret_text);
