/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Child-side confinement of the compiler. Runs after fork, before exec, in
 * a single-threaded child: it may allocate, but must not log to the daemon's
 * sinks (stderr is already the job's .stderr file by then). Landlock is
 * used through raw syscalls; constants newer than the build's headers are
 * defined here with their kernel ABI values.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <seccomp.h>

#include "macro.h"
#include "sandbox.h"
#include "strv.h"

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)      /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)     /* ABI 5 */
#endif
#define LL_NET_BIND_TCP (1ULL << 0)                   /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)     /* ABI 6 */
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* The kernel's struct landlock_ruleset_attr as of ABI 6; we pass the size
 * the running kernel knows. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_EXEC (FS_READ | LANDLOCK_ACCESS_FS_EXECUTE)
#define FS_FILE_ONLY                                                                  \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |                 \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |                 \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define FS_JOB                                                                        \
	(FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |    \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |               \
	 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SYM |                  \
	 LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_DEVNULL \
	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

/* Toolchain and system trees the compiler reads and executes from. /etc is
 * not among them: only the loader's cache. */
static const char *const system_exec_dirs[] = {
	"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin", NULL,
};
static const char *const system_read_files[] = {
	"/etc/ld.so.cache", "/etc/ld.so.preload", "/dev/urandom", NULL,
};

int sandbox_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? -errno : (int)abi;
}

static uint64_t fs_handled(int abi)
{
	uint64_t fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;   /* ABI 1: bits 0..12 */

	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

/* Allow @access beneath @path (a missing path is no error). */
static int allow_path(int ruleset, const char *path, uint64_t access, uint64_t handled)
{
	struct landlock_path_beneath_attr pb = { 0 };
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		access &= FS_FILE_ONLY;
	pb.allowed_access = access & handled;
	pb.parent_fd = fd;
	if (!pb.allowed_access)
		return 0;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		return -errno;
	return 0;
}

/* The target triple in a cross tool's name: "aarch64-linux-gnu" in
 * aarch64-linux-gnu-gcc or aarch64-linux-gnu-g++-12. Returns its length, 0
 * if @name is no triple-prefixed compiler driver. */
static size_t tool_triple(const char *name)
{
	static const char *const tools[] = { "-gcc", "-g++", "-cc", "-c++", "-cpp", "-clang",
					     "-clang++", NULL };

	for (size_t i = 0; tools[i]; i++) {
		const char *t = strstr(name, tools[i]), *rest;

		while (t) {
			rest = t + strlen(tools[i]);
			if (t > name && (*rest == 0 || (rest[0] == '-' && rest[1] >= '0' && rest[1] <= '9')))
				return (size_t)(t - name);
			t = strstr(t + 1, tools[i]);
		}
	}
	return 0;
}

static int allow_sub(int ruleset, const char *prefix, const char *name, size_t len,
		     uint64_t access, uint64_t handled)
{
	char sub[PATH_MAX];

	if (len == 0 || name[0] == '.' ||
	    snprintf(sub, sizeof(sub), "%s/%.*s", prefix, (int)len, name) >= (int)sizeof(sub))
		return 0;
	return allow_path(ruleset, sub, access, handled);
}

/* A toolchain's directories beside its bin/ (@bindir in @prefix): lib*,
 * libexec, include, share/locale, and <triple>/ for each cross compiler
 * driver in bin/ (crosstool-ng, /opt/<vendor>/). Nothing else of @prefix. */
static int allow_toolchain_siblings(int ruleset, const char *prefix, const char *bindir,
				    uint64_t handled)
{
	static const char *const names[] = { "lib", "lib32", "lib64", "libx32", "libexec",
					     "include", NULL };
	DIR *d;
	struct dirent *de;
	int r = 0;

	for (size_t i = 0; r >= 0 && names[i]; i++)
		r = allow_sub(ruleset, prefix, names[i], strlen(names[i]), FS_EXEC, handled);
	if (r >= 0)
		r = allow_sub(ruleset, prefix, "share/locale", 12, FS_READ, handled);
	d = r >= 0 ? opendir(bindir) : NULL;
	while (d && r >= 0 && (de = readdir(d)))
		r = allow_sub(ruleset, prefix, de->d_name, tool_triple(de->d_name), FS_EXEC, handled);
	if (d)
		closedir(d);
	return r;
}

/* Each absolute PATH directory, and the toolchain dirs beside it: a
 * compiler in /opt/x/bin keeps /opt/x/libexec, but not the rest of /opt/x. */
static int allow_path_dirs(int ruleset, const char *path, uint64_t handled)
{
	_cleanup_free_ char *copy = strdup(path ? path : "");
	char *save = NULL;
	int r;

	if (!copy)
		return -ENOMEM;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *slash;

		if (d[0] != '/')
			continue;       /* relative PATH entries would follow the cwd */
		r = allow_path(ruleset, d, FS_EXEC, handled);
		if (r < 0)
			return r;
		slash = strrchr(d, '/');
		if (slash && slash != d) {
			_cleanup_free_ char *prefix = strndup(d, (size_t)(slash - d));

			if (!prefix)
				return -ENOMEM;
			r = allow_toolchain_siblings(ruleset, prefix, d, handled);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int landlock_rules(int ruleset, const struct sandbox_params *p, uint64_t handled)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && system_exec_dirs[i]; i++)
		r = allow_path(ruleset, system_exec_dirs[i], FS_EXEC, handled);
	for (size_t i = 0; r >= 0 && system_read_files[i]; i++)
		r = allow_path(ruleset, system_read_files[i], LANDLOCK_ACCESS_FS_READ_FILE, handled);
	if (r >= 0)
		r = allow_path(ruleset, "/dev/null", FS_DEVNULL, handled);
	if (r >= 0)
		r = allow_path_dirs(ruleset, p->path, handled);
	if (r >= 0 && p->exec_dir)
		r = allow_path_dirs(ruleset, p->exec_dir, handled);
	if (r >= 0)
		r = allow_path(ruleset, p->workdir, FS_JOB, handled);
	return r;
}

static int enter_landlock(const struct sandbox_params *p)
{
	int abi = sandbox_landlock_abi();
	struct ll_ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);
	_cleanup_close_ int ruleset = -EBADF;
	int r;

	if (abi < 0)
		return 0;           /* unavailable: the daemon warned at startup */
	attr.handled_access_fs = fs_handled(abi);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return -errno;
	r = landlock_rules(ruleset, p, attr.handled_access_fs);
	if (r < 0)
		return r;
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		return -errno;
	return 0;
}

static int put_env(const char *kv)
{
	const char *eq = strchr(kv, '=');
	char name[256];
	size_t n;

	if (!eq || (n = (size_t)(eq - kv)) == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, kv, n);
	name[n] = 0;
	if (strcmp(name, "LANG") && strcmp(name, "LANGUAGE") && !str_has_prefix(name, "LC_"))
		return 0;           /* only locale variables pass */
	return setenv(name, eq + 1, 1) < 0 ? -errno : 0;
}

/* Nothing the daemon inherited (LD_PRELOAD, GCC_EXEC_PREFIX, COMPILER_PATH,
 * CPATH, DEPENDENCIES_OUTPUT, ...) reaches the compiler. */
static int clean_env(const struct sandbox_params *p)
{
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
	return 0;
}

/* Processes (tasks) the real uid has now; RLIMIT_NPROC counts all of them. */
static unsigned count_user_tasks(void)
{
	DIR *d = opendir("/proc");
	uid_t uid = getuid();
	unsigned n = 0;
	struct dirent *de;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300];
		struct stat st;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", de->d_name);
		if (stat(path, &st) == 0 && st.st_uid == uid)
			n += st.st_nlink > 2 ? (unsigned)st.st_nlink - 2 : 1;
	}
	closedir(d);
	return n;
}

static int set_limit(int res, uint64_t v)
{
	struct rlimit cur, rl = { v, v };

	/* never raise a limit the daemon was started with */
	if (getrlimit(res, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && cur.rlim_max < v)
		rl.rlim_cur = rl.rlim_max = cur.rlim_max;
	return setrlimit(res, &rl) < 0 ? -errno : 0;
}

static int set_limits(const struct sandbox_params *p)
{
	int r = set_limit(RLIMIT_CORE, 0);

	if (r >= 0)
		r = set_limit(RLIMIT_CPU, p->cpu_sec ? p->cpu_sec : SANDBOX_DEFAULT_CPU_SEC);
#ifndef __SANITIZE_ADDRESS__
	/* ASan's shadow mapping alone exceeds any sane RLIMIT_AS: in the
	 * sanitizer build (make check only) every later mmap would fail. */
	if (r >= 0)
		r = set_limit(RLIMIT_AS, p->as_bytes ? p->as_bytes : SANDBOX_DEFAULT_AS);
#endif
	if (r >= 0)
		r = set_limit(RLIMIT_FSIZE, p->fsize_bytes ? p->fsize_bytes : SANDBOX_DEFAULT_FSIZE);
	if (r >= 0)
		r = set_limit(RLIMIT_NPROC, count_user_tasks() + SANDBOX_NPROC_HEADROOM);
	return r;
}

/* Landlock (ABI 7 here) fences TCP bind/connect and abstract UNIX sockets
 * but not UDP, raw or netlink sockets, nor connect() to a pathname UNIX
 * socket: a compiler needs no socket at all, so socket() fails with
 * EACCES, and io_uring (which can open sockets) is not there. The 32-bit
 * and x32 ABIs get the same rules (a 32-bit toolchain still runs). */
static int deny_sockets(void)
{
	static const uint32_t extra_arches[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!ctx)
		return -ENOMEM;
	if (seccomp_arch_native() == SCMP_ARCH_X86_64)
		for (size_t i = 0; i < ELEMENTSOF(extra_arches); i++)
			(void)seccomp_arch_add(ctx, extra_arches[i]);
	r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 0);
	if (r >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(io_uring_setup), 0);
	if (r >= 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int sandbox_enter_child(const struct sandbox_params *p)
{
	int r;

	if (!p || !p->workdir || !p->path)
		return -EINVAL;
	r = clean_env(p);
	if (r >= 0)
		r = set_limits(p);
	if (r >= 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	if (r >= 0)
		r = enter_landlock(p);
	if (r >= 0)
		r = deny_sockets();
	return r;
}
