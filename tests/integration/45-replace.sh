#!/bin/sh
# --replace makes the warehouse equal a fresh load of the current files:
# every case the old content of a replaced file had a message about is
# derived again, from what the files say now.  Three kinds of change:
#   R1  removed; its only messages were in the replaced file
#   R2  removed from the replaced file, still in another (a fresh load has
#       it open, as the other file says)
#   C3  a changed message (now resolved)
. "$HOSO_ROOT/tests/integration/lib.sh"

mkdir -p "$work/input"
# msg AT CASE STATUS [END]: one dossier message
msg() {
	end=""
	[ -n "${4:-}" ] && end=",\"NgayKetThucXuLy\":\"$4\",\"NgayTra\":\"$4\""
	printf '{"_at":"%s","_src":"RP","service":"DongBoHoSoMC","data":[{"MaHoSo":"%s","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"20230301080000","NgayHenTra":"20230310170000","TrangThaiHoSo":"%s"%s}]}\n' \
		"$1" "$2" "$3" "$end"
}
msg 20230302170000 RP-230301-0002 4 >"$work/input/g.jsonl"
msg 20230302170000 RP-230301-0004 4 >>"$work/input/g.jsonl"
{
	msg 20230303170000 RP-230301-0001 4
	msg 20230303170000 RP-230301-0002 10 20230303160000
	msg 20230303170000 RP-230301-0003 4
} >"$work/input/f.jsonl"
pipeline_for "$work" "$work/p.yaml"

fresh_db replace
"$HOSO" run "$work/p.yaml" --date 2023-03-03 >"$work/1.log" 2>&1 || fail "first load: $(tail -3 "$work/1.log")"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 4 "four cases at first"
msg 20230303170000 RP-230301-0003 10 20230303160000 >"$work/input/f.jsonl"
"$HOSO" run "$work/p.yaml" --date 2023-03-03 --replace >"$work/2.log" 2>&1 || fail "--replace: $(tail -3 "$work/2.log")"
table_digest >"$work/replaced"
q -c "SELECT case_no || ' ' || coalesce(end_at::text, 'open') FROM hoso.case_fact ORDER BY 1" >"$work/replaced.cases"

fresh_db replace_fresh
"$HOSO" run "$work/p.yaml" --date 2023-03-03 >"$work/3.log" 2>&1 || fail "fresh load: $(tail -3 "$work/3.log")"
table_digest >"$work/fresh"
q -c "SELECT case_no || ' ' || coalesce(end_at::text, 'open') FROM hoso.case_fact ORDER BY 1" >"$work/fresh.cases"
assert_eq "$(cat "$work/replaced.cases")" "$(cat "$work/fresh.cases")" "the cases after --replace are those of a fresh load"
assert_eq "$(grep -c RP-230301-0001 "$work/replaced.cases")" 0 "R1 (only in the old content) is gone"
assert_contains "$(cat "$work/replaced.cases")" "RP-230301-0002 open" "R2 is open, as the other file says"
assert_eq "$(diff "$work/replaced" "$work/fresh" && echo same)" same "every table equals a fresh load, summaries included"
finish
