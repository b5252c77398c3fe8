#!/bin/sh
# fuzz.sh SECONDS TARGET...: run each libFuzzer target for SECONDS, starting
# from its committed corpus (new inputs go to a scratch copy, so the
# committed corpus only grows by hand).  Fails on the first crash.
set -eu
seconds=$1
shift
for bin in "$@"; do
	name=$(basename "$bin")
	work=$(mktemp -d)
	cp -r "tests/fuzz-corpus/$name/." "$work/" 2>/dev/null || true
	echo "fuzz: $name for $seconds s"
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="build-fuzz/$name-" "$work" 2>&1 |
		grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' || true
	status=$(ls build-fuzz/"$name"-crash-* build-fuzz/"$name"-leak-* build-fuzz/"$name"-timeout-* 2>/dev/null | head -1)
	rm -rf "$work"
	if [ -n "$status" ]; then
		echo "fuzz: $name found a failing input: $status" >&2
		exit 1
	fi
done
