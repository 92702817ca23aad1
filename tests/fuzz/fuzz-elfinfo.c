/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the ELF reader --check-hosts runs on objects that
 * servers send back: memory safety, and a NUL-terminated comment shorter
 * than its buffer on success.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfinfo e;

	if (elfinfo_read(data, size, &e) == 0 &&
	    (strnlen(e.comment, sizeof(e.comment)) >= sizeof(e.comment) ||
	     (e.elf_class != 1 && e.elf_class != 2)))
		abort();
	return 0;
}
