#!/bin/sh
# make demo from a copy of the source tree under a directory of mode 0700
# (as /root is), with no libpq environment: it must build, start its own
# server (as root: as the postgres user, which cannot enter that
# directory) and print the Kon Tum reference figures.  Minutes, not
# seconds: the quick server-start check is in tests/integration/05-operator.sh.
. "$HOSO_ROOT/tests/integration/lib.sh"

home="$work/home"
mkdir -p "$home/clone"
chmod 700 "$home"
(cd "$HOSO_ROOT" && git ls-files -z | xargs -0 tar cf -) | (cd "$home/clone" && tar xf -)
rc=0
(cd "$home/clone" && env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGSERVICE make demo) \
	>"$work/demo.log" 2>&1 || rc=$?
assert_eq "$rc" 0 "make demo from a 0700 directory as $(id -un)"
[ "$rc" -eq 0 ] || tail -20 "$work/demo.log"
assert_contains "$(cat "$work/demo.log")" "199,352" "the demo prints received_total"
assert_contains "$(cat "$work/demo.log")" "97.91 %" "the demo prints the on-time rate"
(cd "$home/clone" && make demo-stop) >/dev/null 2>&1
demo_dir=$(cat "$home/clone/.hoso/pg-dir" 2>/dev/null || true)
case $demo_dir in /var/tmp/hoso-demo.* | /tmp/hoso-demo.*) rm -rf "$demo_dir" ;; esac
finish
