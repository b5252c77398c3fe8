#!/bin/sh
# Trends clipped to their period, coverage, "as is" at every level, the
# UNRESOLVED row, plain-count rankings and unknown unit codes, on a few
# hundred generated cases.  The expected figures come from counting the
# generated cases in Python (accepted dates per month ∩ period), not from
# the warehouse; each trend month is also checked against period_summary
# over (month ∩ period), and the months' flows against the period's.
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db trend_units
mkdir -p "$work/input"
own_calendar "$work/calendar" 2022 2025

# Province P with district D1 and communes X1, X2 until 2025-06-30; since
# 2025-07-01 province Q with communes Y1 (X1 and X2 merged) and Y2.  Case
# numbers start with the unit code; ZZ is no unit (unresolved).
cat >"$work/units.csv" <<'CSV'
code,name,aliases,level,parent_code,valid_from,valid_to,successor_code
P,Tỉnh P,,TINH,,,2025-06-30,Q
Q,Tỉnh Q,,TINH,,2025-07-01,,
D1,Huyện Một,,HUYEN,P,,2025-06-30,Q
X1,Xã Một,Xã Số Một,XA,D1,,2025-06-30,Y1
X2,Xã Hai,,XA,D1,,2025-06-30,Y1
Y1,Xã Mới,,XA,Q,2025-07-01,,
Y2,Xã Khác,,XA,Q,2025-07-01,,
CSV

# The cases, one file per calendar month of acceptance, and the expected
# figures.  A case accepted on day d at 08:00 is resolved on d + 5 at 10:00
# (due d + 7), one message whose _at is its resolution; every third day
# from 2022-11-20 to 2024-03-20, cycling through X1, X2, D1 and ZZ, plus
# the leap day 2024-02-29 (X1), and X1 in June 2025, Y1 in August 2025.
python3 - "$work" <<'PY'
import datetime as dt, json, os, sys
work = sys.argv[1]
D = dt.date
cases = []
d, i = D(2022, 11, 20), 0
while d <= D(2024, 3, 20):
    cases.append((["X1", "X2", "D1", "ZZ"][i % 4], d)); d += dt.timedelta(days=3); i += 1
cases += [("X1", D(2024, 2, 29)), ("X1", D(2025, 6, 10)), ("X1", D(2025, 6, 20)), ("Y1", D(2025, 8, 5))]
ts = lambda d, h: d.strftime("%Y%m%d") + h
files = {}
for n, (unit, acc) in enumerate(cases):
    fin = acc + dt.timedelta(days=5)
    msg = {"_at": ts(fin, "100000"), "_src": "TR", "service": "DongBoHoSoMC", "data": [{
        "MaHoSo": f"{unit}-{n:04d}", "MaTTHC": "1.0", "KenhThucHien": "1",
        "NgayTiepNhan": ts(acc, "080000"), "NgayHenTra": ts(acc + dt.timedelta(days=7), "170000"),
        "TrangThaiHoSo": "10", "NgayKetThucXuLy": ts(fin, "100000")}]}
    files.setdefault(acc.strftime("%Y-%m"), []).append(json.dumps(msg, ensure_ascii=False))
for month, lines in files.items():
    with open(f"{work}/input/{month}.jsonl", "w") as f:
        f.write("\n".join(lines) + "\n")

def received(a, b, units=None):
    return sum(1 for u, acc in cases if a <= acc <= b and (units is None or u in units))
def resolved(a, b):
    return sum(1 for u, acc in cases if a <= acc + dt.timedelta(days=5) <= b)
def month_days(label, kind):
    if kind == "calendar":
        nxt = D(label.year + label.month // 12, label.month % 12 + 1, 1)
        return label, nxt - dt.timedelta(days=1)
    prev = D(label.year - (label.month == 1), (label.month - 2) % 12 + 1, 15)
    return prev, D(label.year, label.month, 14)
def label_of(d, kind):
    m = D(d.year, d.month, 1)
    if kind == "reporting" and d.day >= 15:
        m = D(m.year + m.month // 12, m.month % 12 + 1, 1)
    return m
out = open(f"{work}/expected", "w")
# trend: month partial received_in_period resolved_total, per period and kind
for a, b in [(D(2022, 12, 15), D(2023, 10, 14)), (D(2023, 6, 15), D(2023, 6, 15)),
             (D(2024, 2, 29), D(2024, 2, 29)), (D(2024, 2, 10), D(2024, 3, 5)),
             (D(2023, 1, 20), D(2023, 3, 10))]:
    for kind in ("calendar", "reporting"):
        rows, m = [], label_of(a, kind)
        while m <= label_of(b, kind):
            f, t = month_days(m, kind)
            cf, ct = max(f, a), min(t, b)
            rows.append(f"{m:%Y-%m} {'t' if (cf, ct) != (f, t) else 'f'} {received(cf, ct)} {resolved(cf, ct)}")
            m = D(m.year + m.month // 12, m.month % 12 + 1, 1)
        out.write(f"trend {a} {b} {kind} {';'.join(rows)};\n")
y23 = (D(2023, 1, 1), D(2023, 12, 31))
out.write(f"xa2023 {received(*y23, {'X1'})} {received(*y23, {'X2'})} {received(*y23, {'ZZ'})} {received(*y23)}\n")
out.write(f"across {received(D(2025, 6, 1), D(2025, 8, 31), {'X1', 'Y1'})}\n")
# calendar months' received_in_period for the changes
for m in ("2022-11", "2022-12", "2023-10", "2023-11", "2023-12"):
    f, t = month_days(D(int(m[:4]), int(m[5:]), 1), "calendar")
    out.write(f"month {m} {received(f, t)}\n")
first = min(acc + dt.timedelta(days=5) for u, acc in cases)
last = max(acc + dt.timedelta(days=5) for u, acc in cases)
out.write(f"coverage TR|{first}|{last}|{len(files)}\n")
PY
expect() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$work/expected"; }

run_own_reference 2025-12-31

# 1. trend months: those that meet the period, clipped to it; each month
#    equals period_summary over (month ∩ period); the months' flows add up
#    to the period's, for calendar and reporting months
grep '^trend ' "$work/expected" >"$work/trends"
while read -r _ from to kind want; do
	got=$(q -F ' ' -c "SELECT month, partial, max(value) FILTER (WHERE indicator = 'received_in_period'),
	                          max(value) FILTER (WHERE indicator = 'resolved_total')
	                     FROM hoso.monthly_trend('$from', '$to', NULL, '$kind')
	                    GROUP BY month, partial ORDER BY month" | tr '\n' ';')
	assert_eq "$got" "$want" "trend $kind $from..$to: months, partial flags and flows"
	got=$(q -c "WITH t AS (SELECT * FROM hoso.monthly_trend('$from', '$to', NULL, '$kind')),
	                 p AS (SELECT * FROM hoso.period_summary('$from', '$to'))
	            SELECT (SELECT sum(value) FROM t WHERE indicator = 'received_in_period') = p.received_in_period
	               AND (SELECT sum(value) FROM t WHERE indicator = 'resolved_total') = p.resolved_total
	               AND (SELECT value FROM t WHERE indicator = 'received_total' ORDER BY month LIMIT 1)
	                   - (SELECT value FROM t WHERE indicator = 'received_in_period' ORDER BY month LIMIT 1) = p.carried_over
	               AND (SELECT value FROM t WHERE indicator = 'in_progress_total' ORDER BY month DESC LIMIT 1) = p.in_progress_total
	              FROM p")
	assert_eq "$got" t "trend $kind $from..$to: flows add up to period_summary, states at its edges"
	got=$(q -c "SELECT count(*) FROM hoso.monthly_trend('$from', '$to', NULL, '$kind') t
	             CROSS JOIN LATERAL hoso.month_days(to_date(t.month, 'YYYY-MM') , '$kind') d
	             CROSS JOIN LATERAL hoso.period_summary(greatest(d.m_from, '$from'), least(d.m_to, '$to')) p
	             WHERE t.indicator = 'received_total' AND t.value <> p.received_total")
	assert_eq "$got" 0 "trend $kind $from..$to: each month is period_summary over month ∩ period"
done <"$work/trends"
assert_eq "$(q -c "SELECT string_agg(DISTINCT month, ' ' ORDER BY month) FROM hoso.monthly_trend('2022-12-15', '2023-10-14', NULL, 'reporting')")" \
	"2023-01 2023-02 2023-03 2023-04 2023-05 2023-06 2023-07 2023-08 2023-09 2023-10" \
	"the 10-month report's reporting months are exactly 2023-01 .. 2023-10"

# 2. coverage, and no change against a month before the first day of data
assert_eq "$(q -c "SELECT source || '|' || first_day || '|' || last_day || '|' || files FROM hoso.coverage()")" \
	"$(expect coverage)" "coverage: first and last day of data and files per source"
got=$(q -F ' ' -c "SELECT month, value, coalesce(mom_change::text, 'NULL'), coalesce(yoy_change::text, 'NULL')
                    FROM hoso.monthly_trend('2023-11-01', '2023-12-31')
                   WHERE indicator = 'received_in_period' ORDER BY month" | tr '\n' ';')
v2310=$(grep '^month 2023-10' "$work/expected" | cut -d' ' -f3)
v2311=$(grep '^month 2023-11' "$work/expected" | cut -d' ' -f3)
v2212=$(grep '^month 2022-12' "$work/expected" | cut -d' ' -f3)
v2312=$(grep '^month 2023-12' "$work/expected" | cut -d' ' -f3)
assert_eq "$got" "2023-11 $v2311 $((v2311 - v2310)) NULL;2023-12 $v2312 $((v2312 - v2311)) $((v2312 - v2212));" \
	"changes: y-o-y against 2022-11 (before the first day of data) is NULL, against 2022-12 known"

# 3. "as is" at every level: 2023's communes roll up to today's Y1 (Y2 has
#    nothing), with the as-was total; the unresolved cases are a row of
#    their own; TINH rolls up to Q; no district exists today
set -- $(expect xa2023)
x1=$1 x2=$2 zz=$3 all=$4
got=$(q -F ' ' -c "SELECT unit_code, received_in_period FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'XA')" | tr '\n' ';')
assert_eq "$got" "X1 $x1;X2 $x2;UNRESOLVED $zz;" "as was, XA 2023: X1, X2 and the unresolved row"
got=$(q -F ' ' -c "SELECT unit_code, received_in_period FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'XA', 'ii06a', true)" | tr '\n' ';')
assert_eq "$got" "Y1 $((x1 + x2));Y2 0;UNRESOLVED $zz;" "as is, XA 2023: today's communes, same total as as was"
got=$(q -F ' ' -c "SELECT string_agg(unit_code || ' ' || received_in_period, ';') || ' ' || sum(received_in_period)
                    FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'TINH', 'ii06a', true)")
assert_eq "$got" "Q $((all - zz));UNRESOLVED $zz $all" "as is, TINH 2023: Q and the unresolved row add up to the province total"
assert_eq "$(q -c "SELECT received_in_period FROM hoso.period_summary('2023-01-01', '2023-12-31')")" "$all" "province total 2023"
assert_eq "$(q -F ' ' -c "SELECT unit_code, received_in_period FROM hoso.period_summary_by_unit('2025-06-01', '2025-08-31', 'XA', 'ii06a', true) WHERE received_in_period > 0")" \
	"Y1 $(expect across)" "as is across 2025-07-01: X1's June cases and Y1's August cases under Y1"
assert_eq "$(q -F ' ' -c "SELECT unit_code, received_in_period FROM hoso.period_summary_by_unit('2025-08-01', '2025-08-31', 'XA', 'ii06a', true) WHERE received_in_period > 0")" \
	"Y1 1" "as is after 2025-07-01"
rc=0; out=$(q -c "SELECT * FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'HUYEN', 'ii06a', true)" 2>&1) || rc=$?
assert_contains "$rc $out" "1 " "as is HUYEN: an error ..."
assert_contains "$out" "no unit of level HUYEN exists today" "... that says why"

# 4. rankings: the unresolved row is never ranked; a plain count ranks every
#    unit by its count, largest first, value = the count, no denominator
got=$(q -F ' ' -c "SELECT unit_code, value, coalesce(denominator::text, 'NULL'), coalesce(rank::text, '-'), field_size
                    FROM hoso.unit_ranking('2023-01-01', '2023-12-31', 'XA', 'received_in_period')" | tr '\n' ';')
want_x=$( [ "$x1" -ge "$x2" ] && echo "X1 $x1 NULL 1 2;X2 $x2 NULL $([ "$x1" -eq "$x2" ] && echo 1 || echo 2) 2" ||
	echo "X2 $x2 NULL 1 2;X1 $x1 NULL 2 2")
assert_eq "$got" "$want_x;UNRESOLVED $zz NULL - 2;" "plain-count ranking: by count, unresolved unranked"
got=$(q -F ' ' -c "SELECT unit_code, coalesce(rank::text, '-') FROM hoso.unit_ranking('2023-01-01', '2023-12-31', 'TINH', 'on_time_rate')" | tr '\n' ';')
assert_eq "$got" "P 1;UNRESOLVED -;" "rate ranking: the unresolved row listed without a rank"

# 5. an unknown unit code, or a name given for a code, is an error with a hint
for call in "period_summary('2023-01-01', '2023-12-31', '%s')" "monthly_trend('2023-01-01', '2023-12-31', '%s')" \
	"index_766('2023-01-01', '2023-12-31', '%s')" "procedure_durations('2023-01-01', '2023-12-31', '%s')"; do
	# shellcheck disable=SC2059
	sql=$(printf "SELECT * FROM hoso.$call" "Xã Một")
	rc=0; out=$(psql -X -Atq -v ON_ERROR_STOP=1 -c "$sql" 2>&1) || rc=$?
	assert_eq "$rc" 1 "${call%%(*} with a unit name: an error"
	assert_contains "$out" 'unknown unit code "Xã Một"' "${call%%(*}: names it"
	assert_contains "$out" "X1 (Xã Một)" "${call%%(*}: the hint names the unit whose name it is"
done
out=$(psql -X -Atq -c "SELECT * FROM hoso.period_summary('2023-01-01', '2023-12-31', 'Xã Số Một')" 2>&1) || true
assert_contains "$out" "X1 (Xã Một)" "another name of the unit is found too"
out=$(psql -X -Atq -c "SELECT * FROM hoso.period_summary('2023-01-01', '2023-12-31', 'X9')" 2>&1) || true
assert_contains "$out" "HINT:  nearest codes: X1 (Xã Một), X2 (Xã Hai)
" "an unknown code: the hint names the nearest codes"
out=$(psql -X -Atq -c "SELECT * FROM hoso.monthly_trend('2023-01-01', '2023-12-31', 'qqq')" 2>&1) || true
assert_contains "$out" "no code is near it; codes look like D1, P, Q" "a code like none: the hint shows what codes look like"
finish
