#!/bin/sh
# (make test-long: minutes on two cores.)  A national warehouse
# (docs/national.md): the 63-province sample at a small
# scale loaded through a coordinator and two shards (private servers of
# their own) and, separately, into the suite's one server; every analyst
# function must give the same rows on both, over several periods including
# one that spans the 1 July 2025 restructuring.  Then the faults: a shard
# that is down names itself, and a load to it leaves nothing behind; last,
# Kon Tum moves to a shard added later and every figure stays.
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db national
single_db=$PGDATABASE
scale=${HOSO_NATIONAL_SCALE:-0.0002}
from=2022-06-01
to=2024-08-31

stop_servers() {
	for s in c a b n; do
		"$HOSO_ROOT/scripts/pg.sh" stop "$work/$s" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap stop_servers EXIT
chmod 755 "$work"	# as root, the servers run as postgres
for s in c a b; do
	"$HOSO_ROOT/scripts/pg.sh" start "$work/$s" >/dev/null
done
pg_user=$(q -c "SELECT current_user")

"$HOSO_BIN/hoso-gen" --national --scale "$scale" --out "$work/nat" 2>"$work/gen.log" ||
	{ cat "$work/gen.log"; exit 1; }
assert_eq "$(tail -n +2 "$work/nat/provinces.csv" | wc -l)" 63 "the sample has 63 provinces"
# the 63 -> 34 map: 34 top units without a successor, 29 with one
assert_eq "$(grep -c '^000\.00\.00\.H[0-9]*,[^,]*,[^,]*,TINH,,[^,]*,,$' "$work/nat/reference/units.csv")" 34 \
	"34 provinces from 1 July 2025"
assert_contains "$(grep '^000\.00\.00\.H34,' "$work/nat/reference/units.csv")" ",2025-06-30,000.00.00.H55" \
	"Kon Tum becomes part of Quảng Ngãi"
# sizes skewed: the largest province a multiple of ten of Kon Tum's
kontum=$(awk -F, '$1 == "H34" { print $5 }' "$work/nat/provinces.csv")
largest=$(awk -F, 'NR > 1 && $5 > m { m = $5 } END { print m }' "$work/nat/provinces.csv")
[ "$largest" -ge $((kontum * 10)) ] && say "ok: largest province ($largest) ≥ 10 × Kon Tum ($kontum)" ||
	fail "largest province $largest is not ten times Kon Tum's $kontum"
# deterministic by seed
"$HOSO_BIN/hoso-gen" --national --scale "$scale" --out "$work/nat2" 2>/dev/null
assert_eq "$(cd "$work/nat/H34" && find landing -type f | sort | xargs cat | sha256sum)" \
	"$(cd "$work/nat2/H34" && find landing -type f | sort | xargs cat | sha256sum)" "same seed, same Kon Tum files"
rm -rf "$work/nat2"

# provinces H01..H32 on shard a, the rest on shard b
list() { tail -n +2 "$work/nat/provinces.csv" | cut -d, -f1 | sed -n "$1" | paste -sd, -; }
topology() {
	cat <<EOF
coordinator: "host=$work/c dbname=postgres user=$pg_user"
shards:
  - name: a
    conninfo: "host=$work/a dbname=postgres user=$pg_user"
    provinces: [$1]
  - name: b
    conninfo: "host=$work/b dbname=postgres user=$pg_user"
    provinces: [$2]
EOF
}
topology "$(list 1,32p)" "$(list 33,63p)" >"$work/topology.yaml"
topology "$(list 1,32p)" "$(list 32,63p)" >"$work/twice.yaml"
topology "$(list 1,31p)" "$(list 33,63p)" >"$work/missing.yaml"

set +e
out=$("$HOSO" shard init "$work/twice.yaml" 2>&1)
rc=$?
set -e
assert_eq "$rc" 2 "a province on two shards is a usage error"
assert_contains "$out" "province H32 is on shard \"a\" already" "the error names the province and the shard"

"$HOSO" shard init "$work/topology.yaml" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
"$HOSO" shard init "$work/topology.yaml" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
say "ok: shard init twice"

# loads: straight to each province's shard, two at a time
ls "$work/nat/pipelines/"*.yaml >"$work/pipelines"
if "$HOSO" shard run "$work/topology.yaml" --jobs 2 --from $from --to $to \
	$(cat "$work/pipelines") >"$work/run.log" 2>&1; then
	say "ok: national backfill through the shards"
else
	tail -20 "$work/run.log"
	fail "national backfill"
fi
"$HOSO" shard init "$work/topology.yaml" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
set +e
out=$("$HOSO" shard init "$work/missing.yaml" 2>&1)
rc=$?
set -e
assert_eq "$rc" 1 "a province of the catalogue on no shard fails init"
assert_contains "$out" "no shard holds the province(s) H32" "the error names the province"
"$HOSO" shard init "$work/topology.yaml" >"$work/init.log" 2>&1

# the same files into one server
xargs -P 2 -I{} "$HOSO" run --wait --from $from --to $to {} <"$work/pipelines" >"$work/single.log" 2>&1 ||
	{ tail -20 "$work/single.log"; fail "national load into one server"; }

coord() { PGHOST=$work/c PGDATABASE=postgres q "$@"; }
shard() { PGHOST=$work/$1 PGDATABASE=postgres q -c "$2"; }
single() { PGDATABASE=$single_db q "$@"; }

assert_eq "$(shard a "SELECT count(DISTINCT province) FROM hoso.case_fact")" 32 "shard a holds 32 provinces' cases"
assert_eq "$(shard b "SELECT string_agg(DISTINCT province, ',') FILTER (WHERE province <= 'H32') FROM hoso.case_fact")" "" \
	"shard b holds none of shard a's provinces"
assert_eq "$(shard b "SELECT count(DISTINCT province) FROM hoso.file_ledger")" 31 "shard b keeps its provinces' ledger"
assert_eq "$(single -c "SELECT count(DISTINCT province) FROM hoso.summary_day")" 63 \
	"the one server's summary rows carry 63 provinces"
total=$(single -c "SELECT count(*) FROM hoso.case_fact")
assert_eq "$(coord -c "SELECT count(*) FROM hoso.case_fact")" "$total" "the coordinator sees every case ($total)"

# every analyst function, coordinator against one server
compare() {
	a=$(coord -c "$1" 2>&1 || true)
	b=$(single -c "$1" 2>&1 || true)
	if [ "$a" = "$b" ] && [ -n "$a" ]; then
		say "ok: same on coordinator and one server: $1 ($(printf '%s\n' "$a" | wc -l) rows)"
	else
		fail "differs: $1"
		printf '%s\n' "$a" | head -5
		printf '%s\n' "$b" | head -5
	fi
}
for period in "2023-01-01 2023-10-31" "2023-07-01 2023-07-31" "2024-01-01 2025-12-31"; do
	set -- $period
	f="'$1'" t="'$2'"
	compare "SELECT * FROM hoso.period_summary($f, $t)"
	compare "SELECT * FROM hoso.period_summary($f, $t, '000.00.00.H34')"
	compare "SELECT * FROM hoso.monthly_trend($f, $t)"
done
compare "SELECT * FROM hoso.period_summary_by_unit('2023-07-01', '2023-07-31', 'XA')"
compare "SELECT * FROM hoso.unit_ranking('2023-01-01', '2023-10-31', 'TINH', 'on_time_rate')"
compare "SELECT * FROM hoso.unit_ranking('2023-07-01', '2023-07-31', 'TINH', 'online_share')"
compare "SELECT * FROM hoso.monthly_trend('2023-01-01', '2023-10-31', '000.00.00.H01', 'reporting')"
# across 2025-07-01: "as is", the 63 rolled up to the 34 through the successor map
compare "SELECT * FROM hoso.unit_ranking('2024-01-01', '2025-12-31', 'TINH', 'on_time_rate', 'ii06a', true)"
# an "as was" province ranking across 2025-07-01 is refused alike
compare "SELECT * FROM hoso.unit_ranking('2024-01-01', '2025-12-31', 'TINH', 'on_time_rate')"
assert_eq "$(coord -c "SELECT count(*) FROM hoso.unit_ranking('2023-07-01', '2023-07-31', 'TINH', 'online_share') WHERE unit_code LIKE '000.00.00.H%'")" 63 \
	"the 2023 ranking lists 63 provinces"
assert_eq "$(coord -c "SELECT count(*) FROM hoso.unit_ranking('2025-07-01', '2025-12-31', 'TINH', 'on_time_rate') WHERE unit_code LIKE '000.00.00.H%'")" 34 \
	"after 1 July 2025 there are 34"

# the aggregate grouped by province runs on each shard, both at once
plan=$(coord -c "EXPLAIN VERBOSE SELECT * FROM hoso.period_counts('2023-01-01', '2023-10-31')")
assert_contains "$plan" "Aggregate on (hoso_shard.summary_day_a" "shard a aggregates its summary rows"
assert_contains "$plan" "Aggregate on (hoso_shard.summary_day_b" "shard b aggregates its summary rows"
assert_contains "$plan" "Async Foreign Scan" "the shards are scanned at the same time"
assert_contains "$plan" "GROUP BY" "the remote SQL groups"

# analysts read the coordinator with their role
assert_eq "$(coord -c "SET ROLE hoso_analyst; SELECT received_total > 0 FROM hoso.period_summary('2023-01-01', '2023-10-31')")" t \
	"hoso_analyst queries the shards through the coordinator"

# faults: shard b down
status=$("$HOSO" shard status "$work/topology.yaml" 2>&1)
assert_contains "$status" "H34 last load 20" "status shows Kon Tum's last load"
"$HOSO_ROOT/scripts/pg.sh" stop "$work/b" >/dev/null
set +e
out=$(coord -c "SELECT * FROM hoso.period_summary('2023-01-01', '2023-10-31')" 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ] && say "ok: a national query fails with a shard down" || fail "a national query with shard b down succeeded"
assert_contains "$out" "hoso_shard_b" "the error names the shard"
set +e
out=$("$HOSO" run --topology "$work/topology.yaml" --replace --from $from --to $to "$work/nat/pipelines/H34.yaml" 2>&1)
rc=$?
status=$("$HOSO" shard status "$work/topology.yaml" 2>&1)
src=$?
set -e
assert_eq "$rc" 1 "Kon Tum's load to the shard that is down exits 1"
assert_eq "$src" 1 "shard status exits 1 with a shard down"
assert_contains "$status" "DOWN" "shard status says which shard is down"
runs_a=$(shard a "SELECT count(*) FROM hoso.run")
"$HOSO" run --topology "$work/topology.yaml" --from $from --to $to "$work/nat/pipelines/H01.yaml" >/dev/null 2>&1 &&
	say "ok: a province on the other shard still loads" || fail "H01's load on shard a failed with b down"
assert_eq "$(shard a "SELECT count(*) FROM hoso.run")" $((runs_a + 1)) "its run is recorded on shard a"
"$HOSO_ROOT/scripts/pg.sh" start "$work/b" >/dev/null
assert_eq "$(shard b "SELECT count(*) FROM hoso.run WHERE province = 'H34'")" 1 \
	"nothing of the failed load reached shard b"
compare "SELECT * FROM hoso.unit_ranking('2023-07-01', '2023-07-31', 'TINH', 'online_share')"

# Kon Tum moves to a shard added later (docs/national.md, "Moving a province")
"$HOSO_ROOT/scripts/pg.sh" start "$work/n" >/dev/null
{
	topology "$(list 1,32p)" "$(list 33,63p | sed 's/H34,//')"
	printf '  - name: n\n    conninfo: "host=%s dbname=postgres user=%s"\n    provinces: [H34]\n' "$work/n" "$pg_user"
} >"$work/topology3.yaml"
"$HOSO" shard move "$work/topology3.yaml" --province H34 --from-shard b >"$work/move.log" 2>&1 ||
	{ cat "$work/move.log"; fail "moving Kon Tum to shard n"; }
assert_eq "$(shard b "SELECT count(*) FROM hoso.case_fact WHERE province = 'H34'")" 0 "shard b keeps none of Kon Tum's cases"
assert_eq "$(shard n "SELECT count(*) FROM hoso.case_fact")" \
	"$(single -c "SELECT count(*) FROM hoso.case_fact WHERE province = 'H34'")" "shard n holds them all"
compare "SELECT * FROM hoso.unit_ranking('2023-01-01', '2023-10-31', 'TINH', 'on_time_rate')"
compare "SELECT * FROM hoso.period_summary('2023-01-01', '2023-10-31')"
compare "SELECT * FROM hoso.monthly_trend('2023-01-01', '2023-10-31', '000.00.00.H34', 'reporting')"
compare "SELECT * FROM hoso.unit_ranking('2024-01-01', '2025-12-31', 'TINH', 'on_time_rate', 'ii06a', true)"
finish
