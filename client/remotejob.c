/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sequences one remote attempt: preprocess locally while the request head
 * goes out, ship the source, read the reply, write the outputs. Each step's
 * failure is mapped to the outcome that says what the driver does next
 * (another host, a local compile, or the preprocessor's status as final);
 * errno values never steer the control flow.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "cppmode.h"
#include "log.h"
#include "macro.h"
#include "output.h"
#include "pumpjob.h"
#include "remote.h"
#include "remotejob.h"
#include "sshconn.h"
#include "strv.h"
#include "tempfiles.h"

void remotejob_init(struct remotejob *rj, const struct client_config *cfg,
		    const struct argscan_job *scan, remotejob_phase_fn on_phase, void *userdata)
{
	*rj = (struct remotejob){
		.cfg = cfg, .scan = scan, .on_phase = on_phase, .userdata = userdata,
		.lockdir = -EBADF, .cpp_slot = SLOT_NONE, .cpp_err_fd = -EBADF,
	};
	proto_reply_init(&rj->reply);
}

void remotejob_free(struct remotejob *rj)
{
	(void)remotejob_cpp_finish(rj);
	lock_release(&rj->cpp_slot);
	rj->cpp_err_fd = safe_close(rj->cpp_err_fd);
	proto_reply_free(&rj->reply);
	pumpjob_free(&rj->pump);
}

static void phase(struct remotejob *rj, enum mon_phase p, const char *host)
{
	if (rj->on_phase)
		rj->on_phase(rj->userdata, p, host);
}

int remotejob_cpp_finish(struct remotejob *rj)
{
	int r;

	if (!rj->cpp_started || rj->cpp_done)
		return 0;
	r = child_wait(rj->cpp_pid, &rj->cpp_status);
	if (r < 0)
		return log_error_errno(r, "cannot wait for the preprocessor: %m");
	rj->cpp_done = true;
	lock_release(&rj->cpp_slot);
	return 0;
}

/* The local preprocessor writes "-o <temp><cpp_ext>" (argscan leaves the
 * output to us) while the request head goes out. */
static int cpp_start(struct remotejob *rj)
{
	_cleanup_(strv_freep) char **argv = NULL;
	int r;

	if (rj->cpp_started || rj->scan->preprocessed)
		return 0;
	if (rj->lockdir >= 0) {
		r = lock_pick_local(rj->lockdir, rj->localslots_cpp, rj->cfg->pause_msec, NULL,
				    NULL, &rj->cpp_slot);
		if (r < 0)
			log_debug_errno(r, "no cpp slot, preprocessing unlocked: %m");
	}
	r = tempfiles_mktemp(rj->cfg->tmpdir, "distcc_", rj->scan->cpp_ext, 0600, &rj->cpp_path);
	if (r < 0)
		return log_error_errno(r, "cannot create a temp file in '%s': %m", rj->cfg->tmpdir);
	safe_close(r); /* reopened by name when done: clang -E -o renames over it */
	argv = strv_copy(rj->scan->cpp_argv);
	if (!argv || strv_push(&argv, "-o") < 0 || strv_push(&argv, rj->cpp_path) < 0)
		return log_error_errno(-ENOMEM, "cannot build the preprocessor command: %m");
	if (rj->cpp_capture) {
		/* in memory: nothing in TMPDIR, nothing left behind */
		rj->cpp_err_fd = memfd_create("distcc-cpp-stderr", MFD_CLOEXEC);
		if (rj->cpp_err_fd < 0)
			return log_error_errno(errno, "cannot hold the preprocessor's messages: %m");
	}
	r = child_cpp(argv, rj->cpp_err_fd, &rj->cpp_pid);
	if (r < 0)
		return log_error_errno(r, "cannot run the preprocessor '%s': %m", argv[0]);
	rj->cpp_started = true;
	return 0;
}

enum remotejob_outcome remotejob_preprocess(struct remotejob *rj)
{
	if (cpp_start(rj) < 0 || remotejob_cpp_finish(rj) < 0)
		return REMOTEJOB_LOCAL_PROBLEM;
	return rj->cpp_started && rj->cpp_status != 0 ? REMOTEJOB_CPP_FAILED : REMOTEJOB_OK;
}

/* The held preprocessor messages (warnings: it succeeded), once, now that
 * the job goes to a server. */
static void show_cpp_stderr(struct remotejob *rj)
{
	struct stat st;

	if (rj->cpp_err_fd < 0)
		return;
	if (fstat(rj->cpp_err_fd, &st) == 0 && st.st_size > 0 &&
	    lseek(rj->cpp_err_fd, 0, SEEK_SET) == 0)
		(void)xcopy_fd(rj->cpp_err_fd, STDERR_FILENO, (uint64_t)st.st_size,
			       deadline_in(rj->cfg->io_timeout));
	rj->cpp_err_fd = safe_close(rj->cpp_err_fd);
}

/* The DOTI source: the preprocessor's output, or the .i input itself. */
static int doti_open(const struct remotejob *rj, int *ret_fd)
{
	const char *path = rj->scan->preprocessed ? rj->scan->input : rj->cpp_path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return log_error_errno(errno, "cannot open '%s': %m", path);
	*ret_fd = fd;
	return 0;
}

/* Whether the directives-only text in @fd compiles remotely as here. */
static bool same_remotely(int fd)
{
	struct stat st;
	void *p;
	bool local;

	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return true;
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return false;
	local = cppmode_output_is_local(p, (size_t)st.st_size);
	munmap(p, (size_t)st.st_size);
	return !local;
}

/* A ',cpp' host in plain mode gets protocol 2 (LZO), as in distcc 3.4. */
static uint32_t wire_version(const struct host *h)
{
	return h->cpp ? 2 : h->protover;
}

static enum remotejob_outcome transport_failed(struct remotejob *rj, int error)
{
	rj->error = error;
	return REMOTEJOB_TRANSPORT_FAILED;
}

/* Request head, preprocessor, DOTI, reply. */
static enum remotejob_outcome exchange(struct remotejob *rj, const struct host *h, int fd)
{
	_cleanup_close_ int in = -EBADF;
	uint32_t ver = wire_version(h);
	usec_t io = rj->cfg->io_timeout;
	int r;

	r = remote_send_head(fd, ver, rj->scan->server_argv, deadline_in(io));
	if (r < 0)
		return transport_failed(rj, log_debug_errno(r, "sending the request to '%s' failed: %m",
							    h->hostname));
	if (remotejob_cpp_finish(rj) < 0)
		return REMOTEJOB_LOCAL_PROBLEM;
	if (rj->cpp_started && rj->cpp_status != 0)
		return REMOTEJOB_CPP_FAILED; /* not the host's fault */
	show_cpp_stderr(rj);
	if (doti_open(rj, &in) < 0)
		return REMOTEJOB_LOCAL_PROBLEM;
	if (rj->cpp_capture && !same_remotely(in)) {
		log_debug("'%s' names __BASE_FILE__, __TIMESTAMP__, __DATE__ or __TIME__: "
			  "compiling it locally", rj->scan->input);
		return REMOTEJOB_MUST_RUN_LOCALLY;
	}
	phase(rj, PHASE_SEND, NULL);
	r = remote_send_doti(fd, ver, in, deadline_in(io));
	if (r < 0)
		return transport_failed(rj, log_debug_errno(r, "sending the source to '%s' failed: %m",
							    h->hostname));
	phase(rj, PHASE_COMPILE, NULL);
	r = remote_read_reply(fd, ver, deadline_in(io), &rj->reply);
	if (r < 0)
		return transport_failed(rj, log_debug_errno(r, "reading the reply from '%s' failed: %m",
							    h->hostname));
	return rj->reply.status == 0 ? REMOTEJOB_OK : REMOTEJOB_COMPILE_FAILED;
}

/* Pump mode: the source and its headers in the request, no preprocessor. */
static enum remotejob_outcome exchange_pump(struct remotejob *rj, const struct host *h, int fd)
{
	usec_t io = rj->cfg->io_timeout;
	bool local = false;
	int r;

	phase(rj, PHASE_SEND, NULL);
	r = pumpjob_send(&rj->pump, fd, deadline_in(io), &local);
	if (r < 0 && local) {
		log_error_errno(r, "cannot send the headers of '%s': %m", rj->scan->input);
		return REMOTEJOB_LOCAL_PROBLEM;
	}
	if (r < 0)
		return transport_failed(rj, log_debug_errno(r, "sending the request to '%s' failed: %m",
							    h->hostname));
	phase(rj, PHASE_COMPILE, NULL);
	r = remote_read_reply(fd, 3, deadline_in(io), &rj->reply);
	if (r < 0)
		return transport_failed(rj, log_debug_errno(r, "reading the reply from '%s' failed: %m",
							    h->hostname));
	return rj->reply.status == 0 ? REMOTEJOB_OK : REMOTEJOB_COMPILE_FAILED;
}

/* Pump mode on a ',cpp' host, unless the job already runs the local
 * preprocessor (an earlier plain host): its output is ready then. */
static bool use_pump(struct remotejob *rj, const struct host *h)
{
	return h->cpp && !rj->cpp_started && pumpjob_use(&rj->pump, rj->cfg, rj->scan);
}

static int write_results(struct remotejob *rj)
{
	const struct proto_reply *rep = &rj->reply;
	int r;

	phase(rj, PHASE_RECEIVE, NULL);
	(void)output_copy_to_fd(STDERR_FILENO, rep->serr.data, rep->serr.len);
	(void)output_copy_to_fd(STDOUT_FILENO, rep->sout.data, rep->sout.len);
	r = output_write(rj->scan->output, rep->doto.data, rep->doto.len);
	if (r < 0)
		return log_error_errno(r, "cannot write '%s': %m", rj->scan->output);
	return rj->pumped ? pumpjob_write_dotd(&rj->pump, rep) : 0;
}

/* The exchange over ssh's stdin and stdout; ssh's end decides a broken
 * exchange's error (and says what failed, once). */
static enum remotejob_outcome try_ssh(struct remotejob *rj, const struct host *h)
{
	struct sshconn c;
	enum remotejob_outcome o;
	int r;

	r = sshconn_open(rj->cfg, h, &c);
	if (r < 0)
		return transport_failed(rj, r);
	o = rj->pumped ? exchange_pump(rj, h, c.fd) : exchange(rj, h, c.fd);
	r = sshconn_close(&c, o == REMOTEJOB_TRANSPORT_FAILED);
	if (o == REMOTEJOB_TRANSPORT_FAILED && r < 0)
		rj->error = r;
	return o;
}

enum remotejob_outcome remotejob_try(struct remotejob *rj, const struct host *h)
{
	_cleanup_close_ int fd = -EBADF;
	enum remotejob_outcome o;
	int r;

	rj->pumped = use_pump(rj, h);
	phase(rj, PHASE_CONNECT, h->hostname);
	if (!rj->pumped && cpp_start(rj) < 0)
		return REMOTEJOB_LOCAL_PROBLEM;
	proto_reply_free(&rj->reply);
	proto_reply_init(&rj->reply);
	if (h->mode == HOST_SSH)
		o = try_ssh(rj, h);
	else {
		r = remote_connect(h, REMOTE_CONNECT_TIMEOUT_USEC, &fd);
		if (r < 0)
			return transport_failed(rj, log_debug_errno(r, "cannot connect to '%s' port %u: %m",
								    h->hostname, h->port));
		o = rj->pumped ? exchange_pump(rj, h, fd) : exchange(rj, h, fd);
	}
	if (o == REMOTEJOB_OK && write_results(rj) < 0)
		return REMOTEJOB_LOCAL_PROBLEM;
	return o;
}
