# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer targets (clang -fsanitize=fuzzer,address,undefined).
#   make -f tests/fuzz/fuzz.mk            build every target under build/fuzz/
#   make -f tests/fuzz/fuzz.mk run FUZZ_SECONDS=N   run each for N seconds
#   ... FUZZ_RUNS=N                               or stop each after N inputs
# `make fuzz FUZZ_SECONDS=N [FUZZ_RUNS=N] [FUZZ_JOBS=N]` from the top does the
# latter (FUZZ_JOBS targets at a time); each target's log and final stats go
# to build/fuzz/run-<target>.log. Seeds live in
# tests/fuzz/corpus/<target>/; new inputs go to build/fuzz/work/<target>/ so
# the repository's corpus only changes by hand. Crashes land in
# build/fuzz/crash-<target>-*.
# Targets for client modules are built once their implementation exists.

FUZZ_BUILD   ?= build/fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= -1
# per input, wall clock: raise it for runs at nice 19 on a busy machine
FUZZ_TIMEOUT ?= 10
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GNU_SOURCE \
                -DPACKAGE_VERSION='"fuzz"' -Icommon -Iclient -Idaemon -Itests/fuzz
FUZZ_COMMON  := $(filter-out %-main.c,$(wildcard common/*.c))
FUZZ_LIBS    := -llzo2

# longest input per target: 64 KiB, but 4 KiB for the text parsers whose
# real inputs are a host list, a command line or a map file (libFuzzer
# otherwise grows inputs towards the bound and runs ten times slower)
FUZZ_MAXLEN  ?= 65536
FUZZ_MAXLEN_hostspec := 4096
FUZZ_MAXLEN_argscan  := 4096
FUZZ_MAXLEN_toolmap  := 4096

FUZZ_TARGETS := request lzo jobscan jobscan-plan
FUZZ_SRC_request   := $(FUZZ_COMMON)
FUZZ_SRC_lzo       := $(FUZZ_COMMON)
FUZZ_SRC_jobscan   := daemon/jobscan.c $(FUZZ_COMMON)
FUZZ_SRC_jobscan-plan := daemon/jobscan.c $(FUZZ_COMMON)
ifneq ($(wildcard client/hostspec.c),)
FUZZ_TARGETS += hostspec
FUZZ_SRC_hostspec := client/hostspec.c $(FUZZ_COMMON)
endif
FUZZ_TARGETS += toolmap
FUZZ_SRC_toolmap := daemon/toolmap.c $(FUZZ_COMMON)
ifneq ($(wildcard client/elfinfo.c),)
FUZZ_TARGETS += elfinfo
FUZZ_SRC_elfinfo := client/elfinfo.c $(FUZZ_COMMON)
endif
ifneq ($(wildcard client/argscan.c),)
FUZZ_TARGETS += argscan
FUZZ_SRC_argscan := client/argscan.c $(FUZZ_COMMON)
endif

FUZZ_BINS := $(patsubst %,$(FUZZ_BUILD)/fuzz-%,$(FUZZ_TARGETS))

.PHONY: all run list
.SECONDARY:
all: $(FUZZ_BINS)

list:
	@echo $(FUZZ_TARGETS)

.SECONDEXPANSION:
$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz-%.c $$(FUZZ_SRC_$$*) tests/fuzz/fuzz-argv.h \
		daemon/jobscan-options.inc
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC_$*) $(FUZZ_LIBS)

# one rule per target, so that `make -jN fuzz` runs N targets at a time
run: $(addprefix run-,$(FUZZ_TARGETS))

run-%: $(FUZZ_BUILD)/fuzz-%
	@mkdir -p $(FUZZ_BUILD)/work/$*
	@echo "fuzzing $* for $(FUZZ_SECONDS)s (at most $(FUZZ_RUNS) runs)"
	$(FUZZ_BUILD)/fuzz-$* -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) -timeout=$(FUZZ_TIMEOUT) \
		-rss_limit_mb=2048 -max_len=$(or $(FUZZ_MAXLEN_$*),$(FUZZ_MAXLEN)) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_BUILD)/crash-$*- \
		$(FUZZ_BUILD)/work/$* tests/fuzz/corpus/$* 2>$(FUZZ_BUILD)/run-$*.log || \
		{ tail -50 $(FUZZ_BUILD)/run-$*.log; exit 1; }
	@grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^Done' $(FUZZ_BUILD)/run-$*.log \
		| sed 's/^/$*: /'
