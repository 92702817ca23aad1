/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * setgid/setuid privilege drop plus the capability drop around it (capdrop).
 * Fails closed: any step that does not take effect is an error, and the
 * daemon does not serve.
 */
#include <errno.h>
#include <stdbool.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "capdrop.h"
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

static int switch_user(const char *user)
{
	const struct passwd *pw;
	uid_t uid;
	gid_t gid;

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
	log_info("running as uid %u gid %u", (unsigned)uid, (unsigned)gid);
	return 0;
}

/* Clear every capability set and verify, as root or not: an ordinary user
 * may still hold ambient or file capabilities. */
static int drop_caps(bool bounding_must_be_empty)
{
	int r = capdrop_clear();

	if (r >= 0)
		r = capdrop_verify(bounding_must_be_empty);
	if (r < 0)
		return log_error_errno(r, "refusing to serve: capabilities could not be dropped");
	return 0;
}

int privdrop_apply(const char *user)
{
	bool root = geteuid() == 0, bounding = false;
	int r = capdrop_bounding(&bounding);

	if (r < 0)
		return r;
	if (!root) {
		if (user)
			log_warning("--user '%s' ignored: not running as root", user);
		return drop_caps(bounding);
	}
	r = switch_user(user);
	return r < 0 ? r : drop_caps(true);
}
