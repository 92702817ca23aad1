/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging sink. Formats once, then hands the line to exactly one target.
 * Must stay async-signal-unsafe-free only in the sense that it never
 * allocates: lines longer than the stack buffer are truncated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

enum log_target { TARGET_STDERR, TARGET_FILE, TARGET_SYSLOG, TARGET_SINK };

static struct {
	const char *ident;
	int max_level;
	enum log_target target;
	int fd;
	log_sink_fn sink;
	void *sink_data;
	struct buf *capture;
	int capture_level;
} L = { "distcc", LOG_WARNING, TARGET_STDERR, -1, NULL, NULL, NULL, LOG_WARNING };

static const char *const level_names[] = {
	[LOG_EMERG] = "emergency", [LOG_ALERT] = "alert", [LOG_CRIT] = "critical",
	[LOG_ERR] = "error",	   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",	   [LOG_DEBUG] = "debug",
};

void log_set_ident(const char *ident)
{
	L.ident = ident;
}

void log_set_max_level(int level)
{
	L.max_level = level;
}

int log_get_max_level(void)
{
	return L.max_level;
}

int log_level_from_string(const char *s)
{
	for (int i = LOG_CRIT; i <= LOG_DEBUG; i++)
		if (strcasecmp(s, level_names[i]) == 0)
			return i;
	if (strcasecmp(s, "err") == 0)
		return LOG_ERR;
	if (strcasecmp(s, "warn") == 0)
		return LOG_WARNING;
	if (strcasecmp(s, "crit") == 0)
		return LOG_CRIT;
	return -EINVAL;
}

const char *log_level_to_string(int level)
{
	return level >= 0 && level <= LOG_DEBUG ? level_names[level] : "unknown";
}

static void close_file(void)
{
	if (L.fd >= 0)
		close(L.fd);
	L.fd = -1;
}

void log_to_stderr(void)
{
	close_file();
	L.target = TARGET_STDERR;
}

int log_to_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0)
		return -errno;
	close_file();
	L.fd = fd;
	L.target = TARGET_FILE;
	return 0;
}

void log_to_syslog(void)
{
	close_file();
	openlog(L.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	L.target = TARGET_SYSLOG;
}

void log_to_sink(log_sink_fn fn, void *userdata)
{
	close_file();
	L.sink = fn;
	L.sink_data = userdata;
	L.target = TARGET_SINK;
}

void log_capture(struct buf *b, int level)
{
	L.capture = b;
	L.capture_level = level;
}

const char *log_severity_prefix(int level)
{
	switch (level) {
	case LOG_EMERG:
		return "EMERGENCY! ";
	case LOG_ALERT:
		return "ALERT! ";
	case LOG_CRIT:
		return "CRITICAL! ";
	case LOG_ERR:
		return "ERROR: ";
	case LOG_WARNING:
		return "Warning: ";
	default:
		return "";
	}
}

int log_internalv(int level, int error, const char *fmt, va_list ap)
{
	char msg[2048], line[2200];
	int saved = errno, n;
	int captured = L.capture && level <= L.capture_level;

	if (error < 0)
		error = -error;
	if (level > L.max_level && !captured)
		return -error;
	errno = error; /* for %m */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = snprintf(line, sizeof(line), "%s[%ld] %s%s\n", L.ident, (long)getpid(),
		     log_severity_prefix(level), msg);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (captured)
		(void)buf_append(L.capture, line, (size_t)n);
	if (level <= L.max_level) {
		switch (L.target) {
		case TARGET_STDERR:
			(void)!write(STDERR_FILENO, line, (size_t)n);
			break;
		case TARGET_FILE: {
			char ts[64], out[2300];
			time_t t = time(NULL);
			struct tm tm;
			int m;

			strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
			m = snprintf(out, sizeof(out), "%s %s", ts, line);
			if (m > 0)
				(void)!write(L.fd, out, (size_t)m < sizeof(out) ? (size_t)m : sizeof(out) - 1);
			break;
		}
		case TARGET_SYSLOG:
			syslog(level, "%s", msg);
			break;
		case TARGET_SINK:
			L.sink(level, msg, L.sink_data);
			break;
		}
	}
	errno = saved;
	return -error;
}

int log_internal(int level, int error, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = log_internalv(level, error, fmt, ap);
	va_end(ap);
	return r;
}
