/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket activation (see activation.h). Classifies what systemd passed;
 * never accepts, reads or binds anything itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include "activation.h"
#include "log.h"
#include "macro.h"
#include "strv.h"

static int classify(int fd, bool *ret_listening)
{
	if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) > 0) {
		*ret_listening = true;
		return 0;
	}
	if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 0) > 0) {
		*ret_listening = false;
		return 0;
	}
	return log_error_errno(EINVAL, "fd %d passed by the service manager is not a stream socket",
			       fd);
}

static bool is_stats(char **names, int i)
{
	return names && names[i] && strcmp(names[i], ACTIVATION_STATS_NAME) == 0;
}

int activation_from_env(struct activation *ret)
{
	struct activation a = { .kind = ACTIVATION_NONE, .stats_fd = -1 };
	_cleanup_(strv_freep) char **names = NULL;
	size_t listening = 0;
	int n = sd_listen_fds_with_names(1, &names);

	if (n < 0)
		return log_error_errno(n, "cannot take the sockets passed by the service manager: %m");
	if (n > ACTIVATION_MAX_FDS)
		return log_error_errno(EINVAL, "too many sockets passed (%d, at most %d)", n,
				       ACTIVATION_MAX_FDS);
	for (int i = 0; i < n; i++) {
		bool l = false;
		int r = classify(SD_LISTEN_FDS_START + i, &l);

		if (r < 0)
			return r;
		if (l && a.stats_fd < 0 && is_stats(names, i)) {
			a.stats_fd = SD_LISTEN_FDS_START + i;   /* the --stats port, not a compile port */
			continue;
		}
		listening += l;
		a.fds[a.n++] = SD_LISTEN_FDS_START + i;
	}
	if (a.n == 0 && a.stats_fd >= 0)
		return log_error_errno(EINVAL, "only a stats socket was passed, no compile port");
	if (a.n > 0 && listening == a.n)
		a.kind = ACTIVATION_LISTEN;
	else if (a.n == 1 && listening == 0 && a.stats_fd < 0)
		a.kind = ACTIVATION_CONNECTED;
	else if (a.n > 0)
		return log_error_errno(EINVAL, "passed sockets must be all listening or one connected");
	*ret = a;
	return 0;
}

void activation_notify_ready(void)
{
	(void)sd_notify(0, "READY=1\nSTATUS=waiting for connections");
}

void activation_notify_status(unsigned running, unsigned long long served)
{
	(void)sd_notifyf(0, "STATUS=%u job%s running, %llu served", running,
			 running == 1 ? "" : "s", served);
}

void activation_notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
}
