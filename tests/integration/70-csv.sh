#!/bin/sh
# CSV sources (docs/input.md §3): the same ten cases (tests/csv/cases.tsv) as
# JSON Lines and as the two example exports (schemas/sources/one-stop-csv,
# and a "," export with dates only, onboarded by a schema this test writes
# into a temporary directory: same binaries, no code).  Each form loads
# into its own database through `hoso run`; the period summaries must be
# equal.  Then a mixed pipeline with prefer:, bad CSV inputs, --check.
. "$HOSO_ROOT/tests/integration/lib.sh"

day=$work/landing/2023/10/31
mkdir -p "$day" "$work/schemas"
cases=$HOSO_ROOT/tests/csv/cases.tsv

# form: jsonl | jsonl-day (times cut to the day) | a | a-mod | b
gen() {
	awk -F '\t' -v form="$1" '
	function dmy(t, withtime) {
		if (t == "-") return ""
		if (!withtime) return substr(t,7,2) "/" substr(t,5,2) "/" substr(t,1,4)
		return substr(t,7,2) "/" substr(t,5,2) "/" substr(t,1,4) " " substr(t,9,2) ":" substr(t,11,2) ":" substr(t,13,2)
	}
	function cut(t) { return t == "-" ? "" : substr(t,1,8) "000000" }
	function js(t) { return t == "-" ? "" : t }
	function q(s) { return "\"" s "\"" }
	BEGIN {
		split("Mới đăng ký|Được tiếp nhận|Không được tiếp nhận|Đang xử lý|Yêu cầu bổ sung giấy tờ|Yêu cầu thực hiện nghĩa vụ tài chính|Công dân yêu cầu rút hồ sơ|Dừng xử lý|Đã xử lý xong|Đã trả kết quả", st, "|")
		split("Trực tiếp|Trực tuyến|Bưu chính công ích", cha, "|")
		split("Nộp trực tiếp|Nộp trực tuyến|Qua bưu điện", chb, "|")
		if (form == "a" || form == "a-mod")
			printf "\xef\xbb\xbfMã hồ sơ;Mã TTHC;Tên TTHC;Lĩnh vực;Đơn vị xử lý;Kênh nộp;Ngày tiếp nhận;Ngày hẹn trả;Ngày kết thúc xử lý;Ngày trả kết quả;Trạng thái;Số hóa thành phần;Thanh toán trực tuyến;Số điện thoại;Cột mới\r\n"
		if (form == "b")
			printf "Tình trạng,Số hồ sơ,Mã thủ tục,Tên thủ tục,Cơ quan giải quyết,Hình thức nộp,Ngày nhận,Hạn trả,Ngày hoàn thành,Ngày trả,Hồ sơ số hóa,Người nộp,Địa chỉ\n"
	}
	/^#/ { next }
	{
		n++
		if (form == "jsonl" || form == "jsonl-day") {
			a = form == "jsonl" ? js($5) : cut($5); d = form == "jsonl" ? js($6) : cut($6)
			p = form == "jsonl" ? js($7) : cut($7); r = form == "jsonl" ? js($8) : cut($8)
			printf "{\"_at\":\"20231031235959\",\"_src\":\"KTM-IGATE\",\"service\":\"DongBoHoSoMC\",\"data\":[{\"MaHoSo\":\"%s\",\"MaTTHC\":\"%s\",\"TenTTHC\":\"Thủ tục\",\"DonViXuLy\":\"%s\",\"KenhThucHien\":\"%s\",\"NgayTiepNhan\":\"%s\",\"NgayHenTra\":\"%s\",\"NgayKetThucXuLy\":\"%s\",\"NgayTra\":\"%s\",\"TrangThaiHoSo\":\"%s\",\"HoSoCoThanhPhanSoHoa\":\"%s\",\"DuocThanhToanTrucTuyen\":\"%s\",\"ChuHoSo\":\"Nguyễn Văn %d\"}]}\n", $1, $2, $3, $4, a, d, p, r, $9, $10, $11, n
		} else if (form == "a" || form == "a-mod") {
			s = $9; p = $7; r = $8
			# a-mod: the export says the first three cases are still being processed
			if (form == "a-mod" && n <= 3) { s = 4; p = "-"; r = "-" }
			printf "%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s\r\n", $1, $2, q("Thủ tục; \"\"mẫu\"\"\r\nhai dòng"), "Hộ tịch", $3, cha[$4], dmy($5,1), dmy($6,1), dmy(p,1), dmy(r,1), st[s], $10 ? "Có" : "Không", $11 ? "có" : "KHÔNG", "0905" n, "x"
		} else if (form == "b") {
			printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", $9, $1, $2, q("Thủ tục, mẫu"), q($3), chb[$4], dmy($5,0), dmy($6,0), dmy($7,0), dmy($8,0), $10, "Người " n, q("Số " n ", phường X")
		}
	}' "$cases"
}

# schema of the second export, written here: onboarding needs no code
cat >"$work/schemas/test-b-csv.yaml" <<'YAML'
src: KTM-IGATE
delimiter: ","
date_formats: dd/MM/yyyy
columns:
  - {title: Số hồ sơ, field: MaHoSo}
  - {title: Tình trạng, field: TrangThaiHoSo}
  - {title: Mã thủ tục, field: MaTTHC}
  - {title: Cơ quan giải quyết, field: DonViXuLy}
  - title: Hình thức nộp
    field: KenhThucHien
    values: {Nộp trực tiếp: "1", Nộp trực tuyến: "2", Qua bưu điện: "3"}
  - {title: Ngày nhận, field: NgayTiepNhan}
  - {title: Hạn trả, field: NgayHenTra}
  - {title: Ngày hoàn thành, field: NgayKetThucXuLy}
  - {title: Ngày trả, field: NgayTra}
  - {title: Hồ sơ số hóa, field: HoSoCoThanhPhanSoHoa}
  - {title: Người nộp, field: ChuHoSo}
  - {title: Địa chỉ, personal: true}
  - {title: Tên thủ tục, ignore: true}
YAML

# pipeline NAME "SOURCES YAML" [PREFER]
pipeline() {
	{
		printf 'name: %s\n%s\n' "$1" "$2"
		[ -n "${3:-}" ] && printf 'prefer: %s\n' "$3"
		cat <<YAML
$(kontum_reference)
staging: $work/staging
YAML
	} >"$work/$1.yaml"
}

# load NAME DB: run the pipeline NAME into a fresh database DB, summary to $work/NAME.sum
load() {
	fresh_db "$2"
	if ! "$HOSO" run "$work/$1.yaml" --date 2023-10-31 >"$work/$1.log" 2>&1; then
		fail "$1: hoso run failed: $(tail -5 "$work/$1.log")"
		return
	fi
	summary 2023-10-01 2023-10-31 >"$work/$1.sum"
}

src_jsonl='source: {paths: ["'$work'/landing/{date:%Y/%m/%d}/*.jsonl"], format: dvcqg-jsonl}'
src_a='source: {paths: ["'$work'/landing/{date:%Y/%m/%d}/*.csv"], format: one-stop-csv}'
src_b='source: {paths: ["'$work'/landing/{date:%Y/%m/%d}/*.txt"], format: test-b-csv, schema_dir: "'$work'/schemas"}'

gen jsonl >"$day/KTM-IGATE-20231031.jsonl"
gen a | gzip >"$day/KTM-EXPORT-20231031.csv"
pipeline jsonl "$src_jsonl"
pipeline csv-a "$src_a"
load jsonl csv_jsonl
load csv-a csv_a
assert_contains "$(cat "$work/jsonl.sum")" "received_total 10" "the JSON Lines form loads the ten cases"
assert_eq "$(cat "$work/csv-a.sum")" "$(cat "$work/jsonl.sum")" "one-stop-csv (gzip, BOM, CRLF, quoted ; and line breaks) = JSON Lines"
assert_eq "$(q -c "SELECT count(*) FROM hoso.dossier_msg WHERE applicant_hash IS NOT NULL")" "0" "personal data dropped"
assert_eq "$(q -c "SELECT unknown_fields::text FROM hoso.file_ledger")" '{"Cột mới": 10}' "drift: the unknown column counted in the ledger"
assert_eq "$(q -c "SELECT DISTINCT to_char(at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI:SS') FROM hoso.dossier_msg")" \
	"2023-10-31 23:59:59" "a CSV row's _at is the end of its landing day"
assert_eq "$(q -c "SELECT format FROM hoso.file_ledger")" "one-stop-csv" "the ledger names the schema as the format"

rm -f "$day"/*
gen jsonl-day >"$day/KTM-IGATE-20231031.jsonl"
gen b >"$day/province-b.txt"
load jsonl csv_jsonl_day
pipeline csv-b "$src_b"
load csv-b csv_b
assert_contains "$(cat "$work/jsonl.sum")" "received_total 10" "the day-only JSON Lines form loads the ten cases"
assert_eq "$(cat "$work/csv-b.sum")" "$(cat "$work/jsonl.sum")" "a second export onboarded by YAML alone (',' and dates only) = JSON Lines"

# mixed: the same cases from both; prefer decides whatever the _at
rm -f "$day"/*
gen jsonl >"$day/KTM-IGATE-20231031.jsonl"
gen a-mod >"$day/KTM-EXPORT-20231031.csv"
load csv-a csv_amod
cp "$work/csv-a.sum" "$work/amod.sum"
gen a >"$work/a.csv"
mv "$day/KTM-EXPORT-20231031.csv" "$work/amod.csv"
load jsonl csv_jsonl2
mv "$work/amod.csv" "$day/KTM-EXPORT-20231031.csv"
both="$src_jsonl
more_sources:
  - {paths: [\"$work/landing/{date:%Y/%m/%d}/*.csv\"], format: one-stop-csv}"
pipeline mixed-csv "$both" one-stop-csv
load mixed-csv csv_mixed1
assert_eq "$(cat "$work/mixed-csv.sum")" "$(cat "$work/amod.sum")" "prefer: one-stop-csv -> the CSV versions win"
pipeline mixed-json "$both" dvcqg-jsonl
load mixed-json csv_mixed2
assert_eq "$(cat "$work/mixed-json.sum")" "$(cat "$work/jsonl.sum")" "prefer: dvcqg-jsonl -> the JSON versions win"
if [ "$(cat "$work/amod.sum")" = "$(cat "$work/jsonl.sum")" ]; then
	fail "the modified export should change the summary"
fi

# bad inputs: file, line and column named (the opening quote is character
# 26 of its line; a short record ends at character 29)
ex() { "$HOSO_BIN/hoso-extract" --format one-stop-csv --landing-date 2023-10-31 "$@"; }
hdr=$(gen a | head -1)
printf '%s\n%s\n' "$hdr" '000.00.00.H34-1;1.001000;"open quote;x;y' >"$work/bad1.csv"
ex "$work/bad1.csv" >"$work/out" 2>"$work/err" || fail "unterminated quote: exit $?"
assert_contains "$(cat "$work/err")" "bad1.csv:2: character 26: unterminated quoted field" "unterminated quote"
printf '%s\n%s\n' "$hdr" 'X-1;1.001000;t;l;u;Trực tiếp' >"$work/bad2.csv"
ex "$work/bad2.csv" >"$work/out" 2>"$work/err"
assert_contains "$(cat "$work/err")" "bad2.csv:2: character 29: expected 15 fields, found 6" "wrong column count"
printf '%s\n%s\n' "$hdr" 'X-1;1.001000;t;l;u;Trực tiếp;2023-10-02 08:00;;;;Đang xử lý;Có;Không;;' >"$work/bad3.csv"
ex "$work/bad3.csv" >"$work/out" 2>"$work/err"
assert_contains "$(cat "$work/err")" 'bad3.csv:2: Ngày tiếp nhận: column 7: date "2023-10-02 08:00" matches no date format' "unknown date format"
printf '%s\n%s\n' "$hdr" 'X-1;1.001000;t;l;u;Qua Zalo;02/10/2023 08:00:00;;;;Đang xử lý;Có;Không;;' >"$work/bad4.csv"
ex "$work/bad4.csv" >"$work/out" 2>"$work/err"
assert_contains "$(cat "$work/err")" 'bad4.csv:2: Kênh nộp: column 6: unmapped value "Qua Zalo"' "unmapped value"
assert_eq "$(grep -c '^X' "$work/out")" "1" "unmapped value: one reject record"
printf '%s\n' 'Mã hồ sơ;Mã TTHC;Kênh nộp' 'X-1;1.001000;Trực tiếp' >"$work/bad5.csv"
if ex "$work/bad5.csv" >"$work/out" 2>"$work/err"; then
	fail "a header lacking mapped columns must fail the file"
fi
assert_contains "$(cat "$work/err")" 'bad5.csv:1: the header lacks the mapped column(s) "Tên TTHC", "Lĩnh vực", "Đơn vị xử lý"' "missing mapped column fails the file"

# Units named only by name, across the 2025-07-01 restructuring: each case
# takes the unit that bore the name on its acceptance day (the catalogue
# has "Xã Ia Tơi" in Kon Tum until 2025-06-30 and in Quảng Ngãi from
# 2025-07-01); "IGATE" is no agency code, so only the name resolves.
by_name() {
	printf '\357\273\277%s\r\n' "$hdr"
	printf '%s\r\n' \
		'IGATE-250630-0001;1.001000;t;l;Xã Ia Tơi;Trực tiếp;30/06/2025 09:00:00;10/07/2025 17:00:00;;;Đang xử lý;Không;Không;;' \
		'IGATE-250701-0002;1.001000;t;l;xã  IA TƠI;Trực tuyến;01/07/2025 08:00:00;10/07/2025 17:00:00;;;Đang xử lý;Không;Không;;' \
		'IGATE-250620-0003;1.001000;t;l;Xã Tu Mơ Rông;Trực tiếp;20/06/2025 08:00:00;04/07/2025 17:00:00;03/07/2025 10:00:00;03/07/2025 15:00:00;Đã trả kết quả;Không;Không;;'
}
fresh_db csv_by_name
mkdir -p "$work/landing/2025/07/02" "$work/landing/2025/07/03"
by_name >"$work/landing/2025/07/02/KTM-EXPORT-20250702.csv"
"$HOSO" run "$work/csv-a.yaml" --date 2025-07-02 >"$work/by-name.log" 2>&1 ||
	fail "units by name: hoso run failed: $(tail -5 "$work/by-name.log")"
assert_eq "$(q -c "SELECT string_agg(case_no || ' ' || unit_code, ', ' ORDER BY case_no) FROM hoso.case_fact")" \
	"IGATE-250620-0003 000.02.39.H34, IGATE-250630-0001 000.03.40.H34, IGATE-250701-0002 000.80.00.H55" \
	"by name: accepted 2025-06-30 -> Kon Tum's Xã Ia Tơi, 2025-07-01 -> Quảng Ngãi's; accepted before and finished after keeps Kon Tum's Xã Tu Mơ Rông"
assert_eq "$(q -c "SELECT detail->>'unresolved_units' FROM hoso.run WHERE detail ? 'unresolved_units'")" "{}" \
	"by name: no unresolved unit where one unit bore the name that day"
# "Xã Đắk Long" names two Kon Tum communes at once: unresolved, both named
printf '\357\273\277%s\r\n%s\r\n' "$hdr" \
	'IGATE-250615-0005;1.001000;t;l;Xã Đắk Long;Trực tiếp;15/06/2025 08:00:00;20/06/2025 17:00:00;;;Đang xử lý;Không;Không;;' \
	>"$work/landing/2025/07/03/KTM-EXPORT-20250703.csv"
"$HOSO" run "$work/csv-a.yaml" --date 2025-07-03 >"$work/by-name.log" 2>&1 ||
	fail "shared name: hoso run failed: $(tail -5 "$work/by-name.log")"
assert_eq "$(q -c "SELECT unit_code FROM hoso.case_fact WHERE case_no = 'IGATE-250615-0005'")" "UNRESOLVED" \
	"a name two units bear that day is unresolved"
assert_eq "$(q -c "SELECT detail->>'shared_unit_names' FROM hoso.run WHERE detail->'unresolved_units' ? 'Xã Đắk Long'")" \
	'{"Xã Đắk Long": ["000.10.32.H34", "000.03.37.H34"]}' "the run report names both candidates"

# --check: a readable summary, nothing written anywhere
gen a >"$work/KTM-EXPORT-20231031.csv"
cat "$work/bad4.csv" | tail -1 >>"$work/KTM-EXPORT-20231031.csv"
"$HOSO_BIN/hoso-extract" --check "$HOSO_ROOT/schemas/sources/one-stop-csv.yaml" \
	"$work/KTM-EXPORT-20231031.csv" >"$work/check" 2>/dev/null && fail "--check with a reject must exit 1"
assert_contains "$(cat "$work/check")" "rows: 11 read, 10 would be loaded, 1 rejected" "--check counts"
assert_contains "$(cat "$work/check")" 'reject: line 22, Kênh nộp: column 6: unmapped value "Qua Zalo"' "--check lists rejects"
assert_contains "$(cat "$work/check")" '{"Cột mới":10}' "--check reports drift"
assert_contains "$(cat "$work/check")" "MaHoSo=000.00.00.H34-231002-0001" "--check shows example records"
finish
