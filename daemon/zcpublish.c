/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Avahi side of distccd --zeroconf: see zcpublish.h. The records
 * themselves are built by common/zctxt.c.
 */
#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/alternative.h>
#include <avahi-common/error.h>
#include <avahi-common/malloc.h>
#include <avahi-common/thread-watch.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "hosttriple.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "zcpublish.h"
#include "zctxt.h"

struct zc_publisher {
	AvahiThreadedPoll *poll;
	AvahiClient *client;
	AvahiEntryGroup *group;
	char *name;                /* the service name, changed on collision */
	char subtype[128];         /* "" when the compiler could not be asked */
	AvahiStringList *txt;
	unsigned port;
};

static void create_services(struct zc_publisher *p, AvahiClient *c);

static void group_cb(AvahiEntryGroup *g, AvahiEntryGroupState state, void *userdata)
{
	struct zc_publisher *p = userdata;
	char *n;

	switch (state) {
	case AVAHI_ENTRY_GROUP_ESTABLISHED:
		log_info("zeroconf: published '%s' (%s) on port %u", p->name, ZC_SERVICE_TYPE, p->port);
		break;
	case AVAHI_ENTRY_GROUP_COLLISION:
		n = avahi_alternative_service_name(p->name);
		if (!n)
			return;
		log_notice("zeroconf: name '%s' taken, publishing as '%s'", p->name, n);
		avahi_free(p->name);
		p->name = n;
		avahi_entry_group_reset(g);
		create_services(p, avahi_entry_group_get_client(g));
		break;
	case AVAHI_ENTRY_GROUP_FAILURE:
		log_warning("zeroconf: publishing failed: %s",
			    avahi_strerror(avahi_client_errno(avahi_entry_group_get_client(g))));
		break;
	default:
		break;
	}
}

static void create_services(struct zc_publisher *p, AvahiClient *c)
{
	int r;

	if (!p->group)
		p->group = avahi_entry_group_new(c, group_cb, p);
	if (!p->group || !avahi_entry_group_is_empty(p->group))
		return;
	r = avahi_entry_group_add_service_strlst(p->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0,
						 p->name, ZC_SERVICE_TYPE, NULL, NULL,
						 (uint16_t)p->port, p->txt);
	if (r >= 0 && p->subtype[0])
		r = avahi_entry_group_add_service_subtype(p->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
							  0, p->name, ZC_SERVICE_TYPE, NULL, p->subtype);
	if (r >= 0)
		r = avahi_entry_group_commit(p->group);
	if (r == AVAHI_ERR_COLLISION) {
		group_cb(p->group, AVAHI_ENTRY_GROUP_COLLISION, p);
		return;
	}
	if (r < 0)
		log_warning("zeroconf: cannot publish '%s': %s", p->name, avahi_strerror(r));
}

static void client_cb(AvahiClient *c, AvahiClientState state, void *userdata)
{
	struct zc_publisher *p = userdata;

	switch (state) {
	case AVAHI_CLIENT_S_RUNNING:
		create_services(p, c);
		break;
	case AVAHI_CLIENT_S_COLLISION:
	case AVAHI_CLIENT_S_REGISTERING:
		if (p->group)
			avahi_entry_group_reset(p->group);
		break;
	case AVAHI_CLIENT_CONNECTING:
		log_info("zeroconf: waiting for the Avahi daemon");
		break;
	case AVAHI_CLIENT_FAILURE:
		log_warning("zeroconf: Avahi client failed: %s", avahi_strerror(avahi_client_errno(c)));
		break;
	}
}

static int build_records(struct zc_publisher *p, unsigned jobs)
{
	_cleanup_free_ char *machine = capture_cc_line("-dumpmachine"), *version = capture_cc_line("-dumpversion");
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	struct zc_server_info info = { .cpus = n > 0 ? (unsigned)n : 1, .jobs = jobs,
				       .cc_machine = machine, .cc_version = version,
				       .gnuhost = host_triple(), .lzo = true, .cpp = true };
	char host[256] = "localhost", **v = NULL;
	int r;

	if (zc_subtype(machine, version, p->subtype, sizeof(p->subtype)) < 0) {
		log_warning("zeroconf: cannot ask 'cc' for its machine and version: no subtype");
		p->subtype[0] = '\0';
	}
	(void)gethostname(host, sizeof(host) - 1);
	p->name = avahi_strdup_printf("distcc@%s", host);
	r = zc_txt_build(&info, &v);
	if (r < 0 || !p->name)
		return -ENOMEM;
	p->txt = avahi_string_list_new_from_array((const char **)v, -1);
	strv_free(v);
	return p->txt ? 0 : -ENOMEM;
}

void zc_publish_stop(struct zc_publisher *p)
{
	if (!p)
		return;
	if (p->poll)
		avahi_threaded_poll_stop(p->poll);
	if (p->client)
		avahi_client_free(p->client);     /* frees the group too */
	if (p->poll)
		avahi_threaded_poll_free(p->poll);
	avahi_string_list_free(p->txt);
	avahi_free(p->name);
	free(p);
}

int zc_publish_start(unsigned port, unsigned jobs, struct zc_publisher **ret)
{
	struct zc_publisher *p = calloc(1, sizeof(*p));
	sigset_t all, old;
	int err = 0, r;

	if (!p)
		return -ENOMEM;
	p->port = port;
	r = build_records(p, jobs);
	if (r >= 0 && !(p->poll = avahi_threaded_poll_new()))
		r = -ENOMEM;
	if (r >= 0 && !(p->client = avahi_client_new(avahi_threaded_poll_get(p->poll),
						     AVAHI_CLIENT_NO_FAIL, client_cb, p, &err))) {
		log_error("zeroconf: cannot create an Avahi client: %s", avahi_strerror(err));
		r = -EIO;
	}
	if (r < 0) {
		zc_publish_stop(p);
		return r;
	}
	/* the poll thread inherits this mask: signals stay the main loop's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = avahi_threaded_poll_start(p->poll);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0) {
		zc_publish_stop(p);
		return log_error_errno(-EIO, "zeroconf: cannot start the Avahi thread");
	}
	*ret = p;
	return 0;
}

int zc_publish_run(unsigned port, unsigned jobs)
{
	struct zc_publisher *p = NULL;
	sigset_t mask;
	int sig, r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	r = zc_publish_start(port, jobs, &p);
	if (r < 0)
		return r;
	log_notice("zeroconf: publishing port %u for the socket-activated distccd", port);
	(void)sigwait(&mask, &sig);
	zc_publish_stop(p);
	return 0;
}
