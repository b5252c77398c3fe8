# lib.sh: shared helpers of the integration tests (sourced, POSIX sh).
# The suite runner gives HOSO_ROOT, HOSO_BIN and the libpq environment of a
# private server; each test works in databases of its own.
set -eu
: "${HOSO_ROOT:?run through scripts/run-tests.sh}"
: "${HOSO_BIN:=$HOSO_ROOT/bin}"
HOSO="$HOSO_BIN/hoso"
failures=0
work=$(mktemp -d /tmp/hoso-it.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
# landing_days DIR SRC DAY...: DIR/DAY/log.jsonl.gz for each DAY (YYYYMMDD):
# 30 000 dossiers of source SRC (300 lines of 100), received that day,
# enough for the load's COPYs to last a while
landing_days() {
	_dir=$1 _src=$2
	shift 2
	for _d in "$@"; do
		mkdir -p "$_dir/$_d"
		awk -v d=$_d -v src=$_src 'BEGIN { for (l = 0; l < 300; l++) {
			printf "{\"_at\":\"%s170000\",\"_src\":\"%s\",\"service\":\"DongBoHoSoMC\",\"data\":[", d, src
			for (k = 0; k < 100; k++)
				printf "%s{\"MaHoSo\":\"000.00.15.H34-%s-%06d\",\"MaTTHC\":\"1.000001\",\"KenhThucHien\":\"2\",\"NgayTiepNhan\":\"%s080000\",\"NgayHenTra\":\"%s170000\",\"TrangThaiHoSo\":\"4\"}", \
					(k ? "," : ""), d, l * 100 + k, d, d
			print "]}" } }' | gzip >"$_dir/$_d/log.jsonl.gz"
	done
}
fail() {
	say "FAIL: $*"
	failures=$((failures + 1))
}
# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	if [ "$1" = "$2" ]; then
		say "ok: $3"
	else
		fail "$3: got [$1], expected [$2]"
	fi
}
# assert_contains HAYSTACK NEEDLE WHAT
assert_contains() {
	case $1 in
	*"$2"*) say "ok: $3" ;;
	*) fail "$3: [$2] not in [$1]" ;;
	esac
}
# assert_not_contains HAYSTACK NEEDLE WHAT
assert_not_contains() {
	case $1 in
	*"$2"*) fail "$3: [$2] in [$1]" ;;
	*) say "ok: $3" ;;
	esac
}
finish() {
	if [ "$failures" -ne 0 ]; then
		say "$failures failure(s)"
		exit 1
	fi
	say "all checks passed"
}

# fresh_db NAME: an empty database, made current for psql and hoso
fresh_db() {
	dropdb --if-exists "$1" >/dev/null 2>&1
	createdb "$1"
	export PGDATABASE="$1"
}

q() { psql -X -v ON_ERROR_STOP=1 -Atq "$@"; }

# load_scan_functions: schema hoso_test (tests/sql/scan.sql), the figures
# computed case by case from the facts, into the current database
load_scan_functions() { q -f "$HOSO_ROOT/tests/sql/scan.sql" >/dev/null; }

# summary FROM TO [UNIT]: hoso.period_summary as "name value" lines, the
# rate printed truncated to two decimals (docs/counting.md §3) or NULL.
summary() {
	unit=${3:-}
	q -F ' ' -v from="$1" -v to="$2" -v unit="$unit" <<'SQL'
SELECT key, value FROM (
  SELECT s.*,
         CASE WHEN on_time_den = 0 THEN 'NULL'
              ELSE (on_time_num * 10000 / on_time_den / 100)::text || '.' ||
                   lpad((on_time_num * 10000 / on_time_den % 100)::text, 2, '0') END AS rate
    FROM hoso.period_summary(:'from', :'to', nullif(:'unit', '')) s) s,
  LATERAL (VALUES (1, 'carried_over', carried_over::text),
                  (2, 'received_online', received_online::text),
                  (3, 'received_direct', received_direct::text),
                  (4, 'received_postal', received_postal::text),
                  (5, 'received_in_period', received_in_period::text),
                  (6, 'received_total', received_total::text),
                  (7, 'resolved_total', resolved_total::text),
                  (8, 'resolved_early', resolved_early::text),
                  (9, 'resolved_on_time', resolved_on_time::text),
                  (10, 'resolved_late', resolved_late::text),
                  (11, 'in_progress_total', in_progress_total::text),
                  (12, 'in_progress_in_time', in_progress_in_time::text),
                  (13, 'in_progress_overdue', in_progress_overdue::text),
                  (14, 'in_progress_paused', in_progress_paused::text),
                  (15, 'closed_other', closed_other::text),
                  (16, 'digitised_at_intake', digitised_at_intake::text),
                  (17, 'on_time_rate', rate)) v(ord, key, value)
 ORDER BY ord;
SQL
}

# table_digest: one line per hoso table with its row count and an md5 of
# its sorted contents, minus columns that differ between identical loads
# (run ids, load times).  One REPEATABLE READ transaction: a consistent
# snapshot even while another session commits.
table_digest() {
	{
		echo "BEGIN ISOLATION LEVEL REPEATABLE READ;"
		for t in file_ledger dossier_msg progress_msg case_fact case_due case_status summary_day summary_procedure_day summary_procedure_month unit procedure calendar; do
			echo "SELECT '$t ' || count(*) || ' ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '-')
			        FROM (SELECT (to_jsonb(x) - 'run_id' - 'loaded_at' - 'file_id')::text AS r
			                FROM hoso.$t x) s;"
		done
		echo "COMMIT;"
	} | q
}

# wait_sessions_gone: until no hoso program holds a session on this database
# (after a kill, the server finishes its rollback or commit first)
wait_sessions_gone() {
	# (shell functions share variables with their caller: names of its own)
	_wait_tries=0
	while [ "$_wait_tries" -lt 100 ]; do
		_wait_open=$(q -c "SELECT count(*) FROM pg_stat_activity
		           WHERE datname = current_database() AND pid <> pg_backend_pid()
		             AND application_name LIKE 'hoso%'")
		[ "$_wait_open" = 0 ] && return 0
		sleep 0.1
		_wait_tries=$((_wait_tries + 1))
	done
	say "warning: hoso sessions still open after 10 s"
}

# kontum_reference [UNITS]: a pipeline's reference: block with the committed
# Kon Tum catalogues (UNITS instead of its units.csv) and the calendars
kontum_reference() {
	_ref=${HOSO_REFERENCE:-$HOSO_ROOT/schemas/reference}
	printf 'reference:\n  units: %s\n  procedures: %s\n  calendar: %s\n' \
		"${1:-$_ref/kontum/units.csv}" "$_ref/kontum/procedures.csv" "$_ref/calendar"
}

# pipeline_for DIR FILE: a pipeline reading every file under DIR/input, with
# the committed Kon Tum reference data (DIR/units.csv instead, if present)
pipeline_for() {
	units=
	[ -f "$1/units.csv" ] && units=$1/units.csv
	cat >"$2" <<YAML
name: test
source:
  paths: ["$1/input/*"]
  format: dvcqg-jsonl
$(kontum_reference ${units:+"$units"})
staging: $work/staging
YAML
}

# own_calendar DIR FIRST_YEAR LAST_YEAR [HOLIDAY_FROM HOLIDAY_TO REASON]:
# DIR/YYYY.csv for each year, Saturdays and Sundays off, and the holiday's
# days (YYYY-MM-DD, both included) off with REASON
own_calendar() {
	mkdir -p "$1"
	python3 - "$@" <<'PY'
import datetime as dt, sys
out, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hol = sys.argv[4:7]
for year in range(first, last + 1):
    with open(f"{out}/{year}.csv", "w") as f:
        f.write("date,working,reason\n")
        d = dt.date(year, 1, 1)
        while d.year == year:
            off = hol[2] if hol and hol[0] <= d.isoformat() <= hol[1] else \
                "weekend" if d.weekday() >= 5 else ""
            f.write(f"{d},{0 if off else 1},{off}\n")
            d += dt.timedelta(days=1)
PY
}

# run_own_reference DATE: $work/p.yaml reading every file under $work/input
# with the test's own reference data ($work/units.csv; $work/procedures.csv
# and $work/calendar when the test wrote them, else the committed calendars),
# run for DATE; a failed run ends the test
run_own_reference() {
	{
		cat <<YAML
source:
  paths: ["$work/input/*"]
  format: dvcqg-jsonl
reference:
  units: $work/units.csv
YAML
		[ -f "$work/procedures.csv" ] && echo "  procedures: $work/procedures.csv"
		if [ -d "$work/calendar" ]; then
			echo "  calendar: $work/calendar"
		else
			echo "  calendar: $HOSO_ROOT/schemas/reference/calendar"
		fi
		echo "staging: $work/staging"
	} >"$work/p.yaml"
	"$HOSO" run "$work/p.yaml" --date "$1" >"$work/run.log" 2>&1 ||
		{ cat "$work/run.log"; fail "load failed"; finish; }
}

# kontum_sample: the directory holding hoso-gen's scale-1 Kon Tum sample
# (DIR/landing).  The suite makes it once (HOSO_SAMPLE_DIR, given by
# scripts/run-tests.sh) for the tests that share it; they only read it.
kontum_sample() {
	_sample=${HOSO_SAMPLE_DIR:-$work/sample}
	if [ ! -f "$_sample/.complete" ]; then
		mkdir -p "$_sample"
		"$HOSO_BIN/hoso-gen" --out "$_sample" >/dev/null || return 1
		touch "$_sample/.complete"
	fi
	echo "$_sample"
}

# kontum_pipeline SAMPLE FILE: pipelines/kontum-2023.yaml reading SAMPLE's
# landing files, its own state (staging) beside FILE
kontum_pipeline() {
	sed "s|\"landing/|\"$1/landing/|" "$HOSO_ROOT/pipelines/kontum-2023.yaml" >"$2"
	grep -q "$1/landing/" "$2" || fail "kontum_pipeline: no landing path in kontum-2023.yaml"
}

# kontum_warehouse DB: an empty database DB made current, $sample the
# shared sample and $P its pipeline, run from $work
kontum_warehouse() {
	sample=$(kontum_sample) || { fail "hoso-gen failed"; finish; }
	P="$work/kontum-2023.yaml"
	kontum_pipeline "$sample" "$P"
	cd "$work"
	fresh_db "$1"
}

# check_kontum_reference LABEL: the province's published figures for the
# reporting period 2022-12-15..2023-10-14 (the reference table the sample
# was made to reproduce; never computed by the generator or the warehouse)
check_kontum_reference() {
	summary 2022-12-15 2023-10-14 >"$work/reference"
	_get() { awk -v k="$1" '$1 == k { print $2 }' "$work/reference"; }
	assert_eq "$(_get received_total)" 199352 "$1: received_total"
	assert_eq "$(_get received_online)" 50990 "$1: received_online"
	assert_eq "$(( $(_get received_direct) + $(_get received_postal) ))" 143937 "$1: in person and by post"
	assert_eq "$(_get carried_over)" 4425 "$1: carried_over"
	assert_eq "$(_get resolved_total)" 193339 "$1: resolved_total"
	assert_eq "$(( $(_get resolved_early) + $(_get resolved_on_time) ))" 189309 "$1: early or on time"
	assert_eq "$(_get resolved_late)" 4030 "$1: resolved_late"
	assert_eq "$(_get on_time_rate)" 97.91 "$1: on-time rate, truncated"
	assert_eq "$(_get in_progress_total)" 5710 "$1: in_progress_total"
	assert_eq "$(_get closed_other)" 303 "$1: closed_other"
	# 112,883 / 194,927 = 57.9109...% -> 57.91
	assert_eq "$(_get digitised_at_intake)" 112883 "$1: digitised_at_intake"
	assert_eq "$(_get received_in_period)" 194927 "$1: received_in_period"
	assert_eq "$(q -c "SELECT full_online, partial_online, integrated_national_portal, total
	                     FROM hoso.catalogue_summary('2023-10-14')")" "1015|364|1375|1711" "$1: catalogue"
}
