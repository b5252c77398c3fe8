#!/bin/sh
# Personal data never leaves the source files: planted in every position a
# portal has been seen to use (unknown fields, a nested object, variants of
# the personal keys, attachment file names), in loaded and in rejected
# lines, it is found in none of pg_dump, the staging directory, the reject
# file and the logs; with personal_data: hash, only its keyed hash is.
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db personal
mkdir -p "$work/input"
# every planted value carries the marker BIMAT; each position its own number
planted='"DiaChi":"12 Le Loi BIMAT01","HoTenNguoiNop":"Tran BIMAT02","SoDienThoaiNguoiNop":"0905BIMAT03","CCCD":"0791BIMAT04","NguoiUyQuyen":{"HoTen":"Pham BIMAT05"},"ChuHoSo ":"Le BIMAT06","chuhoso":"Vo BIMAT07","ChuHoSo":"Nguyen BIMAT08","SoGiayToChuHoSo":"BIMAT09","TaiLieuNop":[{"TepDinhKemId":"1","TenTepDinhKem":"CCCD_079123456789_NGUYEN VAN BIMAT10.pdf","MaThanhPhanHoSo":"TP1","DuocSoHoa":"1","DuocTaiSuDung":"0","DuocLayTuKhoDMQG":"0","IsDeleted":"0"}],"DanhSachGiayToKetQua":[{"TenGiayTo":"GP_BIMAT11.pdf","MaThanhPhanHoSo":"KQ","GiayToId":"2","DuongDanTepTinKetQua":"https://x/BIMAT12.pdf"}]'
dossier() { # CASE STATUS
	printf '{"_at":"20230301170000","_src":"PD","service":"DongBoHoSoMC","data":[{"MaHoSo":"%s","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"20230301080000","NgayHenTra":"20230306170000","TrangThaiHoSo":"%s",%s}]}\n' "$1" "$2" "$planted"
}
{
	dossier PD-1 4
	dossier PD-2 77	# rejected: unknown status
	printf '{"_at":"20230301170000","_src":"PD","service":"CapNhatTienDoHoSoMC","data":[{"MaHoSo":"PD-1","ThoiDiemXuLy":"20230301090000","TrangThai":"4","NguoiXuLy":"Dang BIMAT13","ChucDanh":"Chuyen vien BIMAT14","GhiChu":"goi BIMAT15"}]}\n'
	printf '{"_at":"20230301170000","_src":"PD","service":"CapNhatTienDoHoSoMC","data":[{"MaHoSo":"PD-1","ThoiDiemXuLy":"2023","TrangThai":"4","NguoiXuLy":"Dang BIMAT16","GhiChu":"goi BIMAT17"}]}\n'
	printf '{"_at":"20230301170000","_src":"PD","data":[{"HoTen":"Bad BIMAT18",\n'	# not JSON
} >"$work/input/a.jsonl"
pipeline_for "$work" "$work/p.yaml"
cat >>"$work/p.yaml" <<YAML
personal_data: hash
rejects:
  max_ratio: 1
  file: $work/rejects.jsonl
YAML
key=0123456789abcdef0123456789abcdef
rc=0
HOSO_HMAC_KEY=$key "$HOSO" run "$work/p.yaml" --date 2023-03-01 --keep-staging >"$work/run.log" 2>&1 || rc=$?
assert_eq "$rc" 0 "the run loads the good lines"
assert_eq "$(q -c "SELECT count(*) FROM hoso.reject")" 3 "three rejects recorded"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 1 "one case loaded"
pg_dump --no-owner personal >"$work/dump.sql"
[ -s "$work/dump.sql" ] || fail "pg_dump wrote nothing"
[ -s "$work/rejects.jsonl" ] || fail "the reject file is empty"
staging=$(find "$work/staging" -name 'run-*' -type d)
[ -n "$staging" ] || fail "no staging directory kept"
for where in "$work/dump.sql" "$work/rejects.jsonl" "$work/run.log" $staging/*; do
	found=$(grep -o 'BIMAT[0-9]*' "$where" | sort -u | tr '\n' ' ')
	assert_eq "$found" "" "no planted personal data in $(basename "$where")"
done
# the keyed hash of ChuHoSo|SoGiayToChuHoSo is what hash mode keeps
want=$(printf 'Nguyen BIMAT08|BIMAT09' | openssl dgst -sha256 -hmac "$key" | sed 's/.* //')
assert_eq "$(q -c "SELECT count(*) FROM hoso.dossier_msg WHERE applicant_hash = '$want'")" 1 "only the keyed hash of the applicant is kept"
# what the raw copy of a rejected dossier still says: the known fields, and
# the unknown ones by type and size only
raw=$(q -c "SELECT raw FROM hoso.reject WHERE reason LIKE 'unknown status%'")
assert_contains "$raw" '"MaHoSo":"PD-2"' "a reject's raw keeps the known fields"
assert_contains "$raw" '"DiaChi":"<string, 17 bytes>"' "... and masks unknown ones"
# staging files with rows from input are the owner's only
for f in $staging/*.tsv; do
	assert_eq "$(stat -c %a "$f")" 600 "$(basename "$f") is mode 600"
done
assert_eq "$(stat -c %a "$staging")" 700 "the staging directory is mode 700"
finish
