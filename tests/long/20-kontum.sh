#!/bin/sh
# The whole Kon Tum 2023 sample (make test-long): hoso-gen writes it, the
# pipeline loads it, and the warehouse must print the province's published
# figures exactly (lib.sh, check_kontum_reference).  Then: historic
# fidelity (the 2023 report is the same before and after a year of later
# data), the summary tables against scans of the facts, idempotence, an
# independent computation by tests/oracle over the raw files, and no
# personal data in a dump of the warehouse.  make test checks the figures
# alone (tests/integration/20-kontum-figures.sh).
. "$HOSO_ROOT/tests/integration/lib.sh"

kontum_warehouse kontum

# 1. the landing days up to a week after the period: everything about it
"$HOSO" run "$P" --from 2022-06-01 --to 2023-10-21 >"$work/run1.log" 2>&1 ||
	{ cat "$work/run1.log"; fail "first run failed"; finish; }
check_kontum_reference "data to 2023-10-21"
summary 2022-12-15 2023-10-14 >"$work/before"

# 2. then every later day: the 2023 report must not move
"$HOSO" run "$P" --from 2023-10-22 --to 2024-12-31 >"$work/run2.log" 2>&1 ||
	{ cat "$work/run2.log"; fail "second run failed"; finish; }
check_kontum_reference "data to mid-2024"
summary 2022-12-15 2023-10-14 >"$work/after"
assert_eq "$(cmp -s "$work/before" "$work/after" && echo same)" same "historic fidelity: identical summary"

# the summary tables, maintained run by run, equal a scan of the facts
load_scan_functions
# (unit paths with nothing in a period may appear in one with zeros)
for period in "2022-12-15 2023-10-14" "2023-01-01 2023-01-31" "2022-07-01 2024-12-31" "2024-02-10 2024-02-10"; do
	set -- $period
	diff=$(q -c "SELECT count(*) FROM (
	        (SELECT * FROM hoso.period_counts('$1', '$2') EXCEPT SELECT * FROM hoso_test.period_counts_scan('$1', '$2'))
	        UNION ALL
	        (SELECT * FROM hoso_test.period_counts_scan('$1', '$2') EXCEPT SELECT * FROM hoso.period_counts('$1', '$2'))) d
	      WHERE EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(d) - 'unit_path') e WHERE e.value::text <> '0')")
	assert_eq "$diff" 0 "summary tables equal a scan of the facts for $1..$2"
done
# 766 criterion 2.1 from the summary rows equals judging every case at
# query time (hoso_test.index_766_scan), whole province and one district
for period in "2022-12-15 2023-10-14 " "2023-01-01 2023-01-31 000.00.31.H34" "2022-07-01 2024-12-31 " "2024-02-10 2024-02-10 "; do
	set -- $period
	unit=${3:+"'$3'"}
	got=$(q -c "SELECT a.numerator || '/' || a.denominator || ' ' || b.numerator || '/' || b.denominator
	              FROM hoso.index_766('$1', '$2', ${unit:-NULL}) a, hoso_test.index_766_scan('$1', '$2', ${unit:-NULL}) b
	             WHERE a.criterion = '2.1'")
	assert_eq "$(echo "$got" | awk '{print ($1 == $2 && $1 !~ /^0\//) ? "same" : $0}')" same \
		"766 2.1 from summary rows equals the case-by-case judgement for $1..$2 ${3:-} ($got)"
done
# per-procedure durations from summary rows equal a scan of the facts
for period in "2022-12-15 2023-10-14 " "2023-01-01 2023-01-31 000.00.31.H34" "2023-01-31 2023-03-01 " "2022-07-01 2024-12-31 000.00.31.H34" "2024-02-10 2024-02-10 "; do
	set -- $period
	unit=${3:+"'$3'"}
	got=$(q -c "SELECT (SELECT count(*) FROM hoso_test.procedure_durations_scan('$1', '$2', ${unit:-NULL})) || ' ' || count(*)
	              FROM ((SELECT * FROM hoso.procedure_durations('$1', '$2', ${unit:-NULL})
	                     EXCEPT SELECT * FROM hoso_test.procedure_durations_scan('$1', '$2', ${unit:-NULL}))
	                    UNION ALL
	                    (SELECT * FROM hoso_test.procedure_durations_scan('$1', '$2', ${unit:-NULL})
	                     EXCEPT SELECT * FROM hoso.procedure_durations('$1', '$2', ${unit:-NULL}))) d")
	assert_eq "$(echo "$got" | awk '{print ($1 > 0 && $2 == 0) ? "same" : $0}')" same \
		"procedure durations from summary rows equal a scan of the facts for $1..$2 ${3:-} ($got)"
done

# the summary rows the transform added up, run by run, equal those
# hoso.summary_rebuild() computes from the facts in SQL, row for row
got=$(q <<'EOF'
BEGIN;
CREATE TEMP TABLE kept_day AS SELECT * FROM hoso.summary_day;
CREATE TEMP TABLE kept_procedure_day AS SELECT * FROM hoso.summary_procedure_day;
CREATE TEMP TABLE kept_procedure_month AS SELECT * FROM hoso.summary_procedure_month;
SELECT 'rebuilt' FROM hoso.summary_rebuild();
SELECT (SELECT count(*) FROM kept_day) || ' ' || (
	(SELECT count(*) FROM (SELECT * FROM hoso.summary_day EXCEPT ALL SELECT * FROM kept_day) d) +
	(SELECT count(*) FROM (SELECT * FROM kept_day EXCEPT ALL SELECT * FROM hoso.summary_day) d) +
	(SELECT count(*) FROM (SELECT * FROM hoso.summary_procedure_day EXCEPT ALL SELECT * FROM kept_procedure_day) d) +
	(SELECT count(*) FROM (SELECT * FROM kept_procedure_day EXCEPT ALL SELECT * FROM hoso.summary_procedure_day) d) +
	(SELECT count(*) FROM (SELECT * FROM hoso.summary_procedure_month EXCEPT ALL SELECT * FROM kept_procedure_month) d) +
	(SELECT count(*) FROM (SELECT * FROM kept_procedure_month EXCEPT ALL SELECT * FROM hoso.summary_procedure_month) d));
ROLLBACK;
EOF
)
assert_eq "$(echo "$got" | awk '$1 == "rebuilt" { next } { print ($1 > 0 && $2 == 0) ? "same" : $0 }')" same \
	"summary rows from the transform equal hoso.summary_rebuild() from the facts"

# 3. rerunning the whole range loads nothing and changes nothing
table_digest >"$work/digest1"
out=$("$HOSO" run "$P" --from 2022-06-01 --to 2024-12-31 2>&1) || fail "rerun failed: $out"
assert_contains "$out" "already in the ledger" "rerun says every file is already loaded"
table_digest >"$work/digest2"
assert_eq "$(cmp -s "$work/digest1" "$work/digest2" && echo same)" same "rerun leaves every table identical"

# 4. an independent computation of docs/counting.md over the raw files
for period in "2022-12-15 2023-10-14" "2023-01-01 2023-12-31" "2024-01-15 2024-02-14"; do
	set -- $period
	python3 "$HOSO_ROOT/tests/oracle/hoso_oracle.py" --from "$1" --to "$2" "$sample/landing" >"$work/oracle"
	summary "$1" "$2" >"$work/warehouse"
	if diff -u "$work/oracle" "$work/warehouse" >"$work/diff"; then
		say "ok: oracle agrees on $1..$2"
	else
		fail "oracle disagrees on $1..$2:"
		cat "$work/diff"
	fi
done

# 5. personal data never reaches the warehouse
pg_dump --data-only -d kontum >"$work/dump.sql"
zcat -f "$sample"/landing/2023/03/*/*.jsonl* | head -200 | python3 -c '
import json, sys
seen = set()
for line in sys.stdin:
    line = line.strip().lstrip("\ufeff")
    if not line:
        continue
    for obj in json.loads(line).get("data", []):
        for key in ("ChuHoSo", "SoGiayToChuHoSo", "SoDienThoai", "Email", "NguoiXuLy"):
            v = obj.get(key)
            if isinstance(v, str) and len(v) >= 6:
                seen.add(v)
for v in sorted(seen)[:50]:
    print(v)
' >"$work/pii"
[ -s "$work/pii" ] || fail "the sample carries no personal data to look for"
leaks=$(grep -F -c -f "$work/pii" "$work/dump.sql" || true)
assert_eq "$leaks" 0 "no personal data value in pg_dump"

finish
