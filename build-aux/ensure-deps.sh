#!/bin/sh
# Install the Debian packages listed in the given files when any is missing.
# As root: apt-get install them. Otherwise: print the exact command and fail.
set -eu
missing=""
for f in "$@"; do
	for p in $(sed -e 's/#.*//' "$f"); do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$s" in *" installed") ;; *) missing="$missing $p" ;; esac
	done
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "installing missing packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends$missing
	exit 0
fi
echo "missing packages; run as root:" >&2
echo "  apt-get install -y$missing" >&2
exit 1
