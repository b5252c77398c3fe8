#!/bin/sh
# Crash safety: kill the runner or one of its stages at a random moment,
# many times.  After every kill the warehouse must be exactly as before the
# run or, when the kill came after the load committed, exactly as after it:
# never in between.  Then a rerun completes and the warehouse equals a clean
# load of the same files.
#
# The trials rotate through the ways to die named in HOSO_CRASH_MODES:
#   runner-kill   SIGKILL to the runner only: its stages must die with it
#   runner-term   SIGTERM to the runner: it stops its stages, rolls back,
#                 exits 143 and its row says "interrupted by SIGTERM"
#   stage         SIGKILL to one of the runner's children (migrate, extract,
#                 transform or load)
#   group         SIGKILL to the whole process group
#   server        an immediate stop of PostgreSQL (then started again)
# After each, no process of the trial may be left, and a run row is never
# 'failed' for a load that committed.
#
# make test: 30 trials of the runner only (runner-kill, runner-term);
# tests/long/40-crash.sh: 100 trials of every mode (server included).  HOSO_CRASH_TRIALS,
# HOSO_CRASH_MODES and HOSO_CRASH_SEED (a reproducible schedule) override.
. "$HOSO_ROOT/tests/integration/lib.sh"
trials=${HOSO_CRASH_TRIALS:-30}
modes=${HOSO_CRASH_MODES:-runner-kill runner-term}
nmodes=$(echo $modes | wc -w)
seed=${HOSO_CRASH_SEED:-$$}
say "trials: $trials ($modes), seed: $seed"

# small data, so that a trial takes about a second: DAYS files of N cases,
# each received, accepted on the day and, for half of them, resolved
days() {
	awk -v from="$2" -v to="$3" -v n=400 -v dir="$1" 'BEGIN {
		for (d = from; d <= to; d++) {
			f = sprintf("%s/2023-03-%02d.jsonl", dir, d)
			for (i = 1; i <= n; i++) {
				printf "{\"_at\":\"202303%02d170000\",\"_src\":\"CR\",\"service\":\"DongBoHoSoMC\",\"data\":[{\"MaHoSo\":\"CR-2303%02d-%04d\",\"MaTTHC\":\"1.000001\",\"KenhThucHien\":\"%d\",\"NgayTiepNhan\":\"202303%02d08%02d00\",\"NgayHenTra\":\"202303%02d170000\",\"TrangThaiHoSo\":\"%s\"%s}]}\n", \
					d, d, i, 1 + i % 3, d, i % 60, d + 5, i % 2 ? "4" : "10", \
					i % 2 ? "" : sprintf(",\"NgayKetThucXuLy\":\"202303%02d160000\",\"NgayTra\":\"202303%02d163000\"", d + 1, d + 1) > f
			}
		}
	}'
}
mkdir -p "$work/days1" "$work/days2"
days "$work/days1" 1 3
days "$work/days2" 4 9
pipeline() {
	cat <<YAML
name: crash
source:
  paths: ["$work/days1/*", "$work/days2/*"]
  format: dvcqg-jsonl
$(kontum_reference)
staging: $work/staging
YAML
}
pipeline >"$work/p.yaml"

# the clean reference: everything in one run
fresh_db crash_clean
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >"$work/clean.log" 2>&1 || fail "clean load failed: $(tail -3 "$work/clean.log")"
table_digest >"$work/clean"

# first_half: a fresh warehouse holding days1 only (the state before each trial)
first_half() {
	fresh_db crash
	# the test server commits asynchronously; a crash must lose no commit here
	q -c "ALTER DATABASE crash SET synchronous_commit = on"
	mv "$work/days2" "$work/days2.hold"; mkdir "$work/days2"
	"$HOSO" run "$work/p.yaml" --date 2023-03-09 >/dev/null 2>&1 || fail "first half failed"
	rmdir "$work/days2"; mv "$work/days2.hold" "$work/days2"
}
first_half
table_digest >"$work/before"
start=$(date +%s%N)
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >/dev/null 2>&1 || fail "timing run failed"
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
table_digest >"$work/after"
say "a full run of the second half takes $full_ms ms"
first_half
cmp -s "$work/before" "$(table_digest >"$work/b2"; echo "$work/b2")" || fail "the first half does not reload identically"

# stop_server_now: the suite's server (PGHOST/data) stopped as by a crash, then started again
stop_server_now() {
	pgbin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v pg_ctl)")
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$pgbin/pg_ctl" -D "$PGHOST/data" -m immediate -w stop >/dev/null 2>&1
	else
		"$pgbin/pg_ctl" -D "$PGHOST/data" -m immediate -w stop >/dev/null 2>&1
	fi
	"$HOSO_ROOT/scripts/pg.sh" start "$PGHOST" >/dev/null || fail "the server did not start again"
}

# trial_processes SID: the processes left in the trial's session
trial_processes() { pgrep -s "$1" 2>/dev/null | tr '\n' ' '; }

killed_before=0 completed=0 i=0 orphans=0 runner_only=0
while [ "$i" -lt "$trials" ]; do
	i=$((i + 1))
	mode=$(echo $modes | cut -d' ' -f$(( (i - 1) % nmodes + 1 )))
	case $mode in runner-*) runner_only=$((runner_only + 1)) ;; esac
	delay=$(awk -v s="$seed" -v i="$i" -v m="$full_ms" 'BEGIN { srand(s * 1000 + i); printf "%.3f", rand() * 0.9 * m / 1000 }')
	last_run=$(q -c "SELECT coalesce(max(run_id), 0) FROM hoso.run")
	# its own session: the trial's processes, and only they, form one group
	setsid "$HOSO" run "$work/p.yaml" --date 2023-03-09 --wait >"$work/trial.log" 2>&1 &
	runner=$!
	# a stage is waited for from the start, then killed a moment into its work
	[ "$mode" = stage ] || sleep "$delay"
	name=hoso
	case $mode in
	runner-kill) kill -KILL "$runner" 2>/dev/null || true ;;
	runner-term) kill -TERM "$runner" 2>/dev/null || true ;;
	group) kill -KILL -- "-$runner" 2>/dev/null || true ;;
	server) stop_server_now ;;
	stage)
		# each stage in turn: the first child of that name
		want=$(echo hoso-extract hoso-transform hoso-load | cut -d' ' -f$(( (i / nmodes) % 3 + 1 )))
		victim="" tries=0
		while [ -z "$victim" ] && [ "$tries" -lt 300 ] && kill -0 "$runner" 2>/dev/null; do
			victim=$(pgrep -P "$runner" -x "$want" | head -1)
			[ -n "$victim" ] || { sleep 0.01; tries=$((tries + 1)); }
		done
		if [ -n "$victim" ]; then
			name=$want
			sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 8 }')"
			kill -KILL "$victim" 2>/dev/null || true
		fi ;;
	esac
	rc=0; wait "$runner" 2>/dev/null || rc=$?
	# the stages die with their runner: nothing of the trial may be left
	tries=0
	while [ -n "$(trial_processes "$runner")" ] && [ "$tries" -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
	left=$(trial_processes "$runner")
	if [ -n "$left" ]; then
		orphans=$((orphans + 1))
		fail "trial $i ($mode after $delay s): processes outlived the runner: $(ps -o comm= -p $left | tr '\n' ' ')"
		kill -KILL -- "-$runner" 2>/dev/null || true
	fi
	wait_sessions_gone
	# the trial's row, if it got as far as making one
	row=$(q -c "SELECT status || '|' || coalesce(message, '') FROM hoso.run WHERE run_id > $last_run ORDER BY run_id LIMIT 1")
	table_digest >"$work/now"
	if cmp -s "$work/now" "$work/before"; then
		killed_before=$((killed_before + 1))
		if [ "$mode" = runner-term ] && [ "$rc" != 0 ]; then
			[ "$rc" = 143 ] || fail "trial $i: SIGTERM: exit $rc, expected 143: $(tail -3 "$work/trial.log")"
			# the summary, still the last line, gives the status the runner exits
			# with (none when the signal came before the runner had begun)
			case $(tail -n 1 "$work/trial.log") in
			""|*"failed (exit 143: stopped)"*) ;;
			*) fail "trial $i: SIGTERM: the summary says [$(tail -n 1 "$work/trial.log")]" ;;
			esac
			case $row in
			""|"failed|interrupted by SIGTERM"*) ;;
			*) fail "trial $i: SIGTERM: the run row says [$row]" ;;
			esac
		fi
	elif cmp -s "$work/now" "$work/after"; then
		completed=$((completed + 1))
		case $row in
		done*) ;;
		*) fail "trial $i ($mode, $name): the load committed but the run row says [$row]" ;;
		esac
		[ "$mode" = runner-term ] && [ "$rc" != 0 ] && fail "trial $i: SIGTERM after the commit: exit $rc, expected 0"
		say "trial $i: $mode ($name) after the load committed (delay $delay s); resetting"
		first_half
	else
		fail "trial $i: $mode ($name) after $delay s left a half-loaded warehouse"
		diff "$work/before" "$work/now" | head -20
		break
	fi
done
say "$i trials ($runner_only of the runner only): $killed_before left the warehouse as before, $completed had committed"
[ "$killed_before" -ge $((trials / 4)) ] || fail "too few kills landed during the run"
assert_eq "$orphans" 0 "no stage outlived its runner"

# no stale staging directory survives the next run, and the run rows of
# killed runners say they were interrupted (one made by hand: a runner
# killed before its first statement after the INSERT)
stale=$(q -c "INSERT INTO hoso.run (kind, pipeline, status) VALUES ('run', 'crash', 'running') RETURNING run_id")
"$HOSO" run "$work/p.yaml" --date 2023-03-09 >"$work/rerun.log" 2>&1 || fail "rerun after the trials failed: $(tail -5 "$work/rerun.log")"
assert_eq "$(q -c "SELECT count(*) FROM hoso.run WHERE status = 'running'")" 0 "no run row is left 'running'"
assert_contains "$(q -c "SELECT status || ' ' || message FROM hoso.run WHERE run_id = $stale")" \
	"failed interrupted: its runner stopped before finishing" "a killed runner's row is marked interrupted"
assert_contains "$(cat "$work/rerun.log")" "had been interrupted" "the run that marks it says so"
table_digest >"$work/final"
assert_eq "$(cmp -s "$work/final" "$work/clean" && echo same)" same "rerun after the trials equals a clean load"
# (each reset makes the database anew, a warehouse of another identity whose
# folder no runner of this one may touch: only this warehouse's folder counts)
tag=$(q -c "SELECT s.system_identifier || '-' || d.oid FROM pg_control_system() s, pg_database d
            WHERE d.datname = current_database()")
left=$(find "$work/staging/$tag" -name 'run-*' | wc -l)
assert_eq "$left" 0 "no staging directory left behind ($(find "$work/staging/$tag" -mindepth 1 -maxdepth 1 2>/dev/null | tr '\n' ' '))"
finish
