/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Job counters with one-second buckets over 15 minutes, the child->parent
 * result record codec, and the formatting of both stats pages. Pure: the
 * caller passes the time and the host sample; nothing here reads a clock,
 * touches an fd or logs.
 *
 * One deliberate difference from 3.4: dcc_avg_kids1 is the average over the
 * last minute (3.4 reports the minute before that, an artifact of its tick).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "stats.h"

/* Copy a name for a line-oriented page: control bytes and spaces become '?'
 * or '_' so a hostile file name cannot add lines or fields. */
static void copy_name(char dst[STATS_NAME_MAX], const char *src)
{
	size_t i;

	if (!src)
		src = "";
	for (i = 0; i < STATS_NAME_MAX - 1 && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c == ' ' ? '_' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	dst[i] = 0;
}

void stats_init(struct stats *s, unsigned max_kids, usec_t now)
{
	memset(s, 0, sizeof(*s));
	s->max_kids = max_kids;
	s->longest_msecs = -1;
	s->start = s->last = now;
}

static uint64_t second_of(const struct stats *s, usec_t t)
{
	return (t - s->start) / USEC_PER_SEC;
}

/* Move the newest bucket to absolute second @sec, clearing the ones skipped. */
static void roll_to(struct stats *s, uint64_t sec)
{
	uint64_t n, i;

	if (sec <= s->head)
		return;
	n = sec - s->head;
	if (n > STATS_RING)
		n = STATS_RING;
	for (i = 1; i <= n; i++) {
		size_t idx = (size_t)((s->head + i) % STATS_RING);
		s->compiles[idx] = 0;
		s->kid_usec[idx] = 0;
	}
	s->head = sec;
}

void stats_advance(struct stats *s, usec_t now)
{
	usec_t t = s->last;

	if (now <= t)
		return;
	/* Anything older than the window would be cleared anyway. */
	if (now - t > (usec_t)(STATS_WINDOW_SECS + 1) * USEC_PER_SEC)
		t = now - (usec_t)STATS_RING * USEC_PER_SEC;
	while (t < now) {
		uint64_t sec = second_of(s, t);
		usec_t end = s->start + (sec + 1) * USEC_PER_SEC;

		if (end > now)
			end = now;
		roll_to(s, sec);
		s->kid_usec[sec % STATS_RING] += (uint64_t)s->running * (end - t);
		t = end;
	}
	roll_to(s, second_of(s, now));
	s->last = now;
}

void stats_accepted(struct stats *s)
{
	s->tcp_accept++;
}

void stats_denied(struct stats *s)
{
	s->denied++;
}

void stats_slots(struct stats *s, unsigned compiling, unsigned queued)
{
	s->compiling = compiling;
	s->queued = queued;
}

void stats_job_started(struct stats *s, usec_t now)
{
	stats_advance(s, now);
	s->running++;
}

static bool is_compile(enum job_result r)
{
	return r == JOB_COMPILE_OK || r == JOB_COMPILE_ERROR ||
	       r == JOB_COMPILE_TIMEOUT || r == JOB_CLI_DISCONN;
}

void stats_job_finished(struct stats *s, enum job_result result, usec_t now)
{
	if ((unsigned)result >= _JOB_RESULT_MAX)
		result = JOB_OTHER;
	stats_advance(s, now);
	if (s->running > 0)
		s->running--;
	s->results[result]++;
	if (is_compile(result))
		s->compiles[s->head % STATS_RING]++;
}

void stats_job_duration(struct stats *s, const char *input, const char *compiler, int64_t msecs)
{
	if (msecs < 0 || msecs <= s->longest_msecs)
		return;
	s->longest_msecs = msecs;
	copy_name(s->longest_input, input);
	copy_name(s->longest_compiler, compiler);
}

static unsigned window_secs(unsigned minutes)
{
	unsigned w = minutes * 60u;

	if (w == 0)
		w = 60;
	return w > STATS_WINDOW_SECS ? STATS_WINDOW_SECS : w;
}

/* Bucket of the second @i seconds before the newest one. */
static size_t bucket(const struct stats *s, unsigned i)
{
	return (size_t)((s->head - i) % STATS_RING);
}

double stats_avg_running(const struct stats *s, unsigned minutes)
{
	unsigned w = window_secs(minutes), i;
	uint64_t partial = (s->last - s->start) - s->head * USEC_PER_SEC;
	uint64_t covered = (uint64_t)w * USEC_PER_SEC, elapsed = s->last - s->start;
	double sum = 0;

	/* [last - w s, last]: w - 1 whole seconds, the newest partial one, and
	 * the rest of the oldest second pro rata. */
	for (i = 0; i < w && i <= s->head; i++)
		sum += (double)s->kid_usec[bucket(s, i)];
	if (w <= s->head)
		sum += (double)s->kid_usec[bucket(s, w)] * (double)(USEC_PER_SEC - partial) /
		       (double)USEC_PER_SEC;
	if (elapsed < covered)
		covered = elapsed;
	return covered ? sum / (double)covered : 0.0;
}

uint64_t stats_recent_compiles(const struct stats *s, unsigned minutes)
{
	unsigned w = window_secs(minutes), i;
	uint64_t sum = 0;

	for (i = 0; i < w && i <= s->head; i++)
		sum += s->compiles[bucket(s, i)];
	return sum;
}

/* --- child -> parent record --- */

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void stats_record_fill(struct stats_record *rec, uint32_t pid, enum job_result result,
		       uint32_t msecs, const char *input, const char *compiler)
{
	memset(rec, 0, sizeof(*rec));
	rec->pid = pid;
	rec->result = result;
	rec->msecs = msecs;
	copy_name(rec->input, input);
	copy_name(rec->compiler, compiler);
}

void stats_record_encode(const struct stats_record *rec, uint8_t out[STATS_RECORD_SIZE])
{
	memset(out, 0, STATS_RECORD_SIZE);
	put_u32(out, STATS_RECORD_MAGIC);
	put_u32(out + 4, rec->pid);
	put_u32(out + 8, (uint32_t)rec->result);
	put_u32(out + 12, rec->msecs);
	memcpy(out + 16, rec->input, strnlen(rec->input, STATS_NAME_MAX - 1));
	memcpy(out + 16 + STATS_NAME_MAX, rec->compiler, strnlen(rec->compiler, STATS_NAME_MAX - 1));
}

static int get_name(const uint8_t *p, char dst[STATS_NAME_MAX])
{
	if (!memchr(p, 0, STATS_NAME_MAX))
		return -EBADMSG;
	copy_name(dst, (const char *)p);
	return 0;
}

int stats_record_decode(const uint8_t in[STATS_RECORD_SIZE], struct stats_record *ret)
{
	struct stats_record rec = { 0 };
	uint32_t result;

	if (get_u32(in) != STATS_RECORD_MAGIC)
		return -EBADMSG;
	result = get_u32(in + 8);
	if (result >= _JOB_RESULT_MAX)
		return -EBADMSG;
	if (get_name(in + 16, rec.input) < 0 || get_name(in + 16 + STATS_NAME_MAX, rec.compiler) < 0)
		return -EBADMSG;
	rec.pid = get_u32(in + 4);
	rec.result = (enum job_result)result;
	rec.msecs = get_u32(in + 12);
	*ret = rec;
	return 0;
}

/* --- requests --- */

bool stats_request_complete(const char *req, size_t len)
{
	return memchr(req, '\n', len) != NULL;
}

enum stats_page stats_page_for_request(const char *req, size_t len)
{
	static const char want[] = "GET /metrics";
	const size_t n = sizeof(want) - 1;

	if (len <= n || memcmp(req, want, n) != 0)
		return STATS_PAGE_DISTCC;
	switch (req[n]) {
	case ' ':
	case '?':
	case '\r':
	case '\n':
		return STATS_PAGE_METRICS;
	default:
		return STATS_PAGE_DISTCC;
	}
}

/* --- pages --- */

static int format_distcc_counters(const struct stats *s, struct buf *out)
{
	return buf_printf(out,
			  "dcc_tcp_accept %" PRIu64 "\n"
			  "dcc_rej_bad_req %" PRIu64 "\n"
			  "dcc_rej_overload %" PRIu64 "\n"
			  "dcc_compile_ok %" PRIu64 "\n"
			  "dcc_compile_error %" PRIu64 "\n"
			  "dcc_compile_timeout %" PRIu64 "\n"
			  "dcc_cli_disconnect %" PRIu64 "\n"
			  "dcc_other %" PRIu64 "\n"
			  "dcc_longest_job %s\n"
			  "dcc_longest_job_compiler %s\n"
			  "dcc_longest_job_time_msecs %" PRId64 "\n"
			  "dcc_max_kids %u\n",
			  s->tcp_accept, s->results[JOB_REJ_BAD_REQ],
			  s->results[JOB_REJ_OVERLOAD], s->results[JOB_COMPILE_OK],
			  s->results[JOB_COMPILE_ERROR], s->results[JOB_COMPILE_TIMEOUT],
			  s->results[JOB_CLI_DISCONN], s->results[JOB_OTHER],
			  s->longest_msecs < 0 ? "none" : s->longest_input,
			  s->longest_msecs < 0 ? "none" : s->longest_compiler,
			  s->longest_msecs < 0 ? (int64_t)-1 : s->longest_msecs, s->max_kids);
}

static long round_avg(double v)
{
	return (long)(v + 0.5);
}

int stats_format_distcc(const struct stats *s, const struct stats_host *h, struct buf *out)
{
	int r;

	r = buf_append_str(out, "HTTP/1.0 200 OK\n"
				"Content-Type: text/plain\n"
				"Connection: close\n"
				"\n"
				"argv /distccd\n"
				"<distccstats>\n");
	if (r >= 0)
		r = format_distcc_counters(s, out);
	if (r >= 0)
		r = buf_printf(out,
			       "dcc_avg_kids1 %ld\n"
			       "dcc_avg_kids2 %ld\n"
			       "dcc_avg_kids3 %ld\n"
			       "dcc_current_load %d\n"
			       "dcc_load1 %1.2lf\n"
			       "dcc_load2 %1.2lf\n"
			       "dcc_load3 %1.2lf\n"
			       "dcc_num_compiles1 %" PRIu64 "\n"
			       "dcc_num_compiles2 %" PRIu64 "\n"
			       "dcc_num_compiles3 %" PRIu64 "\n"
			       "dcc_num_procstate_D %d\n"
			       "dcc_max_RSS %lld\n"
			       "dcc_max_RSS_name %s\n"
			       "dcc_io_rate %ld\n"
			       "dcc_free_space %" PRIu64 " MB\n"
			       "</distccstats>\n",
			       round_avg(stats_avg_running(s, 1)), round_avg(stats_avg_running(s, 5)),
			       round_avg(stats_avg_running(s, 15)), h->running_tasks, h->load[0],
			       h->load[1], h->load[2], stats_recent_compiles(s, 1),
			       stats_recent_compiles(s, 5), stats_recent_compiles(s, 15), h->procs_d,
			       h->max_rss_kb, h->max_rss_name[0] ? h->max_rss_name : "none",
			       h->io_rate, h->free_bytes / (1024 * 1024));
	return r;
}

/* OpenMetrics label value: escape backslash, quote, newline. */
static int append_label_value(struct buf *out, const char *v)
{
	int r = 0;

	for (; *v && r >= 0; v++) {
		if (*v == '\\')
			r = buf_append_str(out, "\\\\");
		else if (*v == '"')
			r = buf_append_str(out, "\\\"");
		else if (*v == '\n')
			r = buf_append_str(out, "\\n");
		else
			r = buf_append(out, v, 1);
	}
	return r;
}

static int family(struct buf *out, const char *name, const char *type, const char *unit,
		  const char *help)
{
	int r = buf_printf(out, "# TYPE %s %s\n", name, type);

	if (r >= 0 && unit)
		r = buf_printf(out, "# UNIT %s %s\n", name, unit);
	if (r >= 0)
		r = buf_printf(out, "# HELP %s %s\n", name, help);
	return r;
}

static int format_metrics_jobs(const struct stats *s, struct buf *out)
{
	int r;

	/* result labels are the journal's DISTCC_RESULT= values */
	r = family(out, "distccd_connections", "counter", NULL,
		   "Connections accepted on the compile port.");
	if (r >= 0)
		r = buf_printf(out, "distccd_connections_total %" PRIu64 "\n", s->tcp_accept);
	if (r >= 0)
		r = family(out, "distccd_connections_denied", "counter", NULL,
			   "Connections refused by the access list (--allow).");
	if (r >= 0)
		r = buf_printf(out, "distccd_connections_denied_total %" PRIu64 "\n", s->denied);
	if (r >= 0)
		r = family(out, "distccd_jobs", "counter", NULL, "Jobs finished, by result.");
	for (unsigned i = 0; r >= 0 && i < _JOB_RESULT_MAX; i++)
		r = buf_printf(out, "distccd_jobs_total{result=\"%s\"} %" PRIu64 "\n",
			       job_result_to_string((enum job_result)i), s->results[i]);
	if (r >= 0)
		r = family(out, "distccd_running_jobs", "gauge", NULL, "Jobs running now.");
	if (r >= 0)
		r = buf_printf(out, "distccd_running_jobs %u\n", s->running);
	if (r >= 0)
		r = family(out, "distccd_max_jobs", "gauge", NULL, "Concurrent job limit (--jobs).");
	if (r >= 0)
		r = buf_printf(out, "distccd_max_jobs %u\n", s->max_kids);
	return r;
}

/* What a client balancing by live state needs (distcc-hosts(5) ",auto"). */
static int format_metrics_slots(const struct stats *s, struct buf *out)
{
	int r;

	r = family(out, "distccd_compiling_jobs", "gauge", NULL, "Jobs holding a compile slot now.");
	if (r >= 0)
		r = buf_printf(out, "distccd_compiling_jobs %u\n", s->compiling);
	if (r >= 0)
		r = family(out, "distccd_free_slots", "gauge", NULL,
			   "Compile slots free now (--jobs minus compiling).");
	if (r >= 0)
		r = buf_printf(out, "distccd_free_slots %u\n",
			       s->max_kids > s->compiling ? s->max_kids - s->compiling : 0);
	if (r >= 0)
		r = family(out, "distccd_queued_jobs", "gauge", NULL,
			   "Requests received and waiting for a compile slot.");
	if (r >= 0)
		r = buf_printf(out, "distccd_queued_jobs %u\n", s->queued);
	return r;
}

static int format_metrics_longest(const struct stats *s, struct buf *out)
{
	int r = family(out, "distccd_longest_job_seconds", "gauge", "seconds",
		       "Duration of the longest successful job, with its input and compiler.");

	if (r < 0 || s->longest_msecs < 0)
		return r;
	r = buf_append_str(out, "distccd_longest_job_seconds{input=\"");
	if (r >= 0)
		r = append_label_value(out, s->longest_input);
	if (r >= 0)
		r = buf_append_str(out, "\",compiler=\"");
	if (r >= 0)
		r = append_label_value(out, s->longest_compiler);
	if (r >= 0)
		r = buf_printf(out, "\"} %" PRId64 ".%03" PRId64 "\n", s->longest_msecs / 1000,
			       s->longest_msecs % 1000);
	return r;
}

static int format_metrics_windows(const struct stats *s, struct buf *out)
{
	static const unsigned minutes[] = { 1, 5, 15 };
	int r;

	r = family(out, "distccd_average_running_jobs", "gauge", NULL,
		   "Average number of running jobs over the window.");
	for (unsigned i = 0; r >= 0 && i < 3; i++)
		r = buf_printf(out, "distccd_average_running_jobs{window=\"%um\"} %.3f\n",
			       minutes[i], stats_avg_running(s, minutes[i]));
	if (r >= 0)
		r = family(out, "distccd_recent_compiles", "gauge", NULL,
			   "Compiles finished within the window (ok, error, timeout, disconnect).");
	for (unsigned i = 0; r >= 0 && i < 3; i++)
		r = buf_printf(out, "distccd_recent_compiles{window=\"%um\"} %" PRIu64 "\n",
			       minutes[i], stats_recent_compiles(s, minutes[i]));
	return r;
}

static int format_metrics_host(const struct stats_host *h, struct buf *out)
{
	static const char *const win[] = { "1m", "5m", "15m" };
	int r;

	r = family(out, "distccd_host_load_average", "gauge", NULL, "The host's load average.");
	for (unsigned i = 0; r >= 0 && i < 3; i++)
		r = buf_printf(out, "distccd_host_load_average{window=\"%s\"} %.2f\n", win[i],
			       h->load[i]);
	if (r >= 0)
		r = family(out, "distccd_host_runnable_tasks", "gauge", NULL,
			   "Runnable tasks on the host (/proc/loadavg).");
	if (r >= 0)
		r = buf_printf(out, "distccd_host_runnable_tasks %d\n", h->running_tasks);
	if (r >= 0)
		r = family(out, "distccd_host_processes_blocked", "gauge", NULL,
			   "Processes in uninterruptible sleep (D state).");
	if (r >= 0)
		r = buf_printf(out, "distccd_host_processes_blocked %d\n", h->procs_d);
	if (r >= 0)
		r = family(out, "distccd_host_max_rss_bytes", "gauge", "bytes",
			   "Largest resident set among non-compiler processes.");
	if (r >= 0)
		r = buf_printf(out, "distccd_host_max_rss_bytes %lld\n", h->max_rss_kb * 1024);
	if (r >= 0)
		r = family(out, "distccd_host_disk_io_sectors_per_second", "gauge", NULL,
			   "Disk sectors read and written per second.");
	if (r >= 0 && h->io_rate >= 0)
		r = buf_printf(out, "distccd_host_disk_io_sectors_per_second %ld\n", h->io_rate);
	if (r >= 0)
		r = family(out, "distccd_tmpdir_free_bytes", "gauge", "bytes",
			   "Free space in the daemon's TMPDIR.");
	if (r >= 0)
		r = buf_printf(out, "distccd_tmpdir_free_bytes %" PRIu64 "\n", h->free_bytes);
	if (r >= 0)
		r = family(out, "distccd_host_memory_available_bytes", "gauge", "bytes",
			   "Memory available for new jobs (MemAvailable, capped by the cgroup limit).");
	if (r >= 0)
		r = buf_printf(out, "distccd_host_memory_available_bytes %" PRIu64 "\n",
			       h->mem_available);
	if (r >= 0)
		r = family(out, "distccd_host_cpus", "gauge", NULL, "CPUs the daemon may use (affinity, cgroup CPU quota).");
	if (r >= 0)
		r = buf_printf(out, "distccd_host_cpus %u.%03u\n", h->millicpus / 1000,
			       h->millicpus % 1000);
	return r;
}

int stats_format_metrics(const struct stats *s, const struct stats_host *h, struct buf *out)
{
	int r;

	r = buf_append_str(out, "HTTP/1.0 200 OK\r\n"
				"Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n"
				"Connection: close\r\n"
				"\r\n");
	if (r >= 0)
		r = format_metrics_jobs(s, out);
	if (r >= 0)
		r = format_metrics_slots(s, out);
	if (r >= 0)
		r = format_metrics_longest(s, out);
	if (r >= 0)
		r = format_metrics_windows(s, out);
	if (r >= 0)
		r = format_metrics_host(h, out);
	if (r >= 0)
		r = buf_append_str(out, "# EOF\n");
	return r;
}
