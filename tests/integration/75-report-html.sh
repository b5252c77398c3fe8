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

cat >"$work/p.yaml" <<YAML
source:
  paths: ["$work/input/*"]
  format: dvcqg-jsonl
reference:
  units: $work/units.csv
  procedures: $work/procedures.csv
  calendar: $HOSO_ROOT/schemas/reference/calendar
staging: $work/staging
YAML
"$HOSO" run "$work/p.yaml" --date 2023-04-14 >"$work/run.log" 2>&1 || { cat "$work/run.log"; fail "load failed"; finish; }

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
	assert_eq "$(grep -c "<td>$1</td><td class=\"en\">[^<]*</td><td class=\"n\">$2" "$page")" "${3:-1}" "row $1: $2"
}
row "Tổng số hồ sơ tiếp nhận" "1,545"
row "Trực tuyến" "40"
row "Trực tiếp và qua bưu chính" "1,505"
row "Trực tiếp" "1,500"
row "Qua bưu chính" "5"
row "Kỳ trước chuyển sang" "0"
row "Đã giải quyết" "1,542"
row "Đúng hạn và trước hạn" "1,040"
row "Trước hạn" "1,040"
row "Đúng hạn" "0"
row "Quá hạn" "502"
row "Tỷ lệ giải quyết đúng hạn" "<b>67.44 %</b> <span class=\"frac\">(1,040/1,542)"
row "Đang giải quyết" "3"
row "Trong hạn" "3"
row "Rút hồ sơ, dừng xử lý" "0"
row "Số hóa thành phần hồ sơ khi tiếp nhận" "<b>2.58 %</b> <span class=\"frac\">(40/1,545)"
# catalogue: 2/3 integrated = 66.66 % (truncated)
row "Dịch vụ công trực tuyến toàn trình" "1"
row "Dịch vụ công trực tuyến một phần" "1"
row "Tích hợp trên Cổng Dịch vụ công quốc gia" "2/3 (66.66 %)"

# 3. the ranking chart: D2 38/40 = 95.00 % rank 1/2; D1 1,000/1,500 =
#    66.666 % -> 66.66 % rank 2/2; D3 (2 resolved, under the minimum of 30)
#    unranked, its name escaped
assert_contains "$html" '<text class="rank" x="4" y="46">1/2</text><text class="label" x="64" y="46">Huyện Sa Thầy</text>' "ranking: Sa Thầy first, 1/2"
assert_contains "$html" '<text class="rank" x="4" y="70">2/2</text><text class="label" x="64" y="70">Huyện Đắk Hà</text>' "ranking: Đắk Hà second, 2/2"
assert_contains "$html" '>95.00 %</text>' "ranking: 95.00 %"
assert_contains "$html" '>66.66 %</text>' "ranking: 66.66 % (truncated)"
assert_contains "$html" 'Huyện Đắk Hà: 66.66 % (1000/1500)' "ranking: numerator/denominator in the tooltip"
# the 100 % bar spans 460 units: 0.95 * 460 = 437, 2/3 * 460 = 306.7
assert_contains "$html" 'width="437.0"' "ranking: bar length of 95 %"
assert_contains "$html" 'width="306.7"' "ranking: bar length of 66.67 %"
assert_contains "$html" 'Xã A &amp; B &lt;C&gt; (2/2)' "unranked unit listed, HTML-escaped"
assert_eq "$(grep -c 'A & B <C>' "$page")" 0 "no unescaped database value"

# 4. the trend (reporting months): 2023-03 received 1,500, on time
#    1,000/1,500 -> 66.66 %; 2023-04 received 45, on time 40/42 = 95.238 %
#    -> 95.23 % (rounding: 95.24)
assert_contains "$html" '<title>2023-03: 1,500</title>' "trend: 1,500 received in reporting month 2023-03"
assert_contains "$html" '<title>2023-04: 45</title>' "trend: 45 received in 2023-04"
assert_contains "$html" '<title>2023-03: 66.66 %</title>' "trend: on-time 66.66 % in 2023-03"
assert_contains "$html" '<title>2023-04: 95.23 %</title>' "trend: on-time 95.23 % in 2023-04"
assert_contains "$html" 'Hồ sơ tiếp nhận trong tháng' "trend chart title (received)"
assert_contains "$html" 'Tỷ lệ giải quyết đúng hạn theo tháng' "trend chart title (on-time rate)"

# 5. usage
rc=0; out=$("$HOSO" report --from 2023-03-01 --to 2023-04-14 --format pdf 2>&1) || rc=$?
assert_eq "$rc" 2 "an unknown format is a usage error"
assert_contains "$out" "text, csv, json or html" "... naming the formats"

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
assert_contains "$dom" "67.44 %" "rendered DOM: on-time rate"
assert_contains "$dom" "1,545" "rendered DOM: received total"
assert_contains "$dom" "Huyện Đắk Hà" "rendered DOM: Vietnamese unit name intact"
assert_contains "$dom" "Tỷ lệ giải quyết đúng hạn" "rendered DOM: Vietnamese label intact"
finish
