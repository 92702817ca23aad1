#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch and unpack the benchmark workloads from Debian's own source packages,
# outside the repository (default /var/tmp/distcc-bench/src). Idempotent: a
# deb-src entry mirroring the stock Debian entries is added once, `apt-get
# update` runs only when the source index is missing, and unpacked trees are
# cached between runs (a ".ready" stamp marks a complete unpack).
# Usage: sources.sh [git|re2]...   prints "NAME DIR" for each workload.
set -euo pipefail
ROOT=${BENCH_ROOT:-/var/tmp/distcc-bench}
SRC=$ROOT/src
LIST=/etc/apt/sources.list.d/distcc-bench-src.sources

log() { echo "sources: $*" >&2; }

# Emit deb-src stanzas for every enabled Debian "deb" entry (deb822 files and
# one-line sources.list), keeping URIs/suites/components/keyring.
mirror_entries() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] && [ "$f" != "$LIST" ] || continue
		awk 'BEGIN { RS=""; ORS="\n\n" }
		     { types=0; debian=0; n=split($0, l, "\n")
		       for (i = 1; i <= n; i++) {
			 if (l[i] ~ /^Types:/ && (" " substr(l[i], 7) " ") ~ / deb /) types=1
			 if (l[i] ~ /^URIs:/ && l[i] ~ /debian/) debian=1 }
		       if (!types || !debian) next
		       out=""
		       for (i = 1; i <= n; i++) {
			 if (l[i] ~ /^#/) continue
			 out = out (l[i] ~ /^Types:/ ? "Types: deb-src" : l[i]) "\n" }
		       printf "%s\n", out }' "$f"
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n -E 's/^[[:space:]]*deb[[:space:]]+((\[[^]]*\][[:space:]]+)?[^[:space:]]*debian[^[:space:]]*[[:space:]].*)$/\1/p' \
			/etc/apt/sources.list | while read -r line; do
			set -- $line
			local opts="" uri suite
			case "$1" in \[*) opts=$1; shift ;; esac
			uri=$1 suite=$2; shift 2
			printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n' "$uri" "$suite" "$*"
			case "$opts" in *signed-by=*) printf 'Signed-By: %s\n' "$(sed -E 's/.*signed-by=([^] ]*).*/\1/' <<<"$opts")" ;; esac
			printf '\n'
		done
	fi
}

ensure_deb_src() {
	local want
	want=$(mirror_entries)
	[ -n "$want" ] || { log "no Debian apt entry to mirror"; return 1; }
	if [ ! -f "$LIST" ] || [ "$(cat "$LIST")" != "$want" ]; then
		log "writing $LIST"
		printf '%s\n' "$want" >"$LIST"
		apt-get update -qq
	elif ! apt-cache showsrc git >/dev/null 2>&1 || [ -z "$(apt-cache showsrc git 2>/dev/null)" ]; then
		apt-get update -qq
	fi
}

# unpack PKG into $SRC/PKG (cached)
fetch() {
	local pkg=$1 dir=$SRC/$1
	if [ -f "$dir/.ready" ]; then
		echo "$pkg $(cat "$dir/.ready")"
		return
	fi
	ensure_deb_src
	rm -rf "$dir"
	mkdir -p "$dir"
	log "apt-get source $pkg"
	(cd "$dir" && apt-get source -qq "$pkg" >&2)
	local tree
	tree=$(find "$dir" -mindepth 1 -maxdepth 1 -type d | head -n1)
	[ -n "$tree" ] || { log "no tree unpacked for $pkg"; return 1; }
	prepare_"$pkg" "$tree"
	echo "$tree" >"$dir/.ready"
	echo "$pkg $tree"
}

prepare_git() { :; }

# re2 ships Unicode tables generated from Unicode 14 data; Debian regenerates
# them from unicode-data at build time. Regenerate once (needs python3-six),
# falling back to the shipped tables if that fails.
prepare_re2() {
	local tree=$1
	if (cd "$tree" && make -s REBUILD_TABLES=1 re2/perl_groups.cc re2/unicode_casefold.cc \
		re2/unicode_groups.cc >"$tree/.tables.log" 2>&1); then
		log "re2: Unicode tables regenerated"
	else
		log "re2: table regeneration failed (see $tree/.tables.log); using the shipped tables"
	fi
}

[ $# -gt 0 ] || set -- git re2
for p in "$@"; do fetch "$p"; done
