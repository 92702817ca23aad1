/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The include server through a real socket: a forked incserver_serve() and
 * incserver_query() on a corpus of tricky sources. The closure is rebuilt
 * under a fresh root as a distcc server would (FILE decompressed, LINK as
 * symlinks), and every file `gcc -M` and `clang -M` list outside the
 * compiler's own directories must resolve there, through the same path,
 * to the same bytes. Also: a header edited between requests, the cases
 * that are not covered, and shutdown by SIGTERM and by shutdown(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "io.h"
#include "lzo.h"
#include "incserver.h"

static char top[64];            /* the test's temp dir */
static struct incserver_options server_opt;
static pid_t server_pid;
static int listen_fd = -1;

static char *at(const char *rel)
{
	static char p[8][PATH_MAX + 64];
	static int k;

	k = (k + 1) % 8;
	snprintf(p[k], sizeof(p[k]), "%s/%s", top, rel);
	return p[k];
}

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(tmp, 0755);
			*s = '/';
		}
	mkdir(tmp, 0755);
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel), dir[PATH_MAX];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = 0;
	mkdirs(dir);
	f = fopen(p, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void link_to(const char *rel, const char *target)
{
	assert_int_equal(symlink(target, at(rel)), 0);
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static void rm_rf(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void make_corpus(void)
{
	put("src/main.c",
	    "#include \"local.h\"\n"
	    "#include <lib.h>\n"
	    "#include \"quoted.h\"\n"
	    "#include <limits.h>\n"
	    "#include <stdio.h>\n"
	    "#define HDR \"computed.h\"\n"
	    "#include HDR\n"
	    "#define STR2(x) #x\n#define STR(x) STR2(x)\n#define NAME macro_arg.h\n"
	    "#include STR(NAME)\n"
	    "#if __has_include(\"opt.h\")\n#include \"opt.h\"\n#endif\n"
	    "/* #include \"in_comment.h\" */\n"
	    "static const char *s = \"#include \\\"in_string.h\\\"\";\n"
	    "#inc\\\nlude \"continued.h\"\n"
	    "#include \"sym.h\"\n"
	    "#include \"subdir_link/x.h\"\n"
	    "#include \"guarded.h\"\n#include \"guarded.h\"\n"
	    "#include \"once.h\"\n#include \"once.h\"\n"
	    "#if 0\n#include \"dead.h\"\n#endif\n"
	    "#include \"../up/upper.h\"\n"
	    "#ifdef NEVER_DEFINED\n#include NEVER_DEFINED\n#endif\n"
	    "int main(void) { (void)s; return LIB + FORCED; }\n");
	put("src/local.h", "#define LOCAL 1\n");
	put("inc/lib.h", "#define LIB 0\n");
	put("inc/quoted.h", "#error the -iquote dir comes first\n");
	put("q/quoted.h", "#define QUOTED 1\n");
	put("wrap/limits.h", "#include_next <limits.h>\n#define WRAPPED 1\n");
	put("src/computed.h", "\n");
	put("src/macro_arg.h", "\n");
	put("src/opt.h", "\n");
	put("src/in_comment.h", "#error no\n");
	put("src/in_string.h", "#error no\n");
	put("src/continued.h", "\n");
	put("real/sym_target.h", "#include \"beside_target.h\"\n");
	put("real/beside_target.h", "\n");
	put("src/beside_target.h", "\n");
	link_to("src/sym.h", "../real/sym_target.h");
	put("realdir/x.h", "#include \"y.h\"\n");
	put("realdir/y.h", "\n");
	link_to("src/subdir_link", "../realdir");
	put("src/guarded.h", "#ifndef G\n#define G\n#endif\n");
	put("src/once.h", "#pragma once\n");
	put("src/dead.h", "\n");
	put("up/upper.h", "\n");
	put("forced.h", "#define FORCED 0\n");
	/* a user dir that shadows a header the system's stdio.h includes */
	mkdirs(at("shadow/bits/types"));
	assert_int_equal(system("cp /usr/include/x86_64-linux-gnu/bits/types/FILE.h "
				"$TOP/shadow/bits/types/FILE.h"), 0);
	put("abs/abs.c", "");   /* filled in by the test that needs it */
}

static void start_server(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sigset_t term, old;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", top);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(listen_fd >= 0);
	assert_int_equal(bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(listen_fd, 16), 0);
	mkdirs(at("cache"));
	fflush(NULL);
	/* blocked across fork(): a SIGTERM before serve() starts waits for it */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	server_pid = fork();
	if (server_pid != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	assert_true(server_pid >= 0);
	if (server_pid == 0) {
		/* exit(), not _exit(): under ASan the server's leaks are checked */
		int r = incserver_serve(listen_fd, at("cache"), &server_opt);

		close(listen_fd);
		exit(r == 0 ? 0 : 1);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/test-incserver-XXXXXX");
	if (!mkdtemp(top))
		return -1;
	setenv("TOP", top, 1);
	make_corpus();
	start_server();
	return 0;
}

/* The same tests without inotify: every file and directory stat'd. */
static int setup_stat_only(void **state)
{
	server_opt.stat_only = true;
	return setup(state);
}

/* SIGTERM ends the server with status 0 (under ASan: and no leaks). */
static int teardown(void **state)
{
	int st = 0, r = 0;

	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "include server ended with wait status %d\n", st);
			r = -1;
		}
	}
	if (listen_fd >= 0)
		close(listen_fd);
	rm_rf(top);
	server_opt = (struct incserver_options){ 0 };
	return r;
}

static int query(char **argv, const char *compiler, struct incserver_closure *c, char **why)
{
	char sock[128];

	snprintf(sock, sizeof(sock), "%s/sock", top);
	return incserver_query(sock, at("src"), argv, compiler, deadline_in(60 * USEC_PER_SEC), c,
			       why);
}

static const struct incserver_entry *find(const struct incserver_closure *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->entries[i].name, name) == 0)
			return &c->entries[i];
	return NULL;
}

static void read_whole(const char *path, struct buf *out)
{
	char *data = NULL;
	size_t n = 0;

	assert_int_equal(read_file_max(path, 1 << 26, &data, &n), 0);
	assert_int_equal(buf_append(out, data, n), 0);
	free(data);
}

/* The plain bytes of a FILE entry. */
static void unpack(const struct incserver_entry *e, struct buf *out)
{
	struct buf z = BUF_INIT(1 << 26);

	assert_int_equal(e->kind, INCSERVER_FILE);
	read_whole(e->path, &z);
	assert_true(z.len >= 3);
	assert_int_equal(lzo_decompress_append(out, z.data, z.len, 1 << 26), 0);
	buf_free(&z);
}

/* Rebuild the closure under @root as a distcc server does. */
static void materialize(const struct incserver_closure *c, const char *root)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct incserver_entry *e = &c->entries[i];
		char p[PATH_MAX * 2], dir[PATH_MAX * 2];

		assert_true(e->name[0] == '/');
		assert_null(strstr(e->name, "/../"));
		snprintf(p, sizeof(p), "%s%s", root, e->name);
		snprintf(dir, sizeof(dir), "%s", p);
		*strrchr(dir, '/') = 0;
		mkdirs(dir);
		if (e->kind == INCSERVER_LINK) {
			assert_int_equal(symlink(e->target, p), 0);
		} else {
			struct buf b = BUF_INIT(1 << 26);

			unpack(e, &b);
			assert_int_equal(write_file_atomic(p, b.data ? b.data : (uint8_t *)"", b.len,
							   0644, NULL), 0);
			buf_free(&b);
		}
	}
}

/* Every file `compiler -M` lists outside /usr must exist under @root by the
 * same path with the same bytes. Returns how many were checked. */
static int check_against(const char *root, const char *cmd)
{
	char line[8192], full[PATH_MAX * 2];
	FILE *f = popen(cmd, "r");
	int checked = 0;

	assert_non_null(f);
	while (fscanf(f, "%8191s", line) == 1) {
		struct buf a = BUF_INIT(1 << 26), b = BUF_INIT(1 << 26);
		char *abs;

		if (strcmp(line, "\\") == 0 || line[strlen(line) - 1] == ':')
			continue;
		abs = line;
		if (line[0] != '/') {
			snprintf(full, sizeof(full), "%s/%s", at("src"), line);
			abs = full;
		}
		if (strncmp(abs, "/usr/", 5) == 0)
			continue;
		read_whole(abs, &a);
		{
			char rooted[PATH_MAX * 3];

			snprintf(rooted, sizeof(rooted), "%s%s", root, abs);
			if (access(rooted, R_OK) != 0)
				fail_msg("'%s' (from %s) is missing under the root", abs, cmd);
			read_whole(rooted, &b);
		}
		assert_int_equal(a.len, b.len);
		if (a.len)
			assert_memory_equal(a.data, b.data, a.len);
		buf_free(&a);
		buf_free(&b);
		checked++;
	}
	assert_int_equal(pclose(f), 0);
	return checked;
}

static char *cmdline(char **argv, const char *extra)
{
	static char out[16384];
	size_t n = (size_t)snprintf(out, sizeof(out), "cd %s && ", at("src"));

	for (size_t i = 0; argv[i]; i++) {
		if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "-c") == 0) {
			i += strcmp(argv[i], "-o") == 0;
			continue;
		}
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s ", argv[i]);
	}
	snprintf(out + n, sizeof(out) - n, "%s", extra);
	return out;
}

/* The job: -I wrap -I inc -iquote q -I shadow -include ../forced.h. */
static char **job_argv(const char *compiler, const char *source)
{
	char **v = calloc(32, sizeof(char *));
	const char *words[] = {
		compiler, "-I", at("wrap"), "-I", at("inc"), "-iquote", at("q"), "-I", at("shadow"),
		"-include", "../forced.h", "-c", source, "-o", "main.o", NULL,
	};

	assert_non_null(v);
	for (size_t i = 0; words[i]; i++)
		v[i] = strdup(words[i]);
	return v;
}

static void free_argv(char **v)
{
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static void check_compiler(const char *compiler, const char *path)
{
	struct incserver_closure c = { 0 };
	char **argv = job_argv(compiler, "main.c");
	char *why = NULL, root[128];
	int checked;

	if (access(path, X_OK) != 0) {
		free_argv(argv);
		skip();
	}
	assert_int_equal(query(argv, path, &c, &why), 0);
	if (c.n == 0)
		fail_msg("not covered: %s", why);
	assert_null(why);
	/* the source first, the scanner's precision, the over-approximation */
	assert_string_equal(c.entries[0].name, at("src/main.c"));
	assert_non_null(find(&c, at("src/dead.h")));
	assert_null(find(&c, at("src/in_comment.h")));
	assert_null(find(&c, at("src/in_string.h")));
	assert_null(find(&c, at("inc/quoted.h")));
	assert_non_null(find(&c, at("shadow/bits/types/FILE.h")));
	assert_null(find(&c, "/usr/include/stdio.h"));
	assert_non_null(find(&c, at("src/sym.h")));
	assert_int_equal(find(&c, at("src/sym.h"))->kind, INCSERVER_LINK);
	assert_int_equal(find(&c, at("src/subdir_link"))->kind, INCSERVER_LINK);
	/* both beside_target.h: gcc looks beside the link, not its target */
	assert_non_null(find(&c, at("src/beside_target.h")));

	snprintf(root, sizeof(root), "%s/root-%s", top, compiler);
	materialize(&c, root);
	checked = check_against(root, cmdline(argv, "-M"));
	assert_true(checked >= 15);
	free_argv(argv);
	incserver_closure_free(&c);
	rm_rf(root);
}

static void test_closure_gcc(void **state)
{
	(void)state;
	check_compiler("gcc", "/usr/bin/gcc");
}

static void test_closure_clang(void **state)
{
	(void)state;
	check_compiler("clang", "/usr/bin/clang");
}

static void test_closure_cxx(void **state)
{
	struct incserver_closure c = { 0 };
	char **argv = job_argv("g++", "cxx.cc");
	char *why = NULL, root[128];

	(void)state;
	put("src/cxx.cc", "#include <vector>\n#include <string>\n#include \"local.h\"\n"
			  "#include <lib.h>\nint main() { std::vector<std::string> v; return LIB; }\n");
	assert_int_equal(query(argv, "/usr/bin/g++", &c, &why), 0);
	if (c.n == 0)
		fail_msg("not covered: %s", why);
	snprintf(root, sizeof(root), "%s/root-cxx", top);
	materialize(&c, root);
	assert_true(check_against(root, cmdline(argv, "-M")) >= 3);
	free_argv(argv);
	incserver_closure_free(&c);
	rm_rf(root);
}

static void expect_content(const struct incserver_closure *c, const char *rel, const char *text)
{
	const struct incserver_entry *e = find(c, at(rel));
	struct buf b = BUF_INIT(1 << 20);

	assert_non_null(e);
	unpack(e, &b);
	assert_int_equal(b.len, strlen(text));
	assert_memory_equal(b.data, text, b.len);
	buf_free(&b);
}

/* An edit between two requests is seen, even one that keeps the size and
 * lands in the same second; the old cache file keeps its bytes. */
static void test_header_changes(void **state)
{
	struct incserver_closure c1 = { 0 }, c2 = { 0 }, c3 = { 0 };
	char **argv = job_argv("gcc", "main.c");
	char *why = NULL;

	(void)state;
	assert_int_equal(query(argv, "/usr/bin/gcc", &c1, &why), 0);
	assert_true(c1.n > 0);
	assert_null(find(&c1, at("inc/new.h")));
	expect_content(&c1, "inc/lib.h", "#define LIB 0\n");

	put("inc/lib.h", "#include \"new.h\"\n");
	put("inc/new.h", "#define LIB 0\n");
	assert_int_equal(query(argv, "/usr/bin/gcc", &c2, &why), 0);
	assert_non_null(find(&c2, at("inc/new.h")));
	expect_content(&c2, "inc/lib.h", "#include \"new.h\"\n");
	assert_string_not_equal(find(&c1, at("inc/lib.h"))->path, find(&c2, at("inc/lib.h"))->path);
	expect_content(&c1, "inc/lib.h", "#define LIB 0\n");   /* never rewritten in place */

	put("inc/lib.h", "#include \"NEW.h\"\n");             /* same size, same second */
	put("inc/NEW.h", "#define LIB 0\n");
	assert_int_equal(query(argv, "/usr/bin/gcc", &c3, &why), 0);
	assert_non_null(find(&c3, at("inc/NEW.h")));
	expect_content(&c3, "inc/lib.h", "#include \"NEW.h\"\n");

	put("inc/lib.h", "#define LIB 0\n");
	free_argv(argv);
	incserver_closure_free(&c1);
	incserver_closure_free(&c2);
	incserver_closure_free(&c3);
}

/* Headers and directories appearing, disappearing and being replaced
 * between requests change what the search finds. */
static void test_search_changes(void **state)
{
	struct incserver_closure c = { 0 };
	char **argv = job_argv("gcc", "main.c");
	char *why = NULL;

	(void)state;
	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_non_null(find(&c, at("inc/lib.h")));
	assert_null(find(&c, at("wrap/lib.h")));
	incserver_closure_free(&c);

	put("wrap/lib.h", "#define LIB 0\n#include \"wrapped-extra.h\"\n");   /* -I wrap comes first */
	put("wrap/wrapped-extra.h", "\n");
	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_non_null(find(&c, at("wrap/lib.h")));
	assert_non_null(find(&c, at("wrap/wrapped-extra.h")));
	assert_null(find(&c, at("inc/lib.h")));
	incserver_closure_free(&c);

	assert_int_equal(unlink(at("wrap/lib.h")), 0);
	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_non_null(find(&c, at("inc/lib.h")));
	assert_null(find(&c, at("wrap/lib.h")));
	incserver_closure_free(&c);

	/* the -iquote dir replaced by another one under the same name */
	assert_int_equal(rename(at("q"), at("q.old")), 0);
	put("q/quoted.h", "#include \"q-extra.h\"\n");
	put("q/q-extra.h", "#define QUOTED 2\n");
	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_non_null(find(&c, at("q/q-extra.h")));
	expect_content(&c, "q/quoted.h", "#include \"q-extra.h\"\n");
	incserver_closure_free(&c);
	rm_rf(at("q"));
	assert_int_equal(rename(at("q.old"), at("q")), 0);
	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_null(find(&c, at("q/q-extra.h")));
	expect_content(&c, "q/quoted.h", "#define QUOTED 1\n");
	incserver_closure_free(&c);

	/* a symlinked header retargeted */
	assert_int_equal(unlink(at("src/sym.h")), 0);
	put("real/other_target.h", "#include \"other_beside.h\"\n");
	put("real/other_beside.h", "\n");
	link_to("src/sym.h", "../real/other_target.h");
	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_string_equal(find(&c, at("src/sym.h"))->target, "../real/other_target.h");
	assert_non_null(find(&c, at("real/other_target.h")));
	incserver_closure_free(&c);
	assert_int_equal(unlink(at("src/sym.h")), 0);
	link_to("src/sym.h", "../real/sym_target.h");
	free_argv(argv);
}

static void expect_not_covered(char **argv, const char *why_part)
{
	struct incserver_closure c = { 0 };
	char *why = NULL;

	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_int_equal(c.n, 0);
	assert_non_null(why);
	if (!strstr(why, why_part))
		fail_msg("reason '%s' lacks '%s'", why, why_part);
	free(why);
}

static void test_not_covered(void **state)
{
	char **argv;
	char text[PATH_MAX + 64];

	(void)state;
	snprintf(text, sizeof(text), "#include \"%s\"\n", at("src/local.h"));
	put("src/abs.c", text);
	argv = job_argv("gcc", "abs.c");
	expect_not_covered(argv, "absolute include");
	free_argv(argv);

	put("src/number.c", "#define NUM 42\n#include NUM\n");
	argv = job_argv("gcc", "number.c");
	expect_not_covered(argv, "NUM");
	free_argv(argv);

	put("src/pre.i", "int x;\n");
	argv = job_argv("gcc", "pre.i");
	expect_not_covered(argv, "preprocessed");
	free_argv(argv);

	argv = job_argv("gcc", "missing.c");
	expect_not_covered(argv, "missing.c");
	free_argv(argv);

	argv = job_argv("gcc", "main.c");
	free(argv[1]);
	argv[1] = strdup("-ivfsoverlay");
	expect_not_covered(argv, "does not model");
	free_argv(argv);
}

/* Hostile bytes on the socket do not stop the server. */
static void test_garbage_then_serves(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct incserver_closure c = { 0 };
	char **argv = job_argv("gcc", "main.c");
	char *why = NULL;
	int fd;

	(void)state;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", top);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, "CDIRffffffffgarbage", 19), 19);
	close(fd);
	assert_int_equal(query(argv, "/usr/bin/gcc", &c, &why), 0);
	assert_true(c.n > 0);
	free_argv(argv);
	incserver_closure_free(&c);
}

static void test_shutdown_socket(void **state)
{
	int st;

	(void)state;
	assert_int_equal(shutdown(listen_fd, SHUT_RDWR), 0);
	assert_int_equal(waitpid(server_pid, &st, 0), server_pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	server_pid = 0;
	close(listen_fd);
	listen_fd = -1;
	unlink(at("sock"));
	start_server();          /* and SIGTERM ends the next one in teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_changes),
		cmocka_unit_test(test_closure_gcc),
		cmocka_unit_test(test_closure_clang),
		cmocka_unit_test(test_closure_cxx),
		cmocka_unit_test(test_header_changes),
		cmocka_unit_test(test_not_covered),
		cmocka_unit_test(test_garbage_then_serves),
		cmocka_unit_test(test_shutdown_socket),
	};

	int failed = cmocka_run_group_tests_name("inotify", tests, setup, teardown);

	return failed + cmocka_run_group_tests_name("stat only", tests, setup_stat_only, teardown);
}
