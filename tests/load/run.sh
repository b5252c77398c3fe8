#!/bin/sh
# tests/load/run.sh: hoso-load and the warehouse schema against a private,
# throwaway PostgreSQL (scripts/pg.sh), stopped on every exit path.
#
#   migrations (twice: the second is a no-op; a changed file is refused;
#   two at once), the staging load (every table, the ledger, escapes,
#   --replace), refusals (no MANIFEST, MANIFEST mismatch, ledgered path),
#   the reject threshold, and hoso.period_summary on the hand-made cases
#   of tests/load/staging/case_*.tsv, whose expected figures are worked out
#   below from docs/counting.md §1-3.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=${HOSO_ROOT:-$(cd "$here/../.." && pwd)}
bin=${HOSO_BIN:-$root/bin}
load=$bin/hoso-load
[ -x "$load" ] || { echo "no $load: run make first"; exit 1; }

work=$(mktemp -d /tmp/hoso-load-test.XXXXXX)
chmod 755 "$work"
pgdir=$work/pg
cleanup() {
	"$root/scripts/pg.sh" stop "$pgdir" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
eval "$("$root/scripts/pg.sh" start "$pgdir")" || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
export PGDATABASE=hoso_load_test
psql -X -q -d postgres -c "CREATE DATABASE hoso_load_test" || exit 1
unset HOSO_SCHEMA_DIR

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
q() { psql -X -Atq -v ON_ERROR_STOP=1 -c "$1"; }
# check NAME EXPECTED SQL
check() {
	got=$(q "$3" 2>&1)
	if [ "$got" = "$2" ]; then pass "$1"; else fail "$1: expected [$2], got [$got]"; fi
}
# expect_exit NAME CODE CMD...: run CMD, stderr to $work/err
expect_exit() {
	name=$1 code=$2
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" -eq "$code" ]; then pass "$name (exit $rc)"; else
		fail "$name: exit $rc, expected $code"; sed 's/^/    /' "$work/err"; fi
}
expect_err() {
	if grep -q -- "$2" "$work/err"; then pass "$1"; else
		fail "$1: stderr lacks \"$2\""; sed 's/^/    /' "$work/err"; fi
}
# mkstaging SRC DST: a copy of a fixture with its MANIFEST (name size sha256)
mkstaging() {
	rm -rf "$2"
	mkdir -p "$2"
	cp "$1"/* "$2"/
	(cd "$2" && for f in *.tsv; do
		echo "$f $(stat -c %s "$f") $(sha256sum <"$f" | cut -c1-64)"
	done >MANIFEST)
}
# owned RUN DIR: DIR's OWNER names this database and run RUN, as the runner writes it
owned() {
	q "SELECT 'system_identifier ' || system_identifier || E'\\ndatabase_oid ' || d.oid
	     || E'\\ndatabase ' || d.datname || E'\\nrun_id $1'
	   FROM pg_control_system(), pg_database d WHERE d.datname = current_database()" >"$2/OWNER"
}
ref="--reference-units $here/reference/units.csv --reference-procedures $here/reference/procedures.csv --reference-calendar $here/reference/calendar"
nothing_loaded() {
	check "$1: nothing loaded" "0|0|0|0|0|0|0|0" "SELECT (SELECT count(*) FROM hoso.file_ledger) || '|' ||
		(SELECT count(*) FROM hoso.dossier_msg) || '|' || (SELECT count(*) FROM hoso.progress_msg) || '|' ||
		(SELECT count(*) FROM hoso.case_fact) || '|' || (SELECT count(*) FROM hoso.case_due) || '|' ||
		(SELECT count(*) FROM hoso.case_status) || '|' || (SELECT count(*) FROM hoso.unit) || '|' ||
		(SELECT count(*) FROM hoso.calendar)"
}

echo "== usage"
expect_exit "--help" 0 "$load" --help
expect_exit "--version" 0 "$load" --version
grep -q "^hoso-load " "$work/out" && pass "--version names the program" || fail "--version output"
expect_exit "unknown option" 2 "$load" --bogus
expect_exit "no --run-id" 2 "$load" "$here/staging"
expect_exit "bad ratio" 2 "$load" --run-id 1 --max-reject-ratio abc "$here/staging"
expect_exit "no staging dir" 2 "$load" --run-id 1
expect_exit "password in conninfo" 2 "$load" --migrate --conninfo "host=$PGHOST password=s3cr3tpw"
expect_err "password refused with a reason" "contains a password"
grep -q s3cr3tpw "$work/err" && fail "the password was echoed" || pass "the password is not echoed"

echo "== migrations"
nfiles=$(ls "$root"/schemas/warehouse/[0-9]*_*.sql | wc -l)
expect_exit "first --migrate" 0 "$load" --migrate
check "every file applied once" "$nfiles" "SELECT count(*) FROM hoso.schema_version"
q "SELECT version, file, applied_at, sha256 FROM hoso.schema_version ORDER BY 1" >"$work/v1"
# "up to date" is a debug line: a rerun stays quiet unless asked
expect_exit "second --migrate" 0 "$load" --migrate --verbose
expect_err "second --migrate --verbose says up to date" "up to date"
q "SELECT version, file, applied_at, sha256 FROM hoso.schema_version ORDER BY 1" >"$work/v2"
cmp -s "$work/v1" "$work/v2" && pass "second --migrate is a no-op" || fail "second --migrate changed schema_version"
check "sha256 recorded" "$(sha256sum <"$root/schemas/warehouse/075_baseline.sql" | cut -c1-64)" \
	"SELECT sha256 FROM hoso.schema_version WHERE version = 75"
# the schema directory from the environment, given as the schemas root
HOSO_SCHEMA_DIR=$root/schemas expect_exit "--migrate with HOSO_SCHEMA_DIR" 0 "$load" --migrate
mkdir -p "$work/schemas"
cp -r "$root"/schemas/warehouse/. "$work/schemas/"
echo "-- edited after it was applied" >>"$work/schemas/075_baseline.sql"
expect_exit "changed migration refused" 1 "$load" --migrate --schemas "$work/schemas"
expect_err "changed migration named" "075_baseline.sql.*other content"
cp "$root/schemas/warehouse/075_baseline.sql" "$work/schemas/"
echo "SELECT 1;" >"$work/schemas/050_late.sql"
expect_exit "a migration below the baseline refused" 1 "$load" --migrate --schemas "$work/schemas"
expect_err "it is named, with what to do" "050_late.sql is numbered below the baseline"
rm "$work/schemas/050_late.sql"

echo "== function files"
# each function is created in exactly one file of the tree
dups=$(cat "$root"/schemas/warehouse/*.sql "$root"/schemas/warehouse/functions/*.sql "$root"/tests/sql/*.sql |
	grep -oiE '^create (or replace )?function [a-z0-9_.]+' | awk '{print tolower($NF)}' | sort | uniq -d)
[ -z "$dups" ] && pass "each function is created in one file" || fail "functions created twice: $dups"
check "no test function in the warehouse" "0" \
	"SELECT count(*) FROM pg_proc WHERE pronamespace = 'hoso'::regnamespace AND proname LIKE '%_scan'"
check "function files recorded" "$(ls "$root"/schemas/warehouse/functions/*.sql | wc -l)" \
	"SELECT count(*) FROM hoso.function_file"
# an edited function file is applied again; a function no file defines any more goes
cat >>"$work/schemas/functions/time.sql" <<'SQL'
CREATE OR REPLACE FUNCTION hoso.migrate_probe() RETURNS integer LANGUAGE sql RETURN 41;
SQL
expect_exit "edited function file applied" 0 "$load" --migrate --schemas "$work/schemas"
check "the new function exists" "41" "SELECT hoso.migrate_probe()"
sed -i 's/RETURN 41;/RETURN 42;/' "$work/schemas/functions/time.sql"
expect_exit "edited again" 0 "$load" --migrate --schemas "$work/schemas"
check "the new definition is live" "42" "SELECT hoso.migrate_probe()"
check "its checksum recorded" "$(sha256sum <"$work/schemas/functions/time.sql" | cut -c1-64)" \
	"SELECT sha256 FROM hoso.function_file WHERE file = 'time.sql'"
cp "$root/schemas/warehouse/functions/time.sql" "$work/schemas/functions/"
expect_exit "function removed from its file" 0 "$load" --migrate --schemas "$work/schemas"
check "the removed function is gone" "0" "SELECT count(*) FROM pg_proc WHERE proname = 'migrate_probe'"
check "the analyst role may call a re-created function" "t" \
	"SELECT has_function_privilege('hoso_analyst', 'hoso.period_summary(date, date, text, text)', 'EXECUTE')"
# a broken function file changes nothing
echo "CREATE OR REPLACE FUNCTION hoso.broken( RETURNS" >>"$work/schemas/functions/time.sql"
expect_exit "broken function file refused" 1 "$load" --migrate --schemas "$work/schemas"
expect_err "broken file named" "functions/time.sql"
check "after the refusal the functions are those of before" "$(sha256sum <"$root/schemas/warehouse/functions/time.sql" | cut -c1-64)" \
	"SELECT sha256 FROM hoso.function_file WHERE file = 'time.sql'"

echo "== upgrade from the previous release"
# The warehouse schema of the release before the function files (commit
# 49c288e), migrated by it, then by this tree, has exactly the schema a
# fresh install of this tree has.
previous=49c288e
if git -C "$root" cat-file -e "$previous^{commit}" 2>/dev/null; then
	mkdir -p "$work/previous"
	git -C "$root" archive "$previous" schemas/warehouse | tar -x -C "$work/previous"
	psql -X -q -d postgres -c "CREATE DATABASE hoso_upgraded" || fail "createdb"
	export PGDATABASE=hoso_upgraded
	expect_exit "previous release migrated" 0 "$load" --migrate --schemas "$work/previous/schemas/warehouse"
	expect_exit "upgraded by this tree" 0 "$load" --migrate
	expect_err "the baseline is recorded, not run" "recorded 075_baseline.sql as applied"
	check "upgraded: the previous history kept, the baseline recorded" \
		"1 2 3 10 20 30 40 45 50 60 70 $(ls "$root"/schemas/warehouse/[0-9]*_*.sql |
			sed 's|.*/0*\([0-9]*\)_[^/]*$|\1|' | tr '\n' ' ' | sed 's/ $//')" \
		"SELECT string_agg(version::text, ' ' ORDER BY version) FROM hoso.schema_version"
	export PGDATABASE=hoso_load_test
	for db in hoso_load_test hoso_upgraded; do
		pg_dump --schema-only "$db" | grep -v '^\\\(un\)\?restrict ' >"$work/$db.schema"
	done
	if cmp -s "$work/hoso_load_test.schema" "$work/hoso_upgraded.schema"; then
		pass "fresh and upgraded warehouses: the same pg_dump --schema-only"
	else
		fail "fresh and upgraded schemas differ:"
		diff "$work/hoso_load_test.schema" "$work/hoso_upgraded.schema" | head -40
	fi
	# a warehouse with another history below the baseline is refused
	psql -X -q -d postgres -c "CREATE DATABASE hoso_partial" || fail "createdb"
	rm "$work"/previous/schemas/warehouse/0[5-7]*.sql
	export PGDATABASE=hoso_partial
	"$load" --migrate --schemas "$work/previous/schemas/warehouse" 2>/dev/null
	expect_exit "an older history refused" 1 "$load" --migrate
	expect_err "refusal says what to do" "migrate it with that release"
	export PGDATABASE=hoso_load_test
else
	echo "SKIP upgrade from $previous: not in a git checkout that has it"
fi
# two migrations at once on an empty database apply each file once
psql -X -q -d postgres -c "CREATE DATABASE hoso_concurrent" || fail "createdb"
PGDATABASE=hoso_concurrent "$load" --migrate 2>"$work/c1" & p1=$!
PGDATABASE=hoso_concurrent "$load" --migrate 2>"$work/c2" & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && pass "concurrent migrations succeed" ||
	{ fail "concurrent migrations: exit $r1 and $r2"; cat "$work/c1" "$work/c2"; }
got=$(PGDATABASE=hoso_concurrent q "SELECT count(*) || '/' || count(DISTINCT version) FROM hoso.schema_version")
[ "$got" = "$nfiles/$nfiles" ] && pass "concurrent: $got" || fail "concurrent: schema_version $got"
# every table and column of the base schema has a comment (\d+ is the dictionary)
check "comments on every table and column" "0" "
	SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE n.nspname = 'hoso' AND c.relkind = 'r'
	  AND c.relname IN ('schema_version', 'run', 'file_ledger', 'reject', 'unit', 'unit_alias',
	    'procedure', 'calendar', 'dossier_msg', 'progress_msg', 'case_fact', 'case_due',
	    'case_status', 'profile', 'reference_digest')
	  AND (obj_description(c.oid, 'pg_class') IS NULL
	       OR (a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))"

echo "== refusals"
mkstaging "$here/staging" "$work/s-nomanifest"
rm "$work/s-nomanifest/MANIFEST"
owned 1 "$work/s-nomanifest"
expect_exit "no MANIFEST" 1 "$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/s-nomanifest"
expect_err "no MANIFEST named" "MANIFEST"
nothing_loaded "no MANIFEST"
# same size, one byte changed: only the checksum can tell
mkstaging "$here/staging" "$work/s-tampered"
sed -i 's/C08/C8X/' "$work/s-tampered/dossier_msg.tsv"
owned 1 "$work/s-tampered"
expect_exit "MANIFEST checksum mismatch" 1 "$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/s-tampered"
expect_err "mismatch named" "dossier_msg.tsv: content does not match the MANIFEST"
nothing_loaded "checksum mismatch"
check "checksum mismatch: no run row" "0" "SELECT count(*) FROM hoso.run"
mkstaging "$here/staging" "$work/s-longer"
echo "dvc	C99	\\N	2" >>"$work/s-longer/case_status.tsv"
owned 1 "$work/s-longer"
expect_exit "MANIFEST size mismatch" 1 "$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/s-longer"
expect_err "size mismatch named" "case_status.tsv: size"
nothing_loaded "size mismatch"

# every file of the layout is required, the summary files included
mkstaging "$here/staging" "$work/s-nosummary"
sed -i '/^summary_day.tsv /d' "$work/s-nosummary/MANIFEST"
expect_exit "MANIFEST without summary_day.tsv" 1 "$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/s-nosummary"
expect_err "missing file named" "does not list summary_day.tsv"
nothing_loaded "MANIFEST without summary_day.tsv"

echo "== column layout"
# Two columns of a staging file in each other's place: the load, which
# encodes each value as its column's type, refuses the row and names the
# file, line and column (status is a smallint, received a boolean).
mkstaging "$here/staging" "$work/s-swapped"
awk -F'\t' -v OFS='\t' '{ t = $9; $9 = $10; $10 = t; print }' "$here/staging/case_fact.tsv" \
	>"$work/s-swapped/case_fact.tsv"
mkstaging "$work/s-swapped" "$work/s-swapped2"
owned 1 "$work/s-swapped2"
expect_exit "swapped columns refused" 1 "$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/s-swapped2"
expect_err "swapped columns: the value's type is refused, at its file, line and column" \
	'case_fact.tsv:1: column status: not an integer: "t"'
nothing_loaded "swapped columns"
# A warehouse whose case_fact has another physical column order (a column
# dropped and added again, as ADD COLUMN migrations leave it): each value
# still lands in its own column.
psql -X -q -d postgres -c "CREATE DATABASE hoso_reordered" || fail "createdb"
export PGDATABASE=hoso_reordered
"$load" --migrate 2>/dev/null || fail "migrate hoso_reordered"
q "ALTER TABLE hoso.case_fact DROP COLUMN paid_online;
	ALTER TABLE hoso.case_fact ADD COLUMN paid_online boolean NOT NULL DEFAULT false" ||
	fail "reorder case_fact"
mkstaging "$here/staging" "$work/s-reordered"
owned 1 "$work/s-reordered"
expect_exit "load into a reordered table" 0 \
	"$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/s-reordered"
# the file's column 19 is paid_online (docs/design.md §3)
want=$(awk -F'\t' '$19 == "t" { print $2 }' "$here/staging/case_fact.tsv" | sort | tr '\n' ' ')
got=$(q "SELECT case_no FROM hoso.case_fact WHERE paid_online ORDER BY 1" | tr '\n' ' ')
export PGDATABASE=hoso_load_test
[ -n "$want" ] && [ "$got" = "$want" ] && pass "reordered table: paid_online of every case ($got)" ||
	fail "reordered table: paid_online cases [$got], file says [$want]"

echo "== reject threshold"
# files.tsv: records = dossiers + progress + rejects = (3+4+2) + (1+1+0) = 11,
# rejects = 2: 2/11 = 18.18 % > the default 1 %.
mkstaging "$here/staging" "$work/s"
owned 1 "$work/s"
expect_exit "over the default ratio" 1 "$load" --run-id 1 $ref "$work/s"
expect_err "threshold message" "2 rejects of 11 records (18.18 %) exceed the threshold of 1.00 %"
nothing_loaded "over the ratio"
check "over the ratio: rejects committed with their paths" \
	"/landing/2023/03/01/a.jsonl.gz|6|512|NgayTiepNhan|invalid date \"20231345081500\"
/landing/2023/03/01/a.jsonl.gz|7|640|-|not JSON" \
	"SELECT path, line, byte_offset, field, reason FROM hoso.reject WHERE run_id = 1 ORDER BY line"
check "over the ratio: run row failed" "failed|1|11|2|0|t" \
	"SELECT status, exit_code, rows_read, rows_rejected, rows_loaded, message LIKE '2 rejects of 11 records%'
	 FROM hoso.run WHERE run_id = 1"
# 2 rejects > --max-rejects 1, although 18 % < 50 %
owned 2 "$work/s"
expect_exit "over --max-rejects" 1 "$load" --run-id 2 --max-reject-ratio 0.5 --max-rejects 1 $ref "$work/s"
expect_err "count threshold message" "2 rejects of 11 records exceed the threshold of 1 rejects"
nothing_loaded "over the count"
check "over the count: only rejects and run row" "2|failed" \
	"SELECT (SELECT count(*) FROM hoso.reject WHERE run_id = 2) || '|' || status FROM hoso.run WHERE run_id = 2"

echo "== load"
owned 3 "$work/s"
expect_exit "load under the threshold" 0 "$load" --run-id 3 --max-reject-ratio 0.2 $ref "$work/s"
check "ledger" "/landing/2023/03/01/a.jsonl.gz|1234|7|3|12|2|{\"TruongLa\": 2}
/landing/2023/03/02/b.jsonl.gz|999|2|3|2|0|{}" \
	"SELECT path, size, rows, run_id, lines, rejects, unknown_fields FROM hoso.file_ledger ORDER BY path"
check "archive rows" "4|5" "SELECT (SELECT count(*) FROM hoso.dossier_msg) || '|' || (SELECT count(*) FROM hoso.progress_msg)"
check "file_no -> file_id" "C02|/landing/2023/03/02/b.jsonl.gz" \
	"SELECT m.case_no, l.path FROM hoso.dossier_msg m JOIN hoso.file_ledger l USING (file_id) WHERE m.line = 1 AND l.path LIKE '%b.jsonl.gz'"
check "COPY escapes: tab and newline" "t" \
	"SELECT (SELECT procedure_name = E'Đăng ký khai sinh\\ttab' FROM hoso.dossier_msg WHERE case_no = 'C08') AND
	        (SELECT department = E'Phòng\\nMột' FROM hoso.progress_msg WHERE case_no = 'C01')"
check "times are instants" "2023-02-20 03:00:00" \
	"SELECT (accepted_at AT TIME ZONE 'UTC')::text FROM hoso.dossier_msg WHERE case_no = 'C01'"
check "supplements kept" "20230310080000|20230325090000||20230410170000" \
	"SELECT supplements FROM hoso.dossier_msg WHERE case_no = 'C07'"
check "facts" "20|19|17" "SELECT (SELECT count(*) FROM hoso.case_fact) || '|' || (SELECT count(*) FROM hoso.case_due) || '|' || (SELECT count(*) FROM hoso.case_status)"
check "rejects of run 3" "2" "SELECT count(*) FROM hoso.reject WHERE run_id = 3"
# The summary tables were empty, so the load copied summary_*.tsv straight
# in; a warehouse that already holds a row adds them by upsert.  Both must
# hold the same rows (the extra row taken out again).
summary_rows() {
	psql -X -Atq -d "$1" -c "SELECT 'd', s.* FROM hoso.summary_day s ORDER BY 2, 3" \
		-c "SELECT 'p', s.* FROM hoso.summary_procedure_day s ORDER BY 2, 3, 4" \
		-c "SELECT 'm', s.* FROM hoso.summary_procedure_month s ORDER BY 2, 3, 4"
}
psql -X -q -d postgres -c "CREATE DATABASE hoso_summary_upsert" || fail "createdb"
PGDATABASE=hoso_summary_upsert "$load" --migrate 2>/dev/null || fail "migrate hoso_summary_upsert"
psql -X -q -v ON_ERROR_STOP=1 -d hoso_summary_upsert \
	-c "INSERT INTO hoso.summary_day (day, unit_path, received_online) VALUES ('1999-01-01', '{ZZ}', 1)" \
	-c "INSERT INTO hoso.summary_procedure_day (day, unit_path, procedure_code, resolved, working_seconds)
	    VALUES ('1999-01-01', '{ZZ}', 'ZZ', 1, 1)" \
	-c "INSERT INTO hoso.summary_procedure_month (month, unit_path, procedure_code, resolved, working_seconds)
	    VALUES ('1999-01-01', '{ZZ}', 'ZZ', 1, 1)" || fail "seed hoso_summary_upsert"
mkstaging "$work/s" "$work/s-upsert"
PGDATABASE=hoso_summary_upsert owned 3 "$work/s-upsert"
PGDATABASE=hoso_summary_upsert "$load" --run-id 3 --max-reject-ratio 0.2 $ref "$work/s-upsert" 2>"$work/err" ||
	fail "load by upsert: $(cat "$work/err")"
psql -X -q -d hoso_summary_upsert -c "DELETE FROM hoso.summary_day WHERE day = '1999-01-01'" \
	-c "DELETE FROM hoso.summary_procedure_day WHERE day = '1999-01-01'" \
	-c "DELETE FROM hoso.summary_procedure_month WHERE month = '1999-01-01'" || fail "unseed"
summary_rows hoso_load_test >"$work/summary-copied"
summary_rows hoso_summary_upsert >"$work/summary-upserted"
if [ "$(grep -c '^d' "$work/summary-copied")" -gt 0 ] && [ "$(grep -c '^p' "$work/summary-copied")" -gt 0 ] &&
	cmp -s "$work/summary-copied" "$work/summary-upserted"; then
	pass "summary rows copied into empty tables equal those added by upsert ($(wc -l <"$work/summary-copied") rows)"
else
	fail "summary rows: copied and upserted differ"; diff "$work/summary-copied" "$work/summary-upserted" | head
fi
# hoso-load encodes every value itself (binary COPY); the server's own
# text input, reading the same files with psql \copy as loads did before,
# must give the same rows in every table (each row as jsonb, the archive's
# file ids and numbers both taken to their paths).
psql -X -q -d postgres -c "CREATE DATABASE hoso_text_copy" || fail "createdb"
PGDATABASE=hoso_text_copy "$load" --migrate 2>/dev/null || fail "migrate hoso_text_copy"
tables="dossier_msg progress_msg case_fact case_due case_status summary_day summary_procedure_day summary_procedure_month"
{
	echo "CREATE TABLE public.files (file_no bigint, path text, size bigint, sha256 text,
	  format text, lines bigint, messages bigint, dossiers bigint, progress bigint,
	  other_messages bigint, rejects bigint, unknown_fields jsonb);"
	printf '%s\n' "\\copy public.files FROM '$work/s/files.tsv'"
	for t in $tables; do
		# the table's columns but the province, in the staging file's order
		echo "CREATE TABLE public.$t (LIKE hoso.$t); ALTER TABLE public.$t DROP COLUMN province;"
		printf '%s\n' "\\copy public.$t FROM '$work/s/$t.tsv'"
	done
	# what the load does after adding the summary rows: those all zero go
	echo "DELETE FROM public.summary_day s WHERE NOT EXISTS (SELECT FROM jsonb_each(to_jsonb(s)) e
	  WHERE e.key NOT IN ('day', 'unit_path') AND e.value <> '0');"
} >"$work/text-copy.sql"
psql -X -q -v ON_ERROR_STOP=1 -d hoso_text_copy -f "$work/text-copy.sql" 2>"$work/err" ||
	fail "text COPY of the staging files: $(cat "$work/err")"
# table_rows DB SCHEMA TABLE FILES KEY: the rows, file ids as the paths FILES gives their KEY
table_rows() {
	psql -X -Atq -d "$1" -c "SELECT r FROM (SELECT (to_jsonb(t) - 'province') ||
	    CASE WHEN to_jsonb(t) ? 'file_id' THEN jsonb_build_object('file_id',
	      (SELECT path FROM $4 f WHERE f.$5 = (to_jsonb(t)->>'file_id')::bigint)) ELSE '{}' END AS r
	    FROM $2.$3 t) s ORDER BY r::text"
}
nrows=0
for t in $tables; do
	table_rows hoso_load_test hoso "$t" hoso.file_ledger file_id >"$work/binary-$t"
	table_rows hoso_text_copy public "$t" public.files file_no >"$work/text-$t"
	if [ -s "$work/binary-$t" ] && cmp -s "$work/binary-$t" "$work/text-$t"; then
		nrows=$((nrows + $(wc -l <"$work/binary-$t")))
	else
		fail "$t: binary COPY and text COPY differ"; diff "$work/binary-$t" "$work/text-$t" | head -6
	fi
done
pass "binary COPY gives the rows text COPY gives ($nrows rows of 8 tables)"
check "run row" "load|done|0|2|2233|11|9|2|20|20" \
	"SELECT kind, status, exit_code, files_loaded, bytes, rows_read, rows_loaded, rows_rejected, cases_derived, detail->>'cases_derived'
	 FROM hoso.run WHERE run_id = 3"
check "run identity moved past a given id" "t" "INSERT INTO hoso.run DEFAULT VALUES RETURNING run_id > 3"
check "units" "KT||TINH|QNG
KT.DG|KT|HUYEN|
KT.DG.X1|KT.DG|XA|
KT.STP|KT|SO_NGANH|" "SELECT code, parent_code, level, successor_code FROM hoso.unit ORDER BY code"
check "unit aliases" "KT|Kon Tum
KT|UBND tỉnh Kon Tum
KT.DG|UBND huyện Đăk Glei
KT.DG.X1|UBND xã Một
KT.DG.X1|Xã Một, huyện Đăk Glei
KT.STP|Sở Tư pháp tỉnh Kon Tum" "SELECT code, alias FROM hoso.unit_alias ORDER BY code, alias"
check "procedures" "P1|15|working_days|TOAN_TRINH|t|t|t
P2|1|days|MOT_PHAN|f|t|f
P3|||NONE|f|f|f" "SELECT code, limit_value, limit_unit, online_level, has_fee, paper_result, integrated FROM hoso.procedure ORDER BY code"
check "calendar (two years)" "6|2|Tết Dương lịch" \
	"SELECT count(*) || '|' || count(*) FILTER (WHERE working) || '|' || max(reason) FILTER (WHERE day = '2024-01-01') FROM hoso.calendar"

echo "== period_summary"
cols="carried_over, received_online, received_direct, received_postal, received_in_period,
	received_total, resolved_total, resolved_early, resolved_on_time, resolved_late,
	in_progress_total, in_progress_in_time, in_progress_overdue, in_progress_paused,
	closed_other, digitised_at_intake, on_time_num, on_time_den"
# Period 2023-03-01..2023-03-31: T0 = 03-01 00:00:00+07, T1 = 03-31 23:59:59+07.
# Counted (received, accepted <= T1, not ended before T0), case by case:
#   C01 accepted 02-20 < T0, resolved 03-05: carried over; ended 03-05 before
#       due 03-10 (local dates) -> early.  Digitised, but carried over, so
#       not digitised_at_intake.
#   C02 online, resolved 03-10 16:00, due 03-10 17:00, same date -> on time; digitised.
#   C03 direct, resolved 03-20, due 03-15 -> late.
#   C04 postal, resolved 03-06, no due date (case_due NULL) -> on time.
#   C05 online, open, due(T1) 04-05 >= 03-31 -> in time; status_at(T1) 4; digitised.
#   C06 direct, open, due(T1) 03-20 < 03-31 -> overdue (its 04-02 step is after
#       T1); status_at(T1) 4 (the 04-03 status 5 is after T1).
#   C07 direct, open; supplement received 03-25 moved the due date to 04-10:
#       due(T1) = 04-10 -> in time; status 5 from 03-10 but 4 from 03-25: not paused.
#   C08 online, open, due 03-20 -> overdue; status 5 since 03-12 -> paused.
#   C09 direct, closed 03-15 -> closed_other.
#   C13 direct (accepted 03-20), resolved 04-05 > T1 -> in progress at T1;
#       due 03-30 < 03-31 -> overdue; status_at(T1) 6 (fee due) -> paused.
#   C14 online, accepted 03-01 00:30+07 (02-28 in UTC: only Vietnam time puts
#       it in the period), open, no case_due row -> in time.
#   C16 direct, resolved 03-10 23:30+07, due 03-11 00:30+07: local dates 03-10 <
#       03-11 -> early (in UTC both are 03-10, which would say on time).
#   C17 accepted 02-01: carried over; open, due 02-28 -> overdue; status 4.
#   C18 accepted 02-10: carried over; closed 03-03 -> closed_other.
#   C19 accepted 02-25, resolved exactly at T0 (not before it): carried over and
#       resolved; due 03-01 17:00, same date -> on time.
#   C20 postal (unit UNRESOLVED), resolved exactly at T1 -> resolved; due
#       03-31 08:00, same date -> on time.
# Not counted: C10 (not received), C11 (ended 02-15, before T0), C12 (accepted
# 04-02), C15 (accepted 04-01 00:10+07, after T1, though 03-31 in UTC).
#   carried_over 4 (C01 C17 C18 C19); online 4 (C02 C05 C08 C14);
#   direct 6 (C03 C06 C07 C09 C13 C16); postal 2 (C04 C20); in period 12; total 16;
#   resolved 7 = early 2 (C01 C16) + on time 4 (C02 C04 C19 C20) + late 1 (C03);
#   in progress 7 = in time 3 (C05 C07 C14) + overdue 4 (C06 C08 C13 C17), paused 2 (C08 C13);
#   closed 2 (C09 C18); 16 = 7 + 7 + 2; digitised at intake 2 (C02 C05);
#   on-time rate 6/7.
march="4|4|6|2|12|16|7|2|4|1|7|3|4|2|2|2|6|7"
for tz in UTC America/New_York Asia/Ho_Chi_Minh Pacific/Kiritimati; do
	got=$(PGTZ=$tz q "SELECT $cols FROM hoso.period_summary('2023-03-01', '2023-03-31')")
	[ "$got" = "$march" ] && pass "March, TimeZone $tz" || fail "March, TimeZone $tz: expected [$march], got [$got]"
done
check "March: on_time_rate = 6/7 unrounded" "t" \
	"SELECT on_time_rate = 6::numeric / 7 FROM hoso.period_summary('2023-03-01', '2023-03-31')"
check "March: identities" "t" "
	SELECT received_total = resolved_total + in_progress_total + closed_other
	   AND resolved_total = resolved_early + resolved_on_time + resolved_late
	   AND in_progress_total = in_progress_in_time + in_progress_overdue
	   AND received_in_period = received_online + received_direct + received_postal
	   AND received_total = carried_over + received_in_period
	FROM hoso.period_summary('2023-03-01', '2023-03-31')"
got=$(psql -X -Atq -c "CREATE TEMP TABLE ps_cols AS SELECT * FROM hoso.period_summary('2023-03-01', '2023-03-31')" \
	-c "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'ps_cols'::regclass AND attnum > 0")
[ "$got" = "carried_over bigint,received_online bigint,received_direct bigint,received_postal bigint,received_in_period bigint,received_total bigint,resolved_total bigint,resolved_early bigint,resolved_on_time bigint,resolved_late bigint,in_progress_total bigint,in_progress_in_time bigint,in_progress_overdue bigint,in_progress_paused bigint,closed_other bigint,digitised_at_intake bigint,on_time_rate numeric,on_time_num bigint,on_time_den bigint" ] &&
	pass "columns in docs/counting.md order and types" || fail "columns: $got"
# Unit KT.DG with its commune KT.DG.X1: C03 (X1), C06, C09, C12 (DG), C17 (X1).
#   C17 carried over, open, overdue; C03 direct, late; C06 direct, open, overdue;
#   C09 direct, closed; C12 accepted after T1, not counted.
#   carried 1; direct 3; in period 3; total 4; resolved 1 = late 1;
#   in progress 2 = overdue 2; closed 1; rate 0/1 = 0.
check "March, unit KT.DG and its sub-units" "1|0|3|0|3|4|1|0|0|1|2|0|2|0|1|0|0|1|t" \
	"SELECT $cols, on_time_rate = 0 FROM hoso.period_summary('2023-03-01', '2023-03-31', 'KT.DG')"
# The commune alone: C03 and C17 -> carried 1, direct 1, total 2, late 1, overdue 1.
check "March, unit KT.DG.X1" "1|0|1|0|1|2|1|0|0|1|1|0|1|0|0|0|0|1" \
	"SELECT $cols FROM hoso.period_summary('2023-03-01', '2023-03-31', 'KT.DG.X1')"
check "a unit without cases in the period: zeros, rate NULL" "0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|t" \
	"SELECT $cols, on_time_rate IS NULL FROM hoso.period_summary('2000-03-01', '2000-03-31', 'KT.STP')"
expect_exit "an unknown unit: an error, not zeros" 1 psql -X -q -v ON_ERROR_STOP=1 \
	-c "SELECT * FROM hoso.period_summary('2023-03-01', '2023-03-31', 'NOPE')"
expect_err "... naming it" 'unknown unit code "NOPE"'
# One day, 2023-04-01: T0 = 04-01 00:00+07, T1 = 04-01 23:59:59+07.
#   Carried over (accepted before, open at T0): C05 C06 C07 C08 C13 (ends 04-05)
#   C14 C17 = 7.  Received: C15 online (00:10+07) = 1.  Total 8, none ended by T1.
#   due(T1): C05 04-05, C07 04-10, C14 and C15 none -> in time 4; C06 03-20 (its
#   04-02 step is after T1), C08 03-20, C13 03-30, C17 02-28 -> overdue 4.
#   status_at(T1): C08 5, C13 6 -> paused 2.  No resolved case: rate NULL, 0/0.
for tz in UTC America/New_York; do
	got=$(PGTZ=$tz q "SELECT $cols, on_time_rate IS NULL FROM hoso.period_summary('2023-04-01', '2023-04-01')")
	[ "$got" = "7|1|0|0|1|8|0|0|0|0|8|4|4|2|0|0|0|0|t" ] && pass "2023-04-01, TimeZone $tz" ||
		fail "2023-04-01, TimeZone $tz: got [$got]"
done
# Named arguments and the default profile
check "named arguments" "16" \
	"SELECT received_total FROM hoso.period_summary(p_from => '2023-03-01', p_to => '2023-03-31', p_profile => 'ii06a')"
got=$(psql -X -Atq -c "SELECT * FROM hoso.period_summary('2023-03-01', '2023-03-31', NULL, 'nd09')" 2>&1)
case $got in *'unknown counting profile "nd09"'*) pass "unknown profile is an error naming it" ;;
	*) fail "unknown profile: $got" ;; esac
got=$(psql -X -Atq -c "SELECT * FROM hoso.period_summary('2023-03-31', '2023-03-01')" 2>&1)
case $got in *ERROR*) pass "reversed period is an error" ;; *) fail "reversed period: $got" ;; esac

echo "== ledger and --replace"
owned 6 "$work/s"
expect_exit "same files again without --replace" 1 "$load" --run-id 6 --max-reject-ratio 0.2 "$work/s"
expect_err "ledgered path named" "a.jsonl.gz: already in the ledger"
check "refused reload changed nothing" "2|4|5|20" "SELECT (SELECT count(*) FROM hoso.file_ledger) || '|' ||
	(SELECT count(*) FROM hoso.dossier_msg) || '|' || (SELECT count(*) FROM hoso.progress_msg) || '|' || (SELECT count(*) FROM hoso.case_fact)"
# staging-replace: a.jsonl.gz again with new content (1 dossier) and case C01 re-derived
mkstaging "$here/staging-replace" "$work/r"
owned 7 "$work/r"
expect_exit "--replace" 0 "$load" --run-id 7 --replace "$work/r"
# a's old row and, by cascade, its 3 dossiers and 4 progress rows are gone;
# b's 1 + 1 remain; the new a brings 1 dossier.
check "replaced ledger row" "/landing/2023/03/01/a.jsonl.gz|7|cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
/landing/2023/03/02/b.jsonl.gz|3|bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
	"SELECT path, run_id, sha256 FROM hoso.file_ledger ORDER BY path"
check "old messages cascaded away" "2|1" "SELECT (SELECT count(*) FROM hoso.dossier_msg) || '|' || (SELECT count(*) FROM hoso.progress_msg)"
# the old a also spoke of C07 and C08, which the new a (and so case_fact.tsv)
# no longer mentions: as in a fresh load of the current files, their facts go
check "C01 facts replaced whole, C07 and C08 gone" "18|KT.DG|2|2|1" "SELECT (SELECT count(*) FROM hoso.case_fact) || '|' ||
	(SELECT unit_code FROM hoso.case_fact WHERE case_no = 'C01') || '|' || (SELECT status FROM hoso.case_fact WHERE case_no = 'C01') || '|' ||
	(SELECT count(*) FROM hoso.case_due WHERE case_no = 'C01') || '|' || (SELECT count(*) FROM hoso.case_status WHERE case_no = 'C01')"
check "other cases untouched" "17|13|0" "SELECT (SELECT count(*) FROM hoso.case_due) || '|' || (SELECT count(*) FROM hoso.case_status)
	|| '|' || (SELECT count(*) FROM hoso.case_fact WHERE case_no IN ('C07', 'C08'))"
check "dimensions kept without reference options" "4|3|6" \
	"SELECT (SELECT count(*) FROM hoso.unit) || '|' || (SELECT count(*) FROM hoso.procedure) || '|' || (SELECT count(*) FROM hoso.calendar)"

echo "== bulk load"
# case_status.tsv over 4 MB into a warehouse never written to: its key is
# dropped and built after the COPY, with parallel workers although the
# session's settings allow none (the load raises them in its transaction;
# the server's log says how each index was built).
mkstaging "$here/staging" "$work/b0"
awk 'BEGIN { for (i = 0; i < 120000; i++) printf "bulk\tB%06d\t2023-03-0%d 08:00:00+07\t%d\n", i, i % 9 + 1, i % 10 + 1 }' \
	>>"$work/b0/case_status.tsv"
mkstaging "$work/b0" "$work/b"
psql -X -q -d postgres -c "CREATE DATABASE hoso_bulk" || fail "createdb"
export PGDATABASE=hoso_bulk
"$load" --migrate 2>/dev/null || fail "migrate hoso_bulk"
owned 1 "$work/b"
logged=$(wc -c <"$pgdir/server.log")
PGOPTIONS="-c max_parallel_maintenance_workers=0 -c maintenance_work_mem=64MB -c min_parallel_table_scan_size=0 -c log_min_messages=debug1" \
	expect_exit "bulk load" 0 "$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/b"
check "bulk load: every status row, its key built again" "120017|1|1" \
	"SELECT (SELECT count(*) FROM hoso.case_status) || '|' ||
	   (SELECT count(*) FROM pg_indexes WHERE indexname = 'case_status_key') || '|' ||
	   (SELECT count(*) FROM hoso.case_status WHERE case_no = 'B000017' AND from_at = '2023-03-09 01:00:00+00' AND status = 8)"
if tail -c +$((logged + 1)) "$pgdir/server.log" |
	grep -q 'building index "case_status_key" on table "case_status" with request for 2 parallel workers'; then
	pass "bulk load: the key built by parallel workers"
else
	fail "bulk load: case_status_key not built in parallel"
	tail -c +$((logged + 1)) "$pgdir/server.log" | grep 'building index' | head -3
fi
export PGDATABASE=hoso_load_test

echo "== following the transform (--follow)"
# MANIFEST.read: what the transform writes once the streams are read (by a rename, as it does)
mkread() {
	(cd "$1" && for f in files.tsv dossier_msg.tsv progress_msg.tsv reject.tsv; do
		echo "$f $(stat -c %s "$f") $(sha256sum <"$f" | cut -c1-64)"
	done >MANIFEST.read.tmp && mv MANIFEST.read.tmp MANIFEST.read)
}
# every table a load writes, as text, to compare two warehouses
fingerprint() {
	PGDATABASE=$1 q "SELECT (SELECT string_agg(path || ':' || rows, ',' ORDER BY path) FROM hoso.file_ledger),
		(SELECT md5(string_agg(d::text, ',' ORDER BY d::text)) FROM (SELECT line, pos, src, at, case_no, status FROM hoso.dossier_msg) d),
		(SELECT md5(string_agg(p::text, ',' ORDER BY p::text)) FROM (SELECT line, pos, src, case_no, event_at FROM hoso.progress_msg) p),
		(SELECT md5(string_agg(c::text, ',' ORDER BY c::text)) FROM hoso.case_fact c),
		(SELECT md5(string_agg(c::text, ',' ORDER BY c::text)) FROM hoso.case_status c),
		(SELECT md5(string_agg(s::text, ',' ORDER BY s::text)) FROM hoso.summary_day s),
		(SELECT count(*) FROM hoso.reject), (SELECT string_agg(status, ',') FROM hoso.run)"
}
for db in hoso_plain hoso_follow; do
	psql -X -q -d postgres -c "CREATE DATABASE $db" || fail "createdb $db"
	PGDATABASE=$db "$load" --migrate 2>/dev/null || fail "migrate $db"
done
mkstaging "$here/staging" "$work/f-plain"
PGDATABASE=hoso_plain owned 1 "$work/f-plain"
PGDATABASE=hoso_plain expect_exit "follow: the load without it" 0 \
	"$load" --run-id 1 --max-reject-ratio 0.5 $ref "$work/f-plain"
export PGDATABASE=hoso_follow
# the directory as the transform starts it: no manifest yet
mkstaging "$here/staging" "$work/f"
mv "$work/f/MANIFEST" "$work/f-manifest"
owned 1 "$work/f"
mkfifo "$work/go"
"$load" --follow --run-id 1 --max-reject-ratio 0.5 $ref "$work/f" <"$work/go" >"$work/out" 2>"$work/err" &
follower=$!
exec 7>"$work/go"
sleep 0.3
kill -0 $follower 2>/dev/null && pass "follow: waits for MANIFEST.read" || fail "follow: ended before MANIFEST.read"
check "follow: nothing written while it waits" "0" "SELECT count(*) FROM hoso.file_ledger"
mkread "$work/f"
sleep 0.5
kill -0 $follower 2>/dev/null && pass "follow: waits for the MANIFEST" || fail "follow: ended before the MANIFEST"
mv "$work/f-manifest" "$work/f/MANIFEST"
sleep 0.5
kill -0 $follower 2>/dev/null && pass "follow: waits to be told to commit" || fail "follow: ended before told to commit"
check "follow: nothing visible before the commit" "0" "SELECT count(*) FROM hoso.file_ledger"
trap '' PIPE	# a load that ended early must fail the checks below, not end the script
echo commit >&7
exec 7>&-
trap - PIPE
wait $follower
rc=$?
[ "$rc" -eq 0 ] && pass "follow: committed when told (exit 0)" || { fail "follow: exit $rc"; sed 's/^/    /' "$work/err"; }
got=$(fingerprint hoso_follow) want=$(fingerprint hoso_plain)
[ -n "$want" ] && [ "$got" = "$want" ] && pass "follow: the warehouse a load without --follow makes" ||
	fail "follow: warehouse [$got], without --follow [$want]"

# told nothing: its input ends (the transform failed, the runner stopped)
psql -X -q -d postgres -c "DROP DATABASE hoso_follow" -c "CREATE DATABASE hoso_follow" || fail "recreate hoso_follow"
"$load" --migrate 2>/dev/null || fail "migrate hoso_follow"
mkstaging "$here/staging" "$work/f2"
mv "$work/f2/MANIFEST" "$work/f2-manifest"
owned 1 "$work/f2"
expect_exit "follow: cancelled before MANIFEST.read" 1 \
	"$load" --follow --run-id 1 --max-reject-ratio 0.5 $ref "$work/f2" </dev/null
grep -q error "$work/err" && fail "follow: a cancel is no error of the load's: $(cat "$work/err")" ||
	pass "follow: a cancel prints no error (the runner says why)"
mkread "$work/f2"
mv "$work/f2-manifest" "$work/f2/MANIFEST"
expect_exit "follow: cancelled after every copy, before the commit" 1 \
	"$load" --follow --run-id 1 --max-reject-ratio 0.5 $ref "$work/f2" </dev/null
nothing_loaded "follow: cancelled"
check "follow: cancelled: no run row" "0" "SELECT count(*) FROM hoso.run"
# the MANIFEST must say of the files already copied what MANIFEST.read said
mkstaging "$here/staging" "$work/f3"
mkread "$work/f3"
awk '$1 == "dossier_msg.tsv" { $3 = sprintf("%064d", 0) } { print }' "$work/f3/MANIFEST" >"$work/f3/m" &&
	mv "$work/f3/m" "$work/f3/MANIFEST"
owned 1 "$work/f3"
echo commit >"$work/go-f3"
expect_exit "follow: MANIFEST and MANIFEST.read disagree" 1 \
	"$load" --follow --run-id 1 --max-reject-ratio 0.5 $ref "$work/f3" <"$work/go-f3"
expect_err "follow: the disagreement named" "MANIFEST: differs from MANIFEST.read on dossier_msg.tsv"
nothing_loaded "follow: manifests disagree"
# told to commit, but the MANIFEST never comes
mkstaging "$here/staging" "$work/f4"
rm "$work/f4/MANIFEST"
mkread "$work/f4"
owned 1 "$work/f4"
expect_exit "follow: told to commit without a MANIFEST" 1 \
	"$load" --follow --run-id 1 --max-reject-ratio 0.5 $ref "$work/f4" <"$work/go-f3"
expect_err "follow: the missing MANIFEST named" "f4/MANIFEST: missing, though the run said to commit"
nothing_loaded "follow: no MANIFEST"
# --tail: the archive's files copied as the transform writes them, cut
# anywhere (inside a row too), before any manifest lists them
psql -X -q -d postgres -c "DROP DATABASE hoso_follow" -c "CREATE DATABASE hoso_follow" || fail "recreate hoso_follow"
"$load" --migrate 2>/dev/null || fail "migrate hoso_follow"
q "INSERT INTO hoso.run (run_id, kind, status) VALUES (1, 'run', 'running');
   INSERT INTO hoso.run_file (run_id, path, format)
   SELECT 1, '/landing/2023/03/0' || d || '/' || f || '.jsonl.gz', 'dvcqg-jsonl'
   FROM (VALUES (1, 'a'), (2, 'b')) v (d, f)" || fail "plan of the tailed run"
mkstaging "$here/staging" "$work/t"
mv "$work/t" "$work/t-whole"
mkdir "$work/t"
owned 1 "$work/t"
mkfifo "$work/go-t"
"$load" --follow --tail --run-id 1 --max-reject-ratio 0.5 $ref "$work/t" <"$work/go-t" >"$work/out" 2>"$work/err" &
follower=$!
exec 7>"$work/go-t"
for f in dossier_msg progress_msg; do
	size=$(stat -c %s "$work/t-whole/$f.tsv")
	head -c $((size / 2 + 7)) "$work/t-whole/$f.tsv" >"$work/t/$f.tsv"
done
sleep 0.4
kill -0 $follower 2>/dev/null && pass "tail: copies half-written files, waiting for the rest" ||
	fail "tail: ended on half-written files"
for f in dossier_msg progress_msg; do
	size=$(stat -c %s "$work/t-whole/$f.tsv")
	tail -c +$((size / 2 + 8)) "$work/t-whole/$f.tsv" >>"$work/t/$f.tsv"
done
for f in "$work/t-whole"/*.tsv; do
	case $f in */dossier_msg.tsv | */progress_msg.tsv) ;; *) cp "$f" "$work/t/" ;; esac
done
mkread "$work/t"
cp "$work/t-whole/MANIFEST" "$work/t/MANIFEST"
trap '' PIPE
echo commit >&7
exec 7>&-
trap - PIPE
wait $follower
rc=$?
[ "$rc" -eq 0 ] && pass "tail: committed when told (exit 0)" || { fail "tail: exit $rc"; sed 's/^/    /' "$work/err"; }
got=$(fingerprint hoso_follow) want=$(fingerprint hoso_plain)
[ -n "$want" ] && [ "$got" = "$want" ] && pass "tail: the warehouse a load without --follow makes" ||
	fail "tail: warehouse [$got], without --follow [$want]"
expect_exit "tail: only with --follow" 2 "$load" --tail --run-id 1 "$work/t"

expect_exit "follow: not with --rebuild" 2 \
	"$load" --follow --run-id 1 --rebuild "$work/keys" --from 2023-03-01 --to 2023-03-02 "$work/f4"
export PGDATABASE=hoso_load_test

echo "== reference catalogues left alone when unchanged"
# A load whose reference files are byte for byte those of the last load
# leaves the dimensions as they are: not one row is written again, so
# every row keeps the transaction id (xmin) of the load that wrote it.
psql -X -q -d postgres -c "CREATE DATABASE hoso_reference" || fail "createdb"
export PGDATABASE=hoso_reference
"$load" --migrate 2>/dev/null || fail "migrate hoso_reference"
dims="SELECT (SELECT string_agg(code || ':' || xmin, ' ' ORDER BY code) FROM hoso.unit) || '|' ||
	(SELECT string_agg(code || '=' || alias || ':' || xmin, ' ' ORDER BY code, alias) FROM hoso.unit_alias) || '|' ||
	(SELECT string_agg(code || ':' || xmin, ' ' ORDER BY code) FROM hoso.procedure) || '|' ||
	(SELECT string_agg(day || ':' || xmin, ' ' ORDER BY day) FROM hoso.calendar)"
cp -r "$here/reference" "$work/ref"
refw="--reference-units $work/ref/units.csv --reference-procedures $work/ref/procedures.csv --reference-calendar $work/ref/calendar"
mkstaging "$here/staging" "$work/d"
owned 1 "$work/d"
expect_exit "reference: first load" 0 "$load" --run-id 1 --max-reject-ratio 0.5 $refw "$work/d"
# the files' data rows (header and blank lines aside)
rows() { grep -c . "$@" | awk -F: '{ n += $NF - 1 } END { print n }'; }
check "reference: every catalogue row loaded" \
	"$(rows "$work/ref/units.csv")|$(rows "$work/ref/procedures.csv")|$(rows "$work/ref/calendar"/*.csv)" \
	"SELECT (SELECT count(*) FROM hoso.unit) || '|' || (SELECT count(*) FROM hoso.procedure) || '|' ||
		(SELECT count(*) FROM hoso.calendar)"
check "reference: a digest recorded per dimension" "calendar procedure unit" \
	"SELECT string_agg(dimension, ' ' ORDER BY dimension) FROM hoso.reference_digest"
before=$(q "$dims")
owned 2 "$work/d"
expect_exit "reference: second load, same catalogues" 0 \
	"$load" --run-id 2 --replace --max-reject-ratio 0.5 $refw "$work/d"
check "reference: the facts were loaded again" "t" \
	"SELECT bool_and(xmin::text::bigint > $(q "SELECT max(xmin::text::bigint) FROM hoso.unit")) FROM hoso.case_fact"
check "reference: unchanged catalogues not written again (same rows, same xmin)" "$before" "$dims"

# one name edited, one row added: the procedure catalogue alone is replaced
sed -i 's/^P3,Thủ tục không phí,/P3,Thủ tục không thu phí,/' "$work/ref/procedures.csv"
echo "P4,Thủ tục mới,F3,Khác,5,days,NONE,0,0,0,2023-01-01," >>"$work/ref/procedures.csv"
owned 3 "$work/d"
expect_exit "reference: a load with a changed procedure catalogue" 0 \
	"$load" --run-id 3 --replace --max-reject-ratio 0.5 $refw "$work/d"
check "reference: the edited name and the added row are there" "P1 P2 P3 P4|Thủ tục không thu phí|5 days" \
	"SELECT (SELECT string_agg(code, ' ' ORDER BY code) FROM hoso.procedure) || '|' ||
		(SELECT name FROM hoso.procedure WHERE code = 'P3') || '|' ||
		(SELECT limit_value || ' ' || limit_unit FROM hoso.procedure WHERE code = 'P4')"
check "reference: units and calendar still untouched" "$(echo "$before" | cut -d'|' -f1,2,4)" \
	"SELECT split_part(d, '|', 1) || '|' || split_part(d, '|', 2) || '|' || split_part(d, '|', 4) FROM ($dims) x(d)"
digest=$(q "SELECT sha256 FROM hoso.reference_digest WHERE dimension = 'procedure'")

# a changed catalogue in a load that fails after the reference step (a
# staging file the load refuses): nothing of it stays, not its digest
# either, so the next load with that catalogue still applies it
sed -i 's/^P1,Cấp giấy phép xây dựng,/P1,Cấp phép xây dựng,/' "$work/ref/procedures.csv"
mkstaging "$work/s-swapped" "$work/d-bad"
owned 4 "$work/d-bad"
expect_exit "reference: a load failing after the reference step" 1 \
	"$load" --run-id 4 --replace --max-reject-ratio 0.5 $refw "$work/d-bad"
check "reference: the failed load's catalogue rolled back with its digest" "Cấp giấy phép xây dựng|true" \
	"SELECT (SELECT name FROM hoso.procedure WHERE code = 'P1') || '|' ||
		(SELECT sha256 = '$digest' FROM hoso.reference_digest WHERE dimension = 'procedure')"
owned 5 "$work/d"
expect_exit "reference: the next load with that catalogue" 0 \
	"$load" --run-id 5 --replace --max-reject-ratio 0.5 $refw "$work/d"
check "reference: it is applied" "Cấp phép xây dựng" "SELECT name FROM hoso.procedure WHERE code = 'P1'"

# a dimension written by anything but the load is loaded again
q "DELETE FROM hoso.calendar WHERE day = '2024-01-01'" || fail "delete a calendar day"
check "reference: a write to a dimension forgets its digest" "procedure unit" \
	"SELECT string_agg(dimension, ' ' ORDER BY dimension) FROM hoso.reference_digest"
owned 6 "$work/d"
expect_exit "reference: a load after that write" 0 \
	"$load" --run-id 6 --replace --max-reject-ratio 0.5 $refw "$work/d"
check "reference: the calendar is whole again" "$(rows "$work/ref/calendar"/*.csv)|1" \
	"SELECT (SELECT count(*) FROM hoso.calendar) || '|' || (SELECT count(*) FROM hoso.calendar WHERE day = '2024-01-01')"

# a changed file is still checked as it is copied: a bad one fails the
# load, naming it, every time
sed -i 's/^P4,Thủ tục mới,F3,Khác,5,/P4,Thủ tục mới,F3,Khác,five,/' "$work/ref/procedures.csv"
for run in 7 8; do
	owned $run "$work/d"
	expect_exit "reference: a bad changed catalogue refused (run $run)" 1 \
		"$load" --run-id $run --replace --max-reject-ratio 0.5 $refw "$work/d"
	expect_err "reference: the bad file named (run $run)" "procedures.csv"
done
export PGDATABASE=hoso_load_test

echo
if [ "$failures" -ne 0 ]; then
	echo "$failures checks FAILED"
	exit 1
fi
echo "all load checks passed"
