/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Include server timing (bench/pumpscan.sh builds it against build/).
 * Forks incserver_serve() on a private socket, then sends one request per
 * job read from stdin ("CWD<TAB>compiler<TAB>arg<TAB>arg..." lines) for
 * @passes passes: pass 1 is cold (empty caches; it also probes the
 * compiler's directories), the next ones warm. Prints per-pass latency
 * (mean, median, p90, max), coverage, files per job and the server's CPU.
 * Not a test: it asserts nothing.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "incserver.h"
#include "io.h"
#include "strv.h"

struct job {
	char *cwd;
	char **argv;
	char *compiler;
};

static int cmp_u64(const void *a, const void *b)
{
	usec_t x = *(const usec_t *)a, y = *(const usec_t *)b;

	return x < y ? -1 : x > y;
}

static size_t read_jobs(struct job **ret)
{
	struct job *v = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t ll = 0;

	while (getline(&line, &ll, stdin) > 0) {
		char *save = NULL, *w;
		struct job j = { 0 };

		line[strcspn(line, "\n")] = 0;
		j.cwd = strdup(strtok_r(line, "\t", &save));
		while ((w = strtok_r(NULL, "\t", &save)))
			strv_push(&j.argv, w);
		if (!j.argv)
			continue;
		j.compiler = strdup(j.argv[0]);
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n++] = j;
	}
	free(line);
	*ret = v;
	return n;
}

/* utime + stime of @pid in seconds, from /proc. */
static double cpu_of(pid_t pid)
{
	char path[64], buf[4096], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t k;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	k = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[k] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void run_pass(const char *sock, struct job *jobs, size_t n, int pass, int verbose, pid_t pid,
		     FILE *dump)
{
	double cpu0 = cpu_of(pid);
	usec_t *t = calloc(n, sizeof(usec_t)), sum = 0;
	size_t covered = 0, files = 0;

	for (size_t i = 0; i < n; i++) {
		struct incserver_closure c = { 0 };
		char *why = NULL, *sent0 = jobs[i].argv[0];
		const char *b = strrchr(sent0, '/');
		usec_t t0 = now_usec();
		int r;

		jobs[i].argv[0] = (char *)(b ? b + 1 : sent0);
		r = incserver_query(sock, jobs[i].cwd, jobs[i].argv, jobs[i].compiler,
				    deadline_in(120 * USEC_PER_SEC), &c, &why);
		jobs[i].argv[0] = sent0;
		t[i] = now_usec() - t0;
		sum += t[i];
		if (r < 0)
			fprintf(stderr, "query failed: %s\n", strerror(-r));
		else if (c.n == 0 && (verbose || pass == 1))
			fprintf(stderr, "not covered: %s: %s\n", jobs[i].argv[strv_length(jobs[i].argv) - 1],
				why);
		for (size_t k = 0; dump && pass == 1 && k < c.n; k++)
			fprintf(dump, "%zu\t%s\t%s\t%s\n", i, c.entries[k].kind == INCSERVER_FILE ? "FILE" : "LINK",
				c.entries[k].name, c.entries[k].kind == INCSERVER_LINK ? c.entries[k].target : "");
		covered += c.n > 0;
		files += c.n;
		incserver_closure_free(&c);
		free(why);
	}
	qsort(t, n, sizeof(usec_t), cmp_u64);
	printf("pass %d (%s): %zu jobs, %zu covered, %.1f entries/job; per request: mean %.2f ms, "
	       "median %.2f ms, p90 %.2f ms, max %.2f ms; total %.2f s\n",
	       pass, pass == 1 ? "cold" : "warm", n, covered, covered ? (double)files / covered : 0.0,
	       n ? sum / 1000.0 / n : 0.0, n ? t[n / 2] / 1000.0 : 0.0, n ? t[n * 9 / 10] / 1000.0 : 0.0,
	       n ? t[n - 1] / 1000.0 : 0.0, sum / 1e6);
	printf("pass %d: include server CPU %.2f s, %.2f ms per request\n", pass,
	       cpu_of(pid) - cpu0, n ? (cpu_of(pid) - cpu0) * 1000.0 / n : 0.0);
	fflush(stdout);
	free(t);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[80], cache[200];
	int passes = argc > 1 ? atoi(argv[1]) : 2, verbose = getenv("PUMPSCAN_VERBOSE") != NULL;
	struct job *jobs;
	size_t n = read_jobs(&jobs);
	struct rusage ru;
	/* PUMPSCAN_DUMP=FILE: every entry of pass 1, "job<TAB>kind<TAB>name<TAB>link" */
	FILE *dump = getenv("PUMPSCAN_DUMP") ? fopen(getenv("PUMPSCAN_DUMP"), "we") : NULL;
	int lfd, st;
	pid_t pid;

	/* PUMPSCAN_TMPDIR: where the socket and the compressed copies go (pump
	 * itself would use its private directory, ideally on tmpfs) */
	if ((size_t)snprintf(dir, sizeof(dir), "%s/pumpscan-XXXXXX",
			     getenv("PUMPSCAN_TMPDIR") ? getenv("PUMPSCAN_TMPDIR") : "/tmp") >= sizeof(dir))
		return 1;
	if (!mkdtemp(dir))
		return 1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/socket", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	mkdir(cache, 0700);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0)
		return 1;
	pid = fork();
	if (pid == 0)
		_exit(incserver_serve(lfd, cache, NULL) < 0);
	close(lfd);
	for (int p = 1; p <= passes; p++)
		run_pass(sa.sun_path, jobs, n, p, verbose, pid, dump);
	if (dump)
		fclose(dump);
	kill(pid, SIGTERM);
	wait4(pid, &st, 0, &ru);
	printf("include server CPU over all passes: user %.2f s, system %.2f s\n",
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	snprintf(cache, sizeof(cache), "rm -rf %s", dir);
	return system(cache) == 0 ? 0 : 1;
}
