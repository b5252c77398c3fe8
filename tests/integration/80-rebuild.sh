#!/bin/sh
# Regenerating history, with hand-computed expectations: commune
# X2 was catalogued under district D1 by mistake; a copied units.csv moves
# it to D2 and "hoso rebuild" regenerates 2023.  The 2023 figures by
# district move as computed below, the province's do not, and 2024 is
# untouched.  A rebuild killed with SIGKILL, or stopped by a missing or
# changed archived file, leaves the warehouse as it was; --dry-run lists
# and changes nothing; the run row and "hoso report --compare" tell an
# auditor what moved and why.
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db rebuild
mkdir -p "$work/input"

# Province P, districts D1 and D2; communes X1, X2 under D1 and X3 under
# D2.  Case numbers begin with their commune's code, so cases resolve by code.
cat >"$work/units-v1.csv" <<'CSV'
code,name,aliases,level,parent_code,valid_from,valid_to,successor_code
P,Tỉnh P,,TINH,,,,
D1,Huyện Một,,HUYEN,P,,,
D2,Huyện Hai,,HUYEN,P,,,
X1,Xã Một,,XA,D1,,,
X2,Xã Hai,,XA,D1,,,
X3,Xã Ba,,XA,D2,,,
CSV
sed 's/^X2,Xã Hai,,XA,D1,/X2,Xã Hai,,XA,D2,/' "$work/units-v1.csv" >"$work/units-v2.csv"
grep -q '^X2,Xã Hai,,XA,D2,' "$work/units-v2.csv" || { fail "units-v2.csv not corrected"; finish; }

# dossier AT CASE ACCEPTED DUE STATUS [FINISHED]
dossier() {
	end=${6:+,\"NgayKetThucXuLy\":\"$6\"}
	printf '{"_at":"%s","_src":"RB","service":"DongBoHoSoMC","data":[{"MaHoSo":"%s","MaTTHC":"1.0","KenhThucHien":"1","NgayTiepNhan":"%s","NgayHenTra":"%s","TrangThaiHoSo":"%s"%s}]}\n' \
		"$1" "$2" "$3" "$4" "$5" "$end"
}
# resolved CASE ACCEPTED FINISHED DUE: one case resolved, in one message
resolved() { dossier "$4" "$1" "$2" "$4" 10 "$3"; }

# 2022.jsonl: case X2-C accepted 2022-12-20, due 2023-01-10, still open
dossier 20221220080000 X2-C 20221220080000 20230110170000 2 >"$work/input/2022.jsonl"
# 2023.jsonl: X2-C finishes on 2023-01-05 by a progress row only (status 9),
# so re-deriving it needs 2022.jsonl too; then March 2023, due 2023-03-10:
# early = finished 2023-03-08, late = finished 2023-03-15
{
	printf '{"_at":"20230105100000","_src":"RB","service":"CapNhatTienDoHoSoMC","data":[{"MaHoSo":"X2-C","ThoiDiemXuLy":"20230105100000","TrangThai":"9","NoiDungXuLy":"done"}]}\n'
	resolved X1-1 20230301080000 20230308100000 20230310170000	# early
	resolved X1-2 20230301080000 20230315100000 20230310170000	# late
	resolved X2-1 20230301080000 20230308100000 20230310170000	# early
	resolved X2-2 20230301080000 20230308100000 20230310170000	# early
	resolved X2-3 20230301080000 20230308100000 20230310170000	# early
	resolved X3-1 20230301080000 20230308100000 20230310170000	# early
	resolved X3-2 20230301080000 20230315100000 20230310170000	# late
	resolved X3-3 20230301080000 20230315100000 20230310170000	# late
} >"$work/input/2023.jsonl"
# 2024.jsonl: March 2024, due 2024-03-10
{
	resolved X2-4 20240301080000 20240308100000 20240310170000	# early
	resolved X2-5 20240301080000 20240308100000 20240310170000	# early
	resolved X3-4 20240301080000 20240315100000 20240310170000	# late
} >"$work/input/2024.jsonl"

pipeline() {	# UNITS
	cat <<YAML
name: rebuild-test
source:
  paths: ["$work/input/*.jsonl"]
  format: dvcqg-jsonl
$(kontum_reference "$1")
staging: $work/staging
YAML
}
pipeline "$work/units-v1.csv" >"$work/p1.yaml"
pipeline "$work/units-v2.csv" >"$work/p2.yaml"
"$HOSO" run "$work/p1.yaml" --date 2024-12-31 >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "load failed"; finish; }
q -c "UPDATE hoso.setting SET value = '1' WHERE name = 'ranking_min_denominator'"

# by_unit FROM TO: "code received_total carried_over early on_time late;" per district
by_unit() {
	q -F ' ' -c "SELECT unit_code, received_total, carried_over, resolved_early, resolved_on_time, resolved_late
	             FROM hoso.period_summary_by_unit('$1', '$2', 'HUYEN')" | tr '\n' ';'
}
ranking() {
	q -F ' ' -c "SELECT unit_code, rank, numerator, denominator
	             FROM hoso.unit_ranking('2023-01-01', '2023-12-31', 'HUYEN', 'on_time_rate')" | tr '\n' ';'
}

# Before.  2023: D1 = X1 (1 early, 1 late) + X2 (3 early) + X2-C (carried
# over from 2022, finished 01-05 before its due 01-10: early) = 6 received,
# 1 carried over, 5 early, 1 late; D2 = X3: 3 received, 1 early, 2 late.
# Ranking by on-time rate: D1 5/6 first, D2 1/3 second.
assert_eq "$(by_unit 2023-01-01 2023-12-31)" "D1 6 1 5 0 1;D2 3 0 1 0 2;" "before: 2023 by district"
assert_eq "$(ranking)" "D1 1 5 6;D2 2 1 3;" "before: 2023 ranking"
# 2024: D1 = X2 (2 early); D2 = X3 (1 late)
assert_eq "$(by_unit 2024-01-01 2024-12-31)" "D1 2 0 2 0 0;D2 1 0 0 0 1;" "before: 2024 by district"
summary 2023-01-01 2023-12-31 >"$work/province-2023"
summary 2024-01-01 2024-12-31 >"$work/province-2024"
# the province: 9 received (1 carried over), 6 early, 3 late: 66.66 %
assert_eq "$(awk '$1 == "received_total" || $1 == "resolved_early" || $1 == "resolved_late" || $1 == "on_time_rate" { printf "%s ", $2 }' "$work/province-2023")" \
	"9 6 3 66.66 " "before: 2023 province totals"
# counts_agree: the summary rows equal a scan of the facts, 2022..2024
# (rows whose every count is 0 left out: they add nothing)
counts_agree() {
	load_scan_functions
	for period in "2022-12-01 2022-12-31" "2023-01-01 2023-12-31" "2024-01-01 2024-12-31"; do
		set -- $period
		assert_eq "$(q -c "WITH
		    a AS (SELECT x.* FROM hoso.period_counts('$1', '$2') x WHERE EXISTS (SELECT 1
		          FROM jsonb_each(to_jsonb(x) - 'unit_path') e WHERE (e.value #>> '{}')::numeric <> 0)),
		    b AS (SELECT x.* FROM hoso_test.period_counts_scan('$1', '$2') x WHERE EXISTS (SELECT 1
		          FROM jsonb_each(to_jsonb(x) - 'unit_path') e WHERE (e.value #>> '{}')::numeric <> 0))
		    SELECT count(*) FROM ((TABLE a EXCEPT ALL TABLE b) UNION ALL (TABLE b EXCEPT ALL TABLE a)) d")" 0 \
			"$what: summary rows of $1..$2 equal a scan of the facts"
	done
}
what=before counts_agree
table_digest >"$work/before"

# 1. --dry-run: 9 cases (X2-C and the 8 of March 2023; not the 2024 ones),
#    2 files (2022.jsonl holds X2-C's dossier), the cases' events 2022-12-20
#    .. 2023-03-15; nothing changes
out=$("$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 --dry-run 2>&1) ||
	fail "dry run failed: $out"
assert_contains "$out" "rebuild 2023-01-01 .. 2023-12-31 (365 days): 9 cases, 2 files" "dry run: days, cases, files"
assert_contains "$out" "span 2022-12-20 .. 2023-03-15" "dry run: the cases' events"
assert_contains "$out" "$work/input/2022.jsonl" "dry run lists the earlier file of a case of the range"
assert_contains "$out" "$work/input/2023.jsonl" "dry run lists the range's file"
case $out in *2024.jsonl*) fail "dry run lists 2024.jsonl" ;; *) say "ok: dry run leaves 2024.jsonl out" ;; esac
assert_eq "$(q -c "SELECT count(*) FROM hoso.run WHERE kind = 'rebuild'")" 0 "dry run writes no run row"
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/before" "$work/now" && echo same)" same "dry run changes nothing"

# 2. a missing archived file stops the rebuild, naming it (exit 1)
mv "$work/input/2022.jsonl" "$work/2022.hold"
rc=0; out=$("$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 2>&1) || rc=$?
assert_eq "$rc" 1 "missing archived file: exit 1"
assert_contains "$out" "$work/input/2022.jsonl: ledgered (run 1) but missing on disk" "missing archived file: named"
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/before" "$work/now" && echo same)" same "missing archived file: nothing changed"
assert_contains "$(q -c "SELECT status || ' ' || message FROM hoso.run WHERE kind = 'rebuild' ORDER BY run_id DESC LIMIT 1")" \
	"failed $work/input/2022.jsonl" "missing archived file: the failed run names it"
rc=0; out=$("$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 --dry-run 2>&1) || rc=$?
assert_eq "$rc" 1 "dry run with a missing file: exit 1"
assert_contains "$out" "BAD" "dry run marks the missing file"
#    ... and so does a changed one
cp "$work/2022.hold" "$work/input/2022.jsonl"
echo >>"$work/input/2022.jsonl"
rc=0; out=$("$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 2>&1) || rc=$?
assert_eq "$rc" 1 "changed archived file: exit 1"
assert_contains "$out" "$work/input/2022.jsonl: changed since it was loaded by run 1" "changed archived file: named"
mv "$work/2022.hold" "$work/input/2022.jsonl"
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/before" "$work/now" && echo same)" same "changed archived file: nothing changed"

# 3. another run holds the warehouse lock: exit 75
psql -X -q -c "SET application_name = 'lock-holder'" -c "BEGIN" -c "SELECT 1 FROM hoso.run_lock FOR UPDATE" \
	-c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
i=0
while [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lock-holder' AND state = 'active'")" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
rc=0; "$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 75 "lock held: exit 75"
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock-holder'" >/dev/null
wait "$holder" 2>/dev/null || true

# 4. SIGKILL in the middle of the swap: a table lock stops the load after it
#    deleted the old facts of case_fact, inside its transaction; the runner
#    and the load are killed there
psql -X -q -v ON_ERROR_STOP=1 -c "SET application_name = 'rebuild-test-blocker'" \
	-c "BEGIN" -c "LOCK TABLE hoso.case_due IN ACCESS EXCLUSIVE MODE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
blocker=$!
i=0
while [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rebuild-test-blocker' AND state = 'active'")" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
"$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 >"$work/killed.log" 2>&1 &
runner=$!
i=0
while [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hoso-load rebuild' AND wait_event_type = 'Lock'")" = 0 ] && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1))
done
assert_eq "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hoso-load rebuild' AND wait_event_type = 'Lock'")" 1 "the load waits inside its transaction"
for p in $(pgrep -P "$runner" || true); do kill -KILL "$p" 2>/dev/null || true; done
kill -KILL "$runner" 2>/dev/null || true
wait "$runner" 2>/dev/null || true
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rebuild-test-blocker'" >/dev/null
wait "$blocker" 2>/dev/null || true
i=0
while [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'hoso%'")" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/before" "$work/now" && echo same)" same "killed rebuild: the warehouse is as before"

# 5. the rebuild.  After, X2 counts under D2: D1 = X1: 2 received, 1 early,
#    1 late; D2 = X2 (3 early) + X2-C (carried over, early) + X3 (1 early,
#    2 late) = 7 received, 1 carried over, 5 early, 2 late.  Ranking: D2
#    5/7 first, D1 1/2 second.  The province and 2024 do not move.
out=$("$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 --why "X2 belongs to D2 (catalogue fix)" 2>&1) ||
	{ fail "rebuild failed: $out"; finish; }
assert_eq "$(by_unit 2023-01-01 2023-12-31)" "D1 2 0 1 0 1;D2 7 1 5 0 2;" "after: 2023 by district"
assert_eq "$(ranking)" "D2 1 5 7;D1 2 1 2;" "after: 2023 ranking"
assert_eq "$(by_unit 2024-01-01 2024-12-31)" "D1 2 0 2 0 0;D2 1 0 0 0 1;" "after: 2024 by district untouched"
summary 2023-01-01 2023-12-31 >"$work/now"
assert_eq "$(cmp -s "$work/province-2023" "$work/now" && echo same)" same "after: 2023 province totals unchanged"
summary 2024-01-01 2024-12-31 >"$work/now"
assert_eq "$(cmp -s "$work/province-2024" "$work/now" && echo same)" same "after: 2024 province totals unchanged"
assert_eq "$(q -c "SELECT array_to_string(unit_path, '/') FROM hoso.case_fact WHERE case_no IN ('X2-C', 'X2-1', 'X2-4') ORDER BY case_no COLLATE \"C\"")" \
	"$(printf 'P/D2/X2\nP/D1/X2\nP/D2/X2')" "facts: 2023 cases re-resolved, the 2024 one as derived"
# the summary rows moved with the facts
what=after counts_agree
# ledger and archive untouched
table_digest >"$work/now"
for t in file_ledger dossier_msg progress_msg; do
	assert_eq "$(grep "^$t " "$work/now")" "$(grep "^$t " "$work/before")" "$t untouched"
done

# 6. the run row: kind, range, why, and the figures before and after
r=$(q -c "SELECT run_id FROM hoso.run WHERE kind = 'rebuild' AND status = 'done'")
assert_eq "$(q -F ' ' -c "SELECT kind, date_from, date_to, exit_code, files_seen, cases_derived FROM hoso.run WHERE run_id = $r")" \
	"rebuild 2023-01-01 2023-12-31 0 2 9" "run row: kind, range, exit, files, cases"
assert_eq "$(q -c "SELECT why FROM hoso.run WHERE run_id = $r")" "X2 belongs to D2 (catalogue fix)" "run row: why"
assert_eq "$(q -F ' ' -c "SELECT detail->'rebuild'->'before'->>'received_total', detail->'rebuild'->'after'->>'received_total',
                              detail->'rebuild'->'before'->>'resolved_late', detail->'rebuild'->'after'->>'resolved_late'
                         FROM hoso.run WHERE run_id = $r")" "9 9 3 3" "run row: province figures before and after"
assert_eq "$(q -F ' ' -c "SELECT detail->'rebuild'->'by_unit'->'before'->'D1'->>'received_total',
                              detail->'rebuild'->'by_unit'->'after'->'D1'->>'received_total',
                              detail->'rebuild'->'by_unit'->'before'->'D2'->>'received_total',
                              detail->'rebuild'->'by_unit'->'after'->'D2'->>'received_total'
                         FROM hoso.run WHERE run_id = $r")" "6 2 3 7" "run row: district figures before and after"

# 7. hoso report --compare: what moved, before -> after (delta)
out=$("$HOSO" report --from 2023-01-01 --to 2023-12-31 --compare "$r" 2>&1) || fail "report --compare failed: $out"
say "$out"
assert_contains "$out" "X2 belongs to D2 (catalogue fix)" "compare: why"
assert_contains "$out" "no province figure moved" "compare: province unchanged"
assert_contains "$(echo "$out" | grep -E '^ +D1 +received_total ')" "6 -> 2 (-4)" "compare: D1 received_total"
assert_contains "$(echo "$out" | grep -E '^ +D2 +received_total ')" "3 -> 7 (+4)" "compare: D2 received_total"
# every moved column, from the hand count above: all cases in person
# (channel 1); D1 on time 5/6 = 83.33 % -> 1/2 = 50.00 %, D2 1/3 = 33.33 %
# -> 5/7 = 71.42 % (truncated), changes between the printed rates
assert_contains "$(echo "$out" | grep -E '^ +D1 +received_direct ')" "5 -> 2 (-3)" "compare: D1 received_direct"
assert_contains "$(echo "$out" | grep -E '^ +D2 +received_direct ')" "3 -> 6 (+3)" "compare: D2 received_direct"
assert_contains "$(echo "$out" | grep -E '^ +D2 +carried_over ')" "0 -> 1 (+1)" "compare: D2 carried_over"
assert_contains "$(echo "$out" | grep -E '^ +D1 +on_time_rate ')" "83.33 % -> 50.00 % (-33.33 pp)" "compare: D1 on-time rate"
assert_contains "$(echo "$out" | grep -E '^ +D2 +on_time_rate ')" "33.33 % -> 71.42 % (+38.09 pp)" "compare: D2 on-time rate"
assert_contains "$(echo "$out" | grep -E '^ +D2 +on_time_den ')" "3 -> 7 (+4)" "compare: D2 on_time_den"
assert_contains "$out" "D2: Huyện Hai" "compare: unit names beside codes"
assert_eq "$(echo "$out" | grep -cE '^ +D2 +(resolved_late|in_progress_total|received_online) ' || true)" 0 "compare: an unmoved figure is not listed"
assert_eq "$(echo "$out" | grep -cE '^ +X[123] ' || true)" 0 "compare: communes that kept their figures are not listed"
rc=0; "$HOSO" report --from 2023-01-01 --to 2023-12-31 --compare 999 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "compare: an unknown run is an error"

# 8. rebuilding again with the same data changes no row
table_digest >"$work/after1"
out=$("$HOSO" rebuild "$work/p2.yaml" --from 2023-01-01 --to 2023-12-31 2>&1) || fail "second rebuild failed: $out"
table_digest >"$work/after2"
assert_eq "$(cmp -s "$work/after1" "$work/after2" && echo same)" same "a second rebuild changes no row"
assert_eq "$(by_unit 2023-01-01 2023-12-31)" "D1 2 0 1 0 1;D2 7 1 5 0 2;" "a second rebuild: same figures"
left=$(find "$work/staging" -name 'run-*' 2>/dev/null | wc -l)
assert_eq "$left" 0 "no staging directory left behind"
finish
