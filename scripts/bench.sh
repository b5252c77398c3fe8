#!/bin/sh
# bench.sh (make bench): hoso against its floors, side by side, in one run.
#
#   BENCH_SCALE=1     hoso-gen --scale: 1, the Kon Tum sample, measured as
#                     below; K > 1 measures growth instead
#                     (scripts/bench-growth.sh: end to end at scale K and 1
#                     in one run, time per case and peak memory)
#   BENCH_RUNS=3      repetitions of each measurement (the median is reported)
#   BENCH_DIR=...     work directory (default .hoso/bench/sSCALE; the sample is
#                     generated once and reused while hoso-gen is unchanged)
#   BENCH_DAY=2023-10-27   the day of the nightly measurement
#
# Measures, with hyperfine (medians of BENCH_RUNS): gzip -dcf of the landing
# files (the decompression floor); psql \copy of the staging files of a run
# into the same tables (the text floor); binary COPY of the same rows into
# the same tables without keys or indexes, then the same key and index
# builds (the true floor); hoso-extract, hoso-transform and
# hoso-load alone; hoso run end to end; pgloader loading the flat CSV of the
# same cases; one nightly day into an empty warehouse, again into the full
# scale-SCALE warehouse, and into one padded to >= 2 million cases.  Peak memory and CPU use with /usr/bin/time -v.  Writes
# bench/results-sSCALE.json and regenerates BENCHMARKS.md from every
# bench/results-s*.json (bench/report.py); `make bench-check` judges them.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
scale=${BENCH_SCALE:-1}
runs=${BENCH_RUNS:-3}
day=${BENCH_DAY:-2023-10-27}
work=${BENCH_DIR:-$root/.hoso/bench/s$scale}
pad_cases=2000000
case $scale in
1) ;;
'' | 0* | *[!0-9]*) echo "bench: BENCH_SCALE: want a whole number from 1" >&2; exit 2 ;;
*) exec "$root/scripts/bench-growth.sh" ;;
esac
# the commit measured, read before the run: the tree may move while it runs
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)

for tool in hyperfine pgloader psql python3 /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done
mkdir -p "$work/cmd" "$work/hf" "$work/mem"
rm -f "$work"/*.err
chmod 755 "$root/.hoso" "$root/.hoso/bench" "$work" 2>/dev/null || true
bench_name=bench
. "$root/scripts/bench-lib.sh"

# --- the sample ------------------------------------------------------------
bench_sample "$scale" "$work"
dayglob=$(echo "$day" | tr - /)
bytes_gz=$(xargs cat <"$work/files.txt" | wc -c)
bytes_raw=$(xargs gzip -dcf <"$work/files.txt" | wc -c)
say "$nfiles files, $bytes_gz bytes on disk, $bytes_raw decompressed, $first .. $last"

bench_pg_start

# --- inputs of the stage measurements -------------------------------------
say "saving the record stream and a staging directory"
mkcmd extract "'$bin/hoso-extract' $files >/dev/null"
mem extract "'$bin/hoso-extract' $files >'$work/records.tsv'"
mem transform "rm -rf '$work/staging-t' && '$bin/hoso-transform' --out '$work/staging-t' $refopts <'$work/records.tsv'"
mem pipe "rm -rf '$work/staging-t' && '$bin/hoso-extract' $files | '$bin/hoso-transform' --out '$work/staging-t' $refopts"

# --- side by side ---------------------------------------------------------
mkcmd gzip "gzip -dcf $files >/dev/null"
hf gzip
hf extract
mkcmd transform "'$bin/hoso-transform' --out '$work/staging-t' $refopts <'$work/records.tsv'"
hf transform "rm -rf '$work/staging-t'"

# end to end, keeping the last run's staging directory for the load measurements
mkcmd e2e "cd '$work' && PGDATABASE=hb_e2e '$bin/hoso' run --log-format json --keep-staging bench.yaml --from $first --to $last 2>>'$work/e2e.err'"
# the warehouse's schema made beforehand, as the floors' is: a one-time cost, not the load's
hf e2e "rm -rf '$work/staging-run'; $(fresh_db_cmd hb_e2e migrate)"
rm -rf "$work/staging"
# the run's folder is named after its warehouse (system identifier, database oid)
mv "$work"/staging-run/*/run-1 "$work/staging"
stg="$work/staging"
rows() { wc -l <"$stg/$1.tsv"; }
n_dossier=$(rows dossier_msg); n_progress=$(rows progress_msg); n_fact=$(rows case_fact)
n_due=$(rows case_due); n_status=$(rows case_status); n_reject=$(rows reject)
# the summary rows the transform added up (staging directories of older
# transforms lack them; hoso-load then computes them in SQL)
n_summary=0
for t in summary_day summary_procedure_day summary_procedure_month; do
	if [ -f "$stg/$t.tsv" ]; then n_summary=$((n_summary + $(rows $t))); fi
done
n_load=$((n_dossier + n_progress + n_fact + n_due + n_status + n_reject + n_summary))

# the load floor: the same rows, the same tables and indexes, COPY text via psql
cat >"$work/floor-prep.sql" <<EOF
CREATE TABLE bench_files (file_no bigint, path text, size bigint, sha256 text, format text,
  lines bigint, messages bigint, dossiers bigint, progress bigint, other_messages bigint,
  rejects bigint, unknown_fields jsonb);
\\copy bench_files FROM '$stg/files.tsv'
INSERT INTO hoso.run (run_id, kind, status) VALUES (1, 'load', 'running');
INSERT INTO hoso.file_ledger (file_id, path, size, sha256, format, rows, run_id, lines, messages,
  dossiers, progress, other_messages, rejects, unknown_fields) OVERRIDING SYSTEM VALUE
  SELECT file_no, path, size, sha256, format, dossiers + progress, 1, lines, messages, dossiers,
  progress, other_messages, rejects, unknown_fields FROM bench_files;
EOF
# the staging files' columns, named as hoso-load names them (a table has
# columns the files do not: the province), from the one list the programs
# are built from (lib/hoso_layout.h): "TABLE|COLUMN, COLUMN..." lines
printf '%s\n' '#include "hoso_layout.h"' '#define C_(name, kind) name,' \
	'#define S_(id, file, table, columns, nkey) @@ table columns(C_)' 'HOSO_STAGING_FILES(S_)' |
	cc -E -P -I"$root/lib" - | tail -n 1 | tr '@' '\n' |
	sed -n 's/^ *"\([a-z_.]*\)" *\(.*\), *$/\1|\2/p' | sed 's/ //g; s/,/, /g' >"$work/columns.txt"
columns_of() { sed -n "s/^hoso\.$1|//p" "$work/columns.txt"; }
: >"$work/floor.sql"
for t in dossier_msg progress_msg case_fact case_due case_status summary_day summary_procedure_day summary_procedure_month; do
	if [ -f "$stg/$t.tsv" ]; then
		[ -n "$(columns_of $t)" ] || { echo "bench: no columns of hoso.$t in lib/hoso_layout.h" >&2; exit 1; }
		printf '%s\n' "\\copy hoso.$t ($(columns_of $t)) FROM '$stg/$t.tsv'" >>"$work/floor.sql"
	fi
done
mkcmd floor "psql -X -q -v ON_ERROR_STOP=1 -1 -d hb_floor -f '$work/floor.sql'"
hf floor "$(fresh_db_cmd hb_floor migrate) && psql -X -q -v ON_ERROR_STOP=1 -d hb_floor -f '$work/floor-prep.sql'"

# the true floor: what a user reaches by hand.  The same rows as binary COPY
# files (written by the server from the text floor's warehouse, so no text
# is parsed while timed), copied into the same tables after their keys and
# indexes are dropped (on empty tables: milliseconds), then the same key and
# index builds hoso-load runs (hoso.bulk_begin / bulk_end record and replay
# the warehouse's own DDL), all in one transaction.
floor_tables="dossier_msg progress_msg case_fact case_due case_status"
for t in summary_day summary_procedure_day summary_procedure_month; do
	if [ -f "$stg/$t.tsv" ]; then floor_tables="$floor_tables $t"; fi
done
mkdir -p "$work/binary"
: >"$work/truefloor.sql"
for t in $floor_tables; do
	psql -X -q -v ON_ERROR_STOP=1 -d hb_floor -c "\\copy hoso.$t TO '$work/binary/$t.bin' (FORMAT binary)"
	printf '%s\n' "SELECT hoso.bulk_begin('hoso.$t');" >>"$work/truefloor.sql"
done
for t in $floor_tables; do
	printf '%s\n' "\\copy hoso.$t FROM '$work/binary/$t.bin' (FORMAT binary)" >>"$work/truefloor.sql"
done
printf '%s\n' "SELECT hoso.bulk_end();" >>"$work/truefloor.sql"
mkcmd truefloor "psql -X -q -v ON_ERROR_STOP=1 -1 -d hb_floor -f '$work/truefloor.sql' >/dev/null"
hf truefloor "$(fresh_db_cmd hb_floor migrate) && psql -X -q -v ON_ERROR_STOP=1 -d hb_floor -f '$work/floor-prep.sql'"

# hoso-load loads only a staging directory whose OWNER names its warehouse and run
owner_cmd="psql -X -Atq -d hb_load -c \"SELECT 'system_identifier ' || system_identifier || E'\\\\ndatabase_oid ' || d.oid || E'\\\\ndatabase hb_load\\\\nrun_id 1' FROM pg_control_system(), pg_database d WHERE d.datname = 'hb_load'\" >'$stg/OWNER'"
mkcmd load "PGDATABASE=hb_load '$bin/hoso-load' --log-format json --run-id 1 $refopts '$stg' 2>>'$work/load.err'"
hf load "$(fresh_db_cmd hb_load migrate) && $owner_cmd"
sh -c "$(fresh_db_cmd hb_load migrate) && $owner_cmd"
mem load "PGDATABASE=hb_load '$bin/hoso-load' --log-format json --run-id 1 $refopts '$stg' 2>>'$work/load.err'"

# pgloader: the flat CSV of the same cases into a table shaped like case_fact
python3 "$root/bench/copy2csv.py" <"$stg/case_fact.tsv" >"$work/case_fact.csv"
# the CSV's fields are the staging file's columns
cols=$(columns_of case_fact | sed 's/\([a-z_0-9]*\)\(,\|$\)/\1 [null if blanks]\2/g')
cat >"$work/pgloader.load" <<EOF
LOAD CSV
  FROM '$work/case_fact.csv' ($cols)
  INTO postgresql://postgres@unix:$PGHOST:$PGPORT/hb_pgl?tablename=case_fact_flat ($(columns_of case_fact))
  WITH fields optionally enclosed by '"', fields escaped by double-quote,
       fields terminated by ','
  SET work_mem to '64MB';
EOF
mkcmd pgloader "cd '$work' && pgloader --no-ssl-cert-verification --quiet pgloader.load >pgloader.out 2>&1 || { cat pgloader.out >&2; exit 1; }"
hf pgloader "$(fresh_db_cmd hb_pgl migrate) && psql -X -q -d hb_pgl -c 'CREATE TABLE public.case_fact_flat (LIKE hoso.case_fact INCLUDING ALL)'"
n_pgl=$(psql -X -At -d hb_pgl -c "SELECT count(*) FROM public.case_fact_flat")
[ "$n_pgl" -eq "$n_fact" ] || { echo "bench: pgloader loaded $n_pgl rows of $n_fact" >&2; cat "$work/pgloader.out" >&2; exit 1; }

# --- the nightly day: empty warehouse, then one of >= 2 million cases --------
mkcmd night_empty "cd '$work' && PGDATABASE=hb_night '$bin/hoso' run --log-format json bench.yaml --date $day 2>>'$work/night.err'"
hf night_empty "rm -rf '$work/staging-run'; $(fresh_db_cmd hb_night migrate)"
# the same day again into the full scale-SCALE warehouse, then into the
# padded one: both replace cases that exist, so their ratio is what the
# warehouse's size costs
# the warehouse as nights find it: autovacuum has long been through the
# backfill's rows (here they are minutes old, and its pass would run
# during the nights measured)
psql -X -q -d hb_e2e -c "VACUUM (ANALYZE)"
mkcmd night_small "cd '$work' && PGDATABASE=hb_e2e '$bin/hoso' run --log-format json bench.yaml --date $day 2>>'$work/night.err'"
hf night_small "rm -rf '$work/staging-run'; psql -X -q -d hb_e2e -c \"DELETE FROM hoso.file_ledger WHERE path LIKE '%/landing/$dayglob/%'\""
n_small=$(psql -X -At -d hb_e2e -c "SELECT count(*) FROM hoso.case_fact")
say "padding the end-to-end warehouse to >= $pad_cases cases"
psql -X -q -v ON_ERROR_STOP=1 -d hb_e2e -v target="$pad_cases" -f "$root/bench/pad.sql"
n_big=$(psql -X -At -d hb_e2e -c "SELECT count(*) FROM hoso.case_fact")
mkcmd night_big "cd '$work' && PGDATABASE=hb_e2e '$bin/hoso' run --log-format json bench.yaml --date $day 2>>'$work/night.err'"
hf night_big "rm -rf '$work/staging-run'; psql -X -q -d hb_e2e -c \"DELETE FROM hoso.file_ledger WHERE path LIKE '%/landing/$dayglob/%' AND path NOT LIKE '%#pad%'\""
n_day=$(psql -X -At -d hb_night -c "SELECT count(*) FROM hoso.case_fact")

# --- the report -------------------------------------------------------------
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
memtotal=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
python3 "$root/bench/report.py" --root "$root" --work "$work" --scale "$scale" --runs "$runs" \
	--set nfiles="$nfiles" bytes_gz="$bytes_gz" bytes_raw="$bytes_raw" first="$first" last="$last" \
	day="$day" n_small="$n_small" n_dossier="$n_dossier" n_progress="$n_progress" n_fact="$n_fact" n_due="$n_due" \
	n_status="$n_status" n_reject="$n_reject" n_summary="$n_summary" n_load="$n_load" n_big="$n_big" n_day="$n_day" \
	nproc="$(nproc)" cpu="$cpu" memory="$memtotal" pg="$pgversion" \
	commit="$commit"
say "wrote bench/results-s$scale.json and BENCHMARKS.md; make bench-check judges them"
