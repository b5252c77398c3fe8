#!/bin/sh
# bench-national.sh (make bench-national, and make bench): the national
# warehouse (docs/national.md) measured, side by side in one run.
#
#   BENCH_NATIONAL_SCALE=0.001  hoso-gen --national --scale (Kon Tum's share
#                               of its calibrated volume; 0.001: ~52,000
#                               cases over the 63 provinces, ~10 min here)
#   BENCH_NATIONAL_RUNS=1       repetitions of each load (hyperfine median)
#   BENCH_NATIONAL_CALLS=7      timed calls of each query (server-side median)
#   BENCH_NATIONAL_JOBS=2       hoso shard run --jobs
#   BENCH_NATIONAL_N="2 4"      the N of the 34 x N partition layouts
#
# Three private servers: a coordinator (c) and two shard servers (a, b).
#  - Load wall time (hyperfine): "hoso shard run" of every province's
#    pipeline, with 1 shard (every province on a) and with 2 shards (whole
#    post-merger provinces on a or b, balanced by cases).  The 1-shard
#    run's shard database is a plain warehouse holding the whole country:
#    it is the "one server" the coordinator is compared with.
#  - The provinces' ranking (unit_ranking, TINH, on-time rate, 2023-01-01
#    .. 2023-10-31): server time on the one server and on each coordinator,
#    and a check that every coordinator's rows equal the one server's.
#  - Planning time (EXPLAIN (SUMMARY)) of the query that reads the
#    partitions (hoso.counts_by_unit, which unit_ranking runs) on
#    coordinators whose hoso.summary_day has 2 foreign partitions (hoso's
#    layout: one per shard), 63 (one per province), and 34 x N (one per
#    post-merger province, each split into N ranges of days).  The last
#    two are built by hand on the same two shards (views per partition
#    there), only for this measurement.
# Writes bench/national.md, which bench/report.py puts into BENCHMARKS.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
scale=${BENCH_NATIONAL_SCALE:-0.001}
runs=${BENCH_NATIONAL_RUNS:-1}
calls=${BENCH_NATIONAL_CALLS:-7}
jobs=${BENCH_NATIONAL_JOBS:-2}
plan_n=${BENCH_NATIONAL_N:-2 4}
work=$root/.hoso/bench/national
from=2022-06-01
to=2024-08-31
q_from=2023-01-01
q_to=2023-10-31
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
bench_name=bench-national
. "$root/scripts/bench-lib.sh"

for tool in hyperfine psql python3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "$bench_name: $tool is missing (make deps)" >&2; exit 1; }
done
for n in $plan_n; do
	case $n in
	'' | *[!0-9]*) echo "$bench_name: BENCH_NATIONAL_N: \"$n\" is not a whole number" >&2; exit 2 ;;
	esac
	[ "$n" -ge 1 ] || { echo "$bench_name: BENCH_NATIONAL_N: want numbers from 1" >&2; exit 2; }
done
mkdir -p "$work/cmd" "$work/hf"
chmod 755 "$root/.hoso" "$root/.hoso/bench" "$work" 2>/dev/null || true

# --- the sample --------------------------------------------------------------
nat=$work/sample
stamp="scale=$scale gen=$(sha256sum "$bin/hoso-gen" | cut -c1-16)"
if [ "$(cat "$work/sample.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "generating the 63 provinces, scale $scale (bin/hoso-gen --national)"
	rm -rf "$nat" "$work/sample.stamp"
	"$bin/hoso-gen" --national --scale "$scale" --out "$nat" >"$work/gen.log" 2>&1 ||
		{ cat "$work/gen.log" >&2; exit 1; }
	echo "$stamp" >"$work/sample.stamp"
fi
chmod -R a+rX "$nat"
# every province's pipeline (hoso-gen writes them), as the shell expands it
pipelines="'$nat/pipelines/'*.yaml"
nfiles=$(find "$nat" -path '*/landing/*' -type f | wc -l)
bytes_gz=$(find "$nat" -path '*/landing/*' -type f -exec cat {} + | wc -c)

# Shards by post-merger province (whole groups, so that a province merged
# on 1 July 2025 stays on one shard), the biggest first onto the shard with
# fewer cases: "province group shard" lines.  provinces.csv:
# province,name,tinh_code,volume,cases,successor
tail -n +2 "$nat/provinces.csv" | awk -F, '
	$1 !~ /^H[0-9]+$/ { print "bad province code " $1 > "/dev/stderr"; exit 1 }
	{ g = $6; sub(/.*\./, "", g); cases[g] += $5; members[g] = members[g] " " $1 }
	END { for (g in cases) print cases[g], g, members[g] }' |
	sort -k1,1nr -k2,2 |
	awk '{ s = (a <= b) ? "north" : "south"; if (s == "north") a += $1; else b += $1
	       for (i = 3; i <= NF; i++) print $i, $2, s }' | sort >"$work/assign.txt"
[ "$(wc -l <"$work/assign.txt")" -eq 63 ] || { echo "$bench_name: the sample has not 63 provinces" >&2; exit 1; }
[ "$(cut -d' ' -f2 "$work/assign.txt" | sort -u | wc -l)" -eq 34 ] ||
	{ echo "$bench_name: the sample's successor map has not 34 provinces" >&2; exit 1; }
provinces_of() { awk -v s="$1" '$3 == s || s == "" { print $1 }' "$work/assign.txt" | paste -sd, -; }

# --- three private servers ---------------------------------------------------
srv=$(mktemp -d /tmp/hoso-bench-national.XXXXXX)
chmod 755 "$srv"	# as root, the servers run as postgres
cleanup() {
	for s in c a b; do
		"$root/scripts/pg.sh" stop "$srv/$s" >/dev/null 2>&1 || true
	done
	rm -rf "$srv"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for s in c a b; do
	"$root/scripts/pg.sh" start "$srv/$s" >/dev/null
done
unset PGHOST PGPORT PGUSER PGDATABASE PGOPTIONS
# pg.sh's clusters: superuser postgres, socket in the directory
ci() { echo "host=$srv/$1 dbname=$2 user=postgres"; }
q() { _h=$1 _d=$2; shift 2; psql -X -v ON_ERROR_STOP=1 -Atq -h "$srv/$_h" -U postgres -d "$_d" "$@"; }
pgversion=$(q c postgres -c "SHOW server_version")
say "servers c (coordinator), a and b (shards) in $srv"

# topology NAME COORDINATOR_DB [SHARD_SERVER SHARD_DB SHARD_NAME]...: a
# topology of the shards named, each with its provinces of assign.txt (or
# every province when the topology has one shard)
topology() {
	_t=$1 _c=$2
	shift 2
	{
		echo "coordinator: \"$(ci c "$_c")\""
		echo "shards:"
		_single=$([ $# -eq 3 ] && echo yes || echo no)
		while [ $# -ge 3 ]; do
			echo "  - name: $3"
			echo "    conninfo: \"$(ci "$1" "$2")\""
			if [ "$_single" = yes ]; then
				echo "    provinces: [$(provinces_of '')]"
			else
				echo "    provinces: [$(provinces_of "$3")]"
			fi
			shift 3
		done
	} >"$work/$_t.yaml"
}
topology one coord1 a one one
topology two coord2 a north north b south south

# reset: fresh databases, the topology's coordinator made (not timed)
reset_cmd() {
	_t=$1
	shift
	_c=""
	while [ $# -ge 2 ]; do
		_c="$_c dropdb --if-exists -h '$srv/$1' -U postgres $2 && createdb -h '$srv/$1' -U postgres $2 &&"
		shift 2
	done
	echo "rm -rf '$nat/.staging' &&$_c '$bin/hoso' shard init '$work/$_t.yaml' >'$work/init-$_t.log' 2>&1"
}

# --- loads: 1 shard, then 2 ----------------------------------------------------
mkcmd load1 "'$bin/hoso' shard run '$work/one.yaml' --jobs $jobs --from $from --to $to $pipelines >'$work/load1.log' 2>&1 || { tail -20 '$work/load1.log' >&2; exit 1; }"
hf load1 "$(reset_cmd one c coord1 a one)"
mkcmd load2 "'$bin/hoso' shard run '$work/two.yaml' --jobs $jobs --from $from --to $to $pipelines >'$work/load2.log' 2>&1 || { tail -20 '$work/load2.log' >&2; exit 1; }"
hf load2 "$(reset_cmd two c coord2 a north b south)"
# the catalogues, now that the shards have them
for t in one two; do
	"$bin/hoso" shard init "$work/$t.yaml" >"$work/init-$t.log" 2>&1 || { cat "$work/init-$t.log" >&2; exit 1; }
done
for x in "a one" "a north" "b south"; do
	set -- $x
	q "$1" "$2" -c "VACUUM ANALYZE"
done
n_cases=$(q a one -c "SELECT count(*) FROM hoso.case_fact")
n_north=$(q a north -c "SELECT count(*) FROM hoso.case_fact")
n_south=$(q b south -c "SELECT count(*) FROM hoso.case_fact")
[ "$n_cases" -eq $((n_north + n_south)) ] ||
	{ echo "$bench_name: 1 shard holds $n_cases cases, 2 shards $n_north + $n_south" >&2; exit 1; }
[ "$(q c coord2 -c "SELECT count(*) FROM hoso.case_fact")" -eq "$n_cases" ] ||
	{ echo "$bench_name: the 2-shard coordinator does not see $n_cases cases" >&2; exit 1; }
n_summary=$(q a one -c "SELECT count(*) FROM hoso.summary_day")

# --- the partition layouts for planning ---------------------------------------
# Views on the shards, one per partition (a foreign table's remote rows
# must be its partition's rows alone), then coordinators whose
# hoso.summary_day has these as foreign partitions instead of hoso's two.
bounds_sql() {
	echo "SELECT string_agg((lo + (i * (hi - lo)) / $1)::text, ' ' ORDER BY i)
	        FROM (SELECT min(day) AS lo, max(day) AS hi FROM hoso.summary_day) d,
	             generate_series(1, $1 - 1) i"
}
layout_sql() {	# layout_sql p63 | g N BOUNDS: "shard|sql" lines (shard "coord": the coordinator)
	awk -v kind="$1" -v n="${2:-1}" -v bounds="${3:-}" '
	function lit(s) { return "'\''" s "'\''" }
	{ shard[$1] = $3; group[$1] = $2; members[$2] = members[$2] (members[$2] ? ", " : "") lit($1); gshard[$2] = $3 }
	END {
		print "coord|DROP FOREIGN TABLE hoso_shard.summary_day_north, hoso_shard.summary_day_south;"
		print "coord|CREATE SCHEMA hoso_bench;"
		if (kind == "p63") {
			for (p in shard) {
				v = "p_" tolower(p)
				print shard[p] "|CREATE VIEW hoso_bench." v " AS SELECT * FROM hoso.summary_day WHERE province = " lit(p) ";"
				print "coord|CREATE FOREIGN TABLE hoso_bench." v " PARTITION OF hoso.summary_day FOR VALUES IN (" lit(p) ") SERVER hoso_shard_" shard[p] " OPTIONS (schema_name " lit("hoso_bench") ", table_name " lit(v) ");"
			}
			exit
		}
		nb = split(bounds, b, " ")
		for (g in members) {
			t = "g_" tolower(g)
			print "coord|CREATE TABLE hoso_bench." t " PARTITION OF hoso.summary_day FOR VALUES IN (" members[g] ") PARTITION BY RANGE (day);"
			for (i = 1; i <= n; i++) {
				v = t "_" n "_" i
				lo = i == 1 ? "MINVALUE" : lit(b[i - 1])
				hi = i == n ? "MAXVALUE" : lit(b[i])
				cond = (i > 1 ? " AND day >= " lit(b[i - 1]) : "") (i < n ? " AND day < " lit(b[i]) : "")
				print gshard[g] "|CREATE VIEW hoso_bench." v " AS SELECT * FROM hoso.summary_day WHERE province IN (" members[g] ")" cond ";"
				print "coord|CREATE FOREIGN TABLE hoso_bench." v " PARTITION OF hoso_bench." t " FOR VALUES FROM (" lo ") TO (" hi ") SERVER hoso_shard_" gshard[g] " OPTIONS (schema_name " lit("hoso_bench") ", table_name " lit(v) ");"
			}
		}
	}' "$work/assign.txt"
}
for x in "a north" "b south"; do
	set -- $x
	q "$1" "$2" -c "DROP SCHEMA IF EXISTS hoso_bench CASCADE" -c "CREATE SCHEMA hoso_bench"
done
layouts="coord2"
build_layout() {	# build_layout DB KIND [N BOUNDS]
	_db=$1
	shift
	say "building the coordinator $_db"
	q c postgres -c "DROP DATABASE IF EXISTS $_db" -c "CREATE DATABASE $_db"
	topology "$_db" "$_db" a north north b south south
	"$bin/hoso" shard init "$work/$_db.yaml" >"$work/init-$_db.log" 2>&1 || { cat "$work/init-$_db.log" >&2; exit 1; }
	layout_sql "$@" >"$work/$_db.sql"
	for s in north south; do
		grep "^$s|" "$work/$_db.sql" | cut -d'|' -f2- | q "$([ $s = north ] && echo a || echo b)" "$s" -f -
	done
	{ echo "BEGIN;"; grep '^coord|' "$work/$_db.sql" | cut -d'|' -f2-; echo "COMMIT;"; } | q c "$_db" -f -
	layouts="$layouts $_db"
}
build_layout plan63 p63
for n in $plan_n; do
	build_layout "plan34x$n" g "$n" "$(q a one -c "$(bounds_sql "$n")")"
done

# --- the ranking and the planning time ---------------------------------------
ranking="SELECT * FROM hoso.unit_ranking('$q_from', '$q_to', 'TINH', 'on_time_rate')"
reading="SELECT * FROM hoso.counts_by_unit('$q_from', '$q_to', 'TINH', false)"
expected=$(q a one -c "$ranking")
[ "$(printf '%s\n' "$expected" | grep -c '^000\.00\.00\.H')" -eq 63 ] ||
	{ echo "$bench_name: the one server's ranking lists not 63 provinces" >&2; exit 1; }
kontum=$(printf '%s\n' "$expected" | awk -F'|' '$1 == "000.00.00.H34" { print $6 "/" $7 }')
# measure HOST DB: "partitions|ranking ms|plan first ms|plan median ms|remote aggregates|foreign scans|same"
measure() {
	_parts=$(q "$1" "$2" -c "SELECT count(*) FROM pg_partition_tree('hoso.summary_day') WHERE isleaf AND relid <> 'hoso.summary_day'::regclass")
	_ms=$({ cat "$root/bench/timing.sql"
		echo "SELECT pg_temp.bench_ms(\$q\$$ranking\$q\$, $calls) || '|' || pg_temp.plan_ms(\$q\$$reading\$q\$, $calls);"
	      } | q "$1" "$2" -f - | tail -1)
	_plan=$(q "$1" "$2" -c "EXPLAIN (VERBOSE) $reading")
	_agg=$(printf '%s\n' "$_plan" | grep -c 'Relations: Aggregate on' || true)
	_scans=$(printf '%s\n' "$_plan" | grep -c 'Foreign Scan' || true)
	_same=$([ "$(q "$1" "$2" -c "$ranking")" = "$expected" ] && echo yes || echo NO)
	echo "$_parts|$_ms|$_agg|$_scans|$_same"
}
say "timing the ranking and its planning ($calls calls each)"
: >"$work/queries.txt"
echo "one server|$(measure a one)" >>"$work/queries.txt"
echo "coordinator, 1 shard|$(measure c coord1)" >>"$work/queries.txt"
for db in $layouts; do
	case $db in
	coord2) label="coordinator, 2 shards (hoso's layout)" ;;
	plan63) label="coordinator, 2 shards, a partition per province" ;;
	plan34x*) label="coordinator, 2 shards, 34 provinces x ${db#plan34x} day ranges" ;;
	esac
	echo "$label|$(measure c "$db")" >>"$work/queries.txt"
done
cat "$work/queries.txt" | sed 's/^/    /'

# --- the report ----------------------------------------------------------------
load1=$(hf_median load1)
load2=$(hf_median load2)
one_ms=$(sed -n 's/^one server|[^|]*|\([^|]*\)|.*/\1/p' "$work/queries.txt")
one_plan=$(sed -n 's/^one server|[^|]*|[^|]*|[^|]*|\([^|]*\)|.*/\1/p' "$work/queries.txt")
# the runs' own account (hoso run's summary line): seconds summed over the provinces
run_sums() {
	sed -n 's/.*extract+transform \([0-9.]*\) s, load \([0-9.]*\) s, total.*/\1 \2/p' "$work/$1.log" |
		awk '{ e += $1; l += $2; n++ } END { printf "%d runs, extract+transform %.1f s, load %.1f s", n, e, l }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
	echo "## National warehouse: 63 provinces over shards"
	echo
	echo "Written by \`make bench-national\` (scripts/bench-national.sh, also run by \`make bench\`)"
	echo "at commit $commit, $(nproc) CPUs ($cpu), PostgreSQL $pgversion; three private"
	echo "servers on this one machine (a coordinator and two shard servers), so the"
	echo "shards share its CPUs and disk.  Sample: \`hoso-gen --national --scale $scale\`,"
	echo "$n_cases cases ($nfiles files, $(awk -v b="$bytes_gz" 'BEGIN { printf "%.1f", b / 1e6 }') MB), landing days $from .. $to;"
	echo "$n_summary summary_day rows.  2 shards: whole post-merger provinces, biggest"
	echo "first onto the shard with fewer cases ($n_north and $n_south cases)."
	echo
	echo "| load (\`hoso shard run --jobs $jobs\`, every province, $runs run(s), hyperfine median) | s | cases/s |"
	echo "|---|---:|---:|"
	echo "| 1 shard (the provinces take the shard's lock in turn) | $load1 | $(awk -v n="$n_cases" -v t="$load1" 'BEGIN { printf "%.0f", n / t }') |"
	echo "| 2 shards (two provinces at once, one on each) | $load2 | $(awk -v n="$n_cases" -v t="$load2" 'BEGIN { printf "%.0f", n / t }') |"
	echo
	echo "2 shards / 1 shard: **$(ratio "$load2" "$load1")** of the wall time.  Summed over the"
	echo "provinces' runs (their summary lines): 1 shard $(run_sums load1); 2 shards"
	echo "$(run_sums load2).  Both shard servers share this machine's $(nproc) CPUs, so two"
	echo "loads at once compete for them: this shows what sharding costs, not what a second"
	echo "machine gains; each province's run also has a fixed cost (migration check, index"
	echo "builds, summary upserts) that small provinces at a small scale pay in full."
	echo
	echo "The provinces' ranking, \`unit_ranking('$q_from', '$q_to', 'TINH', 'on_time_rate')\`"
	echo "(Kon Tum $kontum): server time, median of $calls calls after a warm-up.  Planning:"
	echo "\`EXPLAIN (SUMMARY)\` of the query that reads the partitions (\`$reading\`,"
	echo "which unit_ranking runs), the first in a new session and the median of $calls"
	echo "more.  \"Remote aggregates\": foreign scans whose aggregate the shard computes"
	echo "(\`EXPLAIN VERBOSE\`: \"Relations: Aggregate on\"), of all foreign scans."
	echo
	echo "| server | summary_day partitions | ranking ms | / one server | planning ms, first | planning ms | / one server | remote aggregates / foreign scans | same rows as one server |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
	while IFS='|' read -r label parts ms pfirst pmed agg scans same; do
		echo "| $label | $parts | $ms | $(ratio "$ms" "$one_ms") | $pfirst | $pmed | $(ratio "$pmed" "$one_plan") | $agg / $scans | $same |"
	done <"$work/queries.txt"
	echo
	echo "Layouts: hoso's (\`hoso shard init\`) has one foreign partition per shard, each"
	echo "listing its provinces.  \"A partition per province\" and \"34 provinces x N day"
	echo "ranges\" (each post-merger province a LIST partition, sub-partitioned by RANGE"
	echo "of day into N foreign partitions) are built by hand on the same shards for"
	echo "this measurement only.  PostgreSQL 15 pushes an aggregate to a shard only when"
	echo "the GROUP BY covers the partition key at every level, so below the province the"
	echo "day ranges' rows are shipped and aggregated on the coordinator."
	echo
	echo "Commands (scripts in .hoso/bench/national/cmd; \`NAME.prep\` runs before each run):"
	echo
	echo '```'
	for f in load1 load1.prep load2 load2.prep; do
		echo "$f: $(grep -v '^set -e$' "$work/cmd/$f.sh" | sed -e "s|$root/||g" -e "s|$srv|\$SERVERS|g")"
	done
	echo '```'
} >"$root/bench/national.md"
cat "$root/bench/national.md"
if grep -q '| NO |$' "$root/bench/national.md"; then
	echo "$bench_name: a coordinator's ranking differs from the one server's" >&2
	exit 1
fi
if ls "$root"/bench/results-s*.json >/dev/null 2>&1; then
	python3 "$root/bench/report.py" --root "$root" --markdown-only && say "BENCHMARKS.md regenerated"
fi
