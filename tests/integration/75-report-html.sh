#!/bin/sh
# hoso report --format html: a self-contained page with the II.06a
# table, the ranking bar chart and the trend line charts, checked for
# hand-computed figures and Vietnamese labels, then rendered by headless
# Chromium (screenshot and DOM).
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db report_html
mkdir -p "$work/input"

# Three districts; D3's name needs HTML escaping.
cat >"$work/units.csv" <<'CSV'
code,name,aliases,level,parent_code,valid_from,valid_to,successor_code
P,Tỉnh Kon Tum,,TINH,,,,
D1,Huyện Đắk Hà,,HUYEN,P,,,
D2,Huyện Sa Thầy,,HUYEN,P,,,
D3,Xã A & B <C>,,HUYEN,P,,,
CSV
# Catalogue at 2023-04-14: 1 fully online, 1 partly, 2 of 3 integrated
cat >"$work/procedures.csv" <<'CSV'
code,name,field_code,field_name,limit_value,limit_unit,online_level,has_fee,paper_result,integrated,valid_from,valid_to
1.0,Đăng ký khai sinh,HT,Hộ tịch,5,working_days,TOAN_TRINH,0,1,1,,
2.0,Cấp giấy phép xây dựng,XD,Xây dựng,15,working_days,MOT_PHAN,1,1,0,,
3.0,Chứng thực bản sao,CT,Chứng thực,1,working_days,NONE,0,1,1,,
CSV

# Cases (period 2023-03-01 .. 2023-04-14, reporting months 2023-03 =
# 02-15..03-14 and 2023-04 = 03-15..04-14):
#  D1: 1,500 in person, accepted 03-01, due 03-10: 1,000 finished 03-08
#      (early), 500 finished 03-13 (late)
#  D2: 40 online and digitised, accepted 03-20, due 03-30: 38 finished 03-22
#      (early), 2 finished 04-03 (late)
#  D3: 5 by post, accepted 03-20, due 04-30: 2 finished 03-22 (early),
#      3 still in progress (in time)
python3 - "$work/input/cases.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
n = 0
def case(unit, channel, accepted, due, finished, digitised="0"):
    global n
    n += 1
    d = {"MaHoSo": f"{unit}-2303-{n}", "MaTTHC": "1.0", "KenhThucHien": channel,
         "NgayTiepNhan": accepted, "NgayHenTra": due, "HoSoCoThanhPhanSoHoa": digitised,
         "TrangThaiHoSo": "10" if finished else "2"}
    if finished:
        d["NgayKetThucXuLy"] = finished
    out.write(json.dumps({"_at": finished or accepted, "_src": "RH", "service": "DongBoHoSoMC",
                          "data": [d]}, ensure_ascii=False) + "\n")
for i in range(1000): case("D1", "1", "20230301080000", "20230310170000", "20230308100000")
for i in range(500): case("D1", "1", "20230301080000", "20230310170000", "20230313100000")
for i in range(38): case("D2", "2", "20230320080000", "20230330170000", "20230322100000", "1")
for i in range(2): case("D2", "2", "20230320080000", "20230330170000", "20230403100000", "1")
for i in range(2): case("D3", "3", "20230320080000", "20230430170000", "20230322100000")
for i in range(3): case("D3", "3", "20230320080000", "20230430170000", None)
PY

run_own_reference 2023-04-14

page=$work/report.html
rc=0
"$HOSO" report --from 2023-03-01 --to 2023-04-14 --ranking HUYEN --format html --output "$page" \
	>"$work/stdout" 2>"$work/stderr" || rc=$?
assert_eq "$rc" 0 "hoso report --format html --output exits 0"
assert_eq "$(wc -c <"$work/stdout")" 0 "with --output nothing goes to stdout"
html=$(cat "$page")

# 1. the page: UTF-8, self-contained, no script
assert_contains "$html" '<meta charset="utf-8">' "declares UTF-8"
assert_eq "$(grep -Eic '(src|href)[[:space:]]*=[[:space:]]*["'"'"']?(https?:)?//' "$page")" 0 "no external src/href"
assert_eq "$(grep -Eic 'https?://' "$page")" 0 "no URL at all"
assert_eq "$(grep -ic '<script' "$page")" 0 "no JavaScript"
assert_contains "$html" '"DejaVu Sans"' "a font stack with Vietnamese glyphs"

# 2. the II.06a table (hand-computed above): received 1,500 + 40 + 5 =
#    1,545; resolved 1,000 + 500 + 38 + 2 + 2 = 1,542; early 1,040; late 502;
#    on-time 1,040/1,542 = 67.4448 % -> 67.44 %; in progress 3 (in time);
#    digitised 40/1,545 = 2.5889 % -> 2.58 % (truncated; rounding: 2.59)
row() {	# VIETNAMESE_LABEL FIGURE: the table row with that label shows that figure
	assert_eq "$(grep -c "<td>$1</td><td class=\"en wide\">[^<]*</td><td class=\"n\">$2" "$page")" "${3:-1}" "row $1: $2"
}
row "Tổng số hồ sơ tiếp nhận" "1.545"
row "Trực tuyến" "40"
row "Trực tiếp và qua bưu chính" "1.505"
row "Trực tiếp" "1.500"
row "Qua bưu chính" "5"
row "Kỳ trước chuyển sang" "0"
row "Đã giải quyết" "1.542"
row "Đúng hạn và trước hạn" "1.040"
row "Trước hạn" "1.040"
row "Đúng hạn" "0"
row "Quá hạn" "502"
row "Tỷ lệ giải quyết đúng hạn" "<b>67,44 %</b> <span class=\"frac\">(1.040/1.542)"
row "Đang giải quyết" "3"
row "Trong hạn" "3"
row "Rút hồ sơ, dừng xử lý" "0"
row "Số hóa thành phần hồ sơ khi tiếp nhận" "<b>2,58 %</b> <span class=\"frac\">(40/1.545)"
# catalogue: 2/3 integrated = 66.66 % (truncated)
row "Dịch vụ công trực tuyến toàn trình" "1"
row "Dịch vụ công trực tuyến một phần" "1"
row "Tích hợp trên Cổng Dịch vụ công quốc gia" "2/3 (66,66 %)"

# 0. the header: the province, the period (Vietnamese dates), the kind of
#    months, when it was made, what is loaded per source (hoso.coverage():
#    source RH, the landing days of its one file)
assert_contains "$html" '<h1>Tỉnh Kon Tum</h1>' "header: the province's name"
assert_contains "$html" '<b>01/03/2023 – 14/04/2023</b>' "header: the period, as dd/mm/yyyy"
assert_contains "$html" 'tháng báo cáo, ngày 15 đến ngày 14' "header: the kind of months"
assert_contains "$html" "$(date -u -d '+7 hours' +%Y-%m-%d)" "header: generated today (Vietnam time)"
assert_contains "$html" 'RH: ' "header: the data loaded, per source"
assert_contains "$html" '(1 tệp)' "header: the number of files loaded"

# svg_axis CLASS: "label@position ..." of the ticks, then "grid@position ..."
# of the gridlines, of the chart with that class (x for the ranking, y for
# the trends): every gridline must carry a label at the same place
svg_axis() {
	python3 - "$page" "$1" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<svg class="chart %s".*?</svg>' % re.escape(sys.argv[2]), html, re.S)
svg = m.group(0) if m else ""
axis = "x" if sys.argv[2] == "ranking" else "y"
ticks = re.findall(r'<text class="tick" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)
grid = re.findall(r'<line class="grid" x1="([\d.]+)" y1="([\d.]+)"', svg)
if axis == "x":
    t = ["%s@%s" % (l, x) for x, y, l in ticks]; g = ["grid@%s" % x for x, y in grid]
else:  # a y label sits 4 units below its line
    t = ["%s@%.1f" % (l, float(y) - 4) for x, y, l in ticks]; g = ["grid@%.1f" % float(y) for x, y in grid]
print(" ".join(t), "|", " ".join(g))
PY
}

# 3. the ranking chart: D2 38/40 = 95.00 % rank 1/2; D1 1,000/1,500 =
#    66.666 % -> 66.66 % rank 2/2; D3 (2 resolved, under the minimum of 30)
#    unranked, its name escaped.  The axis fits 66.66..95.00 in at most five
#    round steps: 60 % to 100 % by 10 (x from 420 to 850, 107.5 a step);
#    the 95 % goal at 420 + 430 * 35/40 = 796.25.
assert_eq "$(svg_axis ranking)" "60 %@420.0 70 %@527.5 80 %@635.0 90 %@742.5 100 %@850.0 | grid@420.0 grid@527.5 grid@635.0 grid@742.5 grid@850.0" \
	"ranking axis: 60-100 %, a label on every gridline"
assert_contains "$html" '<line class="target" x1="796.2"' "ranking: the 95 % goal line"
assert_contains "$html" '>Mục tiêu 95 %</text>' "ranking: the goal labelled"
assert_contains "$html" '<text class="rank" x="4" y="56">1/2</text><text class="label" x="56" y="56">Huyện Sa Thầy <tspan class="code">D2</tspan></text>' "ranking: Sa Thầy first, 1/2, name beside code"
assert_contains "$html" '<text class="rank" x="4" y="80">2/2</text><text class="label" x="56" y="80">Huyện Đắk Hà <tspan class="code">D1</tspan></text>' "ranking: Đắk Hà second, 2/2"
assert_contains "$html" '>95,00 %</text>' "ranking: 95,00 %"
assert_contains "$html" '>66,66 %</text>' "ranking: 66,66 % (truncated)"
assert_contains "$html" 'Huyện Đắk Hà (D1): 66,66 % (1.000/1.500)' "ranking: numerator/denominator in the tooltip"
# bars from the axis' 60 %: (95 - 60)/40 * 430 = 376.25, (66.66 - 60)/40 * 430 = 71.6
assert_contains "$html" 'width="376.2"' "ranking: bar length of 95 %"
assert_contains "$html" 'width="71.6"' "ranking: bar length of 66.66 %"
assert_contains "$html" 'Xã A &amp; B &lt;C&gt; <span class="code">D3</span> (2/2)' "unranked unit listed, HTML-escaped"
assert_eq "$(grep -c 'A & B <C>' "$page")" 0 "no unescaped database value"

# 4. the trend (reporting months; 2023-03 runs 02-15..03-14, clipped to
#    the period's 03-01 and marked *): 2023-03 received 1,500, on time
#    1,000/1,500 -> 66.66 %; 2023-04 received 45, on time 40/42 = 95.238 %
#    -> 95.23 % (rounding: 95.24).  Count axis 0..1,500 by 500 (the plot
#    runs from y 230 to 30); rate axis 60..100 % by 10, the goal at 95 %.
assert_contains "$html" '<title>T3/2023*: 1.500</title>' "trend: 1.500 received in reporting month 2023-03"
assert_contains "$html" '<title>T4/2023: 45</title>' "trend: 45 received in 2023-04"
assert_contains "$html" '<title>T3/2023*: 66,66 %</title>' "trend: on-time 66,66 % in 2023-03"
assert_contains "$html" '<title>T4/2023: 95,23 %</title>' "trend: on-time 95,23 % in 2023-04"
assert_eq "$(svg_axis trend-count)" "0@230.0 500@163.3 1.000@96.7 1.500@30.0 | grid@230.0 grid@163.3 grid@96.7 grid@30.0" \
	"trend axis (received): 0 to 1.500, a label on every gridline"
assert_eq "$(svg_axis trend-rate)" "60 %@230.0 70 %@180.0 80 %@130.0 90 %@80.0 100 %@30.0 | grid@230.0 grid@180.0 grid@130.0 grid@80.0 grid@30.0" \
	"trend axis (on time): 60 to 100 %"
assert_contains "$html" '<line class="target" x1="80" y1="55.0"' "trend: the 95 % goal at y 230 - 200 * 35/40"
assert_contains "$html" 'Hồ sơ tiếp nhận trong tháng' "trend chart title (received)"
assert_contains "$html" 'Tỷ lệ giải quyết đúng hạn theo tháng' "trend chart title (on-time rate)"

# 4b. --locale en: the figures as before; --target moves the goal
"$HOSO" report --from 2023-03-01 --to 2023-04-14 --ranking HUYEN --format html --locale en \
	--target 90 --output "$work/en.html" 2>"$work/stderr" || fail "--locale en: $(cat "$work/stderr")"
assert_contains "$(cat "$work/en.html")" '<b>67.44 %</b> <span class="frac">(1,040/1,542)' "--locale en: 67.44 % and 1,040"
assert_contains "$(cat "$work/en.html")" '<title>Mar 2023*: 1,500</title>' "--locale en: English month names"
assert_contains "$(cat "$work/en.html")" '<line class="target" x1="742.5"' "--target 90: the goal on the 90 % gridline"

# 4c. a ranking of rates between 96 and 99 %: three districts of 1,000
#     cases each (due 03-10), 961, 975 and 989 finished early, the rest
#     late: 96.10, 97.50, 98.90 % -> the axis spans 96 % to 99 % by 1; the
#     95 % goal lies below it and the note says every unit is above it
db96() {
	python3 - "$work/in96/cases.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "w")
for unit, early in (("D1", 961), ("D2", 975), ("D3", 989)):
    for n in range(1000):
        fin = "20230308100000" if n < early else "20230315100000"
        d = {"MaHoSo": f"{unit}-96-{n}", "MaTTHC": "1.0", "KenhThucHien": "1",
             "NgayTiepNhan": "20230301080000", "NgayHenTra": "20230310170000",
             "TrangThaiHoSo": "10", "NgayKetThucXuLy": fin}
        out.write(json.dumps({"_at": fin, "_src": "R96", "service": "DongBoHoSoMC", "data": [d]}) + "\n")
PY
}
mkdir -p "$work/in96"
db96
fresh_db report_html_96
sed "s|$work/input/|$work/in96/|; s|$work/staging|$work/staging96|" "$work/p.yaml" >"$work/p96.yaml"
"$HOSO" run "$work/p96.yaml" --date 2023-04-14 >"$work/run96.log" 2>&1 || fail "load 96: $(tail -3 "$work/run96.log")"
"$HOSO" report --from 2023-03-01 --to 2023-03-31 --ranking HUYEN --format html --output "$page" 2>"$work/stderr" ||
	fail "report 96: $(cat "$work/stderr")"
assert_eq "$(svg_axis ranking | cut -d'|' -f1)" "96 %@420.0 97 %@563.3 98 %@706.7 99 %@850.0 " \
	"ranking of 96.10-98.90 %: the axis spans 96 to 99 %"
assert_contains "$(cat "$page")" 'Mục tiêu 95 % (mọi đơn vị đều vượt / every unit is above)' "goal below the axis: said, not drawn"
assert_eq "$(sed -n '/<svg class="chart ranking"/,/<\/svg>/p' "$page" | grep -c 'class="target"')" 0 "goal below the axis: no line off the chart"
export PGDATABASE=report_html

# 5. usage
rc=0; out=$("$HOSO" report --from 2023-03-01 --to 2023-04-14 --format pdf 2>&1) || rc=$?
assert_eq "$rc" 2 "an unknown format is a usage error"
assert_contains "$out" "text, csv, json or html" "... naming the formats"
# bad_usage WHAT EXPECTED-MESSAGE ARGS...: exit 2, the message, no PL/pgSQL CONTEXT
bad_usage() {
	what=$1 msg=$2
	shift 2
	rc=0; out=$("$HOSO" report "$@" 2>&1) || rc=$?
	assert_eq "$rc" 2 "$what: exit 2"
	assert_contains "$out" "$msg" "$what: says why"
	assert_eq "$(printf '%s\n' "$out" | grep -c 'CONTEXT\|PL/pgSQL' || true)" 0 "$what: no CONTEXT dump"
}
p="--from 2023-03-01 --to 2023-04-14"
bad_usage "a day that does not exist" "2023-02-30 is not a date" --from 2023-02-30 --to 2023-04-14
bad_usage "--to before --from" "--to is before --from" --from 2023-03-01 --to 2023-01-01
bad_usage "--top 0" "--top 0: out of range (1 to 1000000)" $p --ranking HUYEN --top 0
bad_usage "--top x" '--top x: "x" is not a whole number' $p --ranking HUYEN --top x
bad_usage "--ranking DISTRICT" "--ranking DISTRICT: expected TINH, SO_NGANH, HUYEN or XA" $p --ranking DISTRICT
bad_usage "--locale fr" "--locale fr: expected en or vi" $p --locale fr
bad_usage "--months weeks" "--months weeks: expected reporting or calendar" $p --trend --months weeks
bad_usage "--target 120" "--target 120: out of range (0.01 to 100)" $p --target 120
bad_usage "--compare abc" '--compare abc: "abc" is not a whole number' $p --compare abc
bad_usage "an extra argument" 'unexpected argument "extra"' $p extra
# unknown units: the nearest codes or names as a hint (D1, D2, D3 are one
# edit from "D4"; "huyện đắk hà" is D1's name, folded)
bad_usage "--unit NOPE" '--unit: no unit has the code "D4"' $p --unit D4
assert_contains "$out" "hint: the nearest units are D1 (Huyện Đắk Hà), D2 (Huyện Sa Thầy), D3 (Xã A & B <C>)" "--unit D4: the nearest codes"
bad_usage "--unit NAME" 'no unit has the code "huyện đắk hà"' $p --unit "huyện đắk hà"
assert_contains "$out" "hint: that is the name of D1 (Huyện Đắk Hà)" "--unit NAME: names the unit's code"
rc=0; "$HOSO" report $p --unit D4 --output "$work/none.txt" >/dev/null 2>&1 || rc=$?
assert_eq "$([ -e "$work/none.txt" ] && echo written || echo absent)" absent "a refused report writes no file"

# 5b. the text report: names aligned by display width (Vietnamese letters
#     are two or three bytes but one column), --locale vi numbers
"$HOSO" report $p --ranking HUYEN --trend >"$work/text" 2>"$work/stderr" || fail "text report: $(cat "$work/stderr")"
say "$(cat "$work/text")"
assert_eq "$(grep -E '^  [12]/2 ' "$work/text" | python3 -c 'import sys; print(sorted({l.rstrip("\n").index(" %") for l in sys.stdin}).__len__())')" 1 \
	"text ranking: the rates line up (same column in characters)"
assert_contains "$(grep '^  1/2 ' "$work/text")" "D2" "text ranking: the code beside the name"
assert_contains "$(cat "$work/text")" "Tỉnh / province: Tỉnh Kon Tum" "text header: the province"
assert_contains "$(cat "$work/text")" "Lập lúc / generated: $(date -u -d '+7 hours' +%Y-%m-%d)" "text header: generated"
assert_contains "$(cat "$work/text")" "April 2023" "text trend: English month names by default"
assert_eq "$(python3 -c 'import sys; print(len({len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8") if l.startswith(("  Tiếp nhận", "  Đã giải quyết", "    trực tiếp"))}))' "$work/text")" 1 \
	"text summary: the figures end in the same column"
"$HOSO" report $p --locale vi >"$work/text-vi" 2>&1 || fail "text --locale vi"
assert_contains "$(grep 'Tiếp nhận / cases received' "$work/text-vi")" "1.545" "text --locale vi: 1.545"
assert_contains "$(grep 'tỷ lệ đúng hạn' "$work/text-vi")" "67,44 %" "text --locale vi: 67,44 %"

# 5c. CSV: one tidy table (same columns on every row)
"$HOSO" report $p --ranking HUYEN --trend --format csv >"$work/r.csv" 2>"$work/stderr" || fail "csv: $(cat "$work/stderr")"
assert_eq "$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1], encoding="utf-8"))); print(r[0][:7], len({len(x) for x in r}), sorted({x[0] for x in r[1:]}))' "$work/r.csv")" \
	"['section', 'unit_code', 'unit_name', 'month', 'partial', 'figure', 'value'] 1 ['catalogue', 'ranking', 'summary', 'trend']" \
	"csv: one header, one width, every section"
assert_contains "$(grep '^summary,,,,,received_total,' "$work/r.csv")" "1545" "csv: raw figures"

# 5d. JSON: one document, the header first; a unit's report names the unit
"$HOSO" report $p --ranking HUYEN --trend --format json >"$work/r.json" 2>"$work/stderr" || fail "json: $(cat "$work/stderr")"
assert_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["header"]["name"], d["summary"][0]["received_total"], [r["unit_code"] for r in d["ranking"]])' "$work/r.json")" \
	"Tỉnh Kon Tum 1545 ['D2', 'D1', 'D3']" "json: header, summary and ranking"
"$HOSO" report $p --unit D1 --format html --output "$work/d1.html" 2>"$work/stderr" || fail "unit html: $(cat "$work/stderr")"
assert_contains "$(cat "$work/d1.html")" '<h1>Huyện Đắk Hà <span class="code">D1</span></h1>' "a unit's page: its name beside its code"
assert_contains "$(cat "$work/d1.html")" '<td>Tổng số hồ sơ tiếp nhận</td><td class="en wide">Cases received (total)</td><td class="n">1.500<' \
	"a unit's page: its own figures (D1's 1.500 cases)"
"$HOSO" report $p --ranking HUYEN --format html --output "$page" 2>"$work/stderr" || fail "report: $(cat "$work/stderr")"

# 6. headless Chromium renders it
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
	say "**********************************************************************"
	say "SKIP: chromium is not installed (apt-get install chromium): the page was NOT rendered"
	say "**********************************************************************"
	finish
	exit 0
fi
cr() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$work/chromium.XXXXXX")" "$@" 2>>"$work/chromium.log"
}
(cd "$work" && cr --screenshot="$work/out.png" --window-size=1200,2000 "file://$page") >/dev/null || true
if [ -s "$work/out.png" ]; then
	# a PNG of 1200x2000 whose pixels include the bars' blue (#2f6fb5)
	# and the trend line's red (#c8102e): the SVG was drawn
	got=$(python3 - "$work/out.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[ctype]
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
colours = set()
for line in rows:
    for x in range(0, stride, bpp):
        colours.add(line[x:x + 3])
print(w, h, len(colours) > 50, bytes.fromhex("2f6fb5") in colours, bytes.fromhex("c8102e") in colours)
PY
)
	assert_eq "$got" "1200 2000 True True True" "screenshot: 1200x2000, many colours, blue bars, red trend line"
else
	cat "$work/chromium.log"
	fail "chromium wrote no screenshot"
fi
dom=$(cd "$work" && cr --dump-dom "file://$page") || true
assert_contains "$dom" "67,44 %" "rendered DOM: on-time rate"
assert_contains "$dom" "1.545" "rendered DOM: received total"
assert_contains "$dom" "Huyện Đắk Hà" "rendered DOM: Vietnamese unit name intact"
assert_contains "$dom" "Tỷ lệ giải quyết đúng hạn" "rendered DOM: Vietnamese label intact"
finish
