/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One job's remote side: the local preprocessor (run once per job, however
 * many hosts are tried), then one attempt per host: connect, request head,
 * DOTI, reply, outputs. On a ',cpp' host the job goes in pump mode instead
 * when pumpjob.h says it can: no local preprocessor, protocol 3. Each attempt ends in an explicit outcome that the
 * job driver acts on; nothing here compiles locally or picks hosts.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "argscan.h"
#include "config.h"
#include "hostspec.h"
#include "lock.h"
#include "monstate.h"
#include "proto.h"
#include "pumpjob.h"

enum remotejob_outcome {
	REMOTEJOB_OK,               /* compiled remotely, outputs written */
	REMOTEJOB_COMPILE_FAILED,   /* the compiler failed on the server: see reply.status */
	REMOTEJOB_TRANSPORT_FAILED, /* this host failed (error says how): back off, next host */
	REMOTEJOB_CPP_FAILED,       /* the local preprocessor failed: cpp_status is final */
	REMOTEJOB_LOCAL_PROBLEM,    /* our side failed (spawn, temp file, output): run locally */
	REMOTEJOB_MUST_RUN_LOCALLY, /* the preprocessed text would compile otherwise remotely */
};

/* Told when the job enters a monitor phase (@host NULL: unchanged). */
typedef void (*remotejob_phase_fn)(void *userdata, enum mon_phase phase, const char *host);

struct remotejob {
	/* set by remotejob_init(), owned by the caller */
	const struct client_config *cfg;
	const struct argscan_job *scan;
	remotejob_phase_fn on_phase;
	void *userdata;
	/* set by the caller before the first remotejob_try() */
	int lockdir;               /* -EBADF: no slot locks */
	unsigned localslots_cpp;
	bool cpp_capture;          /* hold the preprocessor's stderr: shown only when the
				    * job is compiled remotely (directives-only mode, whose
				    * failure the driver answers with a local compile) */
	/* the local preprocessor */
	struct slot cpp_slot;
	const char *cpp_path;      /* temp file, owned by the tempfiles registry */
	pid_t cpp_pid;
	int cpp_status;            /* wait status, valid once cpp_done */
	bool cpp_started, cpp_done;
	int cpp_err_fd;            /* cpp_capture: its stderr, a memfd */
	/* pump mode, decided on the first ',cpp' host */
	struct pumpjob pump;
	bool pumped;               /* the last attempt was in pump mode */
	/* the last attempt */
	struct proto_reply reply;  /* REMOTEJOB_OK / REMOTEJOB_COMPILE_FAILED */
	int error;                 /* REMOTEJOB_TRANSPORT_FAILED: negative errno */
};

/* @scan is filled in later, before the first remotejob_try(). */
void remotejob_init(struct remotejob *rj, const struct client_config *cfg,
		    const struct argscan_job *scan, remotejob_phase_fn on_phase, void *userdata);
/* Run the job on @h (a TCP host). Logs local problems once; transport
 * errors only at debug level (the driver reports the host list). */
enum remotejob_outcome remotejob_try(struct remotejob *rj, const struct host *h);
/* Preprocess now, before a host is chosen, and wait for it: REMOTEJOB_OK
 * (ready; remotejob_try() then sends its output), REMOTEJOB_CPP_FAILED or
 * REMOTEJOB_LOCAL_PROBLEM. No-op for an input already preprocessed. */
enum remotejob_outcome remotejob_preprocess(struct remotejob *rj);
/* Wait for the preprocessor if it runs (it writes the .d file: it must be
 * done before anything else does) and release its slot. Idempotent. */
int remotejob_cpp_finish(struct remotejob *rj);
void remotejob_free(struct remotejob *rj);
