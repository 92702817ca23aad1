/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Child-side confinement of the compiler. Runs after fork, before exec, in
 * a single-threaded child: it may allocate, but must not log to the daemon's
 * sinks (stderr is already the job's .stderr file by then).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sandbox.h"

static int put_env(const char *kv)
{
	const char *eq = strchr(kv, '=');
	char name[256];
	size_t n;

	if (!eq || (n = (size_t)(eq - kv)) == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, kv, n);
	name[n] = 0;
	return setenv(name, eq + 1, 1) < 0 ? -errno : 0;
}

int sandbox_enter_child(const struct sandbox_params *p)
{
	struct rlimit no_core = { 0, 0 };
	int r;

	if (clearenv() != 0)
		return -ENOMEM;
	if (setenv("PATH", p->path, 1) < 0 || setenv("TMPDIR", p->workdir, 1) < 0)
		return -errno;
	for (char *const *e = p->locale_env; e && *e; e++) {
		r = put_env(*e);
		if (r < 0)
			return r;
	}
	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return -errno;
	return 0;
}
