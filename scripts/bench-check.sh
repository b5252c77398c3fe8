#!/bin/sh
# bench-check.sh (make bench-check): the targets of the last `make bench`
# (bench/results-s*.json) -- says which miss, exit 1 if any does.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
ls "$root"/bench/results-s*.json >/dev/null 2>&1 ||
	{ echo "bench-check: no bench/results-s*.json; run make bench first" >&2; exit 1; }
exec python3 - "$root"/bench/results-s*.json <<'PY'
import json, sys
missed = 0
for path in sys.argv[1:]:
    r = json.load(open(path))
    for t in r["targets"]:
        ok = t["value"] >= t["limit"] if t["op"] == ">=" else t["value"] <= t["limit"]
        if not ok:
            missed += 1
        print("scale %-3d %-45s %10.3f %s %-8g %s" % (r["scale"], t["name"], t["value"], t["op"],
              t["limit"], "ok" if ok else "MISS: " + t["note"]))
print("bench-check: %d target(s) missed" % missed if missed else "bench-check: every target met")
sys.exit(1 if missed else 0)
PY
