#!/bin/sh
# tests/transform/run.sh: hoso-transform writes the same staging files
# whatever its memory budget and number of threads.
#
# Three months of hoso-gen's Kon Tum sample (the suite's shared sample,
# HOSO_SAMPLE_DIR, made here when missing) are extracted once, then
# transformed with no budget on one thread (the reference: every case held
# in memory, derived in one pass) and with a budget of 2 MiB, which spills
# most partitions to the temporary file, on one and on two threads.  Every
# file of the staging directories is compared byte for byte (cmp), the
# spilling runs must have spilled, and the temporary files must be gone.
# The same holds for --derive-only (hoso rebuild's mode), whose listed
# cases are looked up in spilled partitions too.
# The records may also come through a pipe, or as several named streams.
# Exit status: 0 when every check passes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=${HOSO_ROOT:-$(cd "$here/../.." && pwd)}
bin=${HOSO_BIN:-$root/bin}
for p in hoso-gen hoso-extract hoso-transform; do
	[ -x "$bin/$p" ] || { echo "FAIL: no $bin/$p: run make first"; exit 1; }
done
work=$(mktemp -d /tmp/hoso-transform-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

sample=${HOSO_SAMPLE_DIR:-$work/sample}
if [ ! -f "$sample/.complete" ]; then
	mkdir -p "$sample"
	"$bin/hoso-gen" --out "$sample" >/dev/null || { echo "FAIL: hoso-gen"; exit 1; }
	touch "$sample/.complete"
fi
"$bin/hoso-gen" --reference "$work/reference" >/dev/null || { echo "FAIL: hoso-gen --reference"; exit 1; }
set -- --reference-units "$work/reference/units.csv" --reference-procedures "$work/reference/procedures.csv" \
	--reference-calendar "$work/reference/calendar"
find "$sample/landing/2023/07" "$sample/landing/2023/08" "$sample/landing/2023/09" \
	-name '*.gz' | sort >"$work/files"
[ -s "$work/files" ] || { echo "FAIL: no landing files for 2023-07..09 in $sample"; exit 1; }
# shellcheck disable=SC2046
"$bin/hoso-extract" $(cat "$work/files") >"$work/records" 2>"$work/extract.err" ||
	{ echo "FAIL: hoso-extract: $(tail -3 "$work/extract.err")"; exit 1; }

# transform NAME OPTION...: staging directory $work/NAME, log $work/NAME.log
transform() {
	name=$1
	shift
	"$bin/hoso-transform" --log-format json --out "$work/$name" "$@" <"$work/records" \
		2>"$work/$name.log" || fail "$name: hoso-transform failed: $(tail -3 "$work/$name.log")"
}
spills() {
	sed -n 's/.*"event":"transform_done".*"spills":\([0-9]*\).*/\1/p' "$work/$1.log"
}
# same REFERENCE OTHER: every file of both directories, byte for byte
same() {
	if [ "$(cd "$work/$1" && ls -A)" != "$(cd "$work/$2" && ls -A)" ]; then
		fail "$2: holds other files than $1: $(cd "$work/$2" && ls -A | tr '\n' ' ')"
		return
	fi
	for f in "$work/$1"/*; do
		cmp -s "$f" "$work/$2/${f##*/}" || { fail "$2: ${f##*/} differs from $1's"; return; }
	done
	pass "$2: every staging file as $1's ($(ls "$work/$2" | wc -l) files)"
}

transform ref --memory-budget 0 --jobs 1 "$@"
[ "$(spills ref)" = 0 ] && pass "no budget: nothing spilled" || fail "no budget: spilled $(spills ref) times"
[ -s "$work/ref/case_fact.tsv" ] && [ -s "$work/ref/summary_day.tsv" ] ||
	fail "ref: no case or summary rows"
transform spill1 --memory-budget 2 --jobs 1 "$@"
transform spill2 --memory-budget 2 --jobs 2 "$@"
transform default "$@"
for name in spill1 spill2; do
	n=$(spills $name)
	[ "${n:-0}" -gt 10 ] && pass "$name: 2 MiB budget: spilled $n times" ||
		fail "$name: 2 MiB budget: spilled ${n:-0} times, expected many"
done
same ref spill1
same ref spill2
same ref default

# the records through a pipe (read as they come), and as two streams given
# by name, split after a file's E record: the same staging files
cat "$work/records" | "$bin/hoso-transform" --log-format json --out "$work/piped" --memory-budget 2 "$@" \
	2>"$work/piped.log" || fail "piped: hoso-transform failed: $(tail -3 "$work/piped.log")"
same ref piped
half=$(awk -F '\t' '$1 == "E" { n = NR } NR * 2 > total && n { print n; exit }' total="$(wc -l <"$work/records")" "$work/records")
head -n "$half" "$work/records" >"$work/records.1"
{ printf 'H\thoso-records\t1\n'; tail -n "+$((half + 1))" "$work/records"; } >"$work/records.2"
"$bin/hoso-transform" --log-format json --out "$work/two" --memory-budget 2 --jobs 2 "$@" \
	"$work/records.1" "$work/records.2" </dev/null 2>"$work/two.log" ||
	fail "two streams: hoso-transform failed: $(tail -3 "$work/two.log")"
[ "$half" -gt 1 ] && [ -s "$work/records.2" ] && pass "two streams: split after line $half" ||
	fail "two streams: no E record to split after"
same ref two
# the temporary files are unlinked as soon as they are made
[ -z "$(find "$work" -name '.hoso-transform-*')" ] && pass "no temporary file left" ||
	fail "temporary files left: $(find "$work" -name '.hoso-transform-*')"

# --derive-only: every 7th case of the reference plus one no stream mentions
awk -F '\t' 'NR % 7 == 1 { print $1 "\t" $2 }' "$work/ref/case_fact.tsv" >"$work/keys"
printf 'KTM-IGATE\tNO-SUCH-CASE\n' >>"$work/keys"
transform only-ref --derive-only "$work/keys" --memory-budget 0 --jobs 1 "$@"
transform only-spill --derive-only "$work/keys" --memory-budget 2 --jobs 2 "$@"
[ "$(wc -l <"$work/only-ref/case_fact.tsv")" -eq "$(($(wc -l <"$work/keys") - 1))" ] &&
	pass "--derive-only: one case_fact row a listed case" ||
	fail "--derive-only: $(wc -l <"$work/only-ref/case_fact.tsv") case_fact rows for $(wc -l <"$work/keys") keys"
same only-ref only-spill

echo "$failures failed"
[ "$failures" -eq 0 ]
