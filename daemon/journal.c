/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Journal sink (see journal.h). Only formats fields and hands them to
 * libsystemd; deciding what a job's fields are is jobsum's business.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#define SD_JOURNAL_SUPPRESS_LOCATION 1  /* CODE_FILE= would always name this file */
#include <systemd/sd-journal.h>

#include "journal.h"
#include "log.h"
#include "macro.h"
#include "parse.h"

#define JOURNAL_MAX_FIELDS 16
#define RELAY_MAX_BYTES 16384

static bool enabled;
static int relay_fd = -1;

static bool stream_is_stderr(const char *js)
{
	_cleanup_free_ char *dev = NULL;
	const char *colon;
	unsigned long long d, i;
	struct stat st;

	if (!js || !(colon = strchr(js, ':')))
		return false;
	dev = strndup(js, (size_t)(colon - js));
	if (!dev || parse_uint(dev, 0, UINT64_MAX, &d) < 0 ||
	    parse_uint(colon + 1, 0, UINT64_MAX, &i) < 0)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == d && (unsigned long long)st.st_ino == i;
}

bool journal_wanted(const char *journal_stream, const char *socket_path)
{
	struct stat st;

	if (stream_is_stderr(journal_stream))
		return true;
	return socket_path && stat(socket_path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void free_iov(struct iovec *iov, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(iov[k].iov_base);
}

static int push(struct iovec *iov, size_t *n, const char *name, const char *value)
{
	char *s;
	int len = asprintf(&s, "%s=%s", name, value);

	if (len < 0)
		return -ENOMEM;
	iov[*n] = (struct iovec){ .iov_base = s, .iov_len = (size_t)len };
	(*n)++;
	return 0;
}

/* One datagram: the "FIELD=value" strings, each NUL-terminated. */
static int relay_send(const struct iovec *iov, size_t n)
{
	char buf[RELAY_MAX_BYTES];
	size_t len = 0;

	for (size_t k = 0; k < n; k++) {
		size_t l = strnlen(iov[k].iov_base, iov[k].iov_len);

		if (len + l + 1 > sizeof(buf))
			l = sizeof(buf) - len - 1;     /* cut an overlong message, keep it valid */
		memcpy(buf + len, iov[k].iov_base, l);
		len += l;
		buf[len++] = 0;
		if (len == sizeof(buf))
			break;
	}
	return send(relay_fd, buf, len, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int journal_send(int level, const char *message, const struct journal_field *fields, size_t n)
{
	struct iovec iov[JOURNAL_MAX_FIELDS + 3];
	char prio[4];
	size_t k = 0;
	int r;

	if (level > log_get_max_level())
		return 0;
	if (n > JOURNAL_MAX_FIELDS)
		return -E2BIG;
	snprintf(prio, sizeof(prio), "%d", level & 7);
	r = push(iov, &k, "MESSAGE", message);
	if (r >= 0)
		r = push(iov, &k, "PRIORITY", prio);
	if (r >= 0)
		r = push(iov, &k, "SYSLOG_IDENTIFIER", "distccd");
	for (size_t f = 0; r >= 0 && f < n; f++)
		if (fields[f].value)
			r = push(iov, &k, fields[f].name, fields[f].value);
	if (r >= 0 && relay_fd >= 0)
		r = relay_send(iov, k);
	else if (r >= 0)
		r = sd_journal_sendv(iov, (int)k);
	free_iov(iov, k);
	return r;
}

static void sink(int level, const char *msg, void *userdata)
{
	(void)userdata;
	(void)journal_send(level, msg, NULL, 0);
}

void journal_log_enable(void)
{
	log_to_sink(sink, NULL);
	enabled = true;
}

bool journal_log_enabled(void)
{
	return enabled;
}

int journal_relay_open(int ret_fds[2])
{
	return socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, ret_fds) < 0 ? -errno : 0;
}

void journal_relay_child(int fd)
{
	relay_fd = fd;
}

/* Split one datagram back into fields; only "NAME=value" with a name journald
 * accepts from clients (no leading '_') is passed on. */
static void relay_one(char *buf, size_t len)
{
	struct iovec iov[JOURNAL_MAX_FIELDS + 3];
	size_t k = 0;

	for (char *p = buf; p < buf + len && k < ELEMENTSOF(iov);) {
		size_t l = strnlen(p, (size_t)(buf + len - p));
		char *eq = memchr(p, '=', l);

		if (eq && eq != p && *p != '_')
			iov[k++] = (struct iovec){ .iov_base = p, .iov_len = l };
		p += l + 1;
	}
	if (k > 0)
		(void)sd_journal_sendv(iov, (int)k);
}

void journal_relay_forward(int fd)
{
	char buf[RELAY_MAX_BYTES];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		relay_one(buf, (size_t)n);
}
