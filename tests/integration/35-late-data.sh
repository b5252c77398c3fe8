#!/bin/sh
# Late and out-of-order data: events loaded days late update the
# figures of the days they belong to, and nothing else.
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db late
mkdir -p "$work/landing/2023/05/02" "$work/landing/2023/05/03" "$work/landing/2023/05/10"
msg() { printf '{"_at":"%s","_src":"LATE","service":"%s","data":[%s]}\n' "$1" "$2" "$3"; }
dossier() {	# NO ACCEPTED STATUS [EXTRA]
	printf '{"MaHoSo":"L-%s","MaTTHC":"1.0","KenhThucHien":"1","NgayTiepNhan":"%s","NgayHenTra":"20230512170000","TrangThaiHoSo":"%s"%s}' "$1" "$2" "$3" "${4:-}"
}
progress() {	# NO AT STATUS
	printf '{"MaHoSo":"L-%s","ThoiDiemXuLy":"%s","TrangThai":"%s","NoiDungXuLy":"step"}' "$1" "$2" "$3"
}
# Day 1 (2023-05-02): cases 1 and 2 accepted on 05-02.
msg 20230502170000 DongBoHoSoMC "$(dossier 1 20230502080000 2),$(dossier 2 20230502090000 2)" >"$work/landing/2023/05/02/a.jsonl"
# Day 2 (2023-05-03): case 3 accepted.
msg 20230503170000 DongBoHoSoMC "$(dossier 3 20230503080000 2)" >"$work/landing/2023/05/03/a.jsonl"
cat >"$work/p.yaml" <<YAML
source:
  paths: ["$work/landing/{date:%Y/%m/%d}/*.jsonl"]
  format: dvcqg-jsonl
staging: $work/staging
YAML
"$HOSO" run "$work/p.yaml" --from 2023-05-02 --to 2023-05-03 >/dev/null 2>&1 || fail "first load"
# May 2: received 2, none resolved; May 3: 1 received, 2 carried over
summary 2023-05-02 2023-05-02 >"$work/may2.before"
summary 2023-05-03 2023-05-03 >"$work/may3.before"
summary 2023-04-01 2023-04-30 >"$work/april.before"
assert_eq "$(awk '$1=="received_in_period"{print $2}' "$work/may2.before")" 2 "May 2 received 2"

# A week late (landing day 05-10): case 1 was finished on 05-02 16:00
# (progress row with status 9) and case 2 was withdrawn on 05-03 10:00
# (status 7).  These belong to May 2 and May 3.
msg 20230510080000 CapNhatTienDoHoSoMC "$(progress 1 20230502160000 9),$(progress 2 20230503100000 7)" >"$work/landing/2023/05/10/late.jsonl"
"$HOSO" run "$work/p.yaml" --date 2023-05-10 >/dev/null 2>&1 || fail "late load"
summary 2023-05-02 2023-05-02 >"$work/may2.after"
summary 2023-05-03 2023-05-03 >"$work/may3.after"
summary 2023-04-01 2023-04-30 >"$work/april.after"
get() { awk -v k="$2" '$1==k{print $2}' "$1"; }
# May 2: case 1 resolved on May 2 (due 05-12: early); case 2 still in progress at T1
assert_eq "$(get "$work/may2.after" resolved_total)" 1 "May 2 now has case 1 resolved"
assert_eq "$(get "$work/may2.after" resolved_early)" 1 "... early (05-02 < due 05-12)"
assert_eq "$(get "$work/may2.after" in_progress_total)" 1 "... and case 2 in progress"
# May 3: carried over are cases not ended before May 3: case 2 only (case 1
# ended May 2); received 1 (case 3); case 2 closed on May 3
assert_eq "$(get "$work/may3.after" carried_over)" 1 "May 3 carried over: case 2 only"
assert_eq "$(get "$work/may3.after" closed_other)" 1 "May 3: case 2 withdrawn"
assert_eq "$(get "$work/may3.after" in_progress_total)" 1 "May 3: case 3 in progress"
# ... and nothing else moved: April is untouched
assert_eq "$(cmp -s "$work/april.before" "$work/april.after" && echo same)" same "April untouched"
# on the late file's own landing day only case 3 is still open
assert_eq "$(q -c "SELECT in_progress_total FROM hoso.period_summary('2023-05-10', '2023-05-10')")" 1 "May 10: only case 3 open"
# The late load took cases 1 and 2's old contributions away and added their
# new ones by key: its summary rows are those recomputed from the facts
# alone (hoso.summary_rebuild, in a transaction rolled back), row for row
rebuilt_diff() {
	q <<'SQL'
BEGIN;
CREATE TEMP TABLE kept_d AS SELECT * FROM hoso.summary_day;
CREATE TEMP TABLE kept_p AS SELECT * FROM hoso.summary_procedure_day;
CREATE TEMP TABLE kept_m AS SELECT * FROM hoso.summary_procedure_month;
SELECT hoso.summary_rebuild();
SELECT (SELECT count(*) FROM (SELECT * FROM kept_d EXCEPT ALL SELECT * FROM hoso.summary_day) a)
     + (SELECT count(*) FROM (SELECT * FROM hoso.summary_day EXCEPT ALL SELECT * FROM kept_d) b)
     + (SELECT count(*) FROM (SELECT * FROM kept_p EXCEPT ALL SELECT * FROM hoso.summary_procedure_day) c)
     + (SELECT count(*) FROM (SELECT * FROM hoso.summary_procedure_day EXCEPT ALL SELECT * FROM kept_p) d)
     + (SELECT count(*) FROM (SELECT * FROM kept_m EXCEPT ALL SELECT * FROM hoso.summary_procedure_month) e)
     + (SELECT count(*) FROM (SELECT * FROM hoso.summary_procedure_month EXCEPT ALL SELECT * FROM kept_m) f)
     || ' ' || (SELECT count(*) FROM kept_d);
ROLLBACK;
SQL
}
assert_eq "$(rebuilt_diff | sed -n 2p)" "0 $(q -c "SELECT count(*) FROM hoso.summary_day")" \
	"summary rows after the late load = recomputed from the facts"
finish
