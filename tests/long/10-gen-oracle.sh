#!/bin/sh
# hoso-gen's sample against the independent oracle (make test-long):
# tests/oracle/hoso_oracle.py computes the province's published figures
# from the whole scale-1 sample, both over every landing day and over the
# days up to 2023-10-21 only (historic fidelity); the same seed gives
# byte-identical files and another seed other files.  tests/gen/run.sh checks the rest of the generator in make test.
. "$HOSO_ROOT/tests/integration/lib.sh"
gen="$HOSO_BIN/hoso-gen"
tmp=$work
a=$(kontum_sample) || { fail "hoso-gen failed"; finish; }
check() {
	# check NAME COMMAND...: run a check, report it
	_name=$1
	shift
	if "$@"; then say "ok: $_name"; else fail "$_name"; fi
}

"$gen" --out "$tmp/b" --seed 2023 2>"$tmp/b.log"
(cd "$a" && find landing -type f | LC_ALL=C sort | xargs sha256sum) >"$tmp/a.sum"
(cd "$tmp/b" && find landing -type f | LC_ALL=C sort | xargs sha256sum) >"$tmp/b.sum"
check "same seed, byte-identical landing files ($(wc -l <"$tmp/a.sum") files)" cmp -s "$tmp/a.sum" "$tmp/b.sum"
rm -rf "$tmp/b"
check "a different seed gives different files" sh -c "
	'$gen' --out '$tmp/c' --seed 7 2>/dev/null &&
	! cmp -s '$a/landing/2023/03/15/KTM-IGATE-20230315.jsonl.gz' '$tmp/c/landing/2023/03/15/KTM-IGATE-20230315.jsonl.gz'"

# -- figures, by the independent oracle --
cat >"$tmp/want" <<'W'
carried_over 4425
received_online 50990
received_in_period 194927
received_total 199352
resolved_total 193339
resolved_late 4030
in_progress_total 5710
closed_other 303
digitised_at_intake 112883
W
figures_ok() {
	# figures_ok OUTPUT: the oracle's output holds every wanted figure, and direct+postal
	while read -r k v; do
		grep -q "^$k $v\$" "$1" || { echo "  $k: want $v, got $(grep "^$k " "$1")"; return 1; }
	done <"$tmp/want"
	awk '$1=="received_direct"{d=$2} $1=="received_postal"{p=$2}
	     $1=="resolved_early"{e=$2} $1=="resolved_on_time"{o=$2}
	     END{exit !(d+p==143937 && e+o==189309)}' "$1"
}
python3 "$HOSO_ROOT/tests/oracle/hoso_oracle.py" --from 2022-12-15 --to 2023-10-14 "$a/landing" >"$tmp/all.txt"
check "oracle: reference figures over every landing day" figures_ok "$tmp/all.txt"
mkdir -p "$tmp/cut"
(cd "$a/landing" && find . -type f | while read -r f; do
	d=$(echo "$f" | sed 's|^\./\([0-9]*\)/\([0-9]*\)/\([0-9]*\)/.*|\1\2\3|')
	[ "$d" -le 20231021 ] && mkdir -p "$tmp/cut/$(dirname "$f")" && ln -s "$a/landing/$f" "$tmp/cut/$f"
done; true)
python3 "$HOSO_ROOT/tests/oracle/hoso_oracle.py" --from 2022-12-15 --to 2023-10-14 "$tmp/cut" >"$tmp/cut.txt"
check "oracle: same figures from the landing days up to 2023-10-21" cmp -s "$tmp/all.txt" "$tmp/cut.txt"

finish
