#!/bin/sh
# The Decision 766 index (docs/counting.md §5) with hand-computed cases: 2.1's
# own on-time rule (timestamps against the original due date, supplement
# pauses subtracted, an open round ends the case, two rounds are late, no
# due date -> the procedure's limit), the group 3 and 4 rates and scores,
# the criteria out of reach, and the weights coming from the YAML profile.
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db index_766
mkdir -p "$work/input"

cat >"$work/units.csv" <<'CSV'
code,name,aliases,level,parent_code,valid_from,valid_to,successor_code
P,Tỉnh P,,TINH,,,,
D1,Huyện Một,,HUYEN,P,,,
D2,Huyện Hai,,HUYEN,P,,,
CSV
# 1.0 is offered end-to-end (TOAN_TRINH) and is the only one with a fee,
# integrated on the national portal; 4.0 enters the catalogue in April
cat >"$work/procedures.csv" <<'CSV'
code,name,field_code,field_name,limit_value,limit_unit,online_level,has_fee,paper_result,integrated,valid_from,valid_to
1.0,Thủ tục một,F1,Lĩnh vực,5,working_days,TOAN_TRINH,1,1,1,,
2.0,Thủ tục hai,F1,Lĩnh vực,2,days,MOT_PHAN,0,1,0,,
3.0,Thủ tục ba,F1,Lĩnh vực,1,hours,NONE,0,1,0,,
4.0,Thủ tục bốn,F1,Lĩnh vực,1,months,NONE,0,1,0,2023-04-01,
CSV

# Period 2023-03-01 .. 2023-03-31 (T1 = 03-31 23:59:59).  Every case of
# D1, accepted in March.  2.1 (resolved in March, or in progress at T1):
#  A resolved 03-10 16:00, due 03-10 17:00                         on time
#  B resolved 03-10 18:00, due 03-10 17:00 (II.06a: same day)      late
#  C round 03-05 08:00..03-08 08:00 (3 days), resolved 03-13 10:00,
#    original due 03-10 17:00: 03-13 10:00 - 3 days = 03-10 10:00   on time
#  D the same round, resolved 03-13 20:00 -> 03-10 20:00           late
#  E two rounds, resolved 03-06 well before its due date            late
#  F in progress, one round open since 03-09 08:00, due 03-10 17:00:
#    its end is 03-09 08:00                                         on time
#  G in progress, due 03-20 17:00: end T1                           late
#  H in progress, due 04-30                                         on time
#  I no due date, procedure 1.0 (5 working days = 40 office hours),
#    Mon 03-06 08:00 .. Fri 03-10 16:00 = 7 + 8 + 8 + 8 + 7 = 38 h    on time
#  J no due date, in progress, procedure 2.0 (2 days), accepted 03-30
#    08:00: T1 < 04-01 08:00                                        on time
#  K no due date, in progress, procedure 1.0, accepted Mon 03-20 08:00:
#    by T1 7 h + 9 working days x 8 h = 79 h > 40 h                 late
#  L withdrawn 03-15: not in 2.1's denominator
#  M resolved 04-05 (after T1), due 04-10: in progress at T1        on time
# 2.1 = 7/12 -> 7/12 x 20 = 11.6667 points
# Received in March: 13, 12 of them of procedure 1.0 (J is 2.0).  Online:
# A..F, all of 1.0 (3.3: 6/12 = 50 %, full marks at 50 %: 12).  Fee
# procedures in the catalogue on 03-31: 1.0, integrated (3.4: 1/1 x 2 = 2).
# Fee cases: A, B of 1.0, A paid online (3.5: procedures 1/1 x 2 = 2;
# 3.6: cases 1/2 x 6 = 3).  Resolved in March with a paper result: A B C D
# E I, A with an e-result (4.1: 1/6 x 6 = 1).  Digitised: A B C D (4.2:
# 4/13 / 0.8 x 4 = 20/13 = 1.5385).  Reuse: A (DuocTaiSuDung 1), C
# (DuocLayTuKhoDMQG 1); B's document is deleted (4.3: 2/13 / 0.8 x 2 =
# 5/13 = 0.3846).  No VNeID account among the 6 online (4.6: 0/6, 0).
python3 - "$work/input/cases.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
def case(name, at, status, accepted, due="", finished="", channel="1", proc="1.0", rounds=(),
         extra=None):
    d = {"MaHoSo": f"D1-{name}", "MaTTHC": proc, "KenhThucHien": channel,
         "NgayTiepNhan": accepted, "NgayHenTra": due, "TrangThaiHoSo": status,
         "HoSoCoThanhPhanSoHoa": "0"}
    if finished:
        d["NgayKetThucXuLy"] = finished
    if rounds:
        d["DanhSachHoSoBoSung"] = [{"NgayBoSung": r[0], "NgayTiepNhanBoSung": r[1],
                                    "NgayHenTraTruoc": r[2], "NgayHenTraMoi": r[3]} for r in rounds]
    d.update(extra or {})
    out.write(json.dumps({"_at": at, "_src": "IX", "service": "DongBoHoSoMC", "data": [d]},
                         ensure_ascii=False) + "\n")
fee = {"DanhSachLePhi": [{"TenPhiLePhi": "Lệ phí", "Gia": "50.000"}]}
one_round = [("20230305080000", "20230308080000", "20230310170000", "20230313170000")]
case("A", "20230310160000", "10", "20230301080000", "20230310170000", "20230310160000", "2",
     extra=dict(fee, DuocThanhToanTrucTuyen="1", HoSoCoThanhPhanSoHoa="1",
                DanhSachGiayToKetQua=[{"TenGiayTo": "Kết quả", "DuongDanTepTinKetQua": "/kq/a.pdf"}],
                TaiLieuNop=[{"TepDinhKemId": "1", "DuocTaiSuDung": "1", "IsDeleted": "0"}]))
case("B", "20230310180000", "10", "20230301080000", "20230310170000", "20230310180000", "2",
     extra=dict(fee, DuocThanhToanTrucTuyen="0", HoSoCoThanhPhanSoHoa="1",
                TaiLieuNop=[{"TepDinhKemId": "2", "DuocLayTuKhoDMQG": "1", "IsDeleted": "1"}]))
case("C", "20230313100000", "10", "20230301080000", "20230313170000", "20230313100000", "2",
     rounds=one_round, extra=dict(HoSoCoThanhPhanSoHoa="1",
                TaiLieuNop=[{"TepDinhKemId": "3", "DuocLayTuKhoDMQG": "1", "IsDeleted": "0"}]))
case("D", "20230313200000", "10", "20230301080000", "20230313170000", "20230313200000", "2",
     rounds=one_round, extra=dict(HoSoCoThanhPhanSoHoa="1"))
case("E", "20230306080000", "10", "20230301080000", "20230312170000", "20230306080000", "2",
     rounds=[("20230302080000", "20230303080000", "20230310170000", "20230311170000"),
             ("20230304080000", "20230305080000", "20230311170000", "20230312170000")])
case("F", "20230309080000", "5", "20230301080000", "20230310170000", channel="2",
     rounds=[("20230309080000", "", "20230310170000", "")])
case("G", "20230301080000", "2", "20230301080000", "20230320170000")
case("H", "20230301080000", "2", "20230301080000", "20230430170000")
case("I", "20230310160000", "10", "20230306080000", "", "20230310160000")
case("J", "20230330080000", "2", "20230330080000", "", proc="2.0")
case("K", "20230320080000", "2", "20230320080000", "")
case("L", "20230315080000", "7", "20230301080000", "20230310170000", "20230315080000")
case("M", "20230405080000", "10", "20230325080000", "20230410170000", "20230405080000")
# May: the instant from which an open case is late (case_fact.late_766_at)
case("N", "20230508080000", "2", "20230502080000", "20230510170000",
     rounds=[("20230505080000", "20230508080000", "20230510170000", "20230513170000")])
case("O", "20230501050000", "2", "20230501050000", "", proc="4.0")
case("Q", "20230522080000", "2", "20230502080000", "20230630170000",
     rounds=[("20230510080000", "20230512080000", "20230630170000", "20230702170000"),
             ("20230520080000", "20230522080000", "20230702170000", "20230704170000")])
case("R", "20230525080000", "10", "20230502080000", "20230520170000", "20230525080000",
     rounds=[("20230515080000", "", "20230520170000", "")])
case("S", "20230508100000", "2", "20230508080000", "", proc="3.0",
     rounds=[("20230508083000", "20230508100000", "", "")])
PY

run_own_reference 2023-04-05

# the 766 profile came from schemas/profiles/766.yaml
assert_eq "$(q -c "SELECT count(*) FROM hoso.profile WHERE name = '766'")" 1 "profile 766 loaded"
assert_eq "$(q -c "SELECT string_agg(criterion || '=' || points, ' ' ORDER BY ord) FROM hoso.profile_criterion WHERE profile = '766'")" \
	"1.1=6 1.2=4 1.3=2 1.4=6 2.1=20 3.3=12 3.4=2 3.5=2 3.6=6 4.1=6 4.2=4 4.3=2 4.4=2 4.5=4 4.6=2 4.7=2 5=18" \
	"weights of the YAML, in its order"
assert_eq "$(q -c "SELECT sum(points) FROM hoso.profile_criterion WHERE profile = '766'")" 100 "the weights total 100 points"

# II.06a still counts B and D on time (same local date): 766 differs
assert_eq "$(q -c "SELECT resolved_early + resolved_on_time || '/' || resolved_total FROM hoso.period_summary('2023-03-01', '2023-03-31')")" \
	"6/6" "II.06a: every March resolution on time by local date"

got=$(q -F ' ' -c "SELECT criterion, coalesce(numerator::text, '-'), coalesce(denominator::text, '-'),
                          coalesce(round(score, 4)::text, '-'), computed
                     FROM hoso.index_766('2023-03-01', '2023-03-31')" | tr '\n' ';')
assert_eq "$got" "1.1 - - - f;1.2 - - - f;1.3 - - - f;1.4 - - - f;2.1 7 12 11.6667 t;3.3 6 12 12.0000 t;3.4 1 1 2.0000 t;3.5 1 1 2.0000 t;3.6 1 2 3.0000 t;4.1 1 6 1.0000 t;4.2 4 13 1.5385 t;4.3 2 13 0.3846 t;4.4 - - - f;4.5 - - - f;4.6 0 6 0.0000 t;4.7 - - - f;5 - - - f;" \
	"index_766: every criterion (hand-computed)"
assert_eq "$(q -c "SELECT round(rate, 6) FROM hoso.index_766('2023-03-01', '2023-03-31') WHERE criterion = '2.1'")" \
	"0.583333" "2.1 rate 7/12"
assert_contains "$(q -c "SELECT note FROM hoso.index_766('2023-03-01', '2023-03-31') WHERE criterion = '5'")" \
	"out of reach of case logs" "satisfaction: says why it is not computed"
assert_contains "$(q -c "SELECT note FROM hoso.index_766('2023-03-01', '2023-03-31') WHERE criterion = '1.1'")" \
	"out of reach of case logs" "publicity: says why it is not computed"
# which cases 2.1 judges late: B D E G K (by their own rule)
load_scan_functions
got=$(q -c "SELECT string_agg(substr(case_no, 4), '' ORDER BY case_no) FROM hoso.case_fact f
             WHERE NOT hoso_test.on_time_766(src, case_no, end_kind = 'R' AND end_at <= hoso.period_end('2023-03-31'),
                   CASE WHEN end_kind = 'R' AND end_at <= hoso.period_end('2023-03-31') THEN end_at
                        ELSE hoso.period_end('2023-03-31') END, hoso.period_end('2023-03-31'))
               AND case_no <> 'D1-L'")
assert_eq "$got" "BDEGK" "2.1 late: B (timestamp), D (pause), E (two rounds), G (overdue), K (over its limit)"
# An open case's verdict only turns from on time to late as T1 grows; the
# transform stores the turning instant (late_766_at), worked by hand:
#  N one round 05-05 08:00..05-08 08:00 received, due 05-10 17:00: the
#    3-day pause moves it to 05-13 17:00, late from 05-13 17:00:01
#  O no due date, 1 calendar month from Mon 05-01 05:00 local = 06-01 05:00
#    (in UTC, 04-30 22:00 + 1 month would end on 05-31): late from 06-01
#  Q rounds requested 05-10 and 05-20: late from the second, 05-20 08:00
#  R resolved 05-25 with its one round open since 05-15 (due 05-20): ends
#    at 05-15 08:00, on time, and never late while open
#  S 1 office hour, accepted Mon 05-08 08:00, paused 08:30..10:00: late
#    from 10:30:01
for d in "2023-05-12 S" "2023-05-13 NS" "2023-05-19 NS" "2023-05-20 NQS" "2023-05-31 NQS" "2023-06-01 NOQS"; do
	day=${d% *}
	assert_eq "$(q -c "SELECT string_agg(substr(case_no, 4), '' ORDER BY case_no) FROM hoso.case_fact
	                    WHERE case_no IN ('D1-N', 'D1-O', 'D1-Q', 'D1-R', 'D1-S')
	                      AND late_766_at <= hoso.period_end('$day')")" "${d#* }" "late by the end of $day"
done
assert_eq "$(q -c "SELECT to_char(late_766_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'MM-DD HH24:MI:SS') FROM hoso.case_fact WHERE case_no = 'D1-N'")" \
	"05-13 17:00:01" "N: late the second after its due date plus its pause"
assert_eq "$(q -c "SELECT on_time_766 || ' ' || (late_766_at IS NULL) FROM hoso.case_fact WHERE case_no = 'D1-R'")" \
	"true true" "R: resolved on time, never late while open"
# the summary rows against the case-by-case definition, for every T1 from
# 03-01 to 07-10 (two periods' starts), whole warehouse and one unit
got=$(q -c "SELECT count(*) || ' ' || count(*) FILTER (WHERE a.numerator IS DISTINCT FROM b.numerator
                                                 OR a.denominator IS DISTINCT FROM b.denominator)
              FROM (VALUES ('2023-03-01'::date, NULL::text), ('2023-05-01', NULL), ('2023-03-01', 'D1')) p(f, u)
             CROSS JOIN generate_series('2023-03-01'::date, '2023-07-10', '1 day') g(d)
             CROSS JOIN LATERAL (SELECT numerator, denominator FROM hoso.index_766(p.f, g.d::date, p.u)
                                  WHERE criterion = '2.1') a
             CROSS JOIN LATERAL hoso_test.index_766_scan(p.f, g.d::date, p.u) b
             WHERE g.d >= p.f")
assert_eq "$got" "335 0" "2.1 from summary rows = judged case by case, 335 periods"
# facts loaded before migration 040 make 2.1 'not computed', saying why
q -c "BEGIN; UPDATE hoso.case_fact SET judged_766 = false WHERE case_no = 'D1-A';
      SELECT computed, note FROM hoso.index_766('2023-03-01', '2023-03-31') WHERE criterion = '2.1'; ROLLBACK" >"$work/unjudged.out"
assert_contains "$(cat "$work/unjudged.out")" "f|not computed: facts loaded before migration 040" "unjudged facts: 2.1 not computed"

# K: 79 office hours by T1
assert_eq "$(q -c "SELECT hoso_test.office_seconds(accepted_at, hoso.period_end('2023-03-31')) / 3600 FROM hoso.case_fact WHERE case_no = 'D1-K'")" \
	79 "office hours of K by T1"
# a unit with no case: nothing in any denominator, no score
assert_eq "$(q -c "SELECT count(*) FROM hoso.index_766('2023-03-01', '2023-03-31', 'D2') WHERE criterion <> '3.4' AND score IS NOT NULL")" \
	0 "unit without cases: no score"

# the YAML is the source: change 2.1 to 30 points, re-run --migrate
mkdir -p "$work/schemas/profiles"
cp -r "$HOSO_ROOT/schemas/warehouse" "$work/schemas/warehouse"
sed 's/^    points: 20$/    points: 30/' "$HOSO_ROOT/schemas/profiles/766.yaml" >"$work/schemas/profiles/766.yaml"
"$HOSO_BIN/hoso-load" --migrate --schemas "$work/schemas" >"$work/mig.log" 2>&1 || { cat "$work/mig.log"; fail "migrate with edited profile"; }
assert_eq "$(q -c "SELECT points || ' ' || round(score, 4) FROM hoso.index_766('2023-03-01', '2023-03-31') WHERE criterion = '2.1'")" \
	"30 17.5000" "edited YAML: 2.1 weighs 30 points, 7/12 x 30 = 17.5"
# a bad profile file is a configuration error naming file, line and column
printf 'name: "766"\ndescription: x\ncriteria:\n  - criterion: "2.1"\n    wieght: 3\n' >"$work/schemas/profiles/766.yaml"
rc=0; out=$("$HOSO_BIN/hoso-load" --migrate --schemas "$work/schemas" 2>&1) || rc=$?
assert_eq "$rc" 2 "bad profile: exit 2"
assert_contains "$out" "766.yaml:5:5: unknown key \"wieght\"" "bad profile: file:line:column"
assert_eq "$(q -c "SELECT points FROM hoso.profile_criterion WHERE profile = '766' AND criterion = '2.1'")" 30 "bad profile: nothing changed"

# the analyst role may call it
q -c "CREATE ROLE ix_alice LOGIN; GRANT hoso_analyst TO ix_alice"
assert_eq "$(psql -X -Atq -U ix_alice -c "SELECT count(*) FROM hoso.index_766('2023-03-01', '2023-03-31')")" 17 "analyst calls index_766"
finish
