#!/bin/sh
# demo.sh (make demo): the Kon Tum 2023 sample end to end.
#
# Uses the server libpq's environment names (PGHOST, PGSERVICE or
# PGDATABASE set); otherwise starts a private PostgreSQL under .hoso/pg in
# the work tree and leaves it running so that you can query it afterwards
# (`make demo-stop` stops it).  Generates the sample into .hoso/demo, loads
# every landing day, and prints the 10-month report, the district ranking
# and the monthly trend.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="$root/bin"
started=$(date +%s)

if [ -n "${PGHOST:-}${PGSERVICE:-}${PGDATABASE:-}" ]; then
	echo "demo: using the server of your libpq environment (PGHOST=${PGHOST:-} PGDATABASE=${PGDATABASE:-})"
	private=""
else
	private="$root/.hoso/pg"
	chmod 755 "$root/.hoso" 2>/dev/null || true
	pgenv=$("$root/scripts/pg.sh" start "$private") || { echo "demo: cannot start PostgreSQL in $private" >&2; exit 1; }
	eval "$pgenv"
	export PGDATABASE=hoso_demo
	# a fresh warehouse every time: the demo's database is its own
	dropdb --if-exists hoso_demo
	createdb hoso_demo
	echo "demo: private PostgreSQL in $private (socket), database hoso_demo"
fi

echo "demo: generating the Kon Tum sample (bin/hoso-gen) into .hoso/demo"
rm -rf "$root/.hoso/demo"
mkdir -p "$root/.hoso/demo"
"$bin/hoso-gen" --out "$root/.hoso/demo"
ln -s "$root/schemas" "$root/.hoso/demo/schemas"
du -sh "$root/.hoso/demo/landing" | sed 's/^/demo: landing files: /'

echo "demo: loading every landing day, 2022-06-01 .. 2024-12-31 (bin/hoso run)"
(cd "$root/.hoso/demo" && "$bin/hoso" run "$root/pipelines/kontum-2023.yaml" --from 2022-06-01 --to 2024-12-31)

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
