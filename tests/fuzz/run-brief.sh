#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Called by tests/check.py: build every fuzz target and run each briefly
# (FUZZ_BRIEF_SECONDS, default 5) over its seed corpus. Prints one line per
# target, "fuzz <name>: PASS|FAIL|SKIP"; exits non-zero on any failure.
# SKIP when clang or its libFuzzer runtime (libclang-rt-14-dev) is missing.
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_BRIEF_SECONDS:-5}
build=${FUZZ_BUILD:-build/fuzz}
targets=$(make -s -f tests/fuzz/fuzz.mk FUZZ_BUILD="$build" list)

probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$probe_dir/p.c"
if ! command -v clang >/dev/null 2>&1 ||
   ! clang -fsanitize=fuzzer -o "$probe_dir/p" "$probe_dir/p.c" >/dev/null 2>&1; then
	for t in $targets; do echo "fuzz $t: SKIP (clang with libFuzzer not available)"; done
	exit 0
fi

status=0
for t in $targets; do
	log="$build/brief-$t.log"
	mkdir -p "$build/work/$t"
	if ! make -s -f tests/fuzz/fuzz.mk FUZZ_BUILD="$build" "$build/fuzz-$t" >"$log" 2>&1; then
		echo "fuzz $t: FAIL (build, see $log)"; cat "$log" >&2; status=1; continue
	fi
	if "$build/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$build/crash-$t-" \
		"$build/work/$t" "tests/fuzz/corpus/$t" >>"$log" 2>&1; then
		echo "fuzz $t: PASS ($(grep -c . "$log") log lines, ${secs}s)"
	else
		echo "fuzz $t: FAIL (see $log)"; tail -40 "$log" >&2; status=1
	fi
done
exit $status
