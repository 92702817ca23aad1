/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal ELF reader: header, section headers, the section name table
 * and the .comment section. Every offset and size is checked against the
 * buffer before use; the object comes from a server.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "elfinfo.h"

struct elf {
	const uint8_t *p;
	size_t len;
	bool is64, big;
};

/* An unsigned field of @n bytes at @off; false when outside the buffer. */
static bool get(const struct elf *e, uint64_t off, unsigned n, uint64_t *ret)
{
	uint64_t v = 0;

	if (off > e->len || n > e->len - off)
		return false;
	for (unsigned i = 0; i < n; i++) {
		unsigned b = e->big ? i : n - 1 - i;

		v = (v << 8) | e->p[off + b];
	}
	*ret = v;
	return true;
}

struct shdr {
	uint64_t name, offset, size;
};

static bool section(const struct elf *e, uint64_t shoff, uint64_t shentsize, uint64_t i,
		    struct shdr *ret)
{
	uint64_t base = shoff + i * shentsize;

	if (e->is64)
		return get(e, base, 4, &ret->name) && get(e, base + 24, 8, &ret->offset) &&
		       get(e, base + 32, 8, &ret->size);
	return get(e, base, 4, &ret->name) && get(e, base + 16, 4, &ret->offset) &&
	       get(e, base + 20, 4, &ret->size);
}

static bool in_bounds(const struct elf *e, uint64_t off, uint64_t size)
{
	return off <= e->len && size <= e->len - off;
}

/* .comment's NUL-separated strings, joined with "; ". */
static void copy_comment(const struct elf *e, const struct shdr *s, char *out, size_t size)
{
	size_t o = 0;

	out[0] = 0;
	for (uint64_t i = 0; i < s->size && o + 3 < size;) {
		const char *str = (const char *)e->p + s->offset + i;
		size_t n = strnlen(str, (size_t)(s->size - i));

		if (n > 0) {
			if (o > 0) {
				memcpy(out + o, "; ", 2);
				o += 2;
			}
			if (n > size - o - 1)
				n = size - o - 1;
			memcpy(out + o, str, n);
			o += n;
			out[o] = 0;
		}
		i += strnlen(str, (size_t)(s->size - i)) + 1;
	}
}

static int find_comment(const struct elf *e, struct elfinfo *info)
{
	uint64_t shoff, shentsize, shnum, shstrndx;
	struct shdr names, s;
	bool ok = e->is64 ? get(e, 40, 8, &shoff) && get(e, 58, 2, &shentsize) &&
				    get(e, 60, 2, &shnum) && get(e, 62, 2, &shstrndx)
			  : get(e, 32, 4, &shoff) && get(e, 46, 2, &shentsize) &&
				    get(e, 48, 2, &shnum) && get(e, 50, 2, &shstrndx);

	if (!ok || shentsize < (e->is64 ? 64u : 40u) || shstrndx >= shnum ||
	    !section(e, shoff, shentsize, shstrndx, &names) || !in_bounds(e, names.offset, names.size))
		return -EBADMSG;
	info->comment[0] = 0;
	for (uint64_t i = 0; i < shnum; i++) {
		if (!section(e, shoff, shentsize, i, &s))
			return -EBADMSG;
		if (s.name >= names.size || names.size - s.name < sizeof(".comment") ||
		    memcmp(e->p + names.offset + s.name, ".comment", sizeof(".comment")) != 0)
			continue;
		if (!in_bounds(e, s.offset, s.size))
			return -EBADMSG;
		copy_comment(e, &s, info->comment, sizeof(info->comment));
		break;
	}
	return 0;
}

int elfinfo_read(const uint8_t *data, size_t len, struct elfinfo *ret)
{
	struct elf e = { .p = data, .len = len };
	struct elfinfo info = { 0 };
	uint64_t type, machine, flags;
	int r;

	if (!data || len < 52 || memcmp(data, "\177ELF", 4) != 0)
		return -EBADMSG;
	info.elf_class = data[4];
	info.data = data[5];
	if ((info.elf_class != 1 && info.elf_class != 2) || (info.data != 1 && info.data != 2))
		return -EBADMSG;
	e.is64 = info.elf_class == 2;
	e.big = info.data == 2;
	if (!get(&e, 16, 2, &type) || !get(&e, 18, 2, &machine) ||
	    !get(&e, e.is64 ? 48 : 36, 4, &flags))
		return -EBADMSG;
	if (type != 1 && type != 3)
		return -EBADMSG;
	info.machine = (unsigned)machine;
	info.flags = (uint32_t)flags;
	r = find_comment(&e, &info);
	if (r < 0)
		return r;
	*ret = info;
	return 0;
}
