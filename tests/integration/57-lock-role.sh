#!/bin/sh
# The warehouse lock can be held only by the role that loads: a reading
# role (hoso_analyst) can neither take it nor keep the runs out by taking
# the advisory lock the runner used to hold.
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db lockrole
mkdir -p "$work/input"
printf '{"_at":"20230301170000","_src":"L","service":"DongBoHoSoMC","data":[{"MaHoSo":"L-1","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"20230301080000","NgayHenTra":"20230306170000","TrangThaiHoSo":"4"}]}\n' >"$work/input/a.jsonl"
pipeline_for "$work" "$work/p.yaml"
"$HOSO" run "$work/p.yaml" --date 2023-03-01 >"$work/1.log" 2>&1 || fail "first run: $(tail -3 "$work/1.log")"
q -c "DROP ROLE IF EXISTS lock_reader" 2>/dev/null || true
q -c "CREATE ROLE lock_reader LOGIN IN ROLE hoso_analyst"
rc=0; out=$(PGUSER=lock_reader psql -X -Atq -v ON_ERROR_STOP=1 -c "BEGIN" \
	-c "SELECT 1 FROM hoso.run_lock FOR UPDATE NOWAIT" 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "a reading role locked hoso.run_lock"
assert_contains "$out" "permission denied" "a reading role cannot take the warehouse lock"
# the reader holds every advisory lock it may think of: runs go on
PGUSER=lock_reader psql -X -q -c "SET application_name = 'reader-holding'" \
	-c "SELECT pg_advisory_lock(4850303001)" -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
reader=$!
i=0
while [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'reader-holding' AND state = 'active'")" = 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
sed 's/L-1/L-2/' "$work/input/a.jsonl" >"$work/input/b.jsonl"
rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-01 2>&1) || rc=$?
assert_eq "$rc" 0 "a run proceeds while a reader holds an advisory lock"
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'reader-holding'" >/dev/null
wait "$reader" 2>/dev/null || true
q -c "DROP ROLE lock_reader" 2>/dev/null || q -c "REASSIGN OWNED BY lock_reader TO CURRENT_USER; DROP OWNED BY lock_reader; DROP ROLE lock_reader" >/dev/null 2>&1 || true
finish
