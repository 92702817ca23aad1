/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The +zeroconf browser: see zcbrowse.h. Records are read by
 * common/zctxt.c; this file only talks to Avahi and writes the list.
 */
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <avahi-common/simple-watch.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "io.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "zcbrowse.h"
#include "zctxt.h"

/*
 * Avahi is loaded only here, with dlopen(), when a browser starts: every
 * other distcc run (one per compile job) then maps libc and liblzo2 alone
 * instead of libavahi-client, libdbus, libsystemd and their six
 * dependencies, which cost about 4 ms of CPU per job (bench/README.md).
 */
#define AVAHI_SYMBOLS(X)                                                          \
	X(avahi_address_snprint) X(avahi_client_errno) X(avahi_client_free)          \
	X(avahi_client_new) X(avahi_service_browser_new)                             \
	X(avahi_service_resolver_free) X(avahi_service_resolver_new)                 \
	X(avahi_simple_poll_free) X(avahi_simple_poll_get)                           \
	X(avahi_simple_poll_iterate) X(avahi_simple_poll_new)                        \
	X(avahi_simple_poll_quit) X(avahi_strerror) X(avahi_string_list_get_next)    \
	X(avahi_string_list_get_size) X(avahi_string_list_get_text)
#define AVAHI_LIBRARY "libavahi-client.so.3"

#define DECLARE_SYM(name) static typeof(name) *sym_##name;
AVAHI_SYMBOLS(DECLARE_SYM)

/* Resolve every symbol (from the library and its dependency
 * libavahi-common), or write why not into @why. */
static int avahi_load(char *why, size_t size)
{
	void *dl = dlopen(AVAHI_LIBRARY, RTLD_NOW | RTLD_LOCAL);

	if (!dl) {
		snprintf(why, size, "%s", dlerror());
		return -EOPNOTSUPP;
	}
#define LOAD_SYM(name)                                                             \
	if (!(sym_##name = (typeof(name) *)dlsym(dl, #name))) {                    \
		snprintf(why, size, "%s: no symbol %s", AVAHI_LIBRARY, #name);     \
		return -EOPNOTSUPP;                                                \
	}
	AVAHI_SYMBOLS(LOAD_SYM)
#undef LOAD_SYM
	return 0;   /* the library stays loaded for the browser's life */
}

#define ZC_MAX_SERVICES 1024

struct service {
	AvahiIfIndex ifindex;
	AvahiProtocol proto;
	char *name, *domain;
	AvahiServiceResolver *resolver;    /* while resolving */
	char line[ZC_LINE_MAX];             /* "" until resolved, or skipped */
};

struct browser {
	int dir_fd, lock_fd;
	AvahiSimplePoll *poll;
	AvahiClient *client;
	struct service *svc;
	size_t n;
	unsigned pending;       /* resolvers running */
	bool all_for_now, written, dirty;
	int error;              /* an Avahi failure: stop */
	time_t started;
};

static int write_file_at(int dir_fd, const char *name, const char *text)
{
	char tmp[64];
	_cleanup_close_ int fd = -EBADF;

	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (xwrite_all(fd, text, strlen(text), USEC_INFINITY) < 0 || renameat(dir_fd, tmp, dir_fd, name) < 0) {
		(void)unlinkat(dir_fd, tmp, 0);
		return -EIO;
	}
	return 0;
}

/* The list: each resolved line once, in discovery order. */
static void write_hosts(struct browser *b)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	for (size_t i = 0; i < b->n; i++) {
		bool dup = false;

		if (!b->svc[i].line[0])
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(b->svc[j].line, b->svc[i].line) == 0;
		if (!dup)
			fprintf(f, "%s\n", b->svc[i].line);
	}
	if (fclose(f) != 0)
		return;
	if (write_file_at(b->dir_fd, ZC_HOSTS_FILE, text) >= 0) {
		b->written = true;
		b->dirty = false;
	}
}

static void drop_service(struct browser *b, size_t i)
{
	struct service *s = &b->svc[i];

	if (s->resolver) {
		sym_avahi_service_resolver_free(s->resolver);
		b->pending--;
	}
	free(s->name);
	free(s->domain);
	b->svc[i] = b->svc[--b->n];
	b->dirty = true;
}

static struct service *find_service(struct browser *b, AvahiIfIndex ifindex, AvahiProtocol proto,
				    const char *name, const char *domain, size_t *ret_i)
{
	for (size_t i = 0; i < b->n; i++) {
		struct service *s = &b->svc[i];

		if (s->ifindex == ifindex && s->proto == proto && strcmp(s->name, name) == 0 &&
		    strcmp(s->domain, domain) == 0) {
			if (ret_i)
				*ret_i = i;
			return s;
		}
	}
	return NULL;
}

/* The TXT list as NUL-terminated strings (a record may hold any bytes). */
static char **txt_strv(AvahiStringList *txt)
{
	char **v = NULL;

	for (; txt; txt = sym_avahi_string_list_get_next(txt)) {
		_cleanup_free_ char *s = strndup((const char *)sym_avahi_string_list_get_text(txt),
						 sym_avahi_string_list_get_size(txt));

		if (!s || strv_push(&v, s) < 0) {
			strv_free(v);
			return NULL;
		}
	}
	return v;
}

static void resolved(struct service *s, const AvahiAddress *a, uint16_t port, AvahiStringList *txt)
{
	char addr[AVAHI_ADDRESS_STR_MAX];
	char **v = txt_strv(txt);
	struct zc_found f;
	int r;

	sym_avahi_address_snprint(addr, sizeof(addr), a);
	zc_txt_parse((const char *const *)v, &f);
	strv_free(v);
	r = zc_host_line(addr, port, &f, s->line, sizeof(s->line));
	if (r < 0) {
		s->line[0] = '\0';
		log_info("zeroconf: skipping '%s' at %s: %s", s->name, addr,
			 r == -EADDRNOTAVAIL ? "IPv6 link-local address" : "unusable address");
	}
}

static void resolve_cb(AvahiServiceResolver *r, AvahiIfIndex ifindex, AvahiProtocol proto,
		       AvahiResolverEvent event, const char *name, const char *type,
		       const char *domain, const char *host, const AvahiAddress *a, uint16_t port,
		       AvahiStringList *txt, AvahiLookupResultFlags flags, void *userdata)
{
	struct browser *b = userdata;
	struct service *s = find_service(b, ifindex, proto, name, domain, NULL);

	(void)type, (void)host, (void)flags;
	if (!s || s->resolver != r)
		return;
	if (event == AVAHI_RESOLVER_FOUND)
		resolved(s, a, port, txt);
	else
		log_info("zeroconf: cannot resolve '%s': %s", name,
			 sym_avahi_strerror(sym_avahi_client_errno(b->client)));
	sym_avahi_service_resolver_free(r);
	s->resolver = NULL;
	b->pending--;
	b->dirty = true;
}

static void add_service(struct browser *b, AvahiIfIndex ifindex, AvahiProtocol proto,
			const char *name, const char *type, const char *domain)
{
	struct service *s, *nv;

	if (find_service(b, ifindex, proto, name, domain, NULL) || b->n >= ZC_MAX_SERVICES)
		return;
	nv = realloc(b->svc, (b->n + 1) * sizeof(*nv));
	if (!nv)
		return;
	b->svc = nv;
	s = &b->svc[b->n];
	*s = (struct service){ .ifindex = ifindex, .proto = proto, .name = strdup(name),
			       .domain = strdup(domain) };
	if (!s->name || !s->domain) {
		free(s->name);
		free(s->domain);
		return;
	}
	s->resolver = sym_avahi_service_resolver_new(b->client, ifindex, proto, name, type, domain,
						 AVAHI_PROTO_UNSPEC, 0, resolve_cb, b);
	b->n++;
	if (s->resolver)
		b->pending++;
}

static void browse_cb(AvahiServiceBrowser *sb, AvahiIfIndex ifindex, AvahiProtocol proto,
		      AvahiBrowserEvent event, const char *name, const char *type,
		      const char *domain, AvahiLookupResultFlags flags, void *userdata)
{
	struct browser *b = userdata;
	size_t i;

	(void)sb, (void)flags;
	switch (event) {
	case AVAHI_BROWSER_NEW:
		add_service(b, ifindex, proto, name, type, domain);
		break;
	case AVAHI_BROWSER_REMOVE:
		if (find_service(b, ifindex, proto, name, domain, &i))
			drop_service(b, i);
		break;
	case AVAHI_BROWSER_ALL_FOR_NOW:
		b->all_for_now = true;
		break;
	case AVAHI_BROWSER_FAILURE:
		b->error = sym_avahi_client_errno(b->client);
		sym_avahi_simple_poll_quit(b->poll);
		break;
	default:
		break;
	}
}

static void client_cb(AvahiClient *c, AvahiClientState state, void *userdata)
{
	struct browser *b = userdata;

	if (state == AVAHI_CLIENT_FAILURE) {
		b->error = sym_avahi_client_errno(c);
		sym_avahi_simple_poll_quit(b->poll);
	}
}

/* Seconds since a client last used the list: ours touch the lock file,
 * 3.4's read the hosts file (its atime); never before our own start. */
static long idle_for(const struct browser *b)
{
	time_t last = b->started;
	struct stat st;

	if (fstat(b->lock_fd, &st) == 0 && st.st_mtime > last)
		last = st.st_mtime;
	if (fstatat(b->dir_fd, ZC_HOSTS_FILE, &st, 0) == 0 && st.st_atime > last)
		last = st.st_atime;
	return (long)(time(NULL) - last);
}

static int browse_loop(struct browser *b)
{
	time_t first_by = time(NULL) + ZC_FIRST_LIST_SEC;

	while (idle_for(b) <= ZC_IDLE_SEC) {
		if (sym_avahi_simple_poll_iterate(b->poll, 500) != 0)
			break;
		if (b->error)
			break;
		/* an empty first answer may only mean the network is slow to
		 * reply: it waits for the deadline */
		if (b->written ? b->dirty
			       : (b->all_for_now && b->pending == 0 && b->n > 0) ||
					 time(NULL) >= first_by)
			write_hosts(b);
	}
	return b->error ? -EIO : 0;
}

/* As 3.4: only servers whose cc is ours (machine and version), through the
 * subtype they publish; every server when cc cannot tell. */
static void browse_type(char *buf, size_t size)
{
	_cleanup_free_ char *machine = capture_cc_line("-dumpmachine"), *version = capture_cc_line("-dumpversion");

	if (zc_subtype(machine, version, buf, size) < 0)
		snprintf(buf, size, "%s", ZC_SERVICE_TYPE);
}

/* 3.4's lock: an fcntl write lock on the lock file, for our whole life. */
static int take_lock(int dir_fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = openat(dir_fd, ZC_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		close(fd);
		return -EBUSY;
	}
	return fd;
}

/* Why there is no list, for the clients (zeroconf.c shows it), and an
 * empty list. */
static void browse_failed(int dir_fd, const char *why, const char *hint)
{
	_cleanup_free_ char *text = NULL;

	if (asprintf(&text, "cannot browse with Avahi: %s (%s)\n", why, hint) >= 0)
		(void)write_file_at(dir_fd, ZC_STATUS_FILE, text);
	(void)write_file_at(dir_fd, ZC_HOSTS_FILE, "");
}

int zcbrowse_run(int dir_fd)
{
	_cleanup_close_ int lock_fd = take_lock(dir_fd);
	struct browser b = { .dir_fd = dir_fd, .lock_fd = lock_fd, .started = time(NULL) };
	AvahiServiceBrowser *sb = NULL;
	char type[128], why_load[256];
	int err = 0, r = -EIO;

	if (lock_fd < 0)
		return lock_fd == -EBUSY ? 0 : lock_fd;   /* another browser runs */
	if (avahi_load(why_load, sizeof(why_load)) < 0) {
		browse_failed(dir_fd, why_load, "is libavahi-client3 installed?");
		return -EOPNOTSUPP;
	}
	browse_type(type, sizeof(type));
	(void)unlinkat(dir_fd, ZC_STATUS_FILE, 0);
	b.poll = sym_avahi_simple_poll_new();
	if (b.poll)
		b.client = sym_avahi_client_new(sym_avahi_simple_poll_get(b.poll), 0, client_cb, &b, &err);
	if (b.client)
		sb = sym_avahi_service_browser_new(b.client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
					       type, NULL, 0, browse_cb, &b);
	if (sb)
		r = browse_loop(&b);
	else
		b.error = b.client ? sym_avahi_client_errno(b.client) : err ? err : AVAHI_ERR_NO_MEMORY;
	if (b.error)
		browse_failed(dir_fd, sym_avahi_strerror(b.error), "is avahi-daemon running?");
	while (b.n > 0)
		drop_service(&b, 0);
	free(b.svc);
	if (b.client)
		sym_avahi_client_free(b.client);   /* frees the browser */
	if (b.poll)
		sym_avahi_simple_poll_free(b.poll);
	return r;
}
