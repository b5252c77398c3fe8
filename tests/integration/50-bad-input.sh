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

# row_says NAME TEXT: the night's run row is failed and its message says why
row_says() {
	got=$(q -c "SELECT status || ': ' || coalesce(message, '') FROM hoso.run ORDER BY run_id DESC LIMIT 1")
	assert_contains "${got%%:*}" failed "$1: the run row says failed"
	assert_contains "${got#*: }" "$2" "$1: the run row says why"
}

line() { printf '%s\n' "$good" | sed "s/X-230301-0001/X-230302-$1/"; }

# file-level failures: the run fails before anything loads
{ line 0002; line 0003; } | gzip -c >"$work/full.gz"
size=$(wc -c <"$work/full.gz")
head -c $((size - 10)) "$work/full.gz" >"$work/bad/trunc.jsonl.gz"
bad_case "truncated gzip" 1 "trunc.jsonl.gz:2: byte offset 346: truncated gzip stream"
row_says "truncated gzip" "hoso-extract failed (exit 1): "
row_says "truncated gzip" "trunc.jsonl.gz:2: byte offset 346: truncated gzip stream"
cp "$work/full.gz" "$work/bad/crc.jsonl.gz"
printf '\377' | dd of="$work/bad/crc.jsonl.gz" bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
bad_case "bad CRC" 1 "bad CRC"
row_says "bad CRC" "hoso-extract failed (exit 1): "
row_says "bad CRC" "bad CRC"
printf 'PK\003\004\024\000\000\000rest' >"$work/bad/export.jsonl"
bad_case "not gzip at all (zip)" 1 "export.jsonl: looks like a zip archive"
row_says "zip" "export.jsonl: looks like a zip archive"

# record-level rejects: one bad record among two is over the 1 % policy
{ line 0002; printf '{"_at":"20230303170000","_src":"BAD","service":"DongBoHoSoMC","data":[{"MaHoSo":"\377\376"}]}\n'; } >"$work/bad/utf8.jsonl"
bad_case "invalid UTF-8" 1 "exceed the threshold" - "invalid UTF-8"
row_says "invalid UTF-8" "hoso-load failed (exit 1): "
row_says "invalid UTF-8" "exceed the threshold"
{ line 0002; printf '{"_at":"2023\0"}\n'; } >"$work/bad/nul.jsonl"
bad_case "NUL byte" 1 "nul.jsonl:2: NUL byte" - "NUL byte"
row_says "NUL byte" "hoso-load failed (exit 1): "
row_says "NUL byte" "exceed the threshold"
{ line 0002; printf '{"pad":"%05000d"}\n' 0; } >"$work/bad/long.jsonl"
bad_case "over-long line" 1 "long.jsonl:2: line longer than 4096 bytes" - "line longer than 4096 bytes"
row_says "over-long line" "hoso-load failed (exit 1): "
row_says "over-long line" "exceed the threshold"
{ line 0002; echo '{"_at":"20230303170000",'; } >"$work/bad/json.jsonl"
bad_case "invalid JSON" 1 "json.jsonl:2: invalid JSON at column" - "invalid JSON"
row_says "invalid JSON" "hoso-load failed (exit 1): "
row_says "invalid JSON" "exceed the threshold"
{ line 0002; line 0003 | sed 's/"MaTTHC":"1.000001"/"MaTTHC":{"x":1}/'; } >"$work/bad/type.jsonl"
bad_case "value of the wrong type" 1 "type.jsonl:2: MaTTHC: expected a string, got an object" MaTTHC "expected a string"
row_says "value of the wrong type" "exceed the threshold"
{ line 0002; line 0003 | sed 's/"MaHoSo":"X-230302-0003",//'; } >"$work/bad/missing.jsonl"
bad_case "missing required field" 1 "missing.jsonl:2: MaHoSo: missing" MaHoSo missing
row_says "missing required field" "exceed the threshold"
{ line 0002; line 0003 | sed 's/20230301080000/20231345081500/'; } >"$work/bad/date.jsonl"
bad_case "impossible date" 1 'date.jsonl:2: NgayTiepNhan: invalid date "20231345081500"' NgayTiepNhan "invalid date"
row_says "impossible date" "exceed the threshold"
{ line 0002; line 0003 | sed 's/20230301080000/19000301080000/'; } >"$work/bad/year.jsonl"
bad_case "year 1900" 1 'year.jsonl:2: NgayTiepNhan: implausible date "19000301080000" (outside 2000-01-01 .. ' NgayTiepNhan "implausible date"
row_says "year 1900" "exceed the threshold"
{ line 0002; line 0003 | sed 's/"TrangThaiHoSo":"4"/"TrangThaiHoSo":4,"TrangThaiHoSo":"10"/'; } >"$work/bad/dupkey.jsonl"
bad_case "duplicated key" 1 'dupkey.jsonl:2: TrangThaiHoSo: duplicated key' TrangThaiHoSo "duplicated key"
row_says "duplicated key" "exceed the threshold"
{ line 0002; line 0003 | sed 's/"TrangThaiHoSo":"4"/"TrangThaiHoSo":"11"/'; } >"$work/bad/status.jsonl"
bad_case "unknown status code" 1 'status.jsonl:2: TrangThaiHoSo: unknown status "11"' TrangThaiHoSo "unknown status"
row_says "unknown status code" "exceed the threshold"
{ line 0002; line 0003 | sed 's/"TrangThaiHoSo":"4"/"TrangThaiHoSo":"9","NgayKetThucXuLy":"20230228080000"/'; } >"$work/bad/order.jsonl"
bad_case "finished before accepted" 1 "order.jsonl:2: NgayKetThucXuLy: earlier than NgayTiepNhan" NgayKetThucXuLy "earlier than NgayTiepNhan"
row_says "finished before accepted" "exceed the threshold"

# a missing reference file: refused before the run starts (no run row),
# naming the file, with the exit status of a configuration error
line 0002 >"$work/bad/ok.jsonl"
sed 's|^staging:|reference:\n  units: '"$work"'/no-such-units.csv\nstaging:|' "$work/p.yaml" >"$work/p-noref.yaml"
runs=$(q -c "SELECT count(*) FROM hoso.run")
rc=0; out=$("$HOSO" run "$work/p-noref.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 2 "missing reference file: exit status"
assert_contains "$out" "$work/no-such-units.csv" "missing reference file: named"
assert_eq "$(q -c "SELECT count(*) FROM hoso.run")" "$runs" "missing reference file: refused before any run row"
# a transform killed mid-run: the row names it, not the extract it took down
mkdir -p "$work/bin"
for p in hoso hoso-extract hoso-load; do cp "$HOSO_BIN/$p" "$work/bin/"; done
printf '#!/bin/sh\nkill -KILL $$\n' >"$work/bin/hoso-transform"
chmod +x "$work/bin/hoso-transform"
rc=0; out=$(HOSO_SCHEMA_DIR="$HOSO_ROOT/schemas" "$work/bin/hoso" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 1 "killed transform: exit status"
assert_contains "$out" "hoso-transform was killed by SIGKILL" "killed transform: message"
row_says "killed transform" "hoso-transform was killed by SIGKILL"
rm -f "$work"/bad/*
# an unreadable file (a link to nowhere: root reads any mode): the row names it
ln -s "$work/no-such-target" "$work/bad/gone.jsonl"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 1 "unreadable file: exit status"
row_says "unreadable file" "cannot read \"$work/bad/gone.jsonl\": No such file or directory"
rm -f "$work"/bad/*
# the first error line of a stage logging JSON
head -c $((size - 10)) "$work/full.gz" >"$work/bad/trunc.jsonl.gz"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 --log-format json 2>&1) || rc=$?
row_says "truncated gzip (JSON logs)" "hoso-extract failed (exit 1): $work/bad/trunc.jsonl.gz:2: byte offset 346: truncated gzip stream"
rm -f "$work"/bad/*

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
