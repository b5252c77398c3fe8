#!/bin/sh
# with-pg.sh CMD...: run CMD against a fresh private PostgreSQL that is
# stopped and removed afterwards, whatever CMD does (trap on EXIT, INT, TERM).
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/hoso-pg.XXXXXX)
chmod 755 "$dir"
cleanup() {
	"$here/pg.sh" stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pgenv=$("$here/pg.sh" start "$dir") || exit 1
eval "$pgenv"
"$@"
