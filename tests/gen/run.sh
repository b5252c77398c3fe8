#!/bin/sh
# tests/gen/run.sh: hoso-gen end to end.
#   - the same seed gives byte-identical landing files;
#   - --reference writes exactly the committed schemas/reference files;
#   - the procedure catalogue as of 2023-10-14 has the reference counts
#     (the Kon Tum news item's figures), counted here independently of the generator;
#   - the calendar has every date and Vietnam's 2023 holidays and swaps;
#   - every line of a sample of landing files is a JSON message of the
#     portal's shape (docs/input.md §2: scalars are strings, dates 14 digits).
# make test-long adds byte-identical files from the same seed, other files
# from another seed, and the oracle's figures over the whole sample
# (tests/long/10-gen-oracle.sh).  The suite's shared sample
# (HOSO_SAMPLE_DIR), when given, is made here once and read by the others.
# Exit status: 0 when every check passes.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
gen="$top/bin/hoso-gen"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
fail=0

check() {
	# check NAME COMMAND...: run a check, report it, remember a failure
	name=$1
	shift
	if "$@"; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		fail=1
	fi
}

[ -x "$gen" ] || { echo "FAIL bin/hoso-gen not built (make bin/hoso-gen)"; exit 1; }

# -- usage --
check "--help exits 0" sh -c "'$gen' --help >/dev/null"
check "--version prints hoso-gen" sh -c "'$gen' --version | grep -q '^hoso-gen '"
check "no --out is a usage error (2)" sh -c "'$gen' >/dev/null 2>&1; test \$? -eq 2"
check "bad --scale is a usage error (2)" sh -c "'$gen' --out '$tmp/x' --scale 0 >/dev/null 2>&1; test \$? -eq 2"

# -- reference data --
"$gen" --reference "$tmp/ref"
for f in units.csv procedures.csv; do
	check "reference $f equals schemas/reference/kontum/$f" \
		cmp -s "$tmp/ref/$f" "$top/schemas/reference/kontum/$f"
done
for y in 2022 2023 2024 2025; do
	check "reference calendar/$y.csv equals schemas/reference/calendar/$y.csv" \
		cmp -s "$tmp/ref/calendar/$y.csv" "$top/schemas/reference/calendar/$y.csv"
done

check "catalogue as of 2023-10-14: 1711 valid, 1015 full, 364 partial, 1375 integrated" \
python3 - "$top/schemas/reference/kontum/procedures.csv" <<'PY'
import csv, sys
day = "2023-10-14"
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
valid = [r for r in rows if r["valid_from"] <= day and (r["valid_to"] == "" or r["valid_to"] >= day)]
got = (len(valid),
       sum(r["online_level"] == "TOAN_TRINH" for r in valid),
       sum(r["online_level"] == "MOT_PHAN" for r in valid),
       sum(r["integrated"] == "1" for r in valid))
codes = [r["code"] for r in rows]
ok = got == (1711, 1015, 364, 1375) and len(set(codes)) == len(codes) and len(rows) > 1711
ok = ok and all(r["limit_unit"] in ("hours", "days", "working_days", "months", "") for r in rows)
ok = ok and all(r["online_level"] in ("TOAN_TRINH", "MOT_PHAN", "NONE") for r in rows)
if not ok:
    print("  got", got, "rows", len(rows), "distinct codes", len(set(codes)))
sys.exit(0 if ok else 1)
PY

check "units: levels, parents, 10 districts, Kon Tum -> Quảng Ngãi on 2025-07-01" \
python3 - "$top/schemas/reference/kontum/units.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
by = {r["code"]: r for r in rows}
ok = len(by) == len(rows)
ok = ok and all(r["level"] in ("TINH", "SO_NGANH", "HUYEN", "XA") for r in rows)
ok = ok and all(r["parent_code"] == "" or r["parent_code"] in by for r in rows)
ok = ok and all(r["successor_code"] == "" or r["successor_code"] in by for r in rows)
kt = [r for r in rows if r["name"] == "UBND tỉnh Kon Tum"]
qn = [r for r in rows if r["name"] == "UBND tỉnh Quảng Ngãi"]
ok = ok and len(kt) == 1 and len(qn) == 1 and kt[0]["valid_to"] == "2025-06-30"
ok = ok and kt[0]["successor_code"] == qn[0]["code"]
huyen = [r for r in rows if r["level"] == "HUYEN"]
ok = ok and len(huyen) == 10 and all(r["valid_to"] == "2025-06-30" and r["successor_code"] for r in huyen)
xa_2023 = [r for r in rows if r["level"] == "XA" and r["valid_from"] <= "2023-10-14" and (r["valid_to"] or "9") >= "2023-10-14"]
ok = ok and len(xa_2023) == 102 and all(by[r["parent_code"]]["level"] == "HUYEN" for r in xa_2023)
ok = ok and any(r["valid_from"] == "2025-07-01" and r["level"] == "XA" for r in rows)
ok = ok and sum(r["level"] == "SO_NGANH" for r in rows) >= 15
sys.exit(0 if ok else 1)
PY

check "calendar: every date; Tết 2023, 2/1, 29/4-3/5 with Saturday 6/5 worked, 1-4/9" \
python3 - "$top/schemas/reference/calendar" <<'PY'
import csv, datetime, sys
d = sys.argv[1]
ok = True
work = {}
for y in (2022, 2023, 2024, 2025):
    rows = list(csv.DictReader(open("%s/%d.csv" % (d, y), encoding="utf-8", newline="")))
    days = [datetime.date(y, 1, 1) + datetime.timedelta(i) for i in range((datetime.date(y + 1, 1, 1) - datetime.date(y, 1, 1)).days)]
    ok = ok and [r["date"] for r in rows] == [x.isoformat() for x in days]
    for r in rows:
        work[r["date"]] = r["working"]
off = ["2023-01-02"] + ["2023-01-%02d" % i for i in range(20, 27)] + \
      ["2023-04-29", "2023-04-30", "2023-05-01", "2023-05-02", "2023-05-03"] + \
      ["2023-09-01", "2023-09-02", "2023-09-03", "2023-09-04"]
ok = ok and all(work[x] == "0" for x in off)
ok = ok and work["2023-05-06"] == "1" and work["2023-01-19"] == "1" and work["2023-01-27"] == "1"
ok = ok and work["2023-10-14"] == "0" and work["2023-10-13"] == "1"
# 365 days - 105 weekend days - 11 weekday holidays + the make-up Saturday
ok = ok and sum(v == "1" for k, v in work.items() if k.startswith("2023")) == 250
sys.exit(0 if ok else 1)
PY

# -- landing files (the same seed twice: make test-long) --
a=${HOSO_SAMPLE_DIR:-$tmp/a}
if [ ! -f "$a/.complete" ]; then
	mkdir -p "$a"
	"$gen" --out "$a" 2>"$tmp/a.log" && touch "$a/.complete"
fi
check "one landing file per day 2022-07-01..2024-07-15" sh -c "
	test -f '$a/landing/2022/07/01/KTM-IGATE-20220701.jsonl.gz' &&
	test -f '$a/landing/2024/07/15/KTM-IGATE-20240715.jsonl.gz' &&
	test \$(find '$a/landing' -name 'KTM-IGATE-2???????.jsonl.gz' | wc -l) -eq 746"
check "every gzip file decompresses to its end" sh -c "
	find '$a/landing' -name '*.jsonl.gz' | while read -r f; do
		case \$(head -c 2 \"\$f\" | od -An -tx1 | tr -d ' ') in
		1f8b) gzip -t \"\$f\" || exit 1 ;;
		esac
	done"

check "sample files: every line a portal message, scalars strings, dates valid" \
python3 - "$a/landing" <<'PY'
import datetime, gzip, json, os, re, sys
root = sys.argv[1]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
sample = files[::23] + [f for f in files if "resend" in f]
date_fields = {"_at", "NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra",
               "NgayTuChoi", "ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh", "NgayBoSung",
               "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi"}
def check_value(k, v):
    if isinstance(v, list):
        for o in v:
            assert isinstance(o, dict), k
            for k2, v2 in o.items():
                check_value(k2, v2)
        return
    assert isinstance(v, str), (k, v)
    if k in date_fields and v:
        assert re.fullmatch(r"\d{14}", v), (k, v)
        datetime.datetime.strptime(v, "%Y%m%d%H%M%S")
lines = services = 0
seen = set()
for f in sample:
    raw = open(f, "rb").read()
    text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    for line in text.decode("utf-8").replace("\ufeff", "").splitlines():
        m = json.loads(line)
        lines += 1
        assert set(m) >= {"_at", "_src", "service", "data"}, m.keys()
        assert m["_src"] == "KTM-IGATE"
        assert 1 <= len(m["data"]) <= 20
        seen.add(m["service"])
        for k, v in m.items():
            if k != "data":
                check_value(k, v)
        for o in m["data"]:
            assert o["MaHoSo"]
            for k, v in o.items():
                check_value(k, v)
            if m["service"] == "DongBoHoSoMC":
                assert o["TrangThaiHoSo"] in [str(i) for i in range(1, 11)]
                assert o.get("KenhThucHien", "") in ("1", "2", "3", "")
                if o["NgayKetThucXuLy"] if "NgayKetThucXuLy" in o else False:
                    assert not o["NgayTiepNhan"] or o["NgayKetThucXuLy"] >= o["NgayTiepNhan"]
            elif m["service"] == "CapNhatTienDoHoSoMC":
                assert o["TrangThai"] in [str(i) for i in range(1, 11)] and o["ThoiDiemXuLy"]
print("  %d files, %d lines, services %s" % (len(sample), lines, sorted(seen)))
sys.exit(0 if lines > 1000 and {"DongBoHoSoMC", "CapNhatTienDoHoSoMC"} <= seen else 1)
PY

exit $fail
