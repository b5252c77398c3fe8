#!/bin/sh
# --log-format json: every line a run writes on stderr, the stages' included,
# is one JSON object with the fixed fields (docs/logging.md); the run's lines
# carry its run_id, and the stages report their counts as event fields; the
# server's notices come through the log as well.
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db json_log
pipeline_for "$HOSO_ROOT/tests/golden/11-rejects" "$work/p.yaml"
printf 'rejects:\n  max_ratio: 1.0\n' >>"$work/p.yaml"
printf 'source:\n  paths: ["x"]\n  format: dvcqg-jsonl\nbogus_key: 1\n' >"$work/bad.yaml"

# a run id left in the environment is not this run's
rc=0; HOSO_RUN_ID=999 "$HOSO" run "$work/p.yaml" --date 2023-03-31 --log-format json >"$work/out" 2>"$work/run1" || rc=$?
assert_eq "$rc" 0 "first run: exit 0"
rc=0; "$HOSO" --log-format json run "$work/p.yaml" --date 2023-03-31 >>"$work/out" 2>"$work/run2" || rc=$?
assert_eq "$rc" 0 "rerun: exit 0"
rc=0; "$HOSO" run "$work/bad.yaml" --log-format json >>"$work/out" 2>"$work/bad" || rc=$?
assert_eq "$rc" 2 "broken pipeline: exit 2"
rc=0; "$HOSO" run --date 2023-02-30 "$work/p.yaml" --log-format json 2>"$work/usage" || rc=$?
assert_eq "$rc" 2 "bad date, before --log-format: exit 2"
assert_eq "$(cat "$work/out")" "" "nothing on stdout"
# the server's own messages, those sent while connecting included, are log
# lines too: debug ones, so that without --verbose stderr stays quiet
PGOPTIONS='-c client_min_messages=debug5' "$HOSO" report --from 2023-03-01 --to 2023-03-31 \
	--log-format json --verbose >/dev/null 2>"$work/notices"
PGOPTIONS='-c client_min_messages=debug5' "$HOSO" report --from 2023-03-01 --to 2023-03-31 \
	>/dev/null 2>"$work/quiet"
assert_eq "$(cat "$work/quiet")" "" "server notices are debug messages"

# The checks are written here, not taken from the code: fixed fields and
# their types, then what a run of this sample must say.
if python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
fixed = ["ts", "level", "program", "run_id", "event", "msg"]
bad = 0
def lines(name):
    global bad
    out = []
    with open(f"{work}/{name}", "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                o = json.loads(raw.decode("utf-8"))
            except Exception as e:
                print(f"{name}:{n}: not JSON ({e}): {raw[:200]!r}")
                bad += 1
                continue
            if not isinstance(o, dict) or list(o)[:6] != fixed:
                print(f"{name}:{n}: fixed fields missing or out of order: {list(o)}")
                bad += 1
                continue
            if o["level"] not in ("debug", "info", "warning", "error") or \
               not o["ts"].endswith("Z") or not isinstance(o["msg"], str) or \
               not isinstance(o["event"], str) or not o["event"] or \
               not (o["run_id"] is None or isinstance(o["run_id"], int)):
                print(f"{name}:{n}: a fixed field has the wrong type: {o}")
                bad += 1
            if "\n" in o["msg"]:
                print(f"{name}:{n}: a message of several lines: {o['msg']!r}")
                bad += 1
            out.append(o)
    if not out:
        print(f"{name}: no line at all")
        bad += 1
    return out

run1 = lines("run1")
progs = {o["program"] for o in run1}
for p in ("hoso", "hoso-extract", "hoso-transform", "hoso-load"):
    if p not in progs:
        print(f"run1: no line from {p} (programs: {sorted(progs)})")
        bad += 1
ids = {o["run_id"] for o in run1 if o["run_id"] is not None}
if len(ids) != 1:
    print(f"run1: expected one run_id, found {ids}")
    bad += 1
# the sample has rejected lines: each reject warning names its file and line
rejects = [o for o in run1 if o["event"] == "reject"]
if not rejects or not all(isinstance(o.get("line"), int) and o.get("file", "").endswith(".jsonl")
                          for o in rejects):
    print(f"run1: reject lines without file and line: {rejects}")
    bad += 1
done = [o for o in run1 if o["event"] == "transform_done"]
if len(done) != 1 or not isinstance(done[0].get("cases"), int) or done[0]["cases"] <= 0:
    print(f"run1: no transform_done line with a cases count: {done}")
    bad += 1
loaded = [o for o in run1 if o["event"] == "load_done"]
if len(loaded) != 1 or not isinstance(loaded[0].get("rows"), int) or \
   loaded[0].get("rejects") != len(rejects):
    print(f"run1: load_done should count {len(rejects)} rejects: {loaded}")
    bad += 1
# the run's last line is its summary, with its counts as fields
if run1[-1]["event"] != "run_summary" or run1[-1].get("exit") != 0 or \
   run1[-1].get("rejects") != len(rejects) or not isinstance(run1[-1].get("load_ms"), int):
    print(f"run1: the last line is not a run_summary with exit 0 and {len(rejects)} rejects: {run1[-1]}")
    bad += 1
run2 = lines("run2")
if not any(o["event"] == "run_nothing_to_load" for o in run2):
    print(f"run2: no run_nothing_to_load line: {run2}")
    bad += 1
broken = lines("bad")
if not any(o["level"] == "error" for o in broken):
    print(f"bad: no error line: {broken}")
    bad += 1
notices = lines("notices")
if not any(o["event"] == "server_notice" and o["level"] == "debug" for o in notices):
    print(f"notices: no server_notice line: {notices[:3]}")
    bad += 1
usage = lines("usage")
if usage and (usage[0]["event"] != "usage" or usage[0].get("hint") != "Try 'hoso run --help'."
              or usage[0]["msg"] != "--date 2023-02-30: 2023-02-30 is not a date"):
    print(f"usage: {usage}")
    bad += 1
sys.exit(1 if bad else 0)
PY
then say "ok: every stderr line is JSON with the fixed fields and the events' fields"
else
	fail "JSON log lines (see above)"
	sed 's/^/    /' "$work/run1" "$work/run2" "$work/bad"
fi
finish
