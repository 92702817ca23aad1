/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Capability drop and verification through libcap (see capdrop.h). The
 * verification reads the kernel's view again instead of trusting the calls
 * that changed it; it must never be skipped or weakened to "warn".
 */
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "capdrop.h"
#include "log.h"

static void cap_freep(void *p)
{
	void **pp = p;

	if (*pp)
		cap_free(*pp);
}
#define _cleanup_cap_ __attribute__((cleanup(cap_freep)))

static bool have_permitted(cap_value_t v)
{
	_cleanup_cap_ cap_t c = cap_get_proc();
	cap_flag_value_t f = CAP_CLEAR;

	return c && cap_get_flag(c, v, CAP_PERMITTED, &f) == 0 && f == CAP_SET;
}

static int raise_effective(cap_value_t v)
{
	_cleanup_cap_ cap_t c = cap_get_proc();

	if (!c)
		return -errno;
	if (cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 || cap_set_proc(c) < 0)
		return -errno;
	return 0;
}

int capdrop_bounding(bool *ret_dropped)
{
	cap_value_t n = cap_max_bits();
	int r;

	if (!have_permitted(CAP_SETPCAP)) {
		*ret_dropped = false;
		return 0;
	}
	r = raise_effective(CAP_SETPCAP);
	if (r < 0)
		return log_error_errno(r, "cannot raise CAP_SETPCAP: %m");
	for (cap_value_t v = 0; v < n; v++)
		if (cap_get_bound(v) > 0 && cap_drop_bound(v) < 0)
			return log_error_errno(errno, "cannot drop capability %d from the bounding set: %m",
					       (int)v);
	*ret_dropped = true;
	return 0;
}

int capdrop_clear(void)
{
	_cleanup_cap_ cap_t none = cap_init();

	if (!none)
		return log_error_errno(errno, "cannot allocate a capability set: %m");
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		return log_error_errno(errno, "cannot clear the ambient capabilities: %m");
	if (cap_set_proc(none) < 0)
		return log_error_errno(errno, "cannot clear the capability sets: %m");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return log_error_errno(errno, "cannot set no_new_privs: %m");
	return 0;
}

static int verify_sets(void)
{
	_cleanup_cap_ cap_t now = cap_get_proc();
	_cleanup_cap_ cap_t none = cap_init();
	cap_value_t n = cap_max_bits();

	if (!now || !none)
		return log_error_errno(errno, "cannot read the capability sets: %m");
	if (cap_compare(now, none) != 0) {
		_cleanup_cap_ char *t = cap_to_text(now, NULL);
		return log_error_errno(EPERM, "capabilities left after drop: '%s'", t ? t : "?");
	}
	for (cap_value_t v = 0; v < n && CAP_AMBIENT_SUPPORTED(); v++)
		if (cap_get_ambient(v) != 0)
			return log_error_errno(EPERM, "ambient capability %d left after drop", (int)v);
	return 0;
}

int capdrop_verify(bool bounding_must_be_empty)
{
	cap_value_t n = cap_max_bits();
	int r = verify_sets();

	if (r < 0)
		return r;
	if (bounding_must_be_empty)
		for (cap_value_t v = 0; v < n; v++)
			if (cap_get_bound(v) != 0)
				return log_error_errno(EPERM, "capability %d left in the bounding set",
						       (int)v);
	r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (r != 1)
		return log_error_errno(r < 0 ? errno : EPERM, "no_new_privs is not set");
	return 0;
}
