/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ssh command lines and the reuse configuration for SSH hosts: strings in,
 * strings out (see sshcmd.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "sshcmd.h"
#include "strv.h"

static const char *const BLANKS = " \t\n";

int sshcmd_split(const char *ssh_env, char ***ret_words)
{
	_cleanup_(strv_freep) char **v = NULL;
	const char *p = ssh_env ? ssh_env : "";

	for (;;) {
		_cleanup_free_ char *w = NULL;
		size_t n;

		p += strspn(p, BLANKS);
		n = strcspn(p, BLANKS);
		if (n == 0)
			break;
		if (strv_length(v) >= SSHCMD_MAX_WORDS)
			return -E2BIG;
		w = strndup(p, n);
		if (!w || strv_push(&v, w) < 0)
			return -ENOMEM;
		p += n;
	}
	if (!v && strv_push(&v, "ssh") < 0)
		return -ENOMEM;
	if (v[0][0] == '-')
		return -EINVAL; /* an option where the program goes (UPSTREAM-BUGS C10) */
	*ret_words = TAKE_PTR(v);
	return 0;
}

bool sshcmd_user_decides(char *const words[])
{
	for (size_t i = 1; words && words[i]; i++) {
		const char *w = words[i], *opt = NULL;

		if (str_has_prefix(w, "-F") || str_has_prefix(w, "-S"))
			return true;
		if (strcmp(w, "-o") == 0)
			opt = words[i + 1];
		else if (str_has_prefix(w, "-o"))
			opt = w + 2;
		if (opt && strncasecmp(opt, "control", 7) == 0)
			return true;
	}
	return false;
}

static int push_all(char ***v, const char *const *words)
{
	for (; *words; words++)
		if (strv_push(v, *words) < 0)
			return -ENOMEM;
	return 0;
}

int sshcmd_build(const struct sshcmd_params *p, const struct host *h, char ***ret_argv)
{
	_cleanup_(strv_freep) char **v = NULL;
	char fwd[64];
	int r;

	if (h->mode != HOST_SSH || !h->hostname)
		return -EINVAL;
	r = sshcmd_split(p->ssh_env, &v);
	if (r < 0)
		return r;
	if (p->config && !sshcmd_user_decides(v) &&
	    push_all(&v, (const char *const[]){ "-F", p->config, NULL }) < 0)
		return -ENOMEM;
	if (h->user && push_all(&v, (const char *const[]){ "-l", h->user, NULL }) < 0)
		return -ENOMEM;
	if (h->via_daemon) {
		snprintf(fwd, sizeof(fwd), "127.0.0.1:%u", h->port);
		r = push_all(&v, (const char *const[]){ "-W", fwd, h->hostname, NULL });
	} else
		r = push_all(&v, (const char *const[]){
			h->hostname, h->command ? h->command : SSHCMD_DEFAULT_COMMAND, "--inetd",
			NULL });
	if (r < 0)
		return r;
	*ret_argv = TAKE_PTR(v);
	return 0;
}

int sshcmd_config_text(const char *control_dir, char **ret_text)
{
	char *s;

	if (!control_dir || control_dir[0] != '/' || strlen(control_dir) > SSHCMD_MAX_CONTROL_DIR ||
	    strpbrk(control_dir, " \t\n\"%"))
		return -EINVAL;
	if (asprintf(&s,
		     "# Written by distcc for its SSH hosts (distcc-hosts(5)): connection reuse.\n"
		     "# Your own configuration is read first, and what it sets wins.\n"
		     "Include ~/.ssh/config\n"
		     "Include /etc/ssh/ssh_config\n"
		     "Host *\n"
		     "  ControlMaster auto\n"
		     "  ControlPath %s/%%C\n"
		     "  ControlPersist %u\n",
		     control_dir, SSHCMD_PERSIST_SEC) < 0)
		return -ENOMEM;
	*ret_text = s;
	return 0;
}
