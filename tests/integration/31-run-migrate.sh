#!/bin/sh
# A run migrates the warehouse only when its schema is behind the files:
# against a current warehouse it starts no hoso-load --migrate; with a
# function file, a profile or a migration the warehouse does not record,
# it still migrates, before loading.  The runner here is a copy of hoso
# beside a hoso-load that notes each of its command lines and goes on.
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db run_migrate
mkdir -p "$work/bin" "$work/input"
cp "$HOSO" "$work/bin/hoso"
ln -s "$HOSO_BIN/hoso-extract" "$work/bin/hoso-extract"
ln -s "$HOSO_BIN/hoso-transform" "$work/bin/hoso-transform"
cat >"$work/bin/hoso-load" <<SH
#!/bin/sh
echo "\$*" >>"$work/load-calls"
exec "$HOSO_BIN/hoso-load" "\$@"
SH
chmod +x "$work/bin/hoso-load"
# the copy's data directory is the tree's (it is found beside the program)
export HOSO_DATADIR="$HOSO_ROOT"
pipeline_for "$work" "$work/p.yaml"

# day N: one case of its own, received that day, so that every run loads
day() {
	printf '{"_at":"202303%02d170000","_src":"MIG","service":"DongBoHoSoMC","data":[{"MaHoSo":"000.00.15.H34-2303%02d-0001","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"202303%02d080000","NgayHenTra":"202303%02d170000","TrangThaiHoSo":"4"}]}\n' \
		"$1" "$1" "$1" "$(($1 + 3))" >"$work/input/day$1.jsonl"
}
# run DAY LABEL: a run loading DAY's file; the hoso-load command lines it
# started that were --migrate, counted
run() {
	day "$1"
	: >"$work/load-calls"
	rc=0
	"$work/bin/hoso" run "$work/p.yaml" --date "$(printf '2023-03-%02d' "$1")" >"$work/run.log" 2>&1 || rc=$?
	[ "$rc" = 0 ] || cat "$work/run.log"
	assert_eq "$rc" 0 "$2: the run exits 0"
	migrations=$(grep -c -- '--migrate' "$work/load-calls" || true)
}
sha() { sha256sum "$1" | cut -c1-64; }
nmig=$(ls "$HOSO_ROOT"/schemas/warehouse/[0-9]*_*.sql | wc -l)

# 1. an empty database: the first run creates the warehouse
run 1 "first run"
assert_eq "$migrations" 1 "first run: hoso-load --migrate started once"
assert_eq "$(q -c "SELECT count(*) FROM hoso.schema_version")" "$nmig" "first run: every migration recorded"

# 2. a current warehouse: no migration, and the run loads
run 2 "current warehouse"
assert_eq "$migrations" 0 "current warehouse: no hoso-load --migrate"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 2 "current warehouse: the day loaded"

# 3. a function file the warehouse records with other content: migrated,
# the record is the file's digest again, and the run loads after it
q -c "UPDATE hoso.function_file SET sha256 = repeat('0', 64) WHERE file = 'time.sql'"
run 3 "function file behind"
assert_eq "$migrations" 1 "function file behind: hoso-load --migrate started"
assert_eq "$(q -c "SELECT sha256 FROM hoso.function_file WHERE file = 'time.sql'")" \
	"$(sha "$HOSO_ROOT/schemas/warehouse/functions/time.sql")" "function file behind: recorded as the file"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 3 "function file behind: the day loaded"

# 4. a scoring profile the warehouse does not record as it is: migrated
q -c "DELETE FROM hoso.profile_file"
run 4 "profile behind"
assert_eq "$migrations" 1 "profile behind: hoso-load --migrate started"
assert_eq "$(q -c "SELECT string_agg(file || ' ' || sha256, ',' ORDER BY file) FROM hoso.profile_file")" \
	"766.yaml $(sha "$HOSO_ROOT/schemas/profiles/766.yaml")" "profile behind: recorded as the file"

# 5. a migration the warehouse lacks (a copy of the schema files with one
# more): applied before the run's row is written, and the run loads
mkdir -p "$work/schemas"
cp -r "$HOSO_ROOT/schemas/warehouse" "$HOSO_ROOT/schemas/profiles" "$work/schemas/"
echo "CREATE TABLE hoso.migrate_probe (n int);" >"$work/schemas/warehouse/999_probe.sql"
HOSO_SCHEMA_DIR="$work/schemas" run 5 "migration missing"
assert_eq "$migrations" 1 "migration missing: hoso-load --migrate started"
assert_eq "$(q -c "SELECT sha256 FROM hoso.schema_version WHERE version = 999")" \
	"$(sha "$work/schemas/warehouse/999_probe.sql")" "migration missing: applied and recorded"
assert_eq "$(q -c "SELECT (SELECT applied_at FROM hoso.schema_version WHERE version = 999)
                         < started_at FROM hoso.run ORDER BY run_id DESC LIMIT 1")" t \
	"migration missing: applied before the run started"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 5 "migration missing: the day loaded"
# and with those files, the warehouse is current again
HOSO_SCHEMA_DIR="$work/schemas" run 6 "current again"
assert_eq "$migrations" 0 "current again: no hoso-load --migrate"
finish
