#!/bin/sh
# The golden cases (tests/golden/*): each small set of logs goes through the
# real pipeline into its own database, and hoso.period_summary must give the
# figures worked out by hand in its `expected` file.  The independent
# oracle is checked against the same files by tests/oracle/test_oracle.sh.
. "$HOSO_ROOT/tests/integration/lib.sh"

n=0
for dir in "$HOSO_ROOT"/tests/golden/*/; do
	dir=${dir%/}
	[ -f "$dir/expected" ] || continue
	name=$(basename "$dir")
	n=$((n + 1))
	set -- $(cat "$dir/period")
	from=$1 to=$2
	fresh_db "golden_$n"
	pipeline_for "$dir" "$work/p.yaml"
	# golden cases with bad records check what the rest adds up to
	printf 'rejects:\n  max_ratio: 1.0\n' >>"$work/p.yaml"
	if ! "$HOSO" run "$work/p.yaml" --date "$to" >"$work/run.log" 2>&1; then
		fail "$name: hoso run failed: $(tail -5 "$work/run.log")"
		continue
	fi
	unit=""
	[ -f "$dir/unit" ] && unit=$(cat "$dir/unit")
	summary "$from" "$to" "$unit" >"$work/actual"
	sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$dir/expected" >"$work/expected"
	if diff -u "$work/expected" "$work/actual" >"$work/diff"; then
		say "ok: $name"
	else
		fail "$name ($from..$to):"
		cat "$work/diff"
	fi
done
[ "$n" -gt 0 ] || fail "no golden case found"
finish
