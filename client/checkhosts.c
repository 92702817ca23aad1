/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host check: a private temp directory holds the probe source, its
 * preprocessed form and the local object; each host gets the same request
 * a real job would send (the compiler name rewritten as for jobs). Nothing
 * here touches slot locks or backoff state: it is a diagnosis, not a build.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argscan.h"
#include "capture.h"
#include "checkhosts.h"
#include "compilerpath.h"
#include "elfinfo.h"
#include "exitcode.h"
#include "hosts.h"
#include "log.h"
#include "macro.h"
#include "remote.h"
#include "rewrite.h"
#include "strv.h"
#include "wirelimits.h"

#define CHECK_IO_TIMEOUT_USEC (60 * USEC_PER_SEC)
#define DETAIL_MAX 512

/* C89 too: c89-gcc is a masquerade name like any other */
static const char PROBE_C[] =
	"/* distcc --check-hosts probe */\n"
	"struct pt { double x, y; };\n"
	"static double norm2(const struct pt *p, int n)\n"
	"{\n\tdouble s = 0;\n\tint i;\n\n\tfor (i = 0; i < n; i++)\n"
	"\t\ts += p[i].x * p[i].x + p[i].y * p[i].y;\n\treturn s;\n}\n"
	"int distcc_probe(int n, const struct pt *p, unsigned *h)\n"
	"{\n\tunsigned v = 2166136261u;\n\tint i;\n\n\tfor (i = 0; i < n; i++)\n"
	"\t\tv = (v ^ (unsigned)i) * 16777619u;\n\t*h = v;\n\treturn (int)norm2(p, n);\n}\n";

static const char PROBE_CXX[] =
	"// distcc --check-hosts probe\n"
	"template <typename T> struct acc {\n\tT s = 0;\n\tvoid add(T v) { s += v * v; }\n};\n"
	"int distcc_probe(int n, const double *p)\n"
	"{\n\tacc<double> a;\n\tfor (int i = 0; i < n; i++)\n\t\ta.add(p[i]);\n"
	"\treturn static_cast<int>(a.s);\n}\n";

const char *check_verdict_to_string(enum check_verdict v)
{
	static const char *const names[] = {
		[CHECK_SAME] = "same",		       [CHECK_VERSION] = "different version",
		[CHECK_TARGET] = "different target",   [CHECK_OBJECT] = "different object",
		[CHECK_MISSING] = "missing",	       [CHECK_REFUSED] = "refused",
		[CHECK_UNREACHABLE] = "unreachable",   [CHECK_FAILED] = "failed",
		[CHECK_SKIPPED] = "not checked",
	};

	return (unsigned)v < ELEMENTSOF(names) ? names[v] : "?";
}

enum check_verdict check_classify_status(unsigned status, const char *serr, size_t serr_len)
{
	static const char offered[] = "is not offered by this server";
	unsigned code = status >> 8;

	if ((status & 0x7f) != 0)
		return CHECK_FAILED;
	if (code == EXIT_COMPILER_MISSING)
		return CHECK_MISSING;
	if (code == EXIT_ACCESS_DENIED)
		return serr && memmem(serr, serr_len, offered, sizeof(offered) - 1) ? CHECK_MISSING
										   : CHECK_REFUSED;
	return CHECK_FAILED;
}

/* One compiler as checked: what a job would send, and the local result. */
struct probe {
	const char *name;
	char **argv;                  /* rewritten, with -c probe.X -o probe.o */
	struct argscan_job scan;
	enum argscan_verdict verdict;
	char *local_obj;
	size_t local_len;
	struct elfinfo local_info;
	char ipath[32];               /* its preprocessed source, probe-N.i */
	char local_error[DETAIL_MAX]; /* non-empty: the local compile failed */
};

struct row {
	const char *host, *compiler;
	enum check_verdict verdict;
	char detail[DETAIL_MAX];
};

static void probe_free(struct probe *p)
{
	strv_free(p->argv);
	argscan_job_free(&p->scan);
	free(p->local_obj);
}

/* First line of a compiler's or server's message, for the detail column. */
static void first_line(const char *text, size_t len, char *out, size_t size)
{
	size_t n = 0;

	while (n < len && text[n] != '\n' && n + 1 < size) {
		out[n] = (unsigned char)text[n] < 0x20 ? '?' : text[n];
		n++;
	}
	out[n] = 0;
}

static bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_cxx(const char *name)
{
	return strstr(name, "++") != NULL;
}

static int run_quiet(char **argv, char *err, size_t err_size)
{
	_cleanup_free_ char *out = NULL;
	int status = 0, r = capture_output(argv, true, CAPTURE_MAX, CAPTURE_TIMEOUT_USEC * 6, &out,
					   &status);

	if (r < 0) {
		snprintf(err, err_size, "cannot run '%s': %s", argv[0], strerror(-r));
		return r;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		first_line(out, strlen(out), err, err_size);
		if (!err[0])
			snprintf(err, err_size, "'%s' failed", argv[0]);
		return -EINVAL;
	}
	return 0;
}

static int read_all(const char *path, char **ret, size_t *ret_len)
{
	return read_file_max(path, MAX_BULK_PLAIN, ret, ret_len);
}

static int set_argv0(char **argv, const char *s)
{
	char *n = strdup(s);

	if (!n)
		return -ENOMEM;
	free(argv[0]);
	argv[0] = n;
	return 0;
}

/* The compile a job would run, locally, and the preprocessed input the
 * server gets. In the check's own directory (the cwd). */
static int probe_prepare(const struct client_config *cfg, const char *name, size_t idx,
			 struct probe *p)
{
	const char *src = is_cxx(name) ? "probe.cpp" : "probe.c";
	char *const base[] = { (char *)name, (char *)"-O2", (char *)"-c", (char *)src, (char *)"-o",
			       (char *)"probe.o", NULL };
	_cleanup_(strv_freep) char **local = NULL, **cpp = NULL;
	_cleanup_free_ char *real = NULL, *path = NULL;
	int r;

	p->name = name;
	p->argv = strv_copy(base);
	if (!p->argv)
		return -ENOMEM;
	/* named as a job through a masquerade link would name it */
	r = compilerpath_trim(name, cfg->path, &path);
	if (r < 0)
		return r;
	if (!cfg->no_rewrite_cross)
		(void)rewrite_compiler(&p->argv, path);
	r = argscan_classify((const char *const *)p->argv, &p->scan, &p->verdict);
	if (r < 0)
		return r;
	if (p->verdict != ARGSCAN_REMOTE) {
		snprintf(p->local_error, sizeof(p->local_error), "not distributable: %s",
			 p->scan.reason ? p->scan.reason : "?");
		return 0;
	}
	local = strv_copy(p->argv);
	cpp = strv_copy(p->scan.cpp_argv);
	if (!local || !cpp || strv_push(&cpp, "-o") < 0 || strv_push(&cpp, "probe.i") < 0)
		return -ENOMEM;
	/* here means here: never through a masquerade link back into distcc */
	r = compilerpath_find(p->argv[0], path, &real);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		snprintf(p->local_error, sizeof(p->local_error), "'%s' is not on PATH", p->argv[0]);
		return 0;
	}
	r = set_argv0(local, real);
	if (r >= 0)
		r = set_argv0(cpp, real);
	if (r < 0)
		return r;
	if (run_quiet(local, p->local_error, sizeof(p->local_error)) < 0 ||
	    run_quiet(cpp, p->local_error, sizeof(p->local_error)) < 0)
		return 0;
	snprintf(p->ipath, sizeof(p->ipath), "probe-%zu.i", idx);
	if (rename("probe.i", p->ipath) < 0)
		return -errno;
	r = read_all("probe.o", &p->local_obj, &p->local_len);
	if (r >= 0 && elfinfo_read((const uint8_t *)p->local_obj, p->local_len, &p->local_info) < 0)
		snprintf(p->local_error, sizeof(p->local_error), "the local object is not ELF");
	return r == -ENOMEM ? r : 0;
}

/* DIST..DOTI out, the reply in: plain protocol (2 with ,lzo), as 3.4 speaks. */
static int exchange(const struct host *h, const struct probe *p, struct proto_reply *rep,
		    bool *ret_connected)
{
	_cleanup_close_ int fd = -EBADF, in = -EBADF;
	uint32_t ver = h->cpp ? 2 : h->protover;
	int r;

	*ret_connected = false;
	r = remote_connect(h, REMOTE_CONNECT_TIMEOUT_USEC, &fd);
	if (r < 0)
		return r;
	*ret_connected = true;
	in = open(p->ipath, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	r = remote_send_head(fd, ver, p->scan.server_argv, deadline_in(CHECK_IO_TIMEOUT_USEC));
	if (r >= 0)
		r = remote_send_doti(fd, ver, in, deadline_in(CHECK_IO_TIMEOUT_USEC));
	if (r >= 0)
		r = remote_read_reply(fd, ver, deadline_in(CHECK_IO_TIMEOUT_USEC), rep);
	return r;
}

static void compare(const struct probe *p, const struct proto_reply *rep, struct row *row)
{
	struct elfinfo ri;

	if (rep->doto.len == p->local_len && memcmp(rep->doto.data, p->local_obj, p->local_len) == 0) {
		row->verdict = CHECK_SAME;
		snprintf(row->detail, sizeof(row->detail), "%s", p->local_info.comment);
		return;
	}
	if (elfinfo_read(rep->doto.data, rep->doto.len, &ri) < 0) {
		row->verdict = CHECK_OBJECT;
		snprintf(row->detail, sizeof(row->detail), "the server's object is not ELF");
	} else if (ri.elf_class != p->local_info.elf_class || ri.data != p->local_info.data ||
		   ri.machine != p->local_info.machine || ri.flags != p->local_info.flags) {
		row->verdict = CHECK_TARGET;
		snprintf(row->detail, sizeof(row->detail), "ELF machine %u flags %#x there, %u %#x here",
			 ri.machine, ri.flags, p->local_info.machine, p->local_info.flags);
	} else if (strcmp(ri.comment, p->local_info.comment) != 0) {
		row->verdict = CHECK_VERSION;
		snprintf(row->detail, sizeof(row->detail), "there: %.70s; here: %.70s", ri.comment,
			 p->local_info.comment);
	} else {
		row->verdict = CHECK_OBJECT;
		snprintf(row->detail, sizeof(row->detail), "%s, but the code differs", ri.comment);
	}
}

/* "distccd[N] WARNING: refusing job from PEER: WHY" -> "WHY" */
static void server_reason(const struct buf *serr, char *out, size_t size)
{
	static const char tag[] = "refusing job from ";
	const char *t = (const char *)serr->data, *end = t + serr->len;
	const char *hit = serr->len ? memmem(t, serr->len, tag, sizeof(tag) - 1) : NULL;

	if (hit) {
		const char *colon = memmem(hit, (size_t)(end - hit), ": ", 2);

		if (colon)
			t = colon + 2;
	}
	first_line(t, (size_t)(end - t), out, size);
}

static void check_one(const struct host *h, const struct probe *p, struct row *row)
{
	struct proto_reply rep;
	bool connected;
	int r;

	row->host = h->spec;
	row->compiler = p->name;
	if (h->mode != HOST_TCP) {
		row->verdict = CHECK_SKIPPED;
		snprintf(row->detail, sizeof(row->detail), "%s host",
			 h->mode == HOST_LOCAL ? "local" : "ssh");
		return;
	}
	if (p->local_error[0]) {
		row->verdict = CHECK_FAILED;
		snprintf(row->detail, sizeof(row->detail), "here: %.400s", p->local_error);
		return;
	}
	proto_reply_init(&rep);
	r = exchange(h, p, &rep, &connected);
	if (r < 0) {
		row->verdict = connected ? CHECK_REFUSED : CHECK_UNREACHABLE;
		snprintf(row->detail, sizeof(row->detail), "%s", connected ? "connection closed without a reply"
									: strerror(-r));
	} else if (rep.status != 0) {
		row->verdict = check_classify_status(rep.status, (const char *)rep.serr.data, rep.serr.len);
		server_reason(&rep.serr, row->detail, sizeof(row->detail));
		if (!row->detail[0])
			snprintf(row->detail, sizeof(row->detail), "exit status %u", rep.status >> 8);
	} else
		compare(p, &rep, row);
	proto_reply_free(&rep);
}

/* The masquerade links on PATH (a directory whose name mentions distcc,
 * entries that resolve to a program named distcc): the names in use. */
static int default_compilers(const char *path, char ***ret)
{
	char **v = NULL;
	const char *p = path;
	int r = 0;

	while (r >= 0 && p && *p) {
		size_t n = strcspn(p, ":");
		_cleanup_free_ char *dir = strndup(p, n);
		DIR *d = dir && strstr(dir, "distcc") ? opendir(dir) : NULL;
		struct dirent *de;

		if (!dir)
			r = -ENOMEM;
		while (d && r >= 0 && (de = readdir(d))) {
			_cleanup_free_ char *full = NULL, *real = NULL;

			if (de->d_name[0] == '.' || asprintf(&full, "%s/%s", dir, de->d_name) < 0)
				continue;
			real = realpath(full, NULL);
			if (real && strcmp(str_basename(real), "distcc") == 0 && !strv_contains(v, de->d_name))
				r = strv_push(&v, de->d_name);
		}
		if (d)
			closedir(d);
		p += n + (p[n] == ':');
	}
	if (r >= 0 && !v)
		r = strv_push(&v, "cc");
	if (r < 0) {
		strv_free(v);
		return r;
	}
	qsort(v, strv_length(v), sizeof(char *), str_cmp_ptr);
	*ret = v;
	return 0;
}

static int write_sources(void)
{
	int r = write_file_atomic("probe.c", PROBE_C, sizeof(PROBE_C) - 1, 0600, NULL);

	return r < 0 ? r : write_file_atomic("probe.cpp", PROBE_CXX, sizeof(PROBE_CXX) - 1, 0600, NULL);
}

static void print_table(const struct row *rows, size_t n)
{
	int wh = 4, wc = 8, wv = 7;

	for (size_t i = 0; i < n; i++) {
		wh = (int)strlen(rows[i].host) > wh ? (int)strlen(rows[i].host) : wh;
		wc = (int)strlen(rows[i].compiler) > wc ? (int)strlen(rows[i].compiler) : wc;
		wv = (int)strlen(check_verdict_to_string(rows[i].verdict)) > wv
			     ? (int)strlen(check_verdict_to_string(rows[i].verdict)) : wv;
	}
	printf("%-*s  %-*s  %-*s  %s\n", wh, "HOST", wc, "COMPILER", wv, "VERDICT", "DETAIL");
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %-*s  %-*s  %s\n", wh, rows[i].host, wc, rows[i].compiler, wv,
		       check_verdict_to_string(rows[i].verdict), rows[i].detail);
	fflush(stdout);
}

/* Every host x every compiler, in the check's directory (the cwd). */
static int check_all(const struct client_config *cfg, const struct hostlist *l, char *const names[],
		     int *ret_exit)
{
	size_t nn = strv_length(names), k = 0;
	_cleanup_free_ struct probe *probes = calloc(nn + 1, sizeof(struct probe));
	_cleanup_free_ struct row *rows = calloc(nn * l->n + 1, sizeof(struct row));
	bool all_same = true;
	int r = 0;

	if (!probes || !rows)
		return -ENOMEM;
	for (size_t c = 0; r >= 0 && c < nn; c++)
		r = probe_prepare(cfg, names[c], c, &probes[c]);
	for (size_t h = 0; r >= 0 && h < l->n; h++)
		for (size_t c = 0; c < nn; c++, k++) {
			check_one(&l->hosts[h], &probes[c], &rows[k]);
			all_same = all_same && (rows[k].verdict == CHECK_SAME ||
						rows[k].verdict == CHECK_SKIPPED);
		}
	if (r >= 0)
		print_table(rows, k);
	for (size_t c = 0; c < nn; c++) {
		if (probes[c].ipath[0])
			(void)unlink(probes[c].ipath);
		probe_free(&probes[c]);
	}
	*ret_exit = all_same ? 0 : 1;
	return r;
}

static void remove_dir(const char *dir)
{
	static const char *const files[] = { "probe.c", "probe.cpp", "probe.i", "probe.ii", "probe.o" };

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *p = NULL;

		if (asprintf(&p, "%s/%s", dir, files[i]) >= 0)
			(void)unlink(p);
	}
	(void)rmdir(dir);
}

int checkhosts_run(const struct client_config *cfg, char *const compilers[])
{
	_cleanup_(strv_freep) char **names = NULL;
	_cleanup_free_ char *bad = NULL, *src = NULL;
	char dir[PATH_MAX];
	const char *why = NULL;
	struct hostlist l;
	int code = 1, r;

	r = hosts_load(cfg, &l, &bad, &why, &src);
	if (r == -EINVAL) {
		log_error("bad host specification '%s': %s", bad ? bad : "", why ? why : "syntax error");
		return EXIT_BAD_HOSTSPEC;
	}
	if (r < 0 || l.n == 0) {
		if (r >= 0) {
			hosts_log_empty(src);
			hostlist_free(&l);
		} else
			log_error_errno(r, "cannot read the host list: %m");
		return r < 0 ? EXIT_DISTCC_FAILED : EXIT_NO_HOSTS;
	}
	r = compilers && compilers[0] ? ((names = strv_copy(compilers)) ? 0 : -ENOMEM)
				      : default_compilers(cfg->path, &names);
	snprintf(dir, sizeof(dir), "%s/distcc-check-XXXXXX", cfg->tmpdir);
	if (r >= 0 && !mkdtemp(dir))
		r = log_error_errno(errno, "cannot create a directory in '%s': %m", cfg->tmpdir);
	else if (r >= 0) {
		r = chdir(dir) < 0 ? -errno : write_sources();
		if (r >= 0)
			r = check_all(cfg, &l, names, &code);
		remove_dir(dir);
	}
	hostlist_free(&l);
	if (r < 0) {
		log_error_errno(r, "cannot check the hosts: %m");
		return r == -ENOMEM ? EXIT_OUT_OF_MEMORY : EXIT_DISTCC_FAILED;
	}
	return code;
}
