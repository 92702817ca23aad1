/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing a job's results: objects go to a temp file in the output's own
 * directory and are renamed into place, so a failed or interrupted job never
 * leaves a partial .o. Mode is 0666 & ~umask, as gcc's. Non-regular targets
 * (/dev/null, a FIFO) and symlinks are written through instead.
 */
#pragma once

#include <stddef.h>

/* Write @n bytes to @path atomically, creating missing parent dirs. */
int output_write(const char *path, const void *data, size_t n);
/* Write all of @data to fd @fd (stdout/stderr copies of SOUT/SERR). */
int output_copy_to_fd(int fd, const void *data, size_t n);
