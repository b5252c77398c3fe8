#!/bin/sh
# The progress line: on a terminal (a pseudo-terminal made by script(1))
# a run draws one line per phase, extract (bytes read of the files),
# transform (staging written), each with what the load beside them copies,
# and load (rows of the table being copied),
# each ending with its final figures; with stderr piped, with --quiet or
# in JSON, no progress at all, only the log's lines.
. "$HOSO_ROOT/tests/integration/lib.sh"

command -v script >/dev/null || { say "skip: no script(1) (util-linux)"; exit 0; }
# two landing days of 30 000 dossiers each (300 lines of 100): enough for
# the COPY of the archive to last several of the line's redraws
landing_days "$work/landing" PRG 20230301 20230302
cat >"$work/p.yaml" <<YAML
name: prg
source:
  paths: ["$work/landing/{date:%Y%m%d}/*.jsonl.gz"]
  format: dvcqg-jsonl
$(kontum_reference)
staging: $work/staging
YAML
# the input's size as the extract line rounds it (MB of 10^6 bytes)
mb=$(stat -c %s "$work"/landing/*/log.jsonl.gz | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }')

# on_tty FILE CMD: CMD with stdin, stdout and stderr on a pseudo-terminal;
# FILE gets what it wrote, each redraw of a line (\r) on a line of its own
on_tty() {
	_out=$1
	shift
	rc=0; script -qec "$*" "$_out.raw" >/dev/null </dev/null || rc=$?
	tr '\r' '\n' <"$_out.raw" | sed 's/\x1b\[K//g' | grep -v '^Script \|^$' >"$_out" || true
}

# 1. on a terminal: a line for each phase, in order, with its figures
fresh_db progress_tty
on_tty "$work/tty" "'$HOSO' run '$work/p.yaml' --from 2023-03-01 --to 2023-03-02"
assert_eq "$rc" 0 "run on a terminal exits 0"
tty=$(cat "$work/tty")
assert_contains "$tty" "extract: $mb MB read, 2 files" "extract's final line: the input's bytes and files"
assert_contains "$tty" "transform: " "transform has a line"
got=$(grep -c '^transform: .*[0-9.]* MB of staging written$' "$work/tty" || true)
assert_eq "$([ "$got" -ge 1 ] && echo yes)" yes "transform's line gives the staging written ($got lines)"
# the load copies the archive beside extract and transform: on their lines
# while they run, on its own after
got=$(grep -c '^load: copying hoso\.[a-z_]* ([0-9]* rows); [0-9]* rows so far$\|^\(extract\|transform\): .*; load: copying hoso\.[a-z_]* ([0-9]* rows)$' "$work/tty" || true)
assert_eq "$([ "$got" -ge 1 ] && echo yes)" yes "the load's progress gives the rows of the table being copied ($got lines)"
assert_contains "$tty" "load: done in " "load's final line"
order=$(grep -o '^extract: [0-9.]* MB read, 2 files$\|^transform: [0-9.]* MB of staging written$\|^load: done in' "$work/tty" | uniq | cut -c1-4 | tr '\n' ' ')
assert_eq "$order" "extr tran load " "the phases' final lines, in order"
assert_contains "$(tail -n 1 "$work/tty")" "done: 2 files loaded" "the summary is still the last line"

# 2. stderr piped (a scheduler's log): no progress, no terminal escapes
fresh_db progress_pipe
rc=0; "$HOSO" run "$work/p.yaml" --date 2023-03-01 >/dev/null 2>"$work/piped" || rc=$?
assert_eq "$rc" 0 "run with stderr piped exits 0"
assert_eq "$(grep -c "$(printf '\r')\|$(printf '\033')\|^extract: \|^transform: \|^load: " "$work/piped")" 0 \
	"piped stderr: no progress line"
assert_contains "$(tail -n 1 "$work/piped")" "done: 1 files loaded" "piped stderr: the summary ends it"

# 3. --quiet on a terminal: warnings and errors only, no progress
fresh_db progress_quiet
on_tty "$work/quiet" "'$HOSO' run '$work/p.yaml' --date 2023-03-01 --quiet"
assert_eq "$rc" 0 "quiet run on a terminal exits 0"
assert_eq "$(grep -c '^extract: \|^transform: \|^load: ' "$work/quiet")" 0 "--quiet: no progress line"

# 4. JSON on a terminal: every line is a log line, no progress among them
fresh_db progress_json
on_tty "$work/json" "'$HOSO' run '$work/p.yaml' --date 2023-03-01 --log-format json"
assert_eq "$rc" 0 "JSON run on a terminal exits 0"
assert_eq "$(grep -vc '^{"ts":' "$work/json")" 0 "JSON on a terminal: every line is a log line"
finish
