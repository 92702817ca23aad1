/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolving the native CPU flags on the client (see native.h). The parsing
 * and comparing helpers are pure; native_resolve() runs the compiler with
 * -### (never compiling anything) and reads and writes the cache file.
 * Every doubt leaves argv as it was: the job then runs locally, as in 3.4.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "compilerpath.h"
#include "io.h"
#include "macro.h"
#include "native.h"
#include "strv.h"

#define CACHE_MAX (64 * 1024)
#define CACHE_VERSION "distcc-native-v1"

static const char *const NATIVE_FLAGS[] = { "-march=native", "-mtune=native", "-mcpu=native" };

static bool has_word(char *const v[], const char *w)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], w) == 0)
			return true;
	return false;
}

static bool is_native(const char *a)
{
	for (size_t i = 0; i < ELEMENTSOF(NATIVE_FLAGS); i++)
		if (strcmp(a, NATIVE_FLAGS[i]) == 0)
			return true;
	return false;
}

bool native_wanted(char *const argv[])
{
	for (size_t i = 1; argv && argv[0] && argv[i]; i++)
		if (is_native(argv[i]))
			return true;
	return false;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int native_split_words(const char *line, char ***ret)
{
	_cleanup_(strv_freep) char **v = NULL;
	_cleanup_free_ char *w = malloc(strlen(line) + 1);
	const char *p = line;

	if (!w)
		return -ENOMEM;
	for (;;) {
		size_t n = 0;

		p += strspn(p, " \t\r");
		if (!*p)
			break;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				w[n++] = *p;
			}
			if (*p == '"')
				p++;
		} else
			while (*p && *p != ' ' && *p != '\t' && *p != '\r')
				w[n++] = *p++;
		w[n] = 0;
		if (strv_push(&v, w) < 0)
			return -ENOMEM;
	}
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = TAKE_PTR(v);
	return 0;
}

static bool is_gcc_proper(const char *w)
{
	const char *b = base_name(w);

	return strcmp(b, "cc1") == 0 || strcmp(b, "cc1plus") == 0 || strcmp(b, "cc1obj") == 0 ||
	       strcmp(b, "cc1objplus") == 0;
}

/* --param X -> --param=X; the output file (a fresh temp name) dropped. */
static int normalize(char **w, char ***ret)
{
	char **v = NULL;
	int r = 0;

	for (size_t i = 0; r >= 0 && w[i]; i++) {
		char *j = NULL;

		if (strcmp(w[i], "-o") == 0 && w[i + 1]) {
			i++;
			continue;
		}
		if (strcmp(w[i], "--param") == 0 && w[i + 1]) {
			if (asprintf(&j, "--param=%s", w[++i]) < 0)
				return strv_free(v), -ENOMEM;
			r = strv_push(&v, j);
			free(j);
		} else
			r = strv_push(&v, w[i]);
	}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

int native_cc1_words(const char *out, char ***ret, bool *ret_clang)
{
	const char *p = out;

	while (p && *p) {
		size_t len = strcspn(p, "\n");
		_cleanup_free_ char *line = strndup(p, len);
		_cleanup_(strv_freep) char **w = NULL;
		int r = line ? native_split_words(line, &w) : -ENOMEM;

		if (r < 0)
			return r;
		if (w[0] && w[1] && (strcmp(w[1], "-cc1") == 0 || is_gcc_proper(w[0]))) {
			*ret_clang = strcmp(w[1], "-cc1") == 0;
			return normalize(w, ret);
		}
		p += len + (p[len] == '\n');
	}
	return -ENOENT;
}

int native_word_diff(char *const with[], char *const without[], char ***ret)
{
	size_t n = strv_length(with);
	_cleanup_free_ bool *used = calloc(n + 1, sizeof(bool));
	char **v = NULL;

	if (!used)
		return -ENOMEM;
	for (size_t j = 0; without && without[j]; j++)
		for (size_t i = n; i-- > 0;)
			if (!used[i] && strcmp(with[i], without[j]) == 0) {
				used[i] = true;
				break;
			}
	for (size_t i = 0; i < n; i++)
		if (!used[i] && strv_push(&v, with[i]) < 0) {
			strv_free(v);
			return -ENOMEM;
		}
	if (!v && !(v = calloc(1, sizeof(char *))))
		return -ENOMEM;
	*ret = v;
	return 0;
}

/* -g, -g1..3, -ggdb*, -gdwarf*, ...: a debug level; -g0 turns it off. */
static int debug_level_word(const char *a)
{
	static const char *const on[] = { "-ggdb", "-gdwarf", "-gstabs", "-gxcoff", "-gvms",
					   "-gbtf", "-gctf" };

	if (strcmp(a, "-g0") == 0)
		return 0;
	if (strcmp(a, "-g") == 0 || (a[0] == '-' && a[1] == 'g' && a[2] >= '1' && a[2] <= '3' && !a[3]))
		return 1;
	for (size_t i = 0; i < ELEMENTSOF(on); i++)
		if (str_has_prefix(a, on[i]))
			return 1;
	return -1;
}

bool native_gcc_records_switches(char *const argv[])
{
	bool debug = false, record = true;

	for (size_t i = 1; argv[i]; i++) {
		int d = debug_level_word(argv[i]);

		if (d >= 0)
			debug = d;
		else if (strcmp(argv[i], "-grecord-gcc-switches") == 0)
			record = true;
		else if (strcmp(argv[i], "-gno-record-gcc-switches") == 0)
			record = false;
	}
	return debug && record;
}

static const char *value_after(char *const w[], const char *key)
{
	for (size_t i = 0; w && w[i]; i++)
		if (strcmp(w[i], key) == 0 && w[i + 1])
			return w[i + 1];
	return NULL;
}

static bool has_feature(char *const w[], const char *f)
{
	for (size_t i = 0; w && w[i]; i++)
		if (strcmp(w[i], "-target-feature") == 0 && w[i + 1] && strcmp(w[i + 1], f) == 0)
			return true;
	return false;
}

/* Features every x86-64 CPU model has; clang lists them, no -m flag names them. */
static bool implied_feature(const char *f)
{
	return strcmp(f, "+64bit") == 0 || strcmp(f, "+cx8") == 0 || strcmp(f, "+cmov") == 0;
}

static int push_fmt(char ***v, const char *fmt, const char *arg)
{
	_cleanup_free_ char *s = NULL;

	if (asprintf(&s, fmt, arg) < 0)
		return -ENOMEM;
	return strv_push(v, s);
}

int native_clang_flags(char *const native[], char *const base[], bool march, bool mtune,
		       char ***ret)
{
	const char *cpu = value_after(native, "-target-cpu"), *tune = value_after(native, "-tune-cpu");
	char **v = NULL;
	int r = 0;

	if (march && cpu)
		r = push_fmt(&v, "-march=%s", cpu);
	if (r >= 0 && mtune && tune)
		r = push_fmt(&v, "-mtune=%s", tune);
	for (size_t i = 0; r >= 0 && native[i]; i++) {
		const char *f = native[i + 1];

		if (strcmp(native[i], "-target-feature") != 0 || !f)
			continue;
		i++;
		if (has_feature(base, f) || implied_feature(f) || (f[0] != '+' && f[0] != '-'))
			continue;
		r = push_fmt(&v, f[0] == '+' ? "-m%s" : "-mno-%s", f + 1);
	}
	if (r >= 0 && !v && !(v = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int native_clang_target(char *const cc1[], char ***ret)
{
	const char *cpu = value_after(cc1, "-target-cpu"), *tune = value_after(cc1, "-tune-cpu");
	char **v = NULL;
	int r = push_fmt(&v, "cpu=%s", cpu ? cpu : "");

	if (r >= 0)
		r = push_fmt(&v, "tune=%s", tune ? tune : "");
	for (size_t i = 0; r >= 0 && cc1[i]; i++)
		if (strcmp(cc1[i], "-target-feature") == 0 && cc1[i + 1]) {
			i++;
			if (!implied_feature(cc1[i]))
				r = strv_push(&v, cc1[i]);
		}
	if (r < 0) {
		strv_free(v);
		return r;
	}
	qsort(v, strv_length(v), sizeof(char *), cmp_str);
	*ret = v;
	return 0;
}

/* Options that choose the target and therefore what "native" means. */
static int target_args(char *const argv[], char ***ret)
{
	char **v = NULL;
	int r = 0;

	for (size_t i = 1; r >= 0 && argv[i]; i++) {
		const char *a = argv[i];

		if ((strcmp(a, "-target") == 0 || strcmp(a, "-b") == 0) && argv[i + 1]) {
			r = strv_push(&v, a);
			if (r >= 0)
				r = strv_push(&v, argv[++i]);
		} else if (str_has_prefix(a, "--target=") || (str_has_prefix(a, "-m") && !is_native(a)))
			r = strv_push(&v, a);
	}
	if (r >= 0 && !v && !(v = calloc(1, sizeof(char *))))
		r = -ENOMEM;
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static int append_all(char ***v, char *const add[])
{
	int r = 0;

	for (size_t i = 0; r >= 0 && add && add[i]; i++)
		r = strv_push(v, add[i]);
	return r;
}

/* `CC A... B... -### -c -x c /dev/null -o /dev/null`: the cc1 words. */
static int probe(const char *cc, char *const a[], char *const b[], char ***ret, bool *ret_clang)
{
	static const char *const tail[] = { "-###", "-c", "-x", "c", "/dev/null", "-o", "/dev/null" };
	_cleanup_(strv_freep) char **argv = NULL;
	_cleanup_free_ char *out = NULL;
	int status = 0, r = strv_push(&argv, cc);

	if (r >= 0)
		r = append_all(&argv, a);
	if (r >= 0)
		r = append_all(&argv, b);
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(tail); i++)
		r = strv_push(&argv, tail[i]);
	if (r >= 0)
		r = capture_output(argv, true, CAPTURE_MAX, CAPTURE_TIMEOUT_USEC, &out, &status);
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EINVAL;
	return native_cc1_words(out, ret, ret_clang);
}

static bool same_sorted(char **a, char **b)
{
	size_t n = strv_length(a);

	if (n != strv_length(b))
		return false;
	qsort(a, n, sizeof(char *), cmp_str);
	qsort(b, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static int resolve_gcc(const char *cc, char *const targ[], char **native_cc1, char ***ret)
{
	_cleanup_(strv_freep) char **base = NULL, **exp = NULL, **check = NULL;
	bool clang = false;
	int r = probe(cc, targ, NULL, &base, &clang);

	if (r >= 0)
		r = native_word_diff(native_cc1, base, &exp);
	/* the proof: the flags alone must give cc1 the same options */
	if (r >= 0)
		r = probe(cc, exp, targ, &check, &clang);
	if (r < 0)
		return r;
	if (!same_sorted(native_cc1, check))
		return -EINVAL;
	*ret = TAKE_PTR(exp);
	return 0;
}

static int resolve_clang(const char *cc, char *const targ[], char *const flags[], char **native_cc1,
			 char ***ret)
{
	_cleanup_(strv_freep) char **cpu = NULL, **base = NULL, **exp = NULL, **check = NULL,
				   **want = NULL, **got = NULL;
	bool march = has_word(flags, "-march=native") || has_word(flags, "-mcpu=native");
	bool clang = true;
	int r = native_clang_flags(native_cc1, native_cc1, march, has_word(flags, "-mtune=native"),
				   &cpu);

	if (r >= 0)
		r = probe(cc, cpu, targ, &base, &clang);
	if (r >= 0)
		r = native_clang_flags(native_cc1, base, march, has_word(flags, "-mtune=native"), &exp);
	if (r >= 0)
		r = probe(cc, exp, targ, &check, &clang);
	if (r >= 0)
		r = native_clang_target(native_cc1, &want);
	if (r >= 0)
		r = native_clang_target(check, &got);
	if (r < 0)
		return r;
	if (!same_sorted(want, got))
		return -EINVAL;
	*ret = TAKE_PTR(exp);
	return 0;
}

/* "gcc"/"clang" and the flags, or -EINVAL when they cannot be proven. */
static int resolve_fresh(const char *cc, char *const targ[], char *const flags[], char ***ret,
			 bool *ret_clang)
{
	_cleanup_(strv_freep) char **native = NULL;
	bool clang = false;
	int r = probe(cc, targ, flags, &native, &clang);

	if (r < 0)
		return r;
	r = clang ? resolve_clang(cc, targ, flags, native, ret) : resolve_gcc(cc, targ, native, ret);
	if (r >= 0)
		*ret_clang = clang;
	return r;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* What the answer depends on: the compiler binary (by identity, so an
 * upgrade re-probes), this boot (the CPU), the target and native flags. */
static int cache_key(const char *cc_path, char *const targ[], char *const flags[], char **ret)
{
	_cleanup_free_ char *real = realpath(cc_path, NULL), *boot = NULL;
	size_t len = 0;
	struct stat st;
	char *k = NULL;
	FILE *f;

	if (!real || stat(real, &st) < 0)
		return -errno;
	if (read_file_max("/proc/sys/kernel/random/boot_id", 128, &boot, &len) < 0)
		boot = strdup("");
	f = open_memstream(&k, &len);
	if (!f || !boot) {
		if (f)
			fclose(f);
		free(k);
		return -ENOMEM;
	}
	fprintf(f, "%s\n%s\n%llu:%llu:%llu:%lld.%09ld\n%s", CACHE_VERSION, real,
		(unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		(unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		boot);
	for (size_t i = 0; targ[i]; i++)
		fprintf(f, " %s", targ[i]);
	for (size_t i = 0; flags[i]; i++)
		fprintf(f, " %s", flags[i]);
	fputc('\n', f);
	if (fclose(f) != 0) {
		free(k);
		return -ENOMEM;
	}
	*ret = k;
	return 0;
}

static int cache_path(const char *dir, const char *key, char **ret)
{
	return asprintf(ret, "%s/native/%016llx", dir, (unsigned long long)fnv1a(key)) < 0 ? -ENOMEM : 0;
}

/* Cached answer: "gcc"/"clang"/"no" on the line after the key, then the
 * flags one a line. -ENOENT when absent or for another key. */
static int cache_get(const char *path, const char *key, char ***ret, int *ret_kind)
{
	_cleanup_free_ char *text = NULL;
	size_t len, klen = strlen(key);
	int r = read_file_max(path, CACHE_MAX, &text, &len);
	const char *p;

	if (r < 0)
		return r;
	if (len < klen || memcmp(text, key, klen) != 0)
		return -ENOENT;
	p = text + klen;
	*ret_kind = str_has_prefix(p, "gcc\n") ? 1 : str_has_prefix(p, "clang\n") ? 2 : 0;
	p += strcspn(p, "\n");
	p += *p == '\n';
	*ret = NULL;
	while (*p) {
		size_t n = strcspn(p, "\n");
		_cleanup_free_ char *w = strndup(p, n);

		if (!w || strv_push(ret, w) < 0)
			return strv_free(*ret), -ENOMEM;
		p += n + (p[n] == '\n');
	}
	if (!*ret && !(*ret = calloc(1, sizeof(char *))))
		return -ENOMEM;
	return 0;
}

static void cache_put(const char *dir, const char *path, const char *key, int kind,
		      char *const flags[])
{
	_cleanup_free_ char *text = NULL, *sub = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	fprintf(f, "%s%s\n", key, kind == 1 ? "gcc" : kind == 2 ? "clang" : "no");
	for (size_t i = 0; flags && flags[i]; i++)
		fprintf(f, "%s\n", flags[i]);
	if (fclose(f) != 0 || asprintf(&sub, "%s/native", dir) < 0)
		return;
	(void)mkdir(dir, 0700);
	(void)mkdir(sub, 0700);
	(void)write_file_atomic(path, text, len, 0600, NULL);
}

/* argv[0], @flags, then argv minus the native flags. */
static int apply(char ***argv, char *const flags[])
{
	char **v = NULL;
	int r = strv_push(&v, (*argv)[0]);

	if (r >= 0)
		r = append_all(&v, flags);
	for (size_t i = 1; r >= 0 && (*argv)[i]; i++)
		if (!is_native((*argv)[i]))
			r = strv_push(&v, (*argv)[i]);
	if (r < 0) {
		strv_free(v);
		return r;
	}
	strv_free(*argv);
	*argv = v;
	return 1;
}

static bool is_compile(char *const argv[])
{
	return has_word(argv, "-c") || has_word(argv, "-S");
}

int native_resolve(char ***argv, const char *path, const char *cache_dir, const char **ret_why)
{
	_cleanup_(strv_freep) char **targ = NULL, **flags = NULL, **exp = NULL;
	_cleanup_free_ char *cc = NULL, *key = NULL, *file = NULL;
	bool clang = false;
	int kind = 0, r;

	*ret_why = NULL;
	if (!native_wanted(*argv) || !is_compile(*argv))
		return 0;
	for (size_t i = 1; (*argv)[i]; i++)
		if (is_native((*argv)[i]) && !has_word(flags, (*argv)[i]) && strv_push(&flags, (*argv)[i]) < 0)
			return -ENOMEM;
	r = target_args(*argv, &targ);
	if (r < 0)
		return r;
	if (compilerpath_find((*argv)[0], path, &cc) < 0) {
		*ret_why = "the compiler is not on PATH";
		return 0;
	}
	if (cache_dir && cache_key(cc, targ, flags, &key) >= 0 && cache_path(cache_dir, key, &file) >= 0)
		r = cache_get(file, key, &exp, &kind);
	else
		r = -ENOENT;
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		r = resolve_fresh(cc, targ, flags, &exp, &clang);
		if (r == -ENOMEM)
			return r;
		kind = r < 0 ? 0 : clang ? 2 : 1;
		/* a timeout or a failed spawn may pass; a compiler's answer does not */
		if (file && (r >= 0 || r == -EINVAL || r == -ENOENT))
			cache_put(cache_dir, file, key, kind, exp);
	}
	if (kind == 0) {
		*ret_why = "the compiler's -### answer does not reproduce the native flags";
		return 0;
	}
	if (kind == 1 && native_gcc_records_switches(*argv)) {
		*ret_why = "gcc records its switches in the debug info (-g): the order of --param "
			   "options would differ from a local build";
		return 0;
	}
	return apply(argv, exp);
}
