/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include server's file versions: read and scanned once, compressed
 * once under a fresh name, a changed file gets a new version (also within
 * one timestamp tick), an armed entry is trusted until reported changed,
 * and the build-wide index of #defines follows the live versions.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "io.h"
#include "lzo.h"
#include "pump/incfiles.h"

static char dir[64], cache[96], hdr[96];

static void put(const char *text)
{
	assert_int_equal(write_file_atomic(hdr, text, strlen(text), 0644, NULL), 0);
}

static void expect_cache(const char *path, const char *text)
{
	char *z = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT(1 << 20);

	assert_int_equal(read_file_max(path, 1 << 20, &z, &n), 0);
	assert_int_equal(lzo_decompress_append(&b, z, n, 1 << 20), 0);
	assert_int_equal(b.len, strlen(text));
	if (b.len)
		assert_memory_equal(b.data, text, b.len);
	free(z);
	buf_free(&b);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-incfiles-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(hdr, sizeof(hdr), "%s/a.h", dir);
	return mkdir(cache, 0700);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_versions(void **state)
{
	struct incfiles fs;
	struct incfile *f1, *f2, *f3;
	const struct incdef_ref *refs;
	const char *empty;
	char *path1;
	size_t n;

	(void)state;
	assert_int_equal(incfiles_init(&fs, cache, 1 << 20), 0);
	put("#define A 1\n#include \"b.h\"\n");
	incfiles_begin_request(&fs);
	assert_int_equal(incfiles_get(&fs, hdr, hdr, false, false, &f1), 0);
	assert_null(f1->cache_path);                      /* not shipped: not compressed */
	assert_int_equal(f1->scan.ninc, 1);
	assert_int_equal(incfiles_get(&fs, hdr, hdr, true, false, &f2), 0);
	assert_ptr_equal(f1, f2);                         /* same content: same version */
	assert_non_null(f2->cache_path);
	expect_cache(f2->cache_path, "#define A 1\n#include \"b.h\"\n");
	path1 = strdup(f2->cache_path);
	incfiles_defs(&fs, "A", &refs, &n);
	assert_int_equal(n, 1);
	assert_ptr_equal(refs[0].f, f1);
	assert_int_equal(fs.reads, 2);   /* read again once, to compress it */
	incfiles_end_request(&fs);

	/* same size, same second: a new version all the same */
	put("#define B 1\n#include \"c.h\"\n");
	incfiles_begin_request(&fs);
	assert_int_equal(incfiles_get(&fs, hdr, hdr, true, false, &f3), 0);
	assert_ptr_not_equal(f3, f1);
	assert_string_not_equal(f3->cache_path, path1);
	expect_cache(path1, "#define A 1\n#include \"b.h\"\n");   /* never rewritten */
	expect_cache(f3->cache_path, "#define B 1\n#include \"c.h\"\n");
	incfiles_end_request(&fs);                        /* frees the old version */
	incfiles_defs(&fs, "A", &refs, &n);
	assert_int_equal(n, 0);
	incfiles_defs(&fs, "B", &refs, &n);
	assert_int_equal(n, 1);

	assert_int_equal(incfiles_empty(&fs, &empty), 0);
	expect_cache(empty, "");
	assert_int_equal(incfiles_get(&fs, "/nonexistent/x.h", "/nonexistent/x.h", false, false, &f1),
			 -ENOENT);
	assert_int_equal(incfiles_get(&fs, dir, dir, false, false, &f1), -EINVAL);
	free(path1);
	incfiles_done(&fs);
}

/* An armed entry (its directory watched) costs no stat until reported. */
static void test_armed(void **state)
{
	struct incfiles fs;
	struct incfile *f, *g;
	unsigned long long reads;

	(void)state;
	assert_int_equal(incfiles_init(&fs, cache, 1 << 20), 0);
	put("#define X 1\n");
	incfiles_begin_request(&fs);
	assert_int_equal(incfiles_get(&fs, hdr, hdr, false, true, &f), 0);
	incfiles_end_request(&fs);
	f->racy = false;          /* as if read long after its last change */
	f->armed = true;
	reads = fs.reads;
	put("#define Y 2\n");     /* not reported: the armed entry is trusted */
	incfiles_begin_request(&fs);
	assert_int_equal(incfiles_get(&fs, hdr, hdr, false, true, &g), 0);
	assert_ptr_equal(f, g);
	assert_int_equal(fs.reads, reads);
	incfiles_end_request(&fs);
	incfiles_changed(&fs, hdr);  /* reported: read again */
	incfiles_begin_request(&fs);
	assert_int_equal(incfiles_get(&fs, hdr, hdr, false, true, &g), 0);
	assert_ptr_not_equal(f, g);
	assert_string_equal(g->scan.def[0].name, "Y");
	incfiles_end_request(&fs);
	incfiles_changed(&fs, NULL);
	assert_false(g->armed);
	incfiles_done(&fs);
}

static void test_too_big(void **state)
{
	struct incfiles fs;
	struct incfile *f;

	(void)state;
	assert_int_equal(incfiles_init(&fs, cache, 8), 0);
	put("0123456789");
	incfiles_begin_request(&fs);
	assert_int_equal(incfiles_get(&fs, hdr, hdr, true, false, &f), -E2BIG);
	incfiles_end_request(&fs);
	incfiles_done(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_armed),
		cmocka_unit_test(test_too_big),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
