#!/bin/sh
# The bad-input corpus: every kind of bad input through the whole
# pipeline into a warehouse that already holds a day.  Each case checks the
# exit status, the message (file, line, field, why), and that nothing was
# partially loaded: every fact, archive and ledger table is as before, while
# the run's own report row and its rejects are committed for the operator.
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db bad
mkdir -p "$work/day0" "$work/bad"
good='{"_at":"20230303170000","_src":"BAD","service":"DongBoHoSoMC","data":[{"MaHoSo":"X-230301-0001","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"20230301080000","NgayHenTra":"20230306170000","TrangThaiHoSo":"4","ChuHoSo":"Lê Thị Bí Mật"}]}'
echo "$good" >"$work/day0/base.jsonl"
cat >"$work/p.yaml" <<YAML
source:
  paths: ["$work/day0/*", "$work/bad/*"]
  format: dvcqg-jsonl
staging: $work/staging
max_line_bytes: 4096
rejects:
  max_ratio: 0.01
  file: $work/rejects.jsonl
YAML
"$HOSO" run "$work/p.yaml" --date 2023-03-03 >/dev/null 2>&1 || fail "base day failed to load"
table_digest >"$work/base"

# bad_case NAME WANT_EXIT MESSAGE [FIELD REASON]: the file $work/bad/NAME is
# the night's only new file; FIELD and REASON are what hoso.reject must hold
bad_case() {
	name=$1 want=$2 msg=$3
	rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
	assert_eq "$rc" "$want" "$name: exit status"
	assert_contains "$out" "$msg" "$name: message"
	table_digest >"$work/now"
	assert_eq "$(cmp -s "$work/base" "$work/now" && echo unchanged)" unchanged "$name: nothing loaded"
	if [ $# -ge 5 ]; then
		got=$(q -c "SELECT field || ': ' || reason FROM hoso.reject
		             WHERE run_id = (SELECT max(run_id) FROM hoso.run) ORDER BY line LIMIT 1")
		assert_contains "$got" "$4: $5" "$name: kept in hoso.reject"
		assert_eq "$(q -c "SELECT status FROM hoso.run ORDER BY run_id DESC LIMIT 1")" failed "$name: run row says failed"
	fi
	rm -f "$work"/bad/*
}

line() { printf '%s\n' "$good" | sed "s/X-230301-0001/X-230302-$1/"; }

# file-level failures: the run fails before anything loads
{ line 0002; line 0003; } | gzip -c >"$work/full.gz"
size=$(wc -c <"$work/full.gz")
head -c $((size - 10)) "$work/full.gz" >"$work/bad/trunc.jsonl.gz"
bad_case "truncated gzip" 1 "trunc.jsonl.gz:2: byte offset 346: truncated gzip stream"
cp "$work/full.gz" "$work/bad/crc.jsonl.gz"
printf '\377' | dd of="$work/bad/crc.jsonl.gz" bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
bad_case "bad CRC" 1 "bad CRC"
printf 'PK\003\004\024\000\000\000rest' >"$work/bad/export.jsonl"
bad_case "not gzip at all (zip)" 1 "export.jsonl: looks like a zip archive"

# record-level rejects: one bad record among two is over the 1 % policy
{ line 0002; printf '{"_at":"20230303170000","_src":"BAD","service":"DongBoHoSoMC","data":[{"MaHoSo":"\377\376"}]}\n'; } >"$work/bad/utf8.jsonl"
bad_case "invalid UTF-8" 1 "exceed the threshold" - "invalid UTF-8"
{ line 0002; printf '{"_at":"2023\0"}\n'; } >"$work/bad/nul.jsonl"
bad_case "NUL byte" 1 "nul.jsonl:2: NUL byte" - "NUL byte"
{ line 0002; printf '{"pad":"%05000d"}\n' 0; } >"$work/bad/long.jsonl"
bad_case "over-long line" 1 "long.jsonl:2: line longer than 4096 bytes" - "line longer than 4096 bytes"
{ line 0002; echo '{"_at":"20230303170000",'; } >"$work/bad/json.jsonl"
bad_case "invalid JSON" 1 "json.jsonl:2: invalid JSON at column" - "invalid JSON"
{ line 0002; line 0003 | sed 's/"MaTTHC":"1.000001"/"MaTTHC":{"x":1}/'; } >"$work/bad/type.jsonl"
bad_case "value of the wrong type" 1 "type.jsonl:2: MaTTHC: expected a string, got an object" MaTTHC "expected a string"
{ line 0002; line 0003 | sed 's/"MaHoSo":"X-230302-0003",//'; } >"$work/bad/missing.jsonl"
bad_case "missing required field" 1 "missing.jsonl:2: MaHoSo: missing" MaHoSo missing
{ line 0002; line 0003 | sed 's/20230301080000/20231345081500/'; } >"$work/bad/date.jsonl"
bad_case "impossible date" 1 'date.jsonl:2: NgayTiepNhan: invalid date "20231345081500"' NgayTiepNhan "invalid date"
{ line 0002; line 0003 | sed 's/"TrangThaiHoSo":"4"/"TrangThaiHoSo":"11"/'; } >"$work/bad/status.jsonl"
bad_case "unknown status code" 1 'status.jsonl:2: TrangThaiHoSo: unknown status "11"' TrangThaiHoSo "unknown status"
{ line 0002; line 0003 | sed 's/"TrangThaiHoSo":"4"/"TrangThaiHoSo":"9","NgayKetThucXuLy":"20230228080000"/'; } >"$work/bad/order.jsonl"
bad_case "finished before accepted" 1 "order.jsonl:2: NgayKetThucXuLy: earlier than NgayTiepNhan" NgayKetThucXuLy "earlier than NgayTiepNhan"

# the rejects table never holds personal data; the reject file is private
assert_eq "$(q -c "SELECT count(*) FROM hoso.reject WHERE raw LIKE '%Bí Mật%'")" 0 "no personal data in hoso.reject"
assert_eq "$(stat -c %a "$work/rejects.jsonl")" 600 "reject file readable by its owner only"

# not errors: an empty file, an empty data array, a duplicated line
: >"$work/bad/empty.jsonl"
echo '{"_at":"20230303170000","_src":"BAD","service":"DongBoHoSoMC","data":[]}' >"$work/bad/nodata.jsonl"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 0 "empty file and empty data array: exit 0"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 1 "... and contribute nothing"
rm -f "$work"/bad/*
{ line 0002; line 0002; } >"$work/bad/dup.jsonl"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 0 "duplicate lines: exit 0"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 2 "... one case, counted once"
assert_eq "$(q -c "SELECT received_in_period FROM hoso.period_summary('2023-03-01', '2023-03-31')")" 2 "... in the summary too"
finish
