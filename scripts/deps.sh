#!/bin/sh
# deps.sh PKG...: install the Debian packages that are missing; do nothing
# (and ask for no privileges) when every one is present.
set -eu
missing=""
for pkg in "$@"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $pkg"
done
if [ -z "$missing" ]; then
	echo "deps: all $# packages present"
	exit 0
fi
echo "deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: not root and no sudo; please install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# a stale package index is the usual reason a fresh machine cannot find a package
$SUDO apt-get install -y -q --no-install-recommends $missing ||
	{ $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends $missing; }
