#!/bin/sh
# tests/cli/run.sh: the command line of the five programs, run for real.
#   - usage.tsv: bad invocations, each exit 2 with its exact error and hint
#   - -h, --help and "hoso help COMMAND" for every program and every
#     command "hoso help" lists: exit 0, the usage on stdout, nothing else
#   - a usage error with --log-format json is one JSON line
#   - every event the code logs is in docs/logging.md
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${HOSO_BIN:-$here/../../bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 1
TAB=$(printf '\t')
failures=0
tests=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# the table
while IFS="$TAB" read -r line error hint; do
	case $line in '' | '#'*) continue ;; esac
	tests=$((tests + 1))
	set -- $line
	prog=$1
	shift
	rc=0
	"$bin/$prog" "$@" >out 2>err </dev/null || rc=$?
	printf '%s: error: %s\n%s: hint: %s\n' "$prog" "$error" "$prog" "$hint" >want
	if [ "$rc" -ne 2 ]; then
		fail "$line: exit $rc, expected 2"
	elif ! cmp -s want err; then
		fail "$line: stderr differs:$(diff want err | sed 's/^/    /')"
	elif [ -s out ]; then
		fail "$line: wrote on stdout"
	fi
done <"$here/usage.tsv"

# expect_help NAME ARGS...: exit 0, "Usage: NAME" first on stdout, stderr empty
expect_help() {
	name=$1
	shift
	tests=$((tests + 1))
	rc=0
	"$@" >out 2>err </dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$*: exit $rc"
	elif [ -s err ]; then
		fail "$*: stderr: $(cat err)"
	elif ! head -1 out | grep -q "^Usage: $name "; then
		fail "$*: no 'Usage: $name' line first: $(head -1 out)"
	elif ! grep -q -- '--log-format text|json' out; then
		fail "$*: the common options are not listed"
	fi
}

for prog in hoso hoso-extract hoso-transform hoso-load hoso-gen; do
	expect_help "$prog" "$bin/$prog" -h
	cp out short
	expect_help "$prog" "$bin/$prog" --help
	cmp -s short out || fail "$prog: -h and --help differ"
	tests=$((tests + 1))
	"$bin/$prog" --version >out 2>&1 || fail "$prog --version: exit $?"
	grep -q "^$prog [0-9]" out || fail "$prog --version: $(cat out)"
done
expect_help hoso "$bin/hoso" help
"$bin/hoso" >out 2>err && fail "hoso with no command: exit 0"
grep -q '^Usage: hoso ' err || fail "hoso with no command: no usage on stderr"

# every command hoso lists, the ones added later included
commands=$("$bin/hoso" help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$commands" ] || fail "hoso help lists no command"
for c in $commands; do
	expect_help "hoso $c" "$bin/hoso" "$c" -h
	cp out short
	expect_help "hoso $c" "$bin/hoso" help "$c"
	cmp -s short out || fail "hoso $c -h and hoso help $c differ"
	expect_help "hoso $c" "$bin/hoso" "$c" --help
done

# a usage error in JSON: one line, the hint a field of it
tests=$((tests + 1))
rc=0
"$bin/hoso" run --log-format json --date 2023-02-30 p.yaml 2>err || rc=$?
python3 - err <<'PY' || fail "usage error in JSON: $(cat err)"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert list(o)[:6] == ["ts", "level", "program", "run_id", "event", "msg"], o
assert o["level"] == "error" and o["program"] == "hoso" and o["run_id"] is None, o
assert o["event"] == "usage", o
assert o["msg"] == "--date 2023-02-30: 2023-02-30 is not a date", o
assert o["hint"] == "Try 'hoso run --help'.", o
PY
[ "$rc" -eq 2 ] || fail "usage error in JSON: exit $rc"

# hoso alone prints its usage on stderr, except in JSON mode: one error line
tests=$((tests + 1))
"$bin/hoso" --log-format json >out 2>err && fail "hoso --log-format json: exit 0"
python3 - err <<'PY' || fail "hoso alone in JSON: $(cat err)"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["msg"] == "missing COMMAND" and o["hint"] == "Try 'hoso --help'.", o
PY

# arguments are any bytes: a byte that is not UTF-8 must not break the JSON
tests=$((tests + 1))
"$bin/hoso-extract" --log-format json "--bogus$(printf '\377\tx')" 2>err
python3 - err <<'PY' || fail "invalid UTF-8 in JSON: $(cat err)"
import json, sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["msg"] == 'unknown option "--bogus\ufffd\tx"', o
PY

# the forms of an option's value, and "--" before a file that looks like one
tests=$((tests + 1))
"$bin/hoso-gen" --reference=a >/dev/null 2>&1 && "$bin/hoso-gen" --reference b >/dev/null 2>&1 &&
	diff -r a b >/dev/null || fail "--reference=DIR and --reference DIR differ"
tests=$((tests + 1))
cp "$here/../extract/ok.jsonl" ./-ok.jsonl
"$bin/hoso-extract" -- -ok.jsonl >dashed 2>err || fail "-- FILE: exit $? $(cat err)"
"$bin/hoso-extract" <./-ok.jsonl >stdin 2>err || fail "stdin: exit $? $(cat err)"
grep -c '^D' dashed >/dev/null && [ "$(grep -c '^D' dashed)" = "$(grep -c '^D' stdin)" ] ||
	fail "a file after -- is read as a file"

# every event the code logs is documented in docs/logging.md
tests=$((tests + 1))
root=$(cd "$here/../.." && pwd)
undocumented=$(grep -rhoE 'hoso_log_event\("[a-z_]+"\)' --include='*.c' "$root" |
	sed 's/.*("\(.*\)")/\1/' | sort -u | while read -r event; do
		grep -q "^| \`$event\` |" "$root/docs/logging.md" || printf '%s ' "$event"
	done)
[ -z "$undocumented" ] || fail "events missing from docs/logging.md: $undocumented"

echo "tests/cli: $tests checks, $failures failed"
[ "$failures" = 0 ]
