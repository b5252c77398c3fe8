#!/bin/sh
# Crash safety: SIGKILL the runner or one of its stages at a
# random moment, many times.  After every kill the warehouse must be exactly
# as before the run, or, when the kill came after the load committed,
# exactly as after it: never in between.  Then a rerun completes and the
# warehouse equals a clean load of the same files.
#
# HOSO_CRASH_TRIALS (default 10; make test-long runs 50, tests/long/)
# sets the number of trials; HOSO_CRASH_SEED makes the kill schedule
# reproducible.
. "$HOSO_ROOT/tests/integration/lib.sh"
trials=${HOSO_CRASH_TRIALS:-10}
seed=${HOSO_CRASH_SEED:-$$}
say "trials: $trials, seed: $seed"

sample=$(kontum_sample) || { fail "hoso-gen failed"; finish; }
mkdir -p "$work/days1" "$work/days2"
cp "$sample"/landing/2023/03/0[1-3]/* "$work/days1/"
cp "$sample"/landing/2023/03/0[4-9]/* "$work/days2/"
pipeline() {
	cat <<YAML
name: crash
source:
  paths: ["$work/days1/*", "$work/days2/*"]
  format: dvcqg-jsonl
reference:
  units: $HOSO_ROOT/schemas/reference/kontum/units.csv
  procedures: $HOSO_ROOT/schemas/reference/kontum/procedures.csv
  calendar: $HOSO_ROOT/schemas/reference/calendar
staging: $work/staging
YAML
}
pipeline >"$work/p.yaml"

# the clean reference: everything in one run
fresh_db crash_clean
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >/dev/null 2>&1 || fail "clean load failed"
table_digest >"$work/clean"

# the warehouse under test: days1 loaded; the killed runs bring days2
fresh_db crash
mv "$work/days2" "$work/days2.hold"; mkdir "$work/days2"
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >/dev/null 2>&1 || fail "first half failed"
rmdir "$work/days2"; mv "$work/days2.hold" "$work/days2"
table_digest >"$work/before"
start=$(date +%s%N)
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >/dev/null 2>&1 || fail "timing run failed"
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
table_digest >"$work/after"
say "a full run of the second half takes $full_ms ms"
# back to the state before it, by a fresh copy of the first half
fresh_db crash
mv "$work/days2" "$work/days2.hold"; mkdir "$work/days2"
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >/dev/null 2>&1
rmdir "$work/days2"; mv "$work/days2.hold" "$work/days2"
cmp -s "$work/before" "$(table_digest >"$work/b2"; echo "$work/b2")" || fail "the first half does not reload identically"

killed_before=0 completed=0 i=0
while [ "$i" -lt "$trials" ]; do
	i=$((i + 1))
	delay=$(awk -v s="$seed" -v i="$i" -v m="$full_ms" 'BEGIN { srand(s * 1000 + i); printf "%.3f", rand() * 0.8 * m / 1000 }')
	# its own session: the trial's processes, and only they, form one group
	setsid "$HOSO" run "$work/p.yaml" --date 2023-03-09 --wait >/dev/null 2>&1 &
	runner=$!
	sleep "$delay"
	victims="$runner $(pgrep -P "$runner" | tr '\n' ' ')"
	victim=$(echo $victims | awk -v s="$seed" -v i="$i" '{ srand(s * 7 + i); print $(1 + int(rand() * NF)) }')
	name=$(ps -o comm= -p "$victim" 2>/dev/null || echo gone)
	kill -KILL "$victim" 2>/dev/null || true
	wait "$runner" 2>/dev/null || true
	# stages orphaned by a killed runner die with their process group
	kill -KILL -- "-$runner" 2>/dev/null || true
	wait_sessions_gone
	table_digest >"$work/now"
	if cmp -s "$work/now" "$work/before"; then
		killed_before=$((killed_before + 1))
	elif cmp -s "$work/now" "$work/after"; then
		completed=$((completed + 1))
		say "trial $i: $name killed after the load committed (delay $delay s); resetting"
		fresh_db crash
		mv "$work/days2" "$work/days2.hold"; mkdir "$work/days2"
		"$HOSO" run "$work/p.yaml" --date 2023-03-09 >/dev/null 2>&1
		rmdir "$work/days2"; mv "$work/days2.hold" "$work/days2"
	else
		fail "trial $i: killing $name after $delay s left a half-loaded warehouse"
		diff "$work/before" "$work/now" | head -20
		break
	fi
done
say "$i trials: $killed_before left the warehouse as before, $completed had committed"
[ "$killed_before" -ge $((trials / 4)) ] || fail "too few kills landed during the run"

# no stale staging directory survives the next run, and the run rows of
# killed runners say they were interrupted (one made by hand: a runner
# killed before its first statement after the INSERT)
stale=$(q -c "INSERT INTO hoso.run (kind, pipeline, status) VALUES ('run', 'crash', 'running') RETURNING run_id")
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >"$work/rerun.log" 2>&1 || fail "rerun after the trials failed"
assert_eq "$(q -c "SELECT count(*) FROM hoso.run WHERE status = 'running'")" 0 "no run row is left 'running'"
assert_contains "$(q -c "SELECT status || ' ' || message FROM hoso.run WHERE run_id = $stale")" \
	"failed interrupted: its runner stopped before finishing" "a killed runner's row is marked interrupted"
assert_contains "$(cat "$work/rerun.log")" "had been interrupted" "the run that marks it says so"
table_digest >"$work/final"
assert_eq "$(cmp -s "$work/final" "$work/clean" && echo same)" same "rerun after the trials equals a clean load"
left=$(ls "$work/staging" 2>/dev/null | wc -l)
assert_eq "$left" 0 "no staging directory left behind"
finish
