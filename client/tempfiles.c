/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exit-time registry. Its state is process-wide by nature (a signal
 * handler must find it), so it is the one module-level table in the client;
 * it holds paths only, in fixed storage, so the handler never allocates.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include "macro.h"
#include "monstate.h"
#include "tempfiles.h"


#define MAX_TEMPS 8

static struct {
	char paths[MAX_TEMPS][PATH_MAX];
	volatile sig_atomic_t used[MAX_TEMPS];
	char state_path[PATH_MAX];  /* formatted once: the handler only unlinks */
	volatile sig_atomic_t state_exists;
	volatile sig_atomic_t child;    /* the local compiler we wait for, or 0 */
	bool keep;
} C;

int tempfiles_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];

	if (n / 2 > sizeof(raw))
		return -EINVAL;
	if (getrandom(raw, n / 2, 0) != (ssize_t)(n / 2))
		return -errno ? -errno : -EIO;
	for (size_t i = 0; i < n / 2; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[n] = 0;
	return 0;
}

static int slot_free(void)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (!C.used[i])
			return i;
	return -1;
}

int tempfiles_mktemp(const char *dir, const char *prefix, const char *suffix, unsigned mode,
		   const char **ret_path)
{
	int i = slot_free();

	if (i < 0)
		return -EMFILE;
	for (int tries = 0; tries < 16; tries++) {
		char rnd[17];
		int fd, r = tempfiles_random_hex(rnd, 16);

		if (r < 0)
			return r;
		r = snprintf(C.paths[i], PATH_MAX, "%s/%s%s%s", dir, prefix, rnd, suffix);
		if (r < 0 || r >= PATH_MAX)
			return -ENAMETOOLONG;
		fd = open(C.paths[i], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0) {
			C.used[i] = 1;
			*ret_path = C.paths[i];
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

void tempfiles_forget(const char *path)
{
	for (int i = 0; i < MAX_TEMPS; i++)
		if (C.used[i] && C.paths[i] == path)
			C.used[i] = 0;
}

void tempfiles_note_state(bool exists)
{
	C.state_exists = exists;
}

void tempfiles_run(void)
{
	for (int i = 0; i < MAX_TEMPS; i++) {
		if (!C.used[i])
			continue;
		if (!C.keep)
			unlink(C.paths[i]);
		C.used[i] = 0;
	}
	if (C.state_exists && C.state_path[0]) {
		C.state_exists = 0;
		(void)unlink(C.state_path);
	}
}

void tempfiles_track_child(pid_t pid)
{
	C.child = pid;
}

void tempfiles_untrack_child(void)
{
	C.child = 0;
}

void tempfiles_die_by_signal(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct rlimit no_core = { 0, 0 };
	sigset_t set;

	tempfiles_run();
	/* the compiler dumped its core already, if it was allowed to */
	(void)setrlimit(RLIMIT_CORE, &no_core);
	sigemptyset(&dfl.sa_mask);
	(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* Only async-signal-safe calls here and in tempfiles_run(): unlink, kill,
 * setrlimit, sigaction, sigprocmask, raise. While a local compiler runs we
 * wait for it: a signal the terminal sent reached it too (same process
 * group); one sent to us alone is passed on. The compiler's fate is ours:
 * when it dies by the signal, so do we once it is reaped, as when it was
 * exec'd in our place; when it handles it and exits, we exit likewise. */
static void on_signal(int sig, siginfo_t *si, void *ucontext)
{
	(void)ucontext;
	if (C.child > 0) {
		if (si->si_code != SI_KERNEL)
			(void)kill((pid_t)C.child, sig);
		return;
	}
	tempfiles_die_by_signal(sig);
}

void tempfiles_init(const char *state_dir, bool keep_temps)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	if (!state_dir || monstate_path(state_dir, (unsigned long)getpid(), C.state_path,
					sizeof(C.state_path)) < 0)
		C.state_path[0] = 0;
	C.keep = keep_temps;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
		struct sigaction old;

		/* ignored by our parent (nohup, a background job of a script):
		 * stays ignored, for us and for the compiler we exec */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	atexit(tempfiles_run);
}
