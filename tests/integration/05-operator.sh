#!/bin/sh
# The operator's path, walked as an operator walks it: hoso installed under
# a prefix, run by an unprivileged user from an empty working directory,
# for a province whose catalogues hoso has never seen (its own unit codes,
# .H77) and whose cases fall in 2026.  Fails on each of these faults:
# the first run of a fresh pipeline cannot create its reject file's
# directory; relative paths depend on the working directory; 2026 is not in
# the calendar; another province's logs are matched against Kon Tum's
# catalogue without a word; the shipped systemd units do not verify; the
# demo's server cannot start as root from a 0700 directory; a doc points
# outside the repository.
. "$HOSO_ROOT/tests/integration/lib.sh"

chmod 755 "$work"
prefix="$work/prefix"

# 1. make install under a prefix (the tree's programs are built already)
if ! make -s -C "$HOSO_ROOT" install PREFIX="$prefix" >"$work/install.log" 2>&1; then
	fail "make install: $(tail -5 "$work/install.log")"
	finish
fi
for f in bin/hoso bin/hoso-extract bin/hoso-transform bin/hoso-load bin/hoso-gen \
	share/hoso/schemas/reference/calendar/2026.csv \
	share/hoso/pipelines/nightly.yaml share/hoso/contrib/systemd/hoso-nightly.service \
	share/hoso/contrib/systemd/hoso-nightly.timer share/hoso/contrib/cron/hoso-nightly \
	share/hoso/contrib/logrotate/hoso share/man/man1/hoso.1 share/man/man1/hoso-extract.1 \
	share/man/man1/hoso-transform.1 share/man/man1/hoso-load.1 share/man/man1/hoso-gen.1; do
	[ -f "$prefix/$f" ] || fail "make install: $f missing"
done
# the whole data directory: DDL, SQL functions, reference data, source schemas, profiles
missing=$(cd "$HOSO_ROOT" && find schemas -type f | while read -r f; do
	[ -f "$prefix/share/hoso/$f" ] || echo "$f"; done)
assert_eq "$missing" "" "make install copies every file of schemas/"
assert_contains "$(grep ExecStart "$prefix/share/hoso/contrib/systemd/hoso-nightly.service")" \
	"$prefix/bin/hoso run" "installed unit runs the installed hoso"
HOSO_I="$prefix/bin/hoso"

# 2. an unprivileged user (made here when we are root)
if [ "$(id -u)" -eq 0 ]; then
	# a name of this test's own, so that two suites at once never share the user
	op_user=hoso_op_$$
	id "$op_user" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin "$op_user"
	trap 'rm -rf "$work"; userdel "$op_user" 2>/dev/null || true' EXIT
	as_op() { runuser -u "$op_user" -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER="$PGUSER" \
		PGDATABASE="$PGDATABASE" "$@"; }
else
	op_user=$(id -un)
	as_op() { "$@"; }
fi
mkdir -p "$work/op" "$work/cwd" "$work/landing"
[ "$(id -u)" -eq 0 ] && chown "$op_user" "$work/op" "$work/cwd"

# 3. the province's own catalogues and its 2026 logs (docs/input.md's sync lines)
as_op "$HOSO_I" init "$work/op/h77" --province H77 >"$work/init.log" 2>&1 ||
	fail "hoso init: $(cat "$work/init.log")"
# the catalogues hoso init wrote are empty: check says so before any run
out=$(as_op "$HOSO_I" check "$work/op/h77/nightly.yaml" 2>&1 || true)
assert_contains "$out" "reference/units.csv has no units: every case will be counted under UNRESOLVED" \
	"hoso check warns of the empty unit catalogue"
assert_contains "$out" "reference/procedures.csv has no procedures" \
	"...and of the empty procedure catalogue"
# (a blank line after the header, as an editor leaves it: the reader of
# `hoso check` and transform skips it, so the load must too)
as_op sh -c "cat >>'$work/op/h77/reference/units.csv'" <<'CSV'

000.00.00.H77,UBND tỉnh Thử Nghiệm,Tỉnh Thử Nghiệm,TINH,,2025-07-01,,
000.00.15.H77,Sở Tư pháp,Sở Tư pháp tỉnh Thử Nghiệm,SO_NGANH,000.00.00.H77,2025-07-01,,
000.77.01.H77,UBND xã Thử Một,,XA,000.00.00.H77,2025-07-01,,
000.77.02.H77,Xã Đăk Tô,,XA,000.00.00.H77,2025-07-01,,
CSV
as_op sh -c "cat >>'$work/op/h77/reference/procedures.csv'" <<'CSV'
1.001000,Đăng ký khai sinh,G09-HT,Hộ tịch,1,working_days,TOAN_TRINH,0,1,1,2021-01-01,
9.770001,Thủ tục riêng của tỉnh,G77-XX,Lĩnh vực thử,5,working_days,MOT_PHAN,0,1,0,2025-07-01,
CSV
mkdir -p "$work/landing/2026/02/13" "$work/landing/2026/03/02"
# accepted on the Friday before the Tết closure (14-22 February 2026)
cat >"$work/landing/2026/02/13/sync.jsonl" <<'JSON'
{"_at": "20260213090500", "_src": "H77-IGATE", "service": "DongBoHoSoMC", "isUpdating": "False", "data": [{"MaHoSo": "000.00.15.H77-260213-0001", "MaTTHC": "1.001000", "TenTTHC": "Đăng ký khai sinh", "KenhThucHien": "1", "NgayTiepNhan": "20260213090000", "NgayHenTra": "20260224170000", "TrangThaiHoSo": "4", "HoSoCoThanhPhanSoHoa": "1", "DonViXuLy": "Sở Tư pháp"}]}
{"_at": "20260213100500", "_src": "H77-IGATE", "service": "DongBoHoSoMC", "isUpdating": "False", "data": [{"MaHoSo": "000.77.01.H77-260213-0002", "MaTTHC": "9.770001", "TenTTHC": "Thủ tục riêng của tỉnh", "KenhThucHien": "2", "NgayTiepNhan": "20260213100000", "NgayHenTra": "20260227170000", "TrangThaiHoSo": "4", "HoSoCoThanhPhanSoHoa": "0", "DonViXuLy": "UBND xã Thử Một"}]}
JSON
cat >"$work/landing/2026/03/02/sync.jsonl" <<'JSON'
{"_at": "20260302081000", "_src": "H77-IGATE", "service": "CapNhatTienDoHoSoMC", "data": [{"MaHoSo": "000.00.15.H77-260213-0001", "ThoiDiemXuLy": "20260223100000", "TrangThai": "9", "NoiDungXuLy": "Đã xử lý xong", "PhongBanXuLy": "Bộ phận một cửa"}]}
{"_at": "20260302081500", "_src": "H77-IGATE", "service": "DongBoHoSoMC", "isUpdating": "False", "data": [{"MaHoSo": "000.00.00.H77-260302-0003", "MaTTHC": "1.001000", "TenTTHC": "Đăng ký khai sinh", "KenhThucHien": "3", "NgayTiepNhan": "20260302080000", "NgayHenTra": "20260303170000", "TrangThaiHoSo": "4", "HoSoCoThanhPhanSoHoa": "0", "DonViXuLy": "UBND tỉnh Thử Nghiệm"}]}
{"_at": "20260302083000", "_src": "H77-IGATE", "service": "DongBoHoSoMC", "isUpdating": "False", "data": [{"MaHoSo": "000.77.02.H77-260302-0004", "MaTTHC": "1.001000", "TenTTHC": "Đăng ký khai sinh", "KenhThucHien": "1", "NgayTiepNhan": "20260302082000", "NgayHenTra": "20260303170000", "TrangThaiHoSo": "4", "HoSoCoThanhPhanSoHoa": "0", "DonViXuLy": "Xã Đăk Tô"}]}
JSON
chmod -R a+rX "$work/landing"
# the pipeline hoso init wrote, with source.paths pointed at the landing files
as_op sed -i "s|^  paths: .*|  paths: [\"$work/landing/{date:%Y/%m/%d}/*.jsonl\"]|" "$work/op/h77/nightly.yaml"

# 4. first run, from an empty working directory elsewhere: exit 0
fresh_db operator
rc=0
(cd "$work/cwd" && as_op "$HOSO_I" run ../op/h77/nightly.yaml --from 2026-02-13 --to 2026-03-02) \
	>"$work/run1.log" 2>&1 || rc=$?
assert_eq "$rc" 0 "first run of a fresh pipeline exits 0 (relative pipeline path, other cwd)"
[ "$rc" -eq 0 ] || cat "$work/run1.log"
assert_eq "$(stat -c %a "$work/op/h77/.hoso" 2>/dev/null)" 700 "state directory is 0700"
assert_eq "$(find "$work/cwd" -mindepth 1 | wc -l)" 0 "nothing written to the working directory"
assert_eq "$(q -c "SELECT string_agg(case_no || '=' || unit_code, ' ' ORDER BY case_no) FROM hoso.case_fact")" \
	"000.00.00.H77-260302-0003=000.00.00.H77 000.00.15.H77-260213-0001=000.00.15.H77 000.77.01.H77-260213-0002=000.77.01.H77 000.77.02.H77-260302-0004=000.77.02.H77" \
	"every case under the province's own units"
assert_contains "$(cat "$work/run1.log")" "attention: nothing" "attention: nothing needs a look"
assert_eq "$(q -c "SELECT string_agg(DISTINCT province, ' ') FROM hoso.case_fact")" H77 \
	"the rows carry the province hoso init was given (a national warehouse's shard key)"
assert_eq "$(q -c "SELECT coalesce(detail->>'calendar_days_missing', '?') FROM hoso.run ORDER BY run_id DESC LIMIT 1")" \
	0 "every day the run used is in the calendar (2026 shipped)"
assert_eq "$(q -c "SELECT string_agg(day::text, ' ' ORDER BY day) FROM hoso.calendar
                    WHERE day BETWEEN '2026-02-13' AND '2026-02-23' AND NOT working")" \
	"2026-02-14 2026-02-15 2026-02-16 2026-02-17 2026-02-18 2026-02-19 2026-02-20 2026-02-21 2026-02-22" \
	"the Tết 2026 closure is in the warehouse's calendar"

# 5. rerun: a no-op
before=$(table_digest)
rc=0
(cd "$work/cwd" && as_op "$HOSO_I" run "$work/op/h77/nightly.yaml" --from 2026-02-13 --to 2026-03-02) \
	>"$work/run2.log" 2>&1 || rc=$?
assert_eq "$rc" 0 "rerun exits 0"
assert_eq "$(table_digest)" "$before" "rerun changes nothing"

# 5b. personal_data: hash with no usable key fails check, and a night with
#     no file as a night with files would (not first when files arrive)
sed 's/^personal_data: .*/personal_data: hash/' "$work/op/h77/nightly.yaml" >"$work/op/h77/hash.yaml"
hash_line=$(grep -n '^personal_data:' "$work/op/h77/hash.yaml" | cut -d: -f1)
rc=0
out=$(cd "$work/cwd" && as_op env -u HOSO_HMAC_KEY "$HOSO_I" check "$work/op/h77/hash.yaml" 2>&1) || rc=$?
assert_eq "$rc" 2 "hoso check: personal_data: hash without HOSO_HMAC_KEY is a problem"
assert_contains "$out" "hash.yaml:$hash_line:16: personal_data: hash needs the key in the environment variable HOSO_HMAC_KEY, which is not set" \
	"...named at its line"
rc=0
out=$(cd "$work/cwd" && as_op env HOSO_HMAC_KEY=short "$HOSO_I" run "$work/op/h77/hash.yaml" --date 2026-03-01 2>&1) || rc=$?
assert_eq "$rc" 2 "a run with no file to load and a 5-byte key fails as configuration (exit 2)"
assert_contains "$out" "needs a key of at least 32 bytes in HOSO_HMAC_KEY, which has 5" "...and says why"

# 6. the same logs through a copy of the installed template (Kon Tum's
#    catalogues): the run must say so at its end, and fail above the threshold
mkdir -p "$work/op/copy"
cp "$prefix/share/hoso/pipelines/nightly.yaml" "$work/op/copy/"
sed -i "s|^  paths: .*|  paths: [\"$work/landing/{date:%Y/%m/%d}/*.jsonl\"]|" "$work/op/copy/nightly.yaml"
[ "$(id -u)" -eq 0 ] && chown -R "$op_user" "$work/op/copy"
fresh_db operator_kontum
rc=0
(cd "$work/cwd" && as_op "$HOSO_I" run "$work/op/copy/nightly.yaml" --from 2026-02-13 --to 2026-03-02) \
	>"$work/run3.log" 2>&1 || rc=$?
assert_eq "$rc" 0 "a copy of the template in an empty directory runs (exit 0)"
out=$(tail -n 6 "$work/run3.log")
# (Kon Tum's units closed on 2025-06-30; a commune of the same name as one
# of Quảng Ngãi's since 2025-07-01 is found by name: the silent wrong match)
assert_contains "$out" "attention: unresolved units: 3 cases, 3 unit names" "last lines name the unresolved units"
assert_contains "$out" "UBND xã Thử Một" "...by their names"
assert_contains "$out" "attention: unknown procedures: 1 cases" "last lines name the unknown procedure"
assert_contains "$out" "attention: units found by name only: 1 cases, 1 agency code: \"000.77.02.H77\" (1)" \
	"last lines say a unit was found by name only (Quảng Ngãi's Xã Đăk Tô)"
# the summary counts what the block named: 3 unit names, 1 procedure, 1 agency code
assert_contains "$(tail -n 1 "$work/run3.log")" "5 warnings" "the summary line counts the attention values"
printf 'attention:\n  max_unresolved_ratio: 0.05\n' >>"$work/op/copy/nightly.yaml"
fresh_db operator_strict
rc=0
(cd "$work/cwd" && as_op "$HOSO_I" run "$work/op/copy/nightly.yaml" --from 2026-02-13 --to 2026-03-02) \
	>"$work/run4.log" 2>&1 || rc=$?
assert_eq "$rc" 1 "above attention.max_unresolved_ratio the run fails"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 0 "...and loads nothing"
assert_contains "$(q -c "SELECT status || ': ' || coalesce(message, '') FROM hoso.run ORDER BY run_id DESC LIMIT 1")" \
	"failed: 3 of 4 cases (75.0 %) have a unit or procedure the catalogues do not know, above attention.max_unresolved_ratio 0.05" \
	"...and its run row says why"
assert_contains "$(cat "$work/run4.log")" "(reference.units), then rerun a failed run" \
	"...and says to rerun once the catalogue has the units (nothing was loaded to rebuild)"
assert_contains "$(tail -n 1 "$work/run4.log")" "5 warnings" \
	"...and its summary line counts the warnings it printed, though nothing was loaded"

# 7. the shipped systemd units verify
if command -v systemd-analyze >/dev/null 2>&1; then
	rc=0
	out=$(cd "$prefix/share/hoso/contrib/systemd" && MANPATH="$prefix/share/man:" \
		systemd-analyze verify ./hoso-nightly.service ./hoso-nightly.timer 2>&1) || rc=$?
	assert_eq "$rc $out" "0 " "systemd-analyze verify accepts the installed units"
	assert_contains "$(grep -E '^(Type|Restart|RestartForceExitStatus)=' "$prefix/share/hoso/contrib/systemd/hoso-nightly.service" | tr '\n' ' ')" \
		"Type=exec Restart=no RestartForceExitStatus=75" "only exit 75 restarts the service"
else
	say "SKIP systemd-analyze verify: systemd-analyze is not installed"
fi

# 8. the demo's private server starts from a clone under a 0700 directory
#    (as root it runs as postgres, which cannot enter such a directory)
mkdir -p "$work/home0700/clone"
chmod 700 "$work/home0700"
cp -R "$HOSO_ROOT/scripts" "$work/home0700/clone/"
rc=0
pgenv=$(env -u PGHOST -u PGDATABASE -u PGSERVICE sh "$work/home0700/clone/scripts/demo.sh" server 2>"$work/demo.log") || rc=$?
assert_eq "$rc" 0 "demo server starts from a 0700 directory as $(id -un)"
[ "$rc" -eq 0 ] || cat "$work/demo.log"
if [ "$rc" -eq 0 ]; then
	assert_eq "$(eval "$pgenv"; psql -X -Atq -d postgres -c 'SELECT 1' 2>&1)" 1 "...and answers"
fi
assert_eq "$(cat "$work/demo.log")" "" "...and says nothing on stderr (no \"could not change directory\")"
sh "$work/home0700/clone/scripts/demo.sh" stop >/dev/null 2>&1
demo_dir=$(cat "$work/home0700/clone/.hoso/pg-dir" 2>/dev/null || true)
case $demo_dir in /var/tmp/hoso-demo.* | /tmp/hoso-demo.*) rm -rf "$demo_dir" ;; esac
# a private server in a relative directory, as an operator types it
rc=0
relenv=$(cd "$work" && sh "$HOSO_ROOT/scripts/pg.sh" start rel-pg 2>"$work/rel-pg.log") || rc=$?
assert_eq "$rc $relenv" "0 export PGHOST='$work/rel-pg' PGPORT=5432 PGUSER=postgres PGDATABASE=postgres" \
	"pg.sh start with a relative directory names it absolute ($(cat "$work/rel-pg.log"))"
sh "$HOSO_ROOT/scripts/pg.sh" stop "$work/rel-pg"

# 9. the docs travel with the code
out=$(grep -rn -e '\.\./shared' -e '/work/shared' "$HOSO_ROOT/README.md" "$HOSO_ROOT/docs" \
	"$HOSO_ROOT/schemas" "$HOSO_ROOT/pipelines" "$HOSO_ROOT/man" 2>/dev/null || true)
assert_eq "$out" "" "no README, doc or schema line points outside the repository"
finish
