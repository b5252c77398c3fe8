#!/bin/sh
# hoso-transform's memory budget changes nothing in the warehouse: two
# weeks of the Kon Tum sample, then the next week (many of its cases have
# archived messages, read back with --prior and listed from spilled
# partitions) and a night, each into two warehouses, one whose
# pipeline lets transform hold every case (transform_memory_mib: 0) and one
# that makes it spill nearly all of them (1 MiB); every table is the same.
. "$HOSO_ROOT/tests/integration/lib.sh"

sample=$(kontum_sample) || { fail "hoso-gen failed"; finish; }
kontum_pipeline "$sample" "$work/base.yaml"
cd "$work"
for budget in 0 1; do
	sed "s|^staging: .*||" "$work/base.yaml" >"$work/b$budget.yaml"
	printf 'staging: %s\ntransform_memory_mib: %s\n' "$work/staging-$budget" "$budget" >>"$work/b$budget.yaml"
	fresh_db "budget_$budget"
	"$HOSO" run --log-format json "$work/b$budget.yaml" --from 2023-09-18 --to 2023-09-30 \
		>"$work/first-$budget.log" 2>&1 || fail "budget $budget: the first weeks: $(tail -3 "$work/first-$budget.log")"
	"$HOSO" run --log-format json "$work/b$budget.yaml" --from 2023-10-01 --to 2023-10-08 \
		>"$work/next-$budget.log" 2>&1 || fail "budget $budget: the next week: $(tail -3 "$work/next-$budget.log")"
	"$HOSO" run --log-format json "$work/b$budget.yaml" --date 2023-10-09 \
		>"$work/night-$budget.log" 2>&1 || fail "budget $budget: the night: $(tail -3 "$work/night-$budget.log")"
	table_digest >"$work/digest-$budget"
done
spills() { sed -n 's/.*"event":"transform_done".*"spills":\([0-9]*\).*/\1/p' "$1" | head -1; }
assert_eq "$(spills "$work/first-0.log")" 0 "no budget: nothing spilled"
[ "$(spills "$work/first-1.log")" -gt 10 ] 2>/dev/null || fail "1 MiB: the first weeks spilled $(spills "$work/first-1.log") times, expected many"
[ "$(spills "$work/next-1.log")" -gt 10 ] 2>/dev/null || fail "1 MiB: the next week spilled $(spills "$work/next-1.log") times, expected many"
[ "$(sed -n 's/.*"event":"transform_done".*"archived":\([0-9]*\).*/\1/p' "$work/next-1.log")" -gt 0 ] 2>/dev/null ||
	fail "the next week read no archived message back"
assert_eq "$(grep -c '^case_fact 0 ' "$work/digest-1")" 0 "cases were loaded"
assert_eq "$(diff "$work/digest-0" "$work/digest-1" && echo same)" same "every table the same with and without spilling"
finish
