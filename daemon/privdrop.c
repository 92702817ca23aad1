/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * setgid/setuid privilege drop. Fails closed: any step that does not take
 * effect is an error, and the daemon does not serve.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

static const struct passwd *find_user(const char *user)
{
	const struct passwd *pw;

	if (user)
		return getpwnam(user);
	pw = getpwnam("distccd");
	return pw ? pw : getpwnam("nobody");
}

int privdrop_apply(const char *user)
{
	const struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0) {
		if (user)
			log_warning("--user '%s' ignored: not running as root", user);
		return 0;
	}
	errno = 0;
	pw = find_user(user);
	if (!pw)
		return log_error_errno(errno ? errno : ESRCH, "cannot find user '%s' to run as",
				       user ? user : "distccd/nobody");
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return log_error_errno(errno, "cannot switch to user %u: %m", (unsigned)uid);
	if (uid != 0 && (setuid(0) == 0 || geteuid() == 0))
		return log_error_errno(EPERM, "could regain root after dropping privileges");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_error_errno(errno, "cannot set no_new_privs: %m");
	log_info("running as uid %u gid %u", (unsigned)uid, (unsigned)gid);
	return 0;
}
