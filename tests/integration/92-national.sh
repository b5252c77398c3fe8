#!/bin/sh
# A national warehouse in small (docs/national.md; tests/long/90-national.sh
# is the whole country): a coordinator and two shards, private servers of
# their own; five provinces of the national sample (Kon Tum and Quảng Ngãi,
# which merge on 1 July 2025, on one shard, three northern ones on the
# other) over three months, loaded through the shards and, separately,
# into the suite's one server.  Every analyst function must give the same
# rows on both, over periods including one that spans 1 July 2025.  Then
# Kon Tum moves to a shard added later (hoso shard move): the same rows
# again, none left behind, and its next load goes to the new shard.  Last
# the faults: a shard down or killed mid-query fails a national query
# naming the shard; a load to it, or one it dies under, exits 1 and leaves
# nothing behind while another shard's province loads; once it is back,
# the rerun loads once.
. "$HOSO_ROOT/tests/integration/lib.sh"
fresh_db national_small
single_db=$PGDATABASE
from=2023-06-01
to=2023-08-31
provinces="H01 H02 H05 H34 H55"

servers="c a b n"	# n: the shard added later
stop_servers() {
	for s in $servers; do
		"$HOSO_ROOT/scripts/pg.sh" stop "$work/$s" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap stop_servers EXIT
chmod 755 "$work"	# as root, the servers run as postgres
for s in $servers; do
	"$HOSO_ROOT/scripts/pg.sh" start "$work/$s" >/dev/null &
done
wait
pg_user=$(q -c "SELECT current_user")

"$HOSO_BIN/hoso-gen" --national --scale 0.0002 --provinces "$(echo $provinces | tr ' ' ,)" \
	--out "$work/nat" 2>"$work/gen.log" ||
	{ cat "$work/gen.log"; exit 1; }
pipelines() { for p in "$@"; do printf '%s ' "$work/nat/pipelines/$p.yaml"; done; }

# H01..H32 on shard a, the rest on shard b; later Kon Tum on shard n
list() { tail -n +2 "$work/nat/provinces.csv" | cut -d, -f1 | sed -n "$1" | paste -sd, -; }
shard_entry() {
	printf '  - name: %s\n    conninfo: "host=%s dbname=postgres user=%s"\n    provinces: [%s]\n' \
		"$1" "$work/$1" "$pg_user" "$2"
}
{
	echo "coordinator: \"host=$work/c dbname=postgres user=$pg_user\""
	echo "shards:"
	shard_entry a "$(list 1,32p)"
	shard_entry b "$(list 33,63p)"
} >"$work/topology.yaml"
{
	echo "coordinator: \"host=$work/c dbname=postgres user=$pg_user\""
	echo "shards:"
	shard_entry a "$(list 1,32p)"
	shard_entry b "$(list 33,63p | sed 's/H34,//')"
	shard_entry n "H34"
} >"$work/topology3.yaml"

coord() { PGHOST=$work/c PGDATABASE=postgres q "$@"; }
shard() { PGHOST=$work/$1 PGDATABASE=postgres q -c "$2"; }
single() { PGDATABASE=$single_db q "$@"; }

"$HOSO" shard init "$work/topology.yaml" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
"$HOSO" shard run "$work/topology.yaml" --jobs 2 --from $from --to $to $(pipelines $provinces) \
	>"$work/run.log" 2>&1 || { tail -20 "$work/run.log"; fail "backfill through the shards"; }
"$HOSO" shard init "$work/topology.yaml" >"$work/init.log" 2>&1 || { cat "$work/init.log"; exit 1; }
pipelines $provinces | xargs -n 1 -P 2 "$HOSO" run --wait --from $from --to $to >"$work/single.log" 2>&1 ||
	{ tail -20 "$work/single.log"; fail "the provinces into one server"; }
assert_eq "$(shard a "SELECT string_agg(DISTINCT province, ',' ORDER BY province) FROM hoso.case_fact")" \
	"H01,H02,H05" "shard a holds its three provinces' cases"
assert_eq "$(shard b "SELECT string_agg(DISTINCT province, ',' ORDER BY province) FROM hoso.case_fact")" \
	"H34,H55" "shard b holds Kon Tum's and Quảng Ngãi's"
total=$(single -c "SELECT count(*) FROM hoso.case_fact")
[ "$total" -gt 0 ] || fail "no cases loaded"
assert_eq "$(coord -c "SELECT count(*) FROM hoso.case_fact")" "$total" "the coordinator sees every case ($total)"

# every analyst function, over periods one of which spans 1 July 2025
queries="$work/queries.sql"
for period in "2023-06-01 2023-08-31" "2023-07-01 2023-07-31" "2023-01-01 2025-12-31"; do
	set -- $period
	f="'$1'" t="'$2'"
	cat <<SQL
SELECT * FROM hoso.period_summary($f, $t);
SELECT * FROM hoso.period_summary($f, $t, '000.00.00.H34');
SELECT * FROM hoso.period_summary_by_unit($f, $t, 'HUYEN');
SELECT * FROM hoso.monthly_trend($f, $t);
SELECT * FROM hoso.procedure_durations($f, $t);
SELECT * FROM hoso.index_766($f, $t);
SQL
done >"$queries"
cat >>"$queries" <<'SQL'
SELECT * FROM hoso.unit_ranking('2023-06-01', '2023-08-31', 'TINH', 'on_time_rate');
SELECT * FROM hoso.unit_ranking('2023-07-01', '2023-07-31', 'XA', 'online_share');
SELECT * FROM hoso.monthly_trend('2023-06-01', '2023-08-31', '000.00.00.H55', 'reporting');
SELECT * FROM hoso.unit_ranking('2023-01-01', '2025-12-31', 'TINH', 'on_time_rate', 'ii06a', true);
SELECT * FROM hoso.coverage();
SQL
# answers QUERY-FUNCTION LABEL: every query's rows, in one session, each
# after a line naming it (an error, such as a refused ranking, is an answer too)
answers() {
	awk '{ printf "\\echo == %s\n%s\n", $0, $0 }' "$queries" | $1 -v ON_ERROR_STOP=0 >"$work/$2" 2>&1 || true
}
# same_answers LABEL LABEL WHAT: the same rows for every query
same_answers() {
	if [ "$(grep -c '^== ' "$work/$1")" = "$(wc -l <"$queries")" ] && cmp -s "$work/$1" "$work/$2"; then
		say "ok: $3: $(wc -l <"$queries") queries, $(grep -vc '^== ' "$work/$1") rows alike"
	else
		fail "$3"
		diff "$work/$1" "$work/$2" | head -10
	fi
}
# Cases of unknown unit have the same unit path in every province; each
# province keeps its own summary row of a day.  The sample is too small to
# have such cases: their rows are made here, alike on shard b and on the
# one server, for Kon Tum and Quảng Ngãi on the same day.  Shard n, added
# later, has one too (of a province outside its views) when Kon Tum moves in.
unresolved_day=2023-07-14
unresolved_rows="INSERT INTO hoso.summary_day (day, unit_path, province, received_online, d_open)
	VALUES ('$unresolved_day', '{UNRESOLVED}', 'H34', 1, 1), ('$unresolved_day', '{UNRESOLVED}', 'H55', 2, 2)"
shard b "$unresolved_rows" >/dev/null || fail "two provinces' rows of unknown unit of a day on shard b"
single -c "$unresolved_rows" >/dev/null || fail "two provinces' rows of unknown unit of a day on one server"
PGHOST=$work/n PGDATABASE=postgres "$HOSO_BIN/hoso-load" --migrate >/dev/null 2>&1 || fail "migrate shard n"
shard n "INSERT INTO hoso.summary_day (day, unit_path, province, received_online)
	VALUES ('$unresolved_day', '{UNRESOLVED}', 'H55', 1)" >/dev/null || fail "a row of unknown unit on shard n"

answers single one
answers coord before
same_answers one before "coordinator = one server"

# Each unit of a level over the national catalogue (8,000 units): the cases
# received per unit, as was and as is, against the summary rows' flows per
# unit path mapped in Python from units.csv: a path counts under the least
# code of the units of the level it reaches, as was the units on it, as is
# the ends of their successor chains and the parents of those.
single -F ' ' -c "SELECT array_to_string(unit_path, ','), sum(received_online + received_direct + received_postal)
		  FROM hoso.summary_day WHERE day BETWEEN '$from' AND '$to' GROUP BY unit_path" >"$work/flows"
python3 - "$work/nat/reference/units.csv" "$work/flows" >"$work/by_unit.expected" <<'PY'
import csv, sys
units = {r["code"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}

def reached(code, as_is):
    if not as_is:
        return {code}
    ends, chain = set(), {(code, 0)}
    while chain:
        nxt = set()
        for c, d in chain:
            succ = units.get(c, {}).get("successor_code")
            if succ and d < 16:
                nxt.add((succ, d + 1))
            elif not succ:
                ends.add(c)
        chain = nxt
    out = set()
    for c in ends:
        for _ in range(17):
            if c not in units:
                break
            out.add(c)
            c = units[c]["parent_code"]
    return out

# the order of the queries below
ORDER = [("TINH", False), ("HUYEN", False), ("XA", False), ("SO_NGANH", False), ("TINH", True), ("XA", True)]
totals = {}
for line in open(sys.argv[2], encoding="utf-8"):
    path, n = line.split()
    path = path.split(",")
    for level, as_is in ORDER:
        if path == ["UNRESOLVED"]:
            code = "UNRESOLVED"
        else:
            at = [c for p in path if p in units for c in reached(p, as_is) if units[c]["level"] == level]
            if not at:
                continue
            code = min(at, key=lambda c: c.encode())
        key = (level, as_is, code)
        totals[key] = totals.get(key, 0) + int(n)
for (level, as_is, code), n in sorted(totals.items(), key=lambda kv: (ORDER.index(kv[0][:2]), kv[0][2] == "UNRESOLVED", kv[0][2].encode())):
    if n:
        print(level, "t" if as_is else "f", code, n)
PY
for x in "TINH false" "HUYEN false" "XA false" "SO_NGANH false" "TINH true" "XA true"; do
	set -- $x
	single -F ' ' -c "SELECT '$1', '${2%"${2#?}"}', unit_code, received_in_period
			  FROM hoso.period_summary_by_unit('$from', '$to', '$1', 'ii06a', $2)
			 WHERE received_in_period > 0 ORDER BY unit_code = 'UNRESOLVED', unit_code COLLATE \"C\""
done >"$work/by_unit.got"
if [ -s "$work/by_unit.expected" ] && cmp -s "$work/by_unit.expected" "$work/by_unit.got"; then
	say "ok: every unit of TINH, HUYEN, XA, SO_NGANH as was and TINH, XA as is: $(wc -l <"$work/by_unit.got") rows as counted from the summary rows"
else
	fail "units at a level differ from those counted from the summary rows"
	diff "$work/by_unit.expected" "$work/by_unit.got" | head -10
fi
assert_eq "$(coord -c "SELECT count(*) FROM hoso.unit_ranking('2023-06-01', '2023-08-31', 'TINH', 'on_time_rate') WHERE unit_code LIKE '000.00.00.H%'")" 63 \
	"the 2023 ranking lists the 63 provinces"
plan=$(coord -c "EXPLAIN VERBOSE SELECT * FROM hoso.period_counts('2023-06-01', '2023-08-31')")
assert_contains "$plan" "Aggregate on (hoso_shard.summary_day_b" "shard b aggregates its own summary rows"

# Kon Tum moves to shard n, added later.  The first move is killed once its
# copy is in: shard b's summary table is held by a lock its delete waits on
PGHOST=$work/b PGDATABASE=postgres q -c "BEGIN; LOCK TABLE hoso.summary_day IN SHARE MODE; SELECT pg_sleep(120)" \
	>/dev/null 2>&1 &
holder=$!
"$HOSO" shard move "$work/topology3.yaml" --province H34 --from-shard b >"$work/move.log" 2>&1 &
mover=$!
tries=0
until [ "$(shard b "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hoso shard move' AND wait_event_type = 'Lock'")" = 1 ] ||
	[ $tries -ge 300 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
[ $tries -lt 300 ] || { cat "$work/move.log"; fail "the move never reached its delete"; }
kill -9 $mover
wait $mover || true
shard b "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null
wait $holder || true
assert_eq "$(shard n "SELECT count(*) FROM hoso.case_fact WHERE province = 'H34'") $(shard b "SELECT count(*) FROM hoso.case_fact WHERE province = 'H34'")" \
	"$(single -c "SELECT count(*) FROM hoso.case_fact WHERE province = 'H34'") $(single -c "SELECT count(*) FROM hoso.case_fact WHERE province = 'H34'")" \
	"the killed move left Kon Tum's cases on both shards"
answers coord stopped
same_answers before stopped "the coordinator while the move is stopped midway = before it"
assert_contains "$("$HOSO" shard status "$work/topology3.yaml" 2>&1)" "H34 last load" "shard status lists Kon Tum"
assert_contains "$("$HOSO" shard status "$work/topology3.yaml" 2>&1)" "NOT this shard's in the topology: a move stopped midway" \
	"shard status says that shard b still holds Kon Tum's rows"
"$HOSO" shard move "$work/topology3.yaml" --province H34 --from-shard b >"$work/move.log" 2>&1 ||
	{ cat "$work/move.log"; fail "shard move, again"; }
assert_contains "$(cat "$work/move.log")" "on shard \"n\" already; deleted from shard \"b\"" "the rerun finishes the move"
answers coord moved
same_answers before moved "the coordinator after the move = before it"
assert_eq "$(shard b "SELECT (SELECT count(*) FROM hoso.run WHERE province = 'H34') + (SELECT count(*) FROM hoso.file_ledger WHERE province = 'H34') + (SELECT count(*) FROM hoso.case_fact WHERE province = 'H34') + (SELECT count(*) FROM hoso.summary_day WHERE province = 'H34')")" 0 \
	"shard b keeps none of Kon Tum's rows"
assert_eq "$(shard n "SELECT count(*) FROM hoso.file_ledger WHERE province = 'H34'")" \
	"$(single -c "SELECT count(*) FROM hoso.file_ledger WHERE province = 'H34'")" "shard n has Kon Tum's whole ledger"
assert_eq "$(shard n "SELECT string_agg(province, ',' ORDER BY province) FROM hoso.summary_day WHERE day = '$unresolved_day' AND unit_path = '{UNRESOLVED}'")" \
	"H34,H55" "shard n: Kon Tum's row of unknown unit moved in beside another province's of the same day"
shard n "DELETE FROM hoso.summary_day WHERE province = 'H55'" >/dev/null
out=$("$HOSO" shard move "$work/topology3.yaml" --province H34 --from-shard b 2>&1) ||
	fail "a second move of the same province fails: $out"
assert_contains "$out" "nothing on shard \"b\"" "moving again finds nothing left to move"
# the next month of Kon Tum goes to shard n, its ledger skipping what moved with it
"$HOSO" run --topology "$work/topology3.yaml" --from $from --to 2023-09-30 "$work/nat/pipelines/H34.yaml" \
	>"$work/later.log" 2>&1 || { tail "$work/later.log"; fail "Kon Tum's later load"; }
assert_contains "$(cat "$work/later.log")" "shard \"n\"" "Kon Tum's later load goes to shard n"
assert_eq "$(shard n "SELECT count(*) FROM hoso.file_ledger") $(shard n "SELECT count(DISTINCT path) FROM hoso.file_ledger")" \
	"$(ls "$work"/nat/H34/landing/2023/0[6-9]/*/* | wc -l) $(ls "$work"/nat/H34/landing/2023/0[6-9]/*/* | wc -l)" \
	"each of Kon Tum's files of June to September once on shard n"
assert_eq "$(shard b "SELECT count(*) FROM hoso.run WHERE province = 'H34'")" 0 "nothing of it on shard b"

# faults: shard a down, then killed in the middle of a query
"$HOSO_ROOT/scripts/pg.sh" stop "$work/a" >/dev/null
set +e
out=$(coord -c "SELECT * FROM hoso.period_summary('2023-06-01', '2023-08-31')" 2>&1)
rc=$?
set -e
[ "$rc" -ne 0 ] && say "ok: a national query fails with shard a down" || fail "a national query with shard a down succeeded"
assert_contains "$out" "hoso_shard_a" "the error names the shard"
set +e
out=$("$HOSO" run --topology "$work/topology3.yaml" --from $from --to 2023-09-30 "$work/nat/pipelines/H02.yaml" 2>&1)
rc=$?
set -e
assert_eq "$rc" 1 "a load to the shard that is down exits 1"
"$HOSO_ROOT/scripts/pg.sh" start "$work/a" >/dev/null
assert_eq "$(shard a "SELECT count(*) FROM hoso.run WHERE province = 'H02'")" 1 "nothing of the failed load reached shard a"

# mid-query: a session holds shard a's summary table; the national query waits on it; the server dies
PGHOST=$work/a PGDATABASE=postgres q -c "BEGIN; LOCK TABLE hoso.summary_day; SELECT pg_sleep(60)" \
	>/dev/null 2>&1 &
holder=$!
tries=0
until [ "$(shard a "SELECT count(*) FROM pg_locks WHERE relation = 'hoso.summary_day'::regclass AND mode = 'AccessExclusiveLock' AND granted")" = 1 ] ||
	[ $tries -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
coord -c "SELECT * FROM hoso.unit_ranking('2023-06-01', '2023-08-31', 'TINH', 'on_time_rate')" >"$work/killed.out" 2>&1 &
query=$!
tries=0
until [ "$(shard a "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%hoso_shard_a.summary_day%'")" = 1 ] ||
	[ $tries -ge 50 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
"$HOSO_ROOT/scripts/pg.sh" kill "$work/a"
set +e
wait $query
rc=$?
wait $holder
set -e
[ "$rc" -ne 0 ] && say "ok: the national query fails when shard a dies under it" ||
	fail "the query succeeded with shard a killed: $(head -3 "$work/killed.out")"
assert_contains "$(cat "$work/killed.out")" "hoso_shard_a" "the error names the shard that died"
"$HOSO_ROOT/scripts/pg.sh" start "$work/a" >/dev/null

# mid-load: Hà Nội's load on shard a waits on a lock held there when the
# server dies; Quảng Ngãi's on shard b goes on; the rerun loads once
ledger_a=$(shard a "SELECT count(*) FROM hoso.file_ledger")
cases_a=$(shard a "SELECT count(*) FROM hoso.case_fact")
PGHOST=$work/a PGDATABASE=postgres q -c "BEGIN; LOCK TABLE hoso.summary_day IN SHARE MODE; SELECT pg_sleep(60)" \
	>/dev/null 2>&1 &
holder=$!
"$HOSO" run --topology "$work/topology3.yaml" --from 2023-10-01 --to 2023-10-31 "$work/nat/pipelines/H01.yaml" \
	>"$work/h01.log" 2>&1 &
load=$!
"$HOSO" run --topology "$work/topology3.yaml" --from 2023-10-01 --to 2023-10-31 "$work/nat/pipelines/H55.yaml" \
	>"$work/h55b.log" 2>&1 &
other=$!
tries=0
until [ "$(shard a "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name LIKE 'hoso%'")" -ge 1 ] ||
	[ $tries -ge 300 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
[ $tries -lt 300 ] || fail "Hà Nội's load never reached the locked table"
"$HOSO_ROOT/scripts/pg.sh" kill "$work/a"
set +e
wait $load
rc=$?
wait $other
rc_other=$?
wait $holder
set -e
assert_eq "$rc" 1 "a load whose shard dies under it exits 1"
assert_eq "$rc_other" 0 "the load of a province on another shard goes on"
"$HOSO_ROOT/scripts/pg.sh" start "$work/a" >/dev/null
assert_eq "$(shard a "SELECT count(*) FROM hoso.file_ledger")" "$ledger_a" "the killed load left no file in shard a's ledger"
assert_eq "$(shard a "SELECT count(*) FROM hoso.case_fact")" "$cases_a" "nor a case"
"$HOSO" run --topology "$work/topology3.yaml" --from 2023-10-01 --to 2023-10-31 "$work/nat/pipelines/H01.yaml" \
	>"$work/h01.log" 2>&1 || { tail "$work/h01.log"; fail "Hà Nội's rerun"; }
# the one server loads what the shards loaded since
{
	echo "--from $from --to 2023-09-30 $work/nat/pipelines/H34.yaml"
	echo "--from 2023-10-01 --to 2023-10-31 $work/nat/pipelines/H55.yaml"
	echo "--from 2023-10-01 --to 2023-10-31 $work/nat/pipelines/H01.yaml"
} | xargs -L 1 -P 2 "$HOSO" run --wait >>"$work/single.log" 2>&1 ||
	{ tail "$work/single.log"; fail "the later loads into one server"; }
assert_eq "$(shard a "SELECT count(*) FROM hoso.file_ledger WHERE province = 'H01'")" \
	"$(single -c "SELECT count(*) FROM hoso.file_ledger WHERE province = 'H01'")" "the rerun loads each of Hà Nội's files once"
answers single one2
answers coord back
same_answers one2 back "coordinator = one server after the move, the later loads, the crashes and reruns"
finish
