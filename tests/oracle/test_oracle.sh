#!/bin/sh
# Run the oracle on every golden case (tests/golden/NN-name/) and compare its
# output with the hand-worked expected figures (comments and blank lines
# stripped).  A case may hold units.csv and unit: then the summary is scoped
# to that unit and its sub-units.  Exits 1 if any case differs.
here=$(cd "$(dirname "$0")" && pwd)
golden=${1:-$here/../golden}
oracle=$here/hoso_oracle.py
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
fail=0
n=0
for dir in "$golden"/[0-9]*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	n=$((n + 1))
	read -r from to <"$dir/period"
	set -- --from "$from" --to "$to"
	if [ -f "$dir/unit" ]; then
		read -r unit <"$dir/unit"
		set -- "$@" --units "$dir/units.csv" --unit "$unit"
	fi
	grep -v '^[[:space:]]*#' "$dir/expected" | grep -v '^[[:space:]]*$' >"$tmp/expected"
	if ! python3 "$oracle" "$@" "$dir/input" >"$tmp/actual" 2>"$tmp/stderr"; then
		echo "FAIL $name: oracle exited non-zero"
		cat "$tmp/stderr"
		fail=1
		continue
	fi
	if diff -u "$tmp/expected" "$tmp/actual" >"$tmp/diff"; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		sed 's/^/    /' "$tmp/diff"
		fail=1
	fi
done
if [ "$n" -eq 0 ]; then
	echo "no golden cases under $golden"
	exit 1
fi
[ "$fail" -eq 0 ] && echo "all $n golden cases pass"
exit $fail
