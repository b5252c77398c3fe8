#!/bin/sh
# Analytics with hand-computed expectations: a ranking with ties
# and a unit under the minimum volume; month-on-month and year-on-year
# changes; a district that existed only until 2025-06-30 and its successor
# roll-up; working days across Lunar New Year; the analyst role.
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db analytics
mkdir -p "$work/input"

# Units: province P and its districts D1..D5 until 2025-06-30; all roll up
# to province Q (successor map).  D1..D5 codes are the agency codes of the
# case numbers, so cases resolve by code.
cat >"$work/units.csv" <<'CSV'
code,name,aliases,level,parent_code,valid_from,valid_to,successor_code
P,Tỉnh P,,TINH,,,2025-06-30,Q
Q,Tỉnh Q,,TINH,,,,
D1,Huyện Một,,HUYEN,P,,2025-06-30,Q
D2,Huyện Hai,,HUYEN,P,,2025-06-30,Q
D3,Huyện Ba,,HUYEN,P,,2025-06-30,Q
D4,Huyện Bốn,,HUYEN,P,,2025-06-30,Q
D5,Huyện Năm,,HUYEN,P,,2025-06-30,Q
CSV
# A calendar of our own: weekends off, Tết 2023 = 20..26 January.
own_calendar "$work/calendar" 2023 2025 2023-01-20 2023-01-26 Tết

# case UNIT SERIAL ACCEPTED FINISHED DUE: one resolved case
case_line() {
	printf '{"_at":"%s","_src":"AN","service":"DongBoHoSoMC","data":[{"MaHoSo":"%s-%s","MaTTHC":"1.0","KenhThucHien":"1","NgayTiepNhan":"%s","NgayHenTra":"%s","TrangThaiHoSo":"10","NgayKetThucXuLy":"%s"}]}\n' \
		"$4" "$1" "$2" "$3" "$5" "$4"
}
# March 2023, due 2023-03-10: on time = finished 2023-03-08, late = 2023-03-15
# D1: 3 of 4 on time (0.75); D2: 6 of 8 (0.75, a tie); D3: 2 of 2 (1.0, but
# 2 < the minimum of 3: listed without a rank); D4: 3 of 3 (1.0); D5: 1 of 5 (0.2)
n=0
emit() {	# UNIT ON_TIME LATE
	i=0
	while [ "$i" -lt "$2" ]; do n=$((n + 1)); i=$((i + 1))
		case_line "$1" "230301-$n" 20230301080000 20230308100000 20230310170000; done
	i=0
	while [ "$i" -lt "$3" ]; do n=$((n + 1)); i=$((i + 1))
		case_line "$1" "230301-$n" 20230301080000 20230315100000 20230310170000; done
}
{
	emit D1 3 1; emit D2 6 2; emit D3 2 0; emit D4 3 0; emit D5 1 4
	# February 2024: 2 cases, 1 on time; March 2024: 5 cases, all on time
	emit D1 1 1 | sed 's/2023030/2024020/g; s/2023031/2024021/g'
	emit D2 5 0 | sed 's/20230301080000/20240301080000/; s/20230308100000/20240308100000/g; s/20230310170000/20240310170000/'
	# Tết: accepted Thu 2023-01-19 08:00, finished Mon 2023-01-30 08:00:
	# 19th 08:00-11:30 + 13:30-17:00 = 7 h; 20..26 Tết; 27th (Fri) 8 h;
	# 28, 29 weekend; 30th 07:00-08:00 = 1 h; total 16 office hours = 2 working days
	case_line D4 TET-1 20230119080000 20230130080000 20230210170000
} >"$work/input/an.jsonl"

run_own_reference 2024-03-31
q -c "UPDATE hoso.setting SET value = '3' WHERE name = 'ranking_min_denominator'"

# 1. ranking: D4 1.0 first; D1 and D2 tie at 0.75 (rank 2, 2); D5 0.2 is 4th
#    (standard competition ranking); D3 unranked (2 < 3); field size 4
got=$(q -F ' ' -c "SELECT unit_code, coalesce(rank::text, '-'), field_size, numerator, denominator
                    FROM hoso.unit_ranking('2023-03-01', '2023-03-31', 'HUYEN', 'on_time_rate')" | tr '\n' ';')
assert_eq "$got" "D4 1 4 3 3;D1 2 4 3 4;D2 2 4 6 8;D5 4 4 1 5;D3 - 4 2 2;" "ranking with a tie and a unit under the minimum"

# 2. monthly trend, March 2024: received_in_period 5; February 2024 had 2
#    (+3); March 2023 had 22 (-17).  on_time_rate: March 2024 5/5 = 100 %,
#    February 1/2 = 50 % (+50 points), March 2023 15/22 = 68.1818...%
#    (+31.8181... points)
got=$(q -F ' ' -c "SELECT value, mom_change, yoy_change FROM hoso.monthly_trend('2024-03-01', '2024-03-31')
                    WHERE indicator = 'received_in_period'")
assert_eq "$got" "5 3 -17" "trend: received_in_period with m-o-m and y-o-y"
got=$(q -F ' ' -c "SELECT round(value, 4), round(mom_change, 4), round(yoy_change, 4)
                    FROM hoso.monthly_trend('2024-03-01', '2024-03-31') WHERE indicator = 'on_time_rate'")
assert_eq "$got" "1.0000 50.0000 31.8182" "trend: on-time rate changes in percentage points"
# reporting months: March 2024 runs 2024-02-15 .. 2024-03-14, which holds
# the 5 March cases (accepted 03-01); February (01-15 .. 02-14) the 2
# others; April (03-15 .. 04-14) meets the period on 03-15 .. 03-31, clipped
got=$(q -F ' ' -c "SELECT month, value, partial FROM hoso.monthly_trend('2024-02-01', '2024-03-31', NULL, 'reporting')
                    WHERE indicator = 'received_in_period' ORDER BY month" | tr '\n' ';')
assert_eq "$got" "2024-02 2 t;2024-03 5 f;2024-04 0 t;" "trend: reporting months that meet the period, clipped"

# 3. 2025 restructuring: as was, P holds the 2023 cases; as is they roll up
#    to Q; a HUYEN ranking across 2025-07-01 is refused; after it, the
#    districts are gone
got=$(q -F ' ' -c "SELECT unit_code, received_total FROM hoso.period_summary_by_unit('2023-03-01', '2023-03-31', 'TINH') WHERE received_total > 0")
assert_eq "$got" "P 22" "as was: the 2023 cases count under province P"
got=$(q -F ' ' -c "SELECT unit_code, received_total FROM hoso.period_summary_by_unit('2023-03-01', '2023-03-31', 'TINH', 'ii06a', true)")
assert_eq "$got" "Q 22" "as is: they roll up to Q through the successor map"
rc=0; out=$(q -c "SELECT * FROM hoso.unit_ranking('2025-06-01', '2025-07-31', 'HUYEN', 'on_time_rate')" 2>&1) || rc=$?
assert_eq "$rc" 1 "a HUYEN ranking across 2025-07-01 is an error"
assert_contains "$out" "would mix units from before and after the 2025-07-01 restructuring" "... that says so"
assert_eq "$(q -c "SELECT count(*) FROM hoso.unit_ranking('2025-08-01', '2025-08-31', 'HUYEN', 'on_time_rate')")" 0 "no district after 2025-06-30"

# 4. working days across Tết: 16 office hours, 2 working days
assert_eq "$(q -c "SELECT working_seconds FROM hoso.case_fact WHERE case_no = 'D4-TET-1'")" 57600 "working time across Tết"

# ... and per procedure: in January 2023 only the Tết case was resolved
assert_eq "$(q -F ' ' -c "SELECT procedure_code, resolved, round(avg_resolution_working_days, 2) FROM hoso.procedure_durations('2023-01-01', '2023-01-31')")" "1.0 1 2.00" "avg_resolution_working_days per procedure"

# 5. the analyst role reads and calls, and cannot write
q -c "CREATE ROLE an_alice LOGIN; GRANT hoso_analyst TO an_alice"
assert_eq "$(psql -X -Atq -U an_alice -c "SELECT received_total FROM hoso.period_summary('2023-03-01', '2023-03-31')")" 22 "analyst calls period_summary"
rc=0; out=$(psql -X -Atq -U an_alice -c "DELETE FROM hoso.case_fact" 2>&1) || rc=$?
assert_contains "$out" "permission denied" "analyst cannot write"
# every table, column and function of schema hoso has a comment
assert_eq "$(q -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'hoso' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL")" 0 "every table has a COMMENT"
assert_eq "$(q -c "SELECT string_agg(c.relname || '.' || a.attname, ' ') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'hoso' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                    AND col_description(c.oid, a.attnum) IS NULL")" "" "every column has a COMMENT"
assert_eq "$(q -c "SELECT string_agg(p.proname, ' ') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                  WHERE n.nspname = 'hoso' AND obj_description(p.oid, 'pg_proc') IS NULL")" "" "every function has a COMMENT"
finish
