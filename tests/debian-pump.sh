#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian 12's own pump client (distcc-pump 3.4), in working order, for the
# protocol 3 interop tests. As packaged it never reaches a server in pump
# mode: its include server's C extension passes "s#" lengths as int without
# PY_SSIZE_T_CLEAN, Python 3.10+ rejects that, and every job silently falls
# back to plain mode. We rebuild that one extension from Debian's distcc
# source with the lengths declared Py_ssize_t, beside a copy of Debian's
# include server and pump script, in $1 (default
# /var/tmp/distcc-tests-debian-pump; the tests pass build/debian-pump). Nothing under /usr is touched.
#
# Needs the packages in build-aux/deps-check.txt (distcc-pump and the build
# dependencies) and a deb-src entry for Debian (added, mirroring the stock
# "deb" entries, when there is none and we are root). Idempotent and safe to
# run concurrently. Prints the pump script's path.
# Exit status: 0 ready; 77 Debian's source cannot be fetched (the caller
# skips, saying so); 1 anything else.
set -euo pipefail
OUT=${1:-/var/tmp/distcc-tests-debian-pump}
PUMP=$OUT/distcc-pump
MOD=include_server/c_extensions/distcc_pump_c_extensions_module.c
SRCLIST=/etc/apt/sources.list.d/distcc-tests-src.sources

say() { echo "debian-pump: $*" >&2; }
cannot_fetch() { say "cannot fetch Debian's distcc source: $*"; exit 77; }

[ -f "$OUT/.ready" ] && { echo "$PUMP"; exit 0; }
mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock 9
[ -f "$OUT/.ready" ] && { echo "$PUMP"; exit 0; }

[ -x /usr/bin/distcc-pump ] && [ -d /usr/lib/python3/dist-packages/include_server ] ||
	{ say "Debian's distcc-pump is not installed (build-aux/deps-check.txt)"; exit 1; }

has_deb_src() {
	grep -rqsE '^(Types:.*deb-src|deb-src[[:space:]])' /etc/apt/sources.list /etc/apt/sources.list.d/
}

# deb-src stanzas for the stock Debian deb822 entries.
add_deb_src() {
	local f=/etc/apt/sources.list.d/debian.sources
	[ "$(id -u)" = 0 ] || cannot_fetch "no deb-src entry, and adding one needs root"
	[ -f "$f" ] || cannot_fetch "no deb-src entry, and no $f to derive one from"
	sed -e 's/^Types:.*\bdeb\b.*$/Types: deb-src/' "$f" >"$SRCLIST.new"
	mv "$SRCLIST.new" "$SRCLIST"
	apt-get -o DPkg::Lock::Timeout=600 update -qq || cannot_fetch "apt-get update failed"
}

has_deb_src || add_deb_src
work=$(mktemp -d /var/tmp/distcc-tests-pumpbuild.XXXXXX)
trap 'rm -rf "$work" "$OUT.new"' EXIT
cd "$work"
# only the upstream tarball is needed: a missing Debian diff is not fatal
apt-get source --download-only -qq distcc >"$work/fetch.log" 2>&1 || true
orig=$(ls distcc_*.orig.tar.* 2>/dev/null | head -1)
[ -n "$orig" ] || cannot_fetch "apt-get source distcc: $(grep -E '^E:' "$work/fetch.log" | head -1)"
tar xf "$orig"
cd distcc-*/
say "configuring Debian's distcc source (the extension needs its config.h)"
./autogen.sh >"$work/autogen.log" 2>&1
./configure --disable-Werror >"$work/configure.log" 2>&1

# The fix: every length PyArg_ParseTuple fills through "s#" becomes Py_ssize_t.
n=$(grep -cE '^  int (in_)?len;$' "$MOD" || true)
[ "$n" -ge 1 ] || { say "no int length to widen in $MOD: not the expected source"; exit 1; }
sed -i -E -e 's/^  int (in_)?len;$/  Py_ssize_t \1len;/' -e '1i #define PY_SSIZE_T_CLEAN' "$MOD"

pyinc=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
ext=$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
rm -rf "$OUT.new"
mkdir -p "$OUT.new"
cp -a /usr/lib/python3/dist-packages/include_server "$OUT.new/include_server"
rm -rf "$OUT.new"/include_server/distcc_pump_c_extensions*.so "$OUT.new"/include_server/__pycache__
say "building the include server's C extension"
# as Debian builds it: the module plus the client's RPC and LZO code
gcc -shared -fPIC -O2 -D_GNU_SOURCE -I. -Isrc -Ilzo -I"$pyinc" \
	-o "$OUT.new/include_server/distcc_pump_c_extensions$ext" "$MOD" lzo/minilzo.c \
	src/{clirpc,clinet,state,srvrpc,pump,rpc,io,include_server_if,trace,snprintf,util}.c \
	src/{tempfile,filename,bulk,sendfile,compress,argutil,cleanup,emaillog,timeval,netutil}.c
# Debian's pump script, pointed at this include server and, unless told
# otherwise, at Debian's client in /usr/bin (it looks next to itself)
sed -e "s|^include_server=.*|include_server='$OUT/include_server/include_server.py'\\
DISTCC_LOCATION=\"\${DISTCC_LOCATION:-/usr/bin}\"|" /usr/bin/distcc-pump >"$OUT.new/distcc-pump"
chmod 755 "$OUT.new/distcc-pump"
python3 -c "import sys; sys.path.insert(0, '$OUT.new/include_server')
import distcc_pump_c_extensions as m; m.CompressLzo1xAlloc(b'x')" ||
	{ say "the rebuilt extension does not work"; exit 1; }
rm -rf "$OUT"
mv "$OUT.new" "$OUT"
touch "$OUT/.ready"
echo "$PUMP"
