#!/bin/sh
# bench.sh (make bench): hoso against its floors, side by side, in one run.
#
#   BENCH_SCALE=1     hoso-gen --scale (1: the Kon Tum sample; 10: ten copies)
#   BENCH_RUNS=3      repetitions of each measurement (the median is reported)
#   BENCH_DIR=...     work directory (default .hoso/bench/sSCALE; the sample is
#                     generated once and reused while hoso-gen is unchanged)
#   BENCH_DAY=2023-10-27   the day of the nightly measurement
#
# Measures, with hyperfine (medians of BENCH_RUNS): gzip -dcf of the landing
# files (the decompression floor); psql \copy of the staging files of a run
# into the same tables (the load floor); hoso-extract, hoso-transform and
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

for tool in hyperfine pgloader psql python3 /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done
mkdir -p "$work/cmd" "$work/hf" "$work/mem"
rm -f "$work"/*.err
chmod 755 "$root/.hoso" "$root/.hoso/bench" "$work" 2>/dev/null || true
say() { echo "bench: $*"; }

# --- the sample ------------------------------------------------------------
stamp="scale=$scale gen=$(sha256sum "$bin/hoso-gen" | cut -c1-16)"
if [ "$(cat "$work/sample.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "generating the Kon Tum sample, scale $scale (bin/hoso-gen)"
	rm -rf "$work/sample" "$work/sample.stamp"
	"$bin/hoso-gen" --out "$work/sample" --scale "$scale" --reference "$work/sample/ref"
	echo "$stamp" >"$work/sample.stamp"
fi
chmod -R a+rX "$work/sample"
ref="$work/sample/ref"
(cd "$work/sample" && find landing -type f -name '*.jsonl*' | LC_ALL=C sort |
	sed "s|^|$work/sample/|") >"$work/files.txt"
nfiles=$(wc -l <"$work/files.txt")
files=$(sed "s/.*/'&'/" "$work/files.txt" | tr '\n' ' ')
first=$(sed -n 's|.*/landing/\([0-9]*\)/\([0-9]*\)/\([0-9]*\)/.*|\1-\2-\3|p' "$work/files.txt" | head -1)
last=$(sed -n 's|.*/landing/\([0-9]*\)/\([0-9]*\)/\([0-9]*\)/.*|\1-\2-\3|p' "$work/files.txt" | tail -1)
dayglob=$(echo "$day" | tr - /)
bytes_gz=$(xargs cat <"$work/files.txt" | wc -c)
bytes_raw=$(xargs gzip -dcf <"$work/files.txt" | wc -c)
say "$nfiles files, $bytes_gz bytes on disk, $bytes_raw decompressed, $first .. $last"

cat >"$work/bench.yaml" <<EOF
name: bench
source:
  paths: ["$work/sample/landing/{date:%Y/%m/%d}/*.jsonl.gz"]
  format: dvcqg-jsonl
reference:
  units: $ref/units.csv
  procedures: $ref/procedures.csv
  calendar: $ref/calendar
rejects:
  max_ratio: 0.01
personal_data: drop
staging: $work/staging-run
EOF
refopts="--reference-units '$ref/units.csv' --reference-procedures '$ref/procedures.csv' --reference-calendar '$ref/calendar'"

# --- a private PostgreSQL ----------------------------------------------------
pgdir=$(mktemp -d /tmp/hoso-bench-pg.XXXXXX)
chmod 755 "$pgdir"
cleanup() {
	"$root/scripts/pg.sh" stop "$pgdir"
	rm -rf "$pgdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
eval "$("$root/scripts/pg.sh" start "$pgdir")"
export PGHOST PGPORT PGUSER
unset PGDATABASE
pgversion=$(psql -X -At -d postgres -c "SHOW server_version")
say "private PostgreSQL $pgversion in $pgdir"

# Commands go into scripts: the file list is longer than one argument may be.
mkcmd() {
	_mk=$1
	shift
	printf '%s\n' "set -e" "$@" >"$work/cmd/$_mk.sh"
}
# fresh_db NAME [migrate]: a new empty database (with the warehouse schema)
fresh_db_cmd() {
	echo "dropdb --if-exists $1 && createdb $1${2:+ && PGDATABASE=$1 '$bin/hoso-load' --migrate --log-format json 2>/dev/null}"
}
hf() {
	name=$1
	prep=${2:-}
	say "measuring $name ($runs runs)"
	if [ -n "$prep" ]; then
		mkcmd "$name.prep" "$prep"
		hyperfine -N --runs "$runs" --export-json "$work/hf/$name.json" \
			--prepare "sh $work/cmd/$name.prep.sh" -n "$name" "sh $work/cmd/$name.sh" \
			>"$work/hf/$name.log" 2>&1 || { cat "$work/hf/$name.log" >&2; tail -n 5 "$work"/*.err >&2; exit 1; }
	else
		hyperfine -N --runs "$runs" --export-json "$work/hf/$name.json" \
			-n "$name" "sh $work/cmd/$name.sh" \
			>"$work/hf/$name.log" 2>&1 || { cat "$work/hf/$name.log" >&2; tail -n 5 "$work"/*.err >&2; exit 1; }
	fi
	grep -E 'Time|Range' "$work/hf/$name.log" | sed 's/^/    /'
}
# mem NAME CMD: peak RSS and CPU share of one run of CMD
mem() {
	_mem=$1
	shift
	mkcmd "mem-$_mem" "$@"
	/usr/bin/time -v -o "$work/mem/$_mem.txt" sh "$work/cmd/mem-$_mem.sh"
}

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
hf e2e "rm -rf '$work/staging-run'; $(fresh_db_cmd hb_e2e)"
rm -rf "$work/staging"
mv "$work/staging-run/run-1" "$work/staging"
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
cat >"$work/floor.sql" <<EOF
\\copy hoso.dossier_msg FROM '$stg/dossier_msg.tsv'
\\copy hoso.progress_msg FROM '$stg/progress_msg.tsv'
\\copy hoso.case_fact FROM '$stg/case_fact.tsv'
\\copy hoso.case_due FROM '$stg/case_due.tsv'
\\copy hoso.case_status FROM '$stg/case_status.tsv'
EOF
for t in summary_day summary_procedure_day summary_procedure_month; do
	if [ -f "$stg/$t.tsv" ]; then printf '%s\n' "\\copy hoso.$t FROM '$stg/$t.tsv'" >>"$work/floor.sql"; fi
done
mkcmd floor "psql -X -q -v ON_ERROR_STOP=1 -1 -d hb_floor -f '$work/floor.sql'"
hf floor "$(fresh_db_cmd hb_floor migrate) && psql -X -q -v ON_ERROR_STOP=1 -d hb_floor -f '$work/floor-prep.sql'"

# hoso-load loads only a staging directory whose OWNER names its warehouse and run
owner_cmd="psql -X -Atq -d hb_load -c \"SELECT 'system_identifier ' || system_identifier || E'\\\\ndatabase_oid ' || d.oid || E'\\\\ndatabase hb_load\\\\nrun_id 1' FROM pg_control_system(), pg_database d WHERE d.datname = 'hb_load'\" >'$stg/OWNER'"
mkcmd load "PGDATABASE=hb_load '$bin/hoso-load' --log-format json --run-id 1 $refopts '$stg' 2>>'$work/load.err'"
hf load "$(fresh_db_cmd hb_load migrate) && $owner_cmd"
sh -c "$(fresh_db_cmd hb_load migrate) && $owner_cmd"
mem load "PGDATABASE=hb_load '$bin/hoso-load' --log-format json --run-id 1 $refopts '$stg' 2>>'$work/load.err'"

# pgloader: the flat CSV of the same cases into a table shaped like case_fact
python3 "$root/bench/copy2csv.py" <"$stg/case_fact.tsv" >"$work/case_fact.csv"
cols=$(psql -X -At -d hb_load -c "SELECT string_agg(column_name || ' [null if blanks]', ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'hoso' AND table_name = 'case_fact'")
cat >"$work/pgloader.load" <<EOF
LOAD CSV
  FROM '$work/case_fact.csv' ($cols)
  INTO postgresql://postgres@unix:$PGHOST:$PGPORT/hb_pgl?tablename=case_fact_flat
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
	commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
say "wrote bench/results-s$scale.json and BENCHMARKS.md; make bench-check judges them"
