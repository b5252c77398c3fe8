#!/bin/sh
# Staging belongs to one run of one warehouse: two pipelines for two
# warehouses started from one working directory never load each other's
# staging files, never remove each other's, and hoso-load refuses a
# staging directory made for another warehouse or another run.
. "$HOSO_ROOT/tests/integration/lib.sh"

mkdir -p "$work/a" "$work/b" "$work/cwd"
# small_day DIR NAME N: N cases received on 2023-03-01, one file
small_day() {
	awk -v n="$3" -v tag="$2" 'BEGIN { for (i = 1; i <= n; i++)
		printf "{\"_at\":\"20230301170000\",\"_src\":\"T\",\"service\":\"DongBoHoSoMC\",\"data\":[{\"MaHoSo\":\"%s-230301-%04d\",\"MaTTHC\":\"1.000001\",\"KenhThucHien\":\"2\",\"NgayTiepNhan\":\"20230301080000\",\"NgayHenTra\":\"20230306170000\",\"TrangThaiHoSo\":\"4\"}]}\n", tag, i }' >"$1/$2.jsonl"
}
for i in 1 2 3; do small_day "$work/a" "A$i" 20; small_day "$work/b" "B$i" 30; done
for w in a b; do
	cat >"$work/$w.yaml" <<YAML
name: warehouse-$w
source:
  paths: ["$work/$w/*"]
  format: dvcqg-jsonl
target:
  conninfo: "dbname=wh_$w"
$(kontum_reference)
YAML
	dropdb --if-exists "wh_$w" >/dev/null 2>&1; createdb "wh_$w"
done
ledger_paths() { q -d "wh_$1" -c "SELECT path FROM hoso.file_ledger ORDER BY path"; }
own_paths() { ls "$work/$1"/* | sort; }

cd "$work/cwd"
# relative paths resolve against the pipeline files' directory: both share it
st=$work/.hoso/staging
# A keeps its staging directory; B, run next from the same directory, must
# neither remove it nor be able to load it
"$HOSO" run "$work/a.yaml" --date 2023-03-09 --keep-staging >"$work/a.log" 2>&1 || fail "A failed: $(cat "$work/a.log")"
a_dir=$(ls -d $st/*/run-* 2>/dev/null | head -1)
[ -n "$a_dir" ] || fail "A kept no staging directory under $st/WAREHOUSE/"
"$HOSO" run "$work/b.yaml" --date 2023-03-09 >"$work/b.log" 2>&1 || fail "B failed: $(cat "$work/b.log")"
assert_eq "$( [ -d "$a_dir" ] && echo kept)" kept "B's runner leaves A's staging directory alone"
assert_eq "$(ls -d $st/* | wc -l)" 2 "one staging folder per warehouse"
a_run=$(q -d wh_a -c "SELECT max(run_id) FROM hoso.run")
b_before=$(PGDATABASE=wh_b table_digest)
rc=0; out=$(PGDATABASE=wh_b "$HOSO_BIN/hoso-load" --run-id "$a_run" "$a_dir" 2>&1) || rc=$?
assert_eq "$rc" 1 "hoso-load refuses another warehouse's staging directory"
assert_contains "$out" "belongs to another warehouse" "... and says why"
assert_eq "$(PGDATABASE=wh_b table_digest)" "$b_before" "... and loads nothing"
rc=0; out=$(PGDATABASE=wh_a "$HOSO_BIN/hoso-load" --run-id $((a_run + 1)) "$a_dir" 2>&1) || rc=$?
assert_eq "$rc" 1 "hoso-load refuses a staging directory of another run"
assert_contains "$out" "was made for run $a_run" "... and says why"
rc=0; out=$(PGDATABASE=wh_a "$HOSO_BIN/hoso-load" --run-id "$a_run" "$a_dir" 2>&1) || rc=$?
assert_eq "$rc" 1 "hoso-load refuses the directory of a run that is over"
assert_contains "$out" "only a running run may load its staging directory" "... and says why"
rm -f "$a_dir/OWNER"
rc=0; out=$(PGDATABASE=wh_a "$HOSO_BIN/hoso-load" --run-id "$a_run" "$a_dir" 2>&1) || rc=$?
assert_eq "$rc" 1 "hoso-load refuses a staging directory without OWNER"

# the race: both at once, from the same directory, many times; each
# warehouse ends with exactly its own files
for w in a b; do dropdb "wh_$w"; createdb "wh_$w"; done
rm -rf "$work/.hoso"
round=0
while [ "$round" -lt 3 ]; do
	round=$((round + 1))
	for w in a b; do q -d "wh_$w" -c "TRUNCATE hoso.file_ledger CASCADE" 2>/dev/null || true; done
	"$HOSO" run "$work/a.yaml" --date 2023-03-09 --replace >"$work/a.log" 2>&1 &
	pa=$!
	"$HOSO" run "$work/b.yaml" --date 2023-03-09 --replace >"$work/b.log" 2>&1 &
	pb=$!
	ra=0; wait "$pa" || ra=$?
	rb=0; wait "$pb" || rb=$?
	assert_eq "$ra $rb" "0 0" "round $round: both runs succeed"
	assert_eq "$(ledger_paths a)" "$(own_paths a)" "round $round: A's ledger holds A's files, only"
	assert_eq "$(ledger_paths b)" "$(own_paths b)" "round $round: B's ledger holds B's files, only"
done
assert_eq "$(find $st -name 'run-*' | wc -l)" 0 "no staging directory left behind"
cd /
finish
