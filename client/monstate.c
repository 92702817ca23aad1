/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Monitor state records: distcc 3.4's 296-byte LP64 dcc_task_state layout,
 * written and read one field at a time in native byte order (3.4 dumps the
 * struct natively), plus the binstate_<pid> file helpers. The codec part is
 * pure; monstate_write/remove are the only functions touching the disk.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "macro.h"
#include "monstate.h"

enum {
	OFF_SIZE = 0,
	OFF_MAGIC = 8,
	OFF_PID = 16,
	OFF_FILE = 24,
	OFF_HOST = 152,
	OFF_SLOT = 280,
	OFF_PHASE = 284,
	OFF_NEXT = 288,
	FIELD_STR = 128,
};

static const char *const phase_names[] = {
	[PHASE_STARTUP] = "Startup", [PHASE_BLOCKED] = "Blocked", [PHASE_CONNECT] = "Connect",
	[PHASE_CPP] = "Preprocess",  [PHASE_SEND] = "Send",       [PHASE_COMPILE] = "Compile",
	[PHASE_RECEIVE] = "Receive", [PHASE_DONE] = "Done",
};

const char *monstate_phase_name(enum mon_phase p)
{
	if ((unsigned)p >= ELEMENTSOF(phase_names))
		return "Unknown";
	return phase_names[p];
}

static void put_u64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_i32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int32_t get_i32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Copy a string field, always NUL-terminated, zero-padded. */
static void put_str(uint8_t *p, const char *s)
{
	size_t n = strnlen(s, FIELD_STR - 1);

	memset(p, 0, FIELD_STR);
	memcpy(p, s, n);
}

static void get_str(char *dst, const uint8_t *p)
{
	size_t n = strnlen((const char *)p, FIELD_STR - 1);

	memcpy(dst, p, n);
	dst[n] = 0;
}

void monstate_encode(const struct monstate *s, uint8_t out[MONSTATE_SIZE])
{
	put_u64(out + OFF_SIZE, MONSTATE_SIZE);
	put_u64(out + OFF_MAGIC, MONSTATE_MAGIC);
	put_u64(out + OFF_PID, s->pid);
	put_str(out + OFF_FILE, s->file);
	put_str(out + OFF_HOST, s->host);
	put_i32(out + OFF_SLOT, s->slot);
	put_i32(out + OFF_PHASE, (int32_t)s->phase);
	put_u64(out + OFF_NEXT, 0);
}

int monstate_decode(const uint8_t *in, size_t n, struct monstate *ret)
{
	struct monstate s = {};
	int32_t phase;

	if (n < MONSTATE_SIZE || get_u64(in + OFF_SIZE) != MONSTATE_SIZE ||
	    get_u64(in + OFF_MAGIC) != MONSTATE_MAGIC)
		return -EBADMSG;
	s.pid = (unsigned long)get_u64(in + OFF_PID);
	get_str(s.file, in + OFF_FILE);
	get_str(s.host, in + OFF_HOST);
	s.slot = get_i32(in + OFF_SLOT);
	phase = get_i32(in + OFF_PHASE);
	/* 3.4's monitor clamps out-of-range phases to Compile */
	s.phase = phase < 0 || phase > PHASE_DONE ? PHASE_COMPILE : (enum mon_phase)phase;
	*ret = s;
	return 0;
}

static int mkdir_parents(const char *dir, mode_t mode)
{
	char p[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char c = *s;

		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (c == 0)
			return 0;
	}
}

int monstate_path(const char *dir, unsigned long pid, char *buf, size_t size)
{
	int r = snprintf(buf, size, "%s/binstate_%lu", dir, pid);

	return r < 0 || (size_t)r >= size ? -ENAMETOOLONG : 0;
}

static bool still_linked(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_nlink > 0;
}

int monstate_write(const char *dir, const struct monstate *s, int *state_fd)
{
	uint8_t rec[MONSTATE_SIZE];
	char path[4096];
	int r;

	monstate_encode(s, rec);
	if (*state_fd >= 0) {
		if (still_linked(*state_fd) &&
		    pwrite(*state_fd, rec, sizeof(rec), 0) == (ssize_t)sizeof(rec))
			return 0;
		*state_fd = safe_close(*state_fd);
	}
	r = monstate_path(dir, s->pid, path, sizeof(path));
	if (r < 0)
		return r;
	r = write_file_atomic(path, rec, sizeof(rec), 0644, state_fd);
	if (r == -ENOENT) {
		r = mkdir_parents(dir, 0755);
		if (r >= 0)
			r = write_file_atomic(path, rec, sizeof(rec), 0644, state_fd);
	}
	return r;
}

int monstate_remove(const char *dir, unsigned long pid)
{
	char path[4096];
	int r = monstate_path(dir, pid, path, sizeof(path));

	if (r < 0)
		return r;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
