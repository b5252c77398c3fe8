#!/bin/sh
# What a run tells its operator: hoso check on a good pipeline and on one
# broken configuration of each kind (exit 2, the place named); hoso run
# fails the same way before touching anything; --dry-run lists load, skip
# and refuse per day and changes nothing; a rerun of a many-file backfill
# prints a few lines; the summary line; the metrics file parses as
# Prometheus text; hoso status and hoso runs, text and JSON; the ledger
# keeps each file's landing day and a rebuild hands it back.
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db opscheck
ref=${HOSO_REFERENCE:-$HOSO_ROOT/schemas/reference}
mkdir -p "$work/landing"
# One small file per landing day, 2023-03-01 .. 2024-06-22 (480 days, a
# backfill): one case each, accepted that day.
day=0
while [ $day -lt 480 ]; do
	d=$(date -u -d "2023-03-01 +$day days" +%Y%m%d)
	mkdir -p "$work/landing/$d"
	n=$(printf '%04d' $day)
	printf '{"_at":"%s170000","_src":"CHK","service":"DongBoHoSoMC","data":[{"MaHoSo":"000.00.15.H34-%s-%s","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"%s080000","NgayHenTra":"%s170000","TrangThaiHoSo":"4"}]}\n' \
		"$d" "$d" "$n" "$d" "$d" >"$work/landing/$d/log.jsonl"
	day=$((day + 1))
done
cat >"$work/p.yaml" <<YAML
name: chk
source:
  paths: ["$work/landing/{date:%Y%m%d}/*.jsonl"]
  format: dvcqg-jsonl
$(kontum_reference)
profile: ii06a
staging: $work/staging
metrics_file: $work/metrics/hoso.prom
YAML
mkdir -p "$work/metrics"

# 1. hoso check on a good pipeline: exit 0, and it says what it checked
rc=0; out=$("$HOSO" check "$work/p.yaml" 2>&1) || rc=$?
assert_eq "$rc" 0 "check of a good pipeline exits 0 ($out)"
for what in "reference.units" "reference.procedures" "reference.calendar" "format dvcqg-jsonl" \
	"connection: database opscheck" "warehouse: not created yet" "every check passed"; do
	assert_contains "$out" "$what" "check names: $what"
done

# 2. one broken configuration of each kind: exit 2, FILE:LINE:COLUMN and why
# check_bad NAME SED-EXPR EXPECTED-MESSAGE  (RUN_DAY: the day hoso run is asked for)
check_bad() {
	sed "$2" "$work/p.yaml" >"$work/$1.yaml"
	rc=0; out=$("$HOSO" check "$work/$1.yaml" 2>&1) || rc=$?
	assert_eq "$rc" 2 "check $1: exit 2"
	assert_contains "$out" "$3" "check $1: message"
	# hoso run fails the same way, with or without files to load, before touching anything
	rc=0; out=$("$HOSO" run "$work/$1.yaml" --date "${RUN_DAY:-2022-01-01}" 2>&1) || rc=$?
	assert_eq "$rc" 2 "run $1 with no file to load: exit 2"
	assert_contains "$out" "$3" "run $1 with no file to load: same message"
}
check_bad yaml 's/^  format: dvcqg-jsonl/  fromat: dvcqg-jsonl/' "yaml.yaml:4:3: unknown key \"fromat\""
check_bad units "s|units: .*|units: $work/nope.csv|" "units.yaml:6:10: reference.units:"
printf 'code;name\n' >"$work/bad-units.csv"
check_bad units-parse "s|units: .*|units: $work/bad-units.csv|" "units-parse.yaml:6:10: reference.units: $work/bad-units.csv"
# a unit cannot outlive its parent: commune X1 open-ended and X2 closing
# after their district D closed on 2025-06-30 (X3 closes with it, Y1 has
# no closed parent); each is an error naming its line
cat >"$work/outlive-units.csv" <<'CSV'
code,name,aliases,level,parent_code,valid_from,valid_to,successor_code
P,Tỉnh P,,TINH,,,,
D,Huyện D,,HUYEN,P,,2025-06-30,P
X1,Xã Một,,XA,D,,,
X2,Xã Hai,,XA,D,,2025-12-31,
X3,Xã Ba,,XA,D,,2025-06-30,Y1
Y1,Xã Mới,,XA,P,2025-07-01,,
CSV
check_bad outlive "s|units: .*|units: $work/outlive-units.csv|" \
	"outlive.yaml:6:10: reference.units: $work/outlive-units.csv:4: column valid_to: unit \"X1\" (XA) stays open after its parent \"D\" (HUYEN, line 3) closes on 2025-06-30: a unit cannot outlive its parent"
assert_contains "$out" "$work/outlive-units.csv:5: column valid_to: unit \"X2\" (XA) closes on 2025-12-31, after its parent \"D\" (HUYEN, line 3) closes on 2025-06-30: a unit cannot outlive its parent" \
	"check outlive: the commune closing after its district too"
assert_eq "$(printf '%s\n' "$out" | grep -c 'cannot outlive')" 2 "check outlive: X3 and Y1 pass"
mkdir -p "$work/cal-short"
cp "$ref/calendar/2023.csv" "$work/cal-short/"
# a run fails when its own days are past the calendar's end ...
RUN_DAY=2024-01-02 check_bad calendar "s|calendar: .*|calendar: $work/cal-short|" "calendar.yaml:8:13: reference.calendar: $work/cal-short ends on 2023-12-31"
# ... and only warns when they are inside it, so that a backfill of past years runs
rc=0; out=$("$HOSO" run "$work/calendar.yaml" --date 2023-06-01 --dry-run 2>&1) || rc=$?
assert_eq "$rc" 0 "run inside an old calendar: exit 0 ($out)"
assert_contains "$out" "ends on 2023-12-31, before today" "run inside an old calendar: warning"
assert_contains "$out" "hoso: hint: Add 2024.csv, or its days count as Monday to Friday." "run inside an old calendar: the advice is a hint"
# A calendar that holds the run's days warns of its end only in its last 90
# days: the next year's holidays are announced late in the year.  "Today" is
# set with faketime; the calendars are the shipped years up to 2026 or 2027.
mkdir -p "$work/cal-2026" "$work/cal-2027"
for y in 2023 2024 2025 2026; do cp "$ref/calendar/$y.csv" "$work/cal-2026/"; done
cp "$work"/cal-2026/*.csv "$ref/calendar/2027.csv" "$work/cal-2027/"
sed "s|calendar: .*|calendar: $work/cal-2026|" "$work/p.yaml" >"$work/cal-2026.yaml"
sed "s|calendar: .*|calendar: $work/cal-2027|" "$work/p.yaml" >"$work/cal-2027.yaml"
# on_day DAY COMMAND...: COMMAND with "today" set to DAY at noon.  faketime
# preloads its library ahead of ASan's runtime, which ASan refuses unless told
# that the order is intended (the suite also runs under the sanitizers).
on_day() {
	day=$1; shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		faketime "$day 12:00:00" "$@"
}
# calendar_check TODAY PIPELINE: hoso check's output on that day (exit 0 asserted)
calendar_check() {
	rc=0; out=$(on_day "$1" "$HOSO" check "$work/$2.yaml" 2>&1) || rc=$?
	assert_eq "$rc" 0 "check $2 on $1: exit 0 ($out)"
}
calendar_check 2026-12-03 cal-2026
assert_contains "$out" "reference.calendar: $work/cal-2026 ends on 2026-12-31" "28 days before the calendar's end: warning"
assert_contains "$out" "hoso: hint: Add 2027.csv before the new year" "28 days before the calendar's end: the advice"
calendar_check 2026-09-15 cal-2026
assert_not_contains "$out" "ends on" "107 days before the calendar's end: no warning"
calendar_check 2026-12-03 cal-2027
assert_not_contains "$out" "ends on" "a calendar ending next year: no warning"
calendar_check 2027-10-03 cal-2027
assert_contains "$out" "cal-2027 ends on 2027-12-31" "89 days before the end: warning"
# the run checks the same way
rc=0; out=$(on_day 2026-12-03 "$HOSO" run "$work/cal-2026.yaml" --date 2023-06-01 --dry-run 2>&1) || rc=$?
assert_eq "$rc" 0 "run near the calendar's end: exit 0 ($out)"
assert_contains "$out" "cal-2026 ends on 2026-12-31" "run near the calendar's end: warning"
check_bad format 's/format: dvcqg-jsonl/format: dvcqg-json/' "format.yaml:4:11: format \"dvcqg-json\" is neither a built-in format"
mkdir -p "$work/schemas"
printf 'name: brokenschema\nbogus: 1\n' >"$work/schemas/brokenschema.yaml"
check_bad schema "s|^  format: dvcqg-jsonl|  format: brokenschema\\n  schema_dir: $work/schemas|" "brokenschema.yaml:"
check_bad target 's/^staging:/target:\n  schema: hoso2\nstaging:/' "target.yaml:11:11: target.schema: \"hoso2\" is not supported"
check_bad metrics "s|metrics_file: .*|metrics_file: $work/no-such-dir/hoso.prom|" "metrics_file: cannot write in \"$work/no-such-dir\""

# 3. first run of 480 days: the summary is the last line; metrics written
rc=0; out=$("$HOSO" run "$work/p.yaml" --from 2023-03-01 --to 2024-06-22 2>&1) || rc=$?
assert_eq "$rc" 0 "backfill of 480 files exits 0 ($out)"
last=$(printf '%s\n' "$out" | tail -n 1)
assert_contains "$last" "done: 480 files loaded, 0 skipped (of 480 found); 480 rows, 0 rejects, 480 cases, " "summary is the last line ($last)"
assert_contains "$last" "extract+transform " "summary: time per stage"
assert_eq "$(q -c "SELECT count(*) FROM hoso.file_ledger WHERE landing_day = to_date(substring(path from '/(\d{8})/'), 'YYYYMMDD')")" 480 \
	"the ledger keeps each file's landing day"

# 4. the profile is checked against the warehouse: a typo fails, exit 2, its place named
check_bad profile 's/^profile: ii06a/profile: ii06/' "profile.yaml:9:10: profile: unknown counting profile \"ii06\" (known: "

# the connection, the role's privileges, the schema version: exit 2, named
rc=0; out=$(PGHOST=/nonexistent "$HOSO" check "$work/p.yaml" 2>&1) || rc=$?
assert_eq "$rc" 2 "check, server unreachable: exit 2"
assert_contains "$out" "p.yaml: cannot connect to the warehouse (libpq's environment" "check, server unreachable: message"
q -c "CREATE ROLE hoso_chk_nobody LOGIN"
rc=0; out=$(PGUSER=hoso_chk_nobody "$HOSO" check "$work/p.yaml" 2>&1) || rc=$?
assert_eq "$rc" 2 "check, a role without rights: exit 2"
assert_contains "$out" "role hoso_chk_nobody: permission denied to load the warehouse" "check, a role without rights: message"
assert_contains "$out" "hoso: hint: Connect as the loading role, " "check, a role without rights: the advice is a hint"
q -c "INSERT INTO hoso.schema_version (version, file, sha256) VALUES (999, '999_future.sql', repeat('0', 64))"
rc=0; out=$("$HOSO" check "$work/p.yaml" 2>&1) || rc=$?
assert_eq "$rc" 2 "check, a warehouse newer than the programs: exit 2"
assert_contains "$out" "the warehouse's schema is at version 999, newer than these programs know" "check, newer warehouse: message"
q -c "DELETE FROM hoso.schema_version WHERE version = 999"

# 5. a rerun of the backfill prints a few lines, not one per file
rc=0; out=$("$HOSO" run "$work/p.yaml" --from 2023-03-01 --to 2024-06-22 2>&1) || rc=$?
assert_eq "$rc" 0 "rerun exits 0"
lines=$(printf '%s\n' "$out" | wc -l)
assert_eq "$([ "$lines" -le 4 ] && echo few)" few "a rerun of 480 files prints at most 4 lines ($lines: $out)"
assert_contains "$(printf '%s\n' "$out" | tail -n 1)" "done: 0 files loaded, 480 skipped (of 480 found)" "rerun summary"
rc=0; out=$("$HOSO" run "$work/p.yaml" --from 2023-04-01 --to 2023-04-19 --verbose 2>&1) || rc=$?
assert_contains "$out" "$work/landing/20230410/log.jsonl" "--verbose lists the files"

# 6. --dry-run: load, skip and refuse per day with sizes; nothing changes
mkdir -p "$work/landing/20240623"
cp "$work/landing/20240622/log.jsonl" "$work/landing/20240623/log.jsonl"
sed -i 's/"TrangThaiHoSo":"4"/"TrangThaiHoSo":"4","x":1/' "$work/landing/20240621/log.jsonl"
table_digest >"$work/before"
runs_before=$(q -c "SELECT count(*) FROM hoso.run")
size_changed=$(stat -c %s "$work/landing/20240621/log.jsonl")
size_same=$(stat -c %s "$work/landing/20240622/log.jsonl")
rc=0; out=$("$HOSO" run "$work/p.yaml" --from 2024-06-21 --to 2024-06-23 --dry-run 2>&1) || rc=$?
assert_eq "$rc" 0 "dry run exits 0 ($out)"
assert_contains "$out" "2024-06-21  refuse 1 ($size_changed bytes)" "dry run: a changed file is refused"
assert_contains "$out" "2024-06-22  skip 1 ($size_same bytes)" "dry run: a ledgered file is skipped"
assert_contains "$out" "2024-06-23  load 1 ($size_same bytes)" "dry run: a new file is loaded"
table_digest >"$work/after"
assert_eq "$(cmp -s "$work/before" "$work/after" && echo same)" same "dry run changes no table"
assert_eq "$(q -c "SELECT count(*) FROM hoso.run")" "$runs_before" "dry run adds no run row"

# 7. a failed run: the summary still ends the run, the metrics say so
rc=0; out=$("$HOSO" run "$work/p.yaml" --from 2024-06-21 --to 2024-06-21 2>&1) || rc=$?
assert_eq "$rc" 1 "a changed file fails the run"
assert_contains "$(printf '%s\n' "$out" | tail -n 1)" "failed (exit 1)" "failed run: summary last"

# 8. the metrics file: strict Prometheus text exposition format
cat >"$work/promcheck.py" <<'PY'
import re, sys
# The text exposition format: # HELP / # TYPE lines, then samples
# name{label="value",...} value; names [a-zA-Z_:][a-zA-Z0-9_:]*, label
# values with \\ \" \n escapes, each metric's samples after its TYPE line.
name_re = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
label_re = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
sample_re = re.compile(r'^(%s)(\{(?:%s)(?:,(?:%s))*\})? (\S+)$' % (name_re, label_re, label_re))
typed, helped, samples = {}, set(), {}
text = open(sys.argv[1]).read()
assert text.endswith('\n'), 'no final newline'
for n, line in enumerate(text.split('\n')[:-1], 1):
    if line.startswith('# HELP '):
        name = line.split(' ')[2]
        assert re.fullmatch(name_re, name), (n, line)
        assert name not in helped, ('second HELP', n)
        helped.add(name)
    elif line.startswith('# TYPE '):
        parts = line.split(' ')
        assert len(parts) == 4 and parts[3] in ('counter', 'gauge', 'histogram', 'summary', 'untyped'), (n, line)
        assert parts[2] not in typed, ('second TYPE', n)
        typed[parts[2]] = parts[3]
    elif line.startswith('#') or line == '':
        raise AssertionError(('unexpected line', n, line))
    else:
        m = sample_re.match(line)
        assert m, ('not a sample', n, line)
        assert m.group(1) in typed, ('sample before its TYPE', n)
        float(m.group(3))
        samples[(m.group(1), m.group(2) or '')] = float(m.group(3))
for k, v in sorted(samples.items()):
    print(k[0] + k[1], repr(v))
PY
rc=0; prom=$(python3 "$work/promcheck.py" "$work/metrics/hoso.prom" 2>&1) || rc=$?
assert_eq "$rc" 0 "the metrics file parses ($prom)"
assert_contains "$prom" 'hoso_last_run_exit_code{pipeline="chk"} 1.0' "metrics: exit code of the failed run"
assert_contains "$prom" 'hoso_last_run_duration_seconds{pipeline="chk",stage="load"}' "metrics: duration per stage"
success=$(q -c "SELECT floor(extract(epoch FROM max(finished_at)))::bigint FROM hoso.run WHERE status = 'done' AND kind = 'run'")
got=$(printf '%s\n' "$prom" | sed -n 's/^hoso_last_success_timestamp_seconds{pipeline="chk"} \([0-9]*\).*/\1/p')
assert_eq "$got" "$success" "metrics: last success time is the last done run's"
assert_eq "$(ls "$work/metrics")" "hoso.prom" "metrics: no temporary file left"

# 9. hoso status and hoso runs: text and JSON
rc=0; out=$("$HOSO" status "$work/p.yaml" 2>&1) || rc=$?
assert_eq "$rc" 0 "status exits 0 ($out)"
assert_contains "$out" "dvcqg-jsonl  2024-06-22          480" "status: latest landing day per source"
assert_contains "$out" "Oldest failure not followed by a success:" "status: failures section"
rc=0; json=$("$HOSO" status "$work/p.yaml" --format json 2>&1) || rc=$?
assert_eq "$rc" 0 "status --format json exits 0"
rc=0; got=$(printf '%s' "$json" | python3 -c '
import json, sys
s = json.load(sys.stdin)
g = s["days_without_files"]
print(s["sources"][0]["latest_landing_day"], s["sources"][0]["files"], s["oldest_open_failure"]["kind"], len(s["runs"]),
      len(g), g[0]["first_day"])') || rc=$?
# every day up to 2024-06-22 has its file; the gap runs from the next day to yesterday
assert_eq "$got" "2024-06-22 480 run 4 1 2024-06-23" "status JSON: sources, oldest open failure, last runs, days without files"
rc=0; json=$("$HOSO" runs --limit 2 --format json 2>&1) || rc=$?
assert_eq "$rc" 0 "runs --format json exits 0 ($json)"
got=$(printf '%s' "$json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(len(r), r[0]["status"], r[0]["exit_code"], r[1]["files_skipped"])')
assert_eq "$got" "2 failed 1 19" "runs JSON: the last two runs, latest first"
# started: Vietnam time with its offset, from the run's instant converted here
epoch=$(q -c "SELECT floor(extract(epoch FROM started_at))::bigint FROM hoso.run ORDER BY run_id DESC LIMIT 1")
want=$(python3 -c 'import datetime as d, sys
print(d.datetime.fromtimestamp(int(sys.argv[1]), d.timezone(d.timedelta(hours=7))).strftime("%Y-%m-%d %H:%M+07"))' "$epoch")
got=$(printf '%s' "$json" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["started"])')
assert_eq "$got" "$want" "runs JSON: started in Vietnam time, with its offset"
rc=0; out=$("$HOSO" runs --limit 3 2>&1) || rc=$?
assert_eq "$(printf '%s\n' "$out" | grep -c '^  [0-9]')" 3 "runs --limit 3: three rows"
assert_contains "$(printf '%s\n' "$out" | grep '^  [0-9]' | head -1)" "$want" "runs: the latest run's started with its offset"

# 10. a rebuild hands each file the landing day the ledger keeps: a CSV
# export under a directory named by a {date} the path itself does not give
# away (no yyyy/MM/dd, no yyyyMMdd), so "auto" could not find it
rc=0; out=$("$HOSO" rebuild "$work/p.yaml" --from 2023-03-10 --to 2023-03-12 --why test 2>&1) || rc=$?
assert_eq "$rc" 0 "rebuild exits 0 ($out)"
assert_contains "$(printf '%s\n' "$out" | tail -n 1)" "done: " "rebuild: the summary is the last line"
# a rebuild writes its own metric families into the same file and keeps
# the nightly run's: an alert on hoso_last_success_timestamp_seconds is not
# satisfied by a rebuild; a dry run writes nothing
rc=0; prom=$(python3 "$work/promcheck.py" "$work/metrics/hoso.prom" 2>&1) || rc=$?
assert_eq "$rc" 0 "the metrics file parses after a rebuild ($prom)"
assert_contains "$prom" 'hoso_last_rebuild_exit_code{pipeline="chk"} 0.0' "metrics: the rebuild's exit code"
# every case accepted 2023-03-01 .. 03-12 is still open in the range: 12
assert_contains "$prom" 'hoso_last_rebuild_cases{pipeline="chk"} 12.0' "metrics: the rebuild's cases"
got=$(printf '%s\n' "$prom" | sed -n 's/^hoso_last_success_timestamp_seconds{pipeline="chk"} \([0-9]*\).*/\1/p')
assert_eq "$got" "$success" "metrics: the runs' last success is still the last done run's"
assert_contains "$prom" 'hoso_last_run_exit_code{pipeline="chk"} 1.0' "metrics: the last run's exit code is kept"
rebuild_success=$(q -c "SELECT floor(extract(epoch FROM max(finished_at)))::bigint FROM hoso.run WHERE status = 'done' AND kind = 'rebuild'")
got=$(printf '%s\n' "$prom" | sed -n 's/^hoso_last_rebuild_success_timestamp_seconds{pipeline="chk"} \([0-9]*\).*/\1/p')
assert_eq "$got" "$rebuild_success" "metrics: the rebuild's own last success"
cp "$work/metrics/hoso.prom" "$work/prom-before"
rc=0; out=$("$HOSO" rebuild "$work/p.yaml" --from 2023-03-10 --to 2023-03-12 --dry-run 2>&1) || rc=$?
assert_eq "$rc" 0 "rebuild --dry-run exits 0 ($out)"
rc=0; out=$("$HOSO" run "$work/p.yaml" --from 2023-03-10 --to 2023-03-12 --dry-run 2>&1) || rc=$?
assert_eq "$rc" 0 "run --dry-run exits 0 ($out)"
assert_eq "$(cmp -s "$work/prom-before" "$work/metrics/hoso.prom" && echo same)" same "a dry run writes no metrics"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-10 2>&1) || rc=$?
rc=0; prom=$(python3 "$work/promcheck.py" "$work/metrics/hoso.prom" 2>&1) || rc=$?
assert_eq "$rc" 0 "the metrics file parses after a run that follows a rebuild ($prom)"
assert_contains "$prom" 'hoso_last_run_exit_code{pipeline="chk"} 0.0' "metrics: the new run's exit code"
assert_contains "$prom" 'hoso_last_rebuild_cases{pipeline="chk"} 12.0' "metrics: a run keeps the rebuild's families"
fresh_db opscheck_csv
mkdir -p "$work/csv/exp-10.03.2023"
printf '%s\r\n' \
	'Mã hồ sơ;Mã TTHC;Tên TTHC;Lĩnh vực;Đơn vị xử lý;Kênh nộp;Ngày tiếp nhận;Ngày hẹn trả;Ngày kết thúc xử lý;Ngày trả kết quả;Trạng thái;Số hóa thành phần;Thanh toán trực tuyến' \
	'000.00.15.H34-230310-0001;1.000001;Thủ tục;Hộ tịch;UBND;Trực tuyến;10/03/2023 08:00:00;15/03/2023 17:00:00;;;Đang xử lý;Có;Không' \
	>"$work/csv/exp-10.03.2023/export.csv"
cat >"$work/p-csv.yaml" <<YAML
name: chk-csv
source:
  paths: ["$work/csv/exp-{date:%d.%m.%Y}/*.csv"]
  format: one-stop-csv
$(kontum_reference)
staging: $work/staging
YAML
rc=0; out=$("$HOSO" run "$work/p-csv.yaml" --date 2023-03-10 2>&1) || rc=$?
assert_eq "$rc" 0 "CSV run exits 0 ($out)"
assert_eq "$(q -c "SELECT landing_day FROM hoso.file_ledger")" 2023-03-10 "CSV: the ledger keeps the landing day"
assert_eq "$(q -c "SELECT (at AT TIME ZONE 'Asia/Ho_Chi_Minh')::text FROM hoso.dossier_msg")" "2023-03-10 23:59:59" \
	"CSV: a row's _at is the end of its landing day"
rc=0; out=$("$HOSO" rebuild "$work/p-csv.yaml" --from 2023-03-10 --to 2023-03-10 2>&1) || rc=$?
assert_eq "$rc" 0 "CSV rebuild exits 0: the file got its landing day from the ledger ($out)"
assert_eq "$(q -c "SELECT cases_derived FROM hoso.run WHERE kind = 'rebuild'")" 1 "CSV rebuild re-derived the case"
finish
