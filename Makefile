# SPDX-License-Identifier: GPL-2.0-or-later
# One plain non-recursive Makefile. Objects under $(BUILD)/, -MMD -MP deps.
#   make            build distcc, distccd, distccmon-text
#   make check      unit + integration tests, also under ASan+UBSan; prints "N passed, N failed"
#   make install    DESTDIR= PREFIX= (default /usr/local)
#   make demo       see README.md
#   make bench      see bench/README.md
# Every */<prog>-main.c is a program, linked with the rest of its directory.

BUILD     ?= build
SAN       ?= 0
WERROR    ?= 1
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
LIBDIR    ?= $(PREFIX)/lib
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
CONFDDIR  ?= /etc/conf.d
PKG_CONFIG ?= pkg-config
DATADIR   ?= $(PREFIX)/share
DOCDIR    ?= $(DATADIR)/doc/distcc
# systemd paths come from systemd.pc (Debian: /lib/systemd/system, Arch:
# /usr/lib/systemd/system); override for a staged or foreign layout.
sd_var = $(or $(shell $(PKG_CONFIG) --variable=$(1) systemd 2>/dev/null),$(2))
SYSTEMDUNITDIR  ?= $(call sd_var,systemdsystemunitdir,$(PREFIX)/lib/systemd/system)
TMPFILESDIR     ?= $(call sd_var,tmpfilesdir,$(PREFIX)/lib/tmpfiles.d)
USERTMPFILESDIR ?= $(call sd_var,user_tmpfiles_dir,$(DATADIR)/user-tmpfiles.d)
# The masquerade directories update-distcc-symlinks fills by default: the
# client's masquerade dir, distccd's compiler whitelist, makepkg's .../bin.
MASQDIRS  ?= /usr/lib/distcc:/usr/lib/distcc/bin

VERSION   := 3.4
CC        ?= gcc
CFLAGS    ?= -O2 -g
WARNINGS  := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
             -Wvla -Wwrite-strings -Wpointer-arith -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARNINGS  += -Werror
endif
ifeq ($(SAN),1)
HARDEN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HARDEN_LD := -fsanitize=address,undefined
else
HARDEN    := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now
endif
DEFS      := -D_GNU_SOURCE -DSYSCONFDIR='"$(SYSCONFDIR)"' -DLIBDIR='"$(LIBDIR)"' \
             -DCONFDDIR='"$(CONFDDIR)"' -DPACKAGE_VERSION='"$(VERSION)"'
ALL_CFLAGS = -std=gnu11 $(CFLAGS) $(WARNINGS) $(HARDEN) $(DEFS) -Icommon -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(HARDEN_LD)

LZO_LIBS     := -llzo2
SYSTEMD_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null || echo -lsystemd)
CAP_LIBS     := $(shell $(PKG_CONFIG) --libs libcap 2>/dev/null || echo -lcap)
SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
AVAHI_LIBS   := $(shell $(PKG_CONFIG) --libs avahi-client 2>/dev/null || echo -lavahi-client -lavahi-common) -lpthread
CLIENT_LIBS  := $(LZO_LIBS)   # Avahi: dlopen()ed by client/zcbrowse.c
DAEMON_LIBS  := $(LZO_LIBS) $(SYSTEMD_LIBS) $(CAP_LIBS) $(SECCOMP_LIBS) $(AVAHI_LIBS)

COMMON_SRC := $(wildcard common/*.c)
CLIENT_MAINS := $(wildcard client/*-main.c)
DAEMON_MAINS := $(wildcard daemon/*-main.c)
# client/pump/: the include analysis of pump mode (modules, no programs)
CLIENT_SRC := $(filter-out $(CLIENT_MAINS),$(wildcard client/*.c client/pump/*.c))
DAEMON_SRC := $(filter-out $(DAEMON_MAINS),$(wildcard daemon/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
COMMON_LIB := $(BUILD)/libcommon.a
CLIENT_LIB := $(BUILD)/libclient.a
DAEMON_LIB := $(BUILD)/libdaemon.a

CLIENT_PROGS := $(patsubst client/%-main.c,$(BUILD)/%,$(CLIENT_MAINS))
DAEMON_PROGS := $(patsubst daemon/%-main.c,$(BUILD)/%,$(DAEMON_MAINS))
PROGS := $(CLIENT_PROGS) $(DAEMON_PROGS)

TOOLS    := $(BUILD)/update-distcc-symlinks
MANPAGES := $(wildcard man/*.1 man/*.5 man/*.8)
# extra names for `man distccd.socket` etc.: alias -> page
MAN_ALIASES := distccd.socket.5:distcc-units.5 distccd.service.5:distcc-units.5 \
               distccd@.service.5:distcc-units.5 distccd-stats.socket.5:distcc-units.5

UNIT_SRC   := $(wildcard tests/unit/test-*.c)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
# programs the integration tests drive (tests/helpers/*.c)
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(wildcard tests/helpers/*.c))

.PHONY: all deps check-deps check unit-tests units install install-man install-tools demo bench bench-ssh bench-balance fuzz clean FORCE
.DEFAULT_GOAL := all

all: deps $(PROGS) units $(TOOLS)

deps:
	@build-aux/ensure-deps.sh build-aux/deps-build.txt

check-deps:
	@build-aux/ensure-deps.sh build-aux/deps-build.txt build-aux/deps-check.txt

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(COMMON_LIB): $(call obj,$(COMMON_SRC))
$(CLIENT_LIB): $(call obj,$(CLIENT_SRC))
$(DAEMON_LIB): $(call obj,$(DAEMON_SRC))
$(BUILD)/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	$(if $^,ar rcs $@ $^,ar rcs $@)

$(CLIENT_PROGS): $(BUILD)/%: $(BUILD)/client/%-main.o $(CLIENT_LIB) $(COMMON_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CLIENT_LIBS)

$(DAEMON_PROGS): $(BUILD)/%: $(BUILD)/daemon/%-main.o $(DAEMON_LIB) $(COMMON_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DAEMON_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(CLIENT_LIB) $(DAEMON_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lcmocka $(DAEMON_LIBS)

$(TEST_HELPERS): $(BUILD)/tests/%: $(BUILD)/tests/helpers/%.o $(DAEMON_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DAEMON_LIBS)

unit-tests: $(UNIT_TESTS) $(TEST_HELPERS)

# unit tests exercise modules of both programs
$(BUILD)/tests/unit/%.o: ALL_CFLAGS += -Iclient -Idaemon
$(BUILD)/tests/helpers/%.o: ALL_CFLAGS += -Idaemon

# systemd units: *.in get the configured paths (ExecStart= must name the
# installed binary) and the shared sandbox block; regenerated on every make so
# a changed SBINDIR/CONFDDIR never leaves a stale unit behind.
UNIT_IN    := $(wildcard units/*.in)
UNIT_PLAIN := units/distccd.socket units/distccd-stats.socket
UNITS      := $(patsubst units/%.in,$(BUILD)/units/%,$(UNIT_IN)) \
              $(patsubst units/%,$(BUILD)/units/%,$(UNIT_PLAIN))
units: $(UNITS)

$(BUILD)/units/%: units/%.in units/hardening.inc FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@CONFDDIR@|$(CONFDDIR)|g' \
	     -e '/^@HARDENING@$$/{r units/hardening.inc' -e 'd}' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/units/%: units/%
	@mkdir -p $(dir $@)
	@cp $< $@

# Scripts: *.in with the configured paths filled in; regenerated on every
# make (replaced only when the text changes) so `make install PREFIX=/usr`
# never installs a script that names another prefix's distcc.
$(TOOLS): $(BUILD)/%: tools/%.in FORCE
	@mkdir -p $(dir $@)
	@sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@DISTCC@|$(BINDIR)/distcc|g' \
	     -e 's|@MASQDIRS@|$(MASQDIRS)|g' $< > $@.tmp && chmod 755 $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else echo "  GEN     $@"; mv $@.tmp $@; fi

FORCE:

# make check: dependencies, both builds, then every suite through one runner
# that prints the final "N passed, N failed[, N skipped]" line.
# Both builds in parallel with the CPUs there are (an outer -j is honoured).
NPROC := $(shell nproc 2>/dev/null || echo 2)
check: check-deps
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC)) BUILD=build all unit-tests
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC)) BUILD=build/asan SAN=1 all unit-tests
	python3 tests/check.py --build build --asan-build build/asan

fuzz:
	$(MAKE) -f tests/fuzz/fuzz.mk FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) \
		$(if $(FUZZ_RUNS),FUZZ_RUNS=$(FUZZ_RUNS)) $(if $(FUZZ_JOBS),-j$(FUZZ_JOBS)) run

demo: all
	tests/demo/demo.sh

bench: all
	bench/run.sh $(if $(QUICK),--quick)

# SSH hosts: per-job overhead through a real sshd on loopback (bench/README.md)
# live limits vs static ones: heterogeneous servers, two clients (bench/README.md)
bench-balance: all
	bench/balance.sh $(if $(QUICK),--quick)

bench-ssh: all
	bench/ssh.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	$(if $(CLIENT_PROGS),install -m 755 $(CLIENT_PROGS) $(DESTDIR)$(BINDIR)/)
	@# Debian's name for pump
	ln -sf pump $(DESTDIR)$(BINDIR)/distcc-pump
	$(if $(DAEMON_PROGS),install -m 755 $(DAEMON_PROGS) $(DESTDIR)$(SBINDIR)/)
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(CONFDDIR) $(DESTDIR)$(TMPFILESDIR) \
	        $(DESTDIR)$(USERTMPFILESDIR) $(DESTDIR)$(DOCDIR)
	install -m 644 $(UNITS) $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 644 tmpfiles.d/distccd.conf $(DESTDIR)$(TMPFILESDIR)/distccd.conf
	install -m 644 tmpfiles.d/distcc-user.conf $(DESTDIR)$(USERTMPFILESDIR)/distcc.conf
	install -m 644 units/accept-yes.conf $(DESTDIR)$(DOCDIR)/accept-yes.conf
	@# never overwrite a configured system; packagers install into an empty DESTDIR
	test -e $(DESTDIR)$(CONFDDIR)/distccd || install -m 644 conf.d/distccd $(DESTDIR)$(CONFDDIR)/distccd
	$(MAKE) --no-print-directory install-man install-tools

# Man pages into man1/man5/man8, plus alias links for the unit names, and
# the policy documents they refer to into DOCDIR.
install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 644 $(filter %.1,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter %.5,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(filter %.8,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man8/
	$(foreach a,$(MAN_ALIASES),ln -sf $(word 2,$(subst :, ,$(a))) \
	    $(DESTDIR)$(MANDIR)/man5/$(word 1,$(subst :, ,$(a)));)
	ln -sf pump.1 $(DESTDIR)$(MANDIR)/man1/distcc-pump.1
	install -d $(DESTDIR)$(DOCDIR)
	$(if $(wildcard docs/*.md),install -m 644 $(wildcard docs/*.md) $(DESTDIR)$(DOCDIR)/)

# update-distcc-symlinks; run it when installing to the live system.
install-tools: $(TOOLS)
	install -d $(DESTDIR)$(SBINDIR)
	install -m 755 $(TOOLS) $(DESTDIR)$(SBINDIR)/
	$(if $(DESTDIR),,$(SBINDIR)/update-distcc-symlinks -v)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
