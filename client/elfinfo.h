/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an object file says about the compiler that made it: the ELF class,
 * byte order and machine (the target), and the .comment strings ("GCC:
 * (Debian 12.2.0-14) 12.2.0", "Debian clang version 14.0.6": the version).
 * This is how `distcc --check-hosts` learns a server's compiler over the
 * plain protocol, which carries nothing else. Pure, bounds-checked.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct elfinfo {
	unsigned elf_class;   /* 1: 32-bit, 2: 64-bit */
	unsigned data;        /* 1: little, 2: big endian */
	unsigned machine;     /* e_machine */
	uint32_t flags;       /* e_flags (ARM float ABI...) */
	char comment[256];    /* .comment strings joined by "; ", "" when none */
};

/* -EBADMSG for anything that is not a well-formed relocatable or shared
 * ELF within @len bytes. *ret is written only on success. */
int elfinfo_read(const uint8_t *data, size_t len, struct elfinfo *ret);
