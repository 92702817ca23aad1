# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer targets (clang -fsanitize=fuzzer,address,undefined).
#   make -f tests/fuzz/fuzz.mk            build every target under build/fuzz/
#   make -f tests/fuzz/fuzz.mk run FUZZ_SECONDS=N   run each for N seconds
# `make fuzz FUZZ_SECONDS=N` from the top does the latter. Seeds live in
# tests/fuzz/corpus/<target>/; new inputs go to build/fuzz/work/<target>/ so
# the repository's corpus only changes by hand. Crashes land in
# build/fuzz/crash-<target>-*.
# Targets for client modules are built once their implementation exists.

FUZZ_BUILD   ?= build/fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GNU_SOURCE \
                -DPACKAGE_VERSION='"fuzz"' -Icommon -Iclient -Idaemon -Itests/fuzz
FUZZ_COMMON  := $(filter-out %-main.c,$(wildcard common/*.c))
FUZZ_LIBS    := -llzo2

FUZZ_TARGETS := request lzo argpolicy
FUZZ_SRC_request   := $(FUZZ_COMMON)
FUZZ_SRC_lzo       := $(FUZZ_COMMON)
FUZZ_SRC_argpolicy := daemon/argpolicy.c $(FUZZ_COMMON)
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
all: $(FUZZ_BINS)

list:
	@echo $(FUZZ_TARGETS)

.SECONDEXPANSION:
$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz-%.c $$(FUZZ_SRC_$$*) tests/fuzz/fuzz-argv.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC_$*) $(FUZZ_LIBS)

run: all
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/work/$$t; \
		echo "fuzzing $$t for $(FUZZ_SECONDS)s"; \
		$(FUZZ_BUILD)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crash-$$t- \
			$(FUZZ_BUILD)/work/$$t tests/fuzz/corpus/$$t; \
	done
