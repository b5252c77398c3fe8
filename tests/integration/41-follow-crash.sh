#!/bin/sh
# A run's load copies the archive beside the transform (hoso-load
# --follow; into an empty archive --tail, as the transform writes it).  A
# transform killed once that has begun (MANIFEST.read written, the cases
# being derived; or, tailing, while it still reads) must leave the
# warehouse as it was: the load is cancelled, the run's row names the
# transform, no process is left, and a rerun loads every file once.
. "$HOSO_ROOT/tests/integration/lib.sh"

# two landing days of 30 000 dossiers each: deriving them lasts long enough
# for the kill to land after MANIFEST.read
landing_days "$work/landing" FLW 20230301 20230302
cat >"$work/p.yaml" <<YAML
name: flw
source:
  paths: ["$work/landing/{date:%Y%m%d}/*.jsonl.gz"]
  format: dvcqg-jsonl
$(kontum_reference)
staging: $work/staging
YAML

# the reference: both days by runs that nothing interrupts
fresh_db follow_clean
for day in 2023-03-01 2023-03-02; do
	"$HOSO" run "$work/p.yaml" --date $day >/dev/null 2>&1 || fail "clean run of $day failed"
done
table_digest >"$work/clean"

# run_and_kill_transform DAY WHEN: a run of DAY in the background whose
# transform is killed once WHEN (a test of the staging directory) holds;
# sets rc, transform (empty when it had ended first), load, and tailing
# (1 when the load ran with --tail)
read_manifest_written() { [ -e "$1/MANIFEST.read" ]; }
streams_being_read() { [ -s "$1/dossier_msg.tsv" ] && [ ! -e "$1/MANIFEST.read" ]; }
run_and_kill_transform() {
	when=$2
	"$HOSO" run "$work/p.yaml" --date "$1" >"$work/run.log" 2>&1 &
	runner=$!
	transform= load=
	while kill -0 $runner 2>/dev/null && [ -z "$transform" ]; do
		transform=$(pgrep -P $runner -x hoso-transform) || sleep 0.01
	done
	load=$(pgrep -P $runner -x hoso-load) || true
	tailing=$(tr '\0' ' ' <"/proc/$load/cmdline" 2>/dev/null | grep -c -- '--tail') || true
	# the shell's own test and glob: no process to start while the transform goes on
	while kill -0 $runner 2>/dev/null; do
		set -- "$work"/staging/*/run-*
		[ -d "$1" ] && $when "$1" && break
	done
	kill -KILL $transform 2>/dev/null || transform=
	rc=0; wait $runner || rc=$?
}

first_day() {
	fresh_db follow_crash
	"$HOSO" run "$work/p.yaml" --date 2023-03-01 >/dev/null 2>&1 || fail "first day failed"
	rm -rf "$work"/staging/*/run-*
}
first_day
table_digest >"$work/before"
landed=no
for attempt in 1 2 3 4 5; do
	run_and_kill_transform 2023-03-02 read_manifest_written
	if [ -n "$transform" ] && [ "$rc" -ne 0 ]; then
		landed=yes
		break
	fi
	say "attempt $attempt: the transform had ended (exit $rc); again"
	first_day
done
assert_eq "$landed" yes "a transform killed after MANIFEST.read, in $attempt attempts"
assert_eq "$rc" 1 "the run fails"
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/before" "$work/now" && echo same)" same "the warehouse is as before the run"
assert_contains "$(q -c "SELECT status || ': ' || message FROM hoso.run ORDER BY run_id DESC LIMIT 1")" \
	"failed: hoso-transform was killed by SIGKILL" "the run's row names the transform"
assert_eq "$( [ -n "$load" ] && kill -0 $load 2>/dev/null && echo alive || echo gone)" gone \
	"the load beside it is gone"
assert_eq "$(grep -c 'hoso-load' "$work/run.log")" 0 "the cancelled load says nothing ($(grep hoso-load "$work/run.log"))"
"$HOSO" run "$work/p.yaml" --date 2023-03-02 >"$work/rerun.log" 2>&1 || fail "rerun failed: $(tail -3 "$work/rerun.log")"
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/clean" "$work/now" && echo same)" same "the rerun gives what runs nothing interrupted give"

# Into an empty archive the load copies the archive's files as the
# transform writes them (--tail, and no --prior): a transform killed while
# it still reads its streams leaves the warehouse empty.
fresh_db follow_tail
"$HOSO_BIN/hoso-load" --migrate >/dev/null 2>&1 || fail "migrate follow_tail"
table_digest >"$work/empty"
landed=no
for attempt in 1 2 3 4 5; do
	rm -rf "$work"/staging/*/run-*
	run_and_kill_transform 2023-03-01 streams_being_read
	if [ -n "$transform" ] && [ "$rc" -ne 0 ]; then
		landed=yes
		break
	fi
	say "attempt $attempt: the transform had read its streams (exit $rc); again"
	fresh_db follow_tail
	"$HOSO_BIN/hoso-load" --migrate >/dev/null 2>&1 || fail "migrate follow_tail"
done
assert_eq "$tailing" 1 "into an empty archive the load tails the transform"
assert_eq "$landed" yes "a transform killed while it reads, in $attempt attempts"
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/empty" "$work/now" && echo same)" same "the warehouse is still empty"
assert_contains "$(q -c "SELECT status || ': ' || message FROM hoso.run ORDER BY run_id DESC LIMIT 1")" \
	"failed: hoso-transform was killed by SIGKILL" "the tailed run's row names the transform"
assert_eq "$( [ -n "$load" ] && kill -0 $load 2>/dev/null && echo alive || echo gone)" gone \
	"the tailing load is gone"
"$HOSO" run "$work/p.yaml" --date 2023-03-01 >"$work/rerun.log" 2>&1 || fail "rerun failed: $(tail -3 "$work/rerun.log")"
table_digest >"$work/now"
assert_eq "$(cmp -s "$work/before" "$work/now" && echo same)" same "the rerun gives the first day's warehouse"
finish
