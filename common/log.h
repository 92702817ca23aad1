/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one logging sink. Levels are syslog priorities. Output goes to stderr,
 * a log file, syslog, or a custom sink (the daemon's journal backend).
 * log_*_errno() return the negative errno they were given, so
 *     return log_error_errno(r, "cannot open '%s': %m", path);
 * logs once and propagates.
 */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "buf.h"

typedef void (*log_sink_fn)(int level, const char *msg, void *userdata);

void log_set_ident(const char *ident);          /* "distcc", "distccd" */
void log_set_max_level(int level);              /* LOG_CRIT .. LOG_DEBUG */
int log_get_max_level(void);
int log_level_from_string(const char *s);      /* "critical".."debug", -EINVAL */
const char *log_level_to_string(int level);
/* distcc 3.4's word before a message at @level, as its users grep for:
 * "ERROR: ", "Warning: " ("CRITICAL! " and worse above), "" for notice,
 * info and debug. Lines read "<ident>[<pid>] <prefix><message>". */
const char *log_severity_prefix(int level);
void log_to_stderr(void);
int log_to_file(const char *path);              /* append, 0600; -errno */
void log_to_syslog(void);
void log_to_sink(log_sink_fn fn, void *userdata);
/* While set, messages at @level or more severe are also appended to @b
 * (the daemon sends its own warnings for a job back on SERR). */
void log_capture(struct buf *b, int level);

int log_internal(int level, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int log_internalv(int level, int error, const char *fmt, va_list ap);

#define log_full_errno(level, error, ...) log_internal(level, error, __VA_ARGS__)
#define log_crit(...) (void)log_internal(LOG_CRIT, 0, __VA_ARGS__)
#define log_error(...) (void)log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_warning(...) (void)log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_notice(...) (void)log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...) (void)log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) (void)log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_crit_errno(e, ...) log_internal(LOG_CRIT, e, __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_ERR, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, e, __VA_ARGS__)
#define log_notice_errno(e, ...) log_internal(LOG_NOTICE, e, __VA_ARGS__)
#define log_info_errno(e, ...) log_internal(LOG_INFO, e, __VA_ARGS__)
#define log_debug_errno(e, ...) log_internal(LOG_DEBUG, e, __VA_ARGS__)
