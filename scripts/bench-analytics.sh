#!/bin/sh
# bench-analytics.sh (make bench-analytics): the analysts' functions on a
# warehouse of >= 2 million cases, and the cost of a night's summary
# refresh there and in a warehouse a fifth of its size: each
# must answer in under 100 ms on 2 million cases.
#
#   ANALYTICS_SCALE=5   hoso-gen --scale of the big warehouse (5: 2.3 M cases)
#   ANALYTICS_CALLS=7   timed calls of each function (the median is reported)
#   ANALYTICS_DAY=2023-10-27   the night whose refresh is measured
#
# Both warehouses are loaded by `hoso run` from generated samples (no
# padding): the big one from hoso-gen --scale ANALYTICS_SCALE, the small one
# from --scale 1, whose cases are copy 0 of the big sample.  Function times
# are server times (clock_timestamp() around EXECUTE, after one warm-up
# call).  Writes bench/analytics.md, which bench/report.py puts into
# BENCHMARKS.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
scale=${ANALYTICS_SCALE:-5}
calls=${ANALYTICS_CALLS:-7}
day=${ANALYTICS_DAY:-2023-10-27}
work=$root/.hoso/bench/analytics
say() { echo "bench-analytics: $*"; }
# a private PostgreSQL: scripts/with-pg.sh starts it, runs this script
# again against it, and stops it whatever happens
if [ -z "${HOSO_ANALYTICS_PG:-}" ]; then
	HOSO_ANALYTICS_PG=1 exec "$root/scripts/with-pg.sh" "$0" "$@"
fi
export PGHOST PGPORT PGUSER
unset PGDATABASE
mkdir -p "$work"
chmod 755 "$root/.hoso" "$root/.hoso/bench" "$work" 2>/dev/null || true

# --- samples -----------------------------------------------------------------
for s in 1 "$scale"; do
	stamp="scale=$s gen=$(sha256sum "$bin/hoso-gen" | cut -c1-16)"
	if [ "$(cat "$work/s$s.stamp" 2>/dev/null)" != "$stamp" ]; then
		say "generating the Kon Tum sample, scale $s"
		rm -rf "$work/s$s"
		"$bin/hoso-gen" --out "$work/s$s" --scale "$s" --reference "$work/s$s/ref"
		echo "$stamp" >"$work/s$s.stamp"
	fi
	chmod -R a+rX "$work/s$s"
	cat >"$work/s$s.yaml" <<EOF
name: analytics-s$s
source:
  paths: ["$work/s$s/landing/{date:%Y/%m/%d}/*.jsonl.gz"]
  format: dvcqg-jsonl
reference:
  units: $work/s$s/ref/units.csv
  procedures: $work/s$s/ref/procedures.csv
  calendar: $work/s$s/ref/calendar
staging: $work/staging-s$s
EOF
done

pgversion=$(psql -X -At -d postgres -c "SHOW server_version")

for s in 1 "$scale"; do
	say "loading scale $s (hoso run, every landing day)"
	dropdb --if-exists "ha_s$s"
	createdb "ha_s$s"
	start=$(date +%s)
	PGDATABASE="ha_s$s" "$bin/hoso" run "$work/s$s.yaml" --from 2022-06-01 --to 2024-12-31 \
		>"$work/load-s$s.log" 2>&1 || { tail -20 "$work/load-s$s.log" >&2; exit 1; }
	echo $(( $(date +%s) - start )) >"$work/load-s$s.seconds"
	psql -X -q -d "ha_s$s" -c "VACUUM ANALYZE"
done

# bench_ms(query, calls): median server time of the calls, after a warm-up
timing_sql=$(cat "$root/bench/timing.sql")
big="ha_s$scale"
n_big=$(psql -X -At -d "$big" -c "SELECT count(*) FROM hoso.case_fact")
n_small=$(psql -X -At -d ha_s1 -c "SELECT count(*) FROM hoso.case_fact")
n_summary=$(psql -X -At -d "$big" -c "SELECT (SELECT count(*) FROM hoso.summary_day) || ' / ' || (SELECT count(*) FROM hoso.summary_procedure_day)")
district=$(psql -X -At -d "$big" -c "SELECT code FROM hoso.unit WHERE level = 'HUYEN' ORDER BY code LIMIT 1")

say "timing the functions on $n_big cases ($calls calls each)"
{
	echo "$timing_sql"
	while IFS='|' read -r label query; do
		[ -n "$label" ] || continue
		printf "SELECT %s || '|' || %s || '|' || pg_temp.bench_ms(%s, %s);\n" \
			"\$l\$$label\$l\$" "\$l\$$query\$l\$" "\$l\$$query\$l\$" "$calls"
	done <<EOF
period_summary, 10 months|SELECT * FROM hoso.period_summary('2022-12-15', '2023-10-14')
period_summary, one district|SELECT * FROM hoso.period_summary('2022-12-15', '2023-10-14', '$district')
period_summary_by_unit, XA|SELECT * FROM hoso.period_summary_by_unit('2022-12-15', '2023-10-14', 'XA')
period_summary_by_unit, TINH as is|SELECT * FROM hoso.period_summary_by_unit('2022-12-15', '2023-10-14', 'TINH', 'ii06a', true)
unit_ranking, HUYEN on_time_rate|SELECT * FROM hoso.unit_ranking('2022-12-15', '2023-10-14', 'HUYEN', 'on_time_rate')
unit_ranking, XA online_share|SELECT * FROM hoso.unit_ranking('2022-12-15', '2023-10-14', 'XA', 'online_share')
monthly_trend, 2023 calendar|SELECT * FROM hoso.monthly_trend('2023-01-01', '2023-12-31')
monthly_trend, district, reporting|SELECT * FROM hoso.monthly_trend('2023-01-01', '2023-12-31', '$district', 'reporting')
catalogue_summary|SELECT * FROM hoso.catalogue_summary('2023-10-14')
procedure_durations, 10 months|SELECT * FROM hoso.procedure_durations('2022-12-15', '2023-10-14')
index_766, 10 months|SELECT * FROM hoso.index_766('2022-12-15', '2023-10-14')
index_766, one district|SELECT * FROM hoso.index_766('2022-12-15', '2023-10-14', '$district')
EOF
} >"$work/timing.sql"
psql -X -At -v ON_ERROR_STOP=1 -d "$big" -f "$work/timing.sql" | grep '|' >"$work/timing.out"

# A night's refresh: take away and add back the summary contributions of
# the cases the night's file brought (those of copy 0, the same cases in
# both warehouses), in a transaction that is rolled back.
dayglob=$(echo "$day" | tr - /)
refresh_sql=$(cat <<SQL
$timing_sql
BEGIN;
CREATE TEMP TABLE night_keys AS
	SELECT DISTINCT m.src, m.case_no FROM hoso.dossier_msg m JOIN hoso.file_ledger l USING (file_id)
	 WHERE l.path LIKE '%/landing/$dayglob/%' AND m.src = 'KTM-IGATE'
	UNION
	SELECT DISTINCT m.src, m.case_no FROM hoso.progress_msg m JOIN hoso.file_ledger l USING (file_id)
	 WHERE l.path LIKE '%/landing/$dayglob/%' AND m.src = 'KTM-IGATE';
ANALYZE night_keys;
SELECT count(*) || '|' || pg_temp.bench_ms(\$q\$SELECT hoso.summary_apply('night_keys', -1), hoso.summary_apply('night_keys', 1)\$q\$, $calls)
  FROM night_keys;
ROLLBACK;
SQL
)
say "timing a night's summary refresh ($day) in both warehouses"
r_big=$(echo "$refresh_sql" | psql -X -At -v ON_ERROR_STOP=1 -d "$big" | grep '|')
r_small=$(echo "$refresh_sql" | psql -X -At -v ON_ERROR_STOP=1 -d ha_s1 | grep '|')

# --- the report --------------------------------------------------------------
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
	echo "## Analytics on a warehouse of $n_big cases"
	echo
	echo "Written by \`make bench-analytics\` (scripts/bench-analytics.sh) at commit"
	echo "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) CPUs ($cpu), PostgreSQL $pgversion."
	echo "The warehouse is \`hoso-gen --scale $scale\` loaded by \`hoso run\` over every"
	echo "landing day ($(cat "$work/load-s$scale.seconds") s); summary rows (summary_day / summary_procedure_day):"
	echo "$n_summary.  Server time, median of $calls calls after a warm-up"
	echo "(\`SELECT count(*) FROM (query)\`); target < 100 ms each."
	echo
	echo "| function | ms | |"
	echo "|---|---:|---|"
	while IFS='|' read -r label query ms; do
		verdict=$(awk -v m="$ms" 'BEGIN { print (m < 100) ? "ok" : "**MISS**" }')
		echo "| \`$query\` | $ms | $verdict |"
	done <"$work/timing.out"
	echo
	echo "A night's summary refresh (\`hoso.summary_apply(keys, -1)\` then \`(keys, +1)\`"
	echo "for the cases of $day's file, median of $calls, rolled back):"
	echo
	echo "| warehouse | cases | night's cases | ms |"
	echo "|---|---:|---:|---:|"
	echo "| scale $scale | $n_big | ${r_big%%|*} | ${r_big#*|} |"
	echo "| scale 1 | $n_small | ${r_small%%|*} | ${r_small#*|} |"
	echo
	echo "Ratio big / small: $(awk -v a="${r_big#*|}" -v b="${r_small#*|}" 'BEGIN { printf "%.2f", a / b }')"
	echo "(the refresh costs in proportion to the night's cases, not to the warehouse)."
} >"$root/bench/analytics.md"
cat "$root/bench/analytics.md"
if ls "$root"/bench/results-s*.json >/dev/null 2>&1; then
	python3 "$root/bench/report.py" --root "$root" --markdown-only && say "BENCHMARKS.md regenerated"
fi
