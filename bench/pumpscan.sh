#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Time the pump include server on a real tree: every compile command that
# `make -n -B TARGETS...` prints in DIR becomes one request; pass 1 is cold
# (empty caches, compiler probed), the next passes warm.
#   bench/pumpscan.sh [--passes N] DIR [make arguments...]
# e.g. bench/pumpscan.sh "$(bench/sources.sh git | cut -d' ' -f2)" objects NO_CURL=1
#      bench/pumpscan.sh . BUILD=/tmp/x all       (this project's own sources)
# Needs `make` (build/libclient.a, build/libcommon.a). Prints two lines per
# pass. PUMPSCAN_TMPDIR (default /tmp) holds the socket and the compressed
# copies: on tmpfs (/dev/shm) writing them costs much less than on ext4.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PASSES=3
if [ "${1:-}" = --passes ]; then PASSES=$2; shift 2; fi
DIR=$(cd "$1" && pwd); shift
TMP=$(mktemp -d /tmp/pumpscan-build-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cc -O2 -D_GNU_SOURCE -I"$HERE/common" -I"$HERE/client" -o "$TMP/pumpscan" "$HERE/bench/pumpscan.c" \
	"$HERE/build/libclient.a" "$HERE/build/libcommon.a" -llzo2
cd "$DIR"
make -n -B "$@" 2>/dev/null | python3 -c '
import os, shlex, shutil, sys
cwd = os.getcwd()
for line in sys.stdin:
    try:
        w = shlex.split(line)
    except ValueError:
        continue
    if not w or "-c" not in w or not any(a.endswith((".c", ".cc", ".cpp")) for a in w):
        continue
    cc = shutil.which(w[0])
    if cc:
        print("\t".join([cwd, cc] + w[1:]))
' > "$TMP/jobs"
echo "$(wc -l < "$TMP/jobs") compile commands from $DIR"
"$TMP/pumpscan" "$PASSES" < "$TMP/jobs"
