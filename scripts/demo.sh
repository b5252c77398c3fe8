#!/bin/sh
# demo.sh (make demo): the Kon Tum 2023 sample end to end.
# demo.sh stop (make demo-stop): stop the demo's private server and remove its files.
# demo.sh server: only start the private server; print its libpq environment.
#
# Uses the server libpq's environment names (PGHOST, PGSERVICE or
# PGDATABASE set); otherwise starts a private PostgreSQL and leaves it
# running so that you can query it afterwards (`make demo-stop` stops it).
# Generates the sample into .hoso/demo, loads every landing day, and prints
# the 10-month report, the district ranking and the monthly trend.
#
# The private server's files are not in the work tree: a clone often sits
# under a home of mode 0700 (as /root is), which the postgres user (the
# server runs as postgres when we are root) cannot enter, and a socket path
# must stay under 108 bytes.  They go to a directory made by mktemp under
# /var/tmp, whose name .hoso/pg-dir keeps for the next demo and demo-stop.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/bin"
started=$(date +%s)
pointer="$root/.hoso/pg-dir"

# The recorded directory, if it is still ours: a real directory (no
# symlink) owned by the user the server runs as.
recorded_pgdir() {
	[ -f "$pointer" ] || return 1
	d=$(cat "$pointer")
	owner=$(id -un)
	[ "$(id -u)" -eq 0 ] && owner=postgres
	case $d in /var/tmp/hoso-demo.* | /tmp/hoso-demo.*) ;; *) return 1 ;; esac
	[ -d "$d" ] && [ ! -L "$d" ] && [ "$(stat -c %U "$d")" = "$owner" ] || return 1
	echo "$d"
}

if [ "${1:-}" = stop ]; then
	if d=$(recorded_pgdir); then
		"$root/scripts/pg.sh" stop "$d"
		# the next demo makes a new warehouse anyway; keep the files of a server still up
		if [ -f "$d/data/postmaster.pid" ]; then
			echo "demo: the private server in $d did not stop; its files are kept" >&2
			exit 1
		fi
		rm -rf "$d"
		rm -f "$pointer"
		echo "demo: stopped the private server and removed $d"
	else
		echo "demo: no private server recorded in $pointer"
	fi
	exit 0
fi

# Start (or reuse) the private server; its environment on stdout.
start_private() {
	mkdir -p "$root/.hoso"
	if ! private=$(recorded_pgdir); then
		base=/var/tmp
		[ -d "$base" ] && [ -w "$base" ] || base=/tmp
		private=$(mktemp -d "$base/hoso-demo.XXXXXX")
		echo "$private" >"$pointer"
	fi
	"$root/scripts/pg.sh" start "$private" || {
		cat >&2 <<MSG
demo: cannot start a private PostgreSQL in $private (the reason is above).
demo: either fix that, or point the demo at a server you have:
demo:   PGHOST=... PGUSER=... PGDATABASE=hoso_demo make demo
MSG
		return 1
	}
}

if [ "${1:-}" = server ]; then
	start_private
	exit
fi

if [ -n "${PGHOST:-}${PGSERVICE:-}${PGDATABASE:-}" ]; then
	echo "demo: using the server of your libpq environment (PGHOST=${PGHOST:-} PGDATABASE=${PGDATABASE:-})"
	private=""
else
	pgenv=$(start_private) || exit 1
	private=$(recorded_pgdir)
	eval "$pgenv"
	export PGDATABASE=hoso_demo
	# a fresh warehouse every time: the demo's database is its own
	dropdb --if-exists hoso_demo
	createdb hoso_demo
	echo "demo: private PostgreSQL in $private (Unix socket only), database hoso_demo"
fi

echo "demo: generating the Kon Tum sample (bin/hoso-gen) into .hoso/demo"
rm -rf "$root/.hoso/demo"
mkdir -p "$root/.hoso/demo"
"$bin/hoso-gen" --out "$root/.hoso/demo"
cp "$root/pipelines/kontum-2023.yaml" "$root/.hoso/demo/"
du -sh "$root/.hoso/demo/landing" | sed 's/^/demo: landing files: /'

echo "demo: loading every landing day, 2022-06-01 .. 2024-12-31 (bin/hoso run)"
"$bin/hoso" run "$root/.hoso/demo/kontum-2023.yaml" --from 2022-06-01 --to 2024-12-31

echo
"$bin/hoso" report --from 2022-12-15 --to 2023-10-14 --ranking HUYEN --top 5 --trend

cat <<MSG

demo: done in $(( $(date +%s) - started )) s.
Query the warehouse yourself:
MSG
if [ -n "$private" ]; then
	cat <<MSG
  psql -h '$private' -U postgres -d hoso_demo
MSG
else
	echo "  psql    (your libpq environment)"
fi
cat <<'MSG'
  SELECT * FROM hoso.period_summary('2022-12-15', '2023-10-14');
  SELECT * FROM hoso.unit_ranking('2022-12-15', '2023-10-14', 'HUYEN', 'on_time_rate');
  SELECT * FROM hoso.monthly_trend('2023-01-01', '2023-12-31');
  \d+ hoso.case_fact          -- the data dictionary; docs/analysts.md has more
MSG
[ -n "$private" ] && echo "Stop the private server with: make demo-stop"
exit 0
