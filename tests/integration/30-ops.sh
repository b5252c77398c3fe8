#!/bin/sh
# Nightly operation: the ledger (same file skipped, changed
# file refused, --replace replaces exactly its contribution), the warehouse
# lock (exit 75 naming the holder), configuration errors (exit 2 with
# file:line:column), and server errors (exit 1, nothing loaded).
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db ops
mkdir -p "$work/input"
# Two cases on one day.  A: accepted 2023-03-01, online, finished 2023-03-03
# (due 2023-03-06: early).  B: accepted 2023-03-02, in person, no end.
cat >"$work/input/day1.jsonl" <<'JSONL'
{"_at":"20230303170000","_src":"OPS","service":"DongBoHoSoMC","data":[{"MaHoSo":"000.00.15.H34-230301-0001","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"20230301080000","NgayHenTra":"20230306170000","TrangThaiHoSo":"10","NgayKetThucXuLy":"20230303100000","ChuHoSo":"Nguyễn Văn Ops","SoDienThoai":"0905123456"}]}
{"_at":"20230303170001","_src":"OPS","service":"DongBoHoSoMC","data":[{"MaHoSo":"000.00.15.H34-230302-0002","MaTTHC":"1.000001","KenhThucHien":"1","NgayTiepNhan":"20230302080000","NgayHenTra":"20230310170000","TrangThaiHoSo":"4"}]}
JSONL
pipeline_for "$work" "$work/p.yaml"

# 1. first load, then the same again: skipped, every table identical
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 0 "first load exits 0"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 2 "two cases loaded"
table_digest >"$work/d1"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 0 "second load of the same file exits 0"
assert_contains "$out" "already in the ledger" "second load says so"
table_digest >"$work/d2"
assert_eq "$(cmp -s "$work/d1" "$work/d2" && echo same)" same "second load changes no table"
assert_eq "$(q -c "SELECT count(*) FROM hoso.run WHERE exit_code = 0")" 2 "two run rows, both done"

# 2. the same path with other content: refused, nothing changes
sed -i 's/"TrangThaiHoSo":"4"/"TrangThaiHoSo":"9","NgayKetThucXuLy":"20230303090000"/' "$work/input/day1.jsonl"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 1 "changed ledgered file exits 1"
assert_contains "$out" "day1.jsonl: already loaded, but its content changed" "message names the file"
assert_contains "$out" "hoso: hint: Rerun with --replace to replace what it loaded" "the advice is a hint line"
table_digest >"$work/d3"
assert_eq "$(cmp -s "$work/d1" "$work/d3" && echo same)" same "refused run changes no table"

# 3. --replace: the file's old contribution is replaced, not added to
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 --replace 2>&1) || rc=$?
assert_eq "$rc" 0 "--replace exits 0 ($out)"
assert_eq "$(q -c "SELECT count(*) FROM hoso.file_ledger")" 1 "still one ledger row"
assert_eq "$(q -c "SELECT count(*) FROM hoso.dossier_msg")" 2 "two archived dossier messages, not four"
assert_eq "$(q -c "SELECT end_kind FROM hoso.case_fact WHERE case_no LIKE '%0002'")" R "case B now resolved"

# 4. the lock: a second run while one holds it exits 75 and names it
# the holder's session stays idle after taking the lock, as a runner's does
mkfifo "$work/holder.in"
psql -X -q <"$work/holder.in" >/dev/null 2>&1 &
holder=$!
exec 7>"$work/holder.in"
echo "SET application_name = 'hoso run 999 held-by-test'; BEGIN; SELECT 1 FROM hoso.run_lock FOR UPDATE;" >&7
sleep 1
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 75 "a second run exits 75"
assert_contains "$out" "hoso run 999 held-by-test" "message names the holder"
# a crash of the holder: SIGKILL, its session goes, and the lock with it
kill -KILL "$holder"
exec 7>&-
wait "$holder" 2>/dev/null || true
sleep 1
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 0 "the lock died with its session: next run proceeds"

# 5. configuration errors: exit 2 with file:line:column
printf 'source:\n  paths: ["x"]\n  format: dvcqg-jsonl\nbogus_key: 1\n' >"$work/bad1.yaml"
rc=0; out=$("$HOSO" run "$work/bad1.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 2 "unknown key exits 2"
assert_contains "$out" "bad1.yaml:4:1:" "unknown key: file:line:column"
printf 'source:\n  paths: ["x"]\n  format: dvcqg-jsonl\nrejects:\n  max_ratio: lots\n' >"$work/bad2.yaml"
rc=0; out=$("$HOSO" run "$work/bad2.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 2 "wrong type exits 2"
assert_contains "$out" "bad2.yaml:5:14:" "wrong type: file:line:column"
printf 'source:\n\tpaths: ["x"]\n' >"$work/bad3.yaml"
rc=0; out=$("$HOSO" run "$work/bad3.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 2 "a tab exits 2"
assert_contains "$out" "bad3.yaml:2:" "tab: file:line"
printf 'more_sources: []\n' >"$work/bad4.yaml"
rc=0; out=$("$HOSO" run "$work/bad4.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 2 "missing source exits 2"
assert_contains "$out" "source" "missing key named"

# 6. server errors: exit 1, a clear message
rc=0; out=$(PGHOST=/nonexistent "$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
assert_eq "$rc" 1 "unreachable server exits 1"
assert_contains "$out" "/nonexistent" "message names the server"
q -c "CREATE ROLE hoso_nobody LOGIN"
rc=0; out=$(PGUSER=hoso_nobody "$HOSO" run "$work/p.yaml" --date 2023-03-04 2>&1) || rc=$?
assert_eq "$rc" 1 "a role without rights exits 1"
assert_contains "$out" "permission denied" "message says permission denied"


# 7. a wrong password: the server asks this role for one (scram), we give
# the wrong one; exit 1, the message says so and never shows the password
hba="$PGHOST/data/pg_hba.conf"
if [ -w "$hba" ]; then
	q -c "CREATE ROLE hoso_pw LOGIN PASSWORD 'right-secret'; GRANT ALL ON DATABASE ops TO hoso_pw"
	{ echo "local all hoso_pw scram-sha-256"; cat "$hba"; } >"$work/hba" && cat "$work/hba" >"$hba"
	q -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
	rc=0; out=$(PGUSER=hoso_pw PGPASSWORD=wrong-secret "$HOSO" run "$work/p.yaml" --date 2023-03-03 2>&1) || rc=$?
	assert_eq "$rc" 1 "a wrong password exits 1"
	assert_contains "$out" "password authentication failed" "message says so"
	case $out in *wrong-secret*) fail "the password appears in the output" ;; *) say "ok: password not echoed" ;; esac
else
	say "SKIP wrong password: cannot edit $hba"
fi

# 8. a full disk where staging files go: a 64 KiB tmpfs (needs mount rights)
mkdir -p "$work/tiny"
if mount -t tmpfs -o size=64k tmpfs "$work/tiny" 2>/dev/null; then
	table_digest >"$work/d4"
	head -c 200000 /dev/urandom | base64 -w 0 | sed 's/.*/{"_at":"20230304170000","_src":"OPS","service":"DongBoHoSoMC","data":[{"MaHoSo":"000.00.15.H34-230304-0003","MaTTHC":"1.000001","NgayTiepNhan":"20230304080000","TrangThaiHoSo":"4","TenTTHC":"&"}]}/' >"$work/input/day2.jsonl"
	sed 's|^staging: .*|staging: '"$work"'/tiny|' "$work/p.yaml" >"$work/p-tiny.yaml"
	rc=0; out=$("$HOSO" run "$work/p-tiny.yaml" --date 2023-03-04 2>&1) || rc=$?
	assert_eq "$rc" 1 "a full staging disk exits 1"
	assert_contains "$out" "No space left on device" "message says the disk is full"
	table_digest >"$work/d5"
	assert_eq "$(cmp -s "$work/d4" "$work/d5" && echo same)" same "a full disk loads nothing"
	umount "$work/tiny"
	rm -f "$work/input/day2.jsonl"
else
	say "SKIP full disk: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)"
fi

finish
