#!/usr/bin/env python3
"""report.py: scripts/bench.sh's measurements -> bench/results-sSCALE.json,
then BENCHMARKS.md from every bench/results-s*.json (and bench/notes.md).

The targets (each stage within a ratio of its floor) are computed here, once, as ratios of the same run;
scripts/bench-check.sh only reads the "targets" lists back.
"""
import argparse
import glob
import json
import os
import re

MIB = 1024 * 1024
ROOT = ""


def hyperfine(work, name):
    with open(os.path.join(work, "hf", name + ".json")) as f:
        r = json.load(f)["results"][0]
    return {"median": r["median"], "min": r["min"], "max": r["max"], "runs": len(r["times"]),
            "user": r["user"], "system": r["system"], "times": r["times"]}


def time_v(work, name):
    out = {}
    with open(os.path.join(work, "mem", name + ".txt")) as f:
        for line in f:
            m = re.match(r"\s*Maximum resident set size \(kbytes\): (\d+)", line)
            if m:
                out["max_rss_kib"] = int(m.group(1))
            m = re.match(r"\s*Percent of CPU this job got: (\d+)%", line)
            if m:
                out["cpu_percent"] = int(m.group(1))
            m = re.match(r"\s*Elapsed \(wall clock\) time.*: (.*)", line)
            if m:
                out["wall"] = m.group(1)
    return out


def commands(work):
    out = {}
    for path in sorted(glob.glob(os.path.join(work, "cmd", "*.sh"))):
        with open(path) as f:
            body = [l for l in f.read().splitlines() if l != "set -e"]
        text = " && ".join(body)
        # the file list is long: show its first file and the count
        text = re.sub(r"('[^' ]*/landing/[^']*'\s*)+",
                      lambda m: "%s... (%d files) " % (m.group(0).split()[0], len(m.group(0).split())),
                      text)
        out[os.path.basename(path)[:-3]] = text.replace(ROOT + "/", "")
    return out


def build(args):
    c = dict(kv.split("=", 1) for kv in args.set)
    n = {k: int(v) for k, v in c.items() if k.startswith(("n_", "bytes", "nfiles"))}
    t = {name: hyperfine(args.work, name) for name in
         ("gzip", "extract", "transform", "e2e", "floor", "load", "pgloader", "night_empty", "night_big")}
    # older results lack the full-warehouse night and the true floor
    for name in ("night_small", "truefloor"):
        if os.path.exists(os.path.join(args.work, "hf", name + ".json")):
            t[name] = hyperfine(args.work, name)
    mem = {name: time_v(args.work, name) for name in ("extract", "transform", "load", "pipe")}
    med = {k: v["median"] for k, v in t.items()}
    cases = n["n_fact"]
    hoso_rows_s = n["n_load"] / med["load"]
    pgl_rows_s = cases / med["pgloader"]
    # Enforced: the targets of the current round (the true floor, memory
    # bounded by configuration, both cores).  Compared: the earlier floors'
    # ratios, shown beside them but no longer judged.
    targets = [
        ("extract throughput / gzip -dc", med["gzip"] / med["extract"], ">=", 0.8,
         "same files; ratio of medians (gzip time / extract time)"),
        ("load / true floor", med["load"] / med["truefloor"], "<=", 1.2,
         "binary COPY into the same tables without keys or indexes, then the same builds"),
        ("end to end / (decompression + true floor)", med["e2e"] / (med["gzip"] + med["truefloor"]),
         "<=", 1.3, "hoso run of every landing day into an empty warehouse"),
        ("hoso-load rows/s / pgloader rows/s", hoso_rows_s / pgl_rows_s, ">=", 20.0,
         "hoso-load: every row it writes for the cases; pgloader: the flat CSV of the same cases"),
        ("extract peak RSS (MiB)", mem["extract"]["max_rss_kib"] / 1024, "<=", 64.0, "flat in input size"),
        ("load peak RSS (MiB)", mem["load"]["max_rss_kib"] / 1024, "<=", 64.0, "flat in input size"),
        ("transform peak RSS (MiB)", mem["transform"]["max_rss_kib"] / 1024, "<=", 128.0,
         "the default budget; %d distinct cases" % cases),
        ("nightly day: big / full scale-%d warehouse" % args.scale,
         med["night_big"] / med["night_small"], "<=", 1.2,
         "day %s replaced in both; %d vs %d cases" % (c["day"], n["n_big"], n["n_small"])),
        ("nightly day in the big warehouse (s)", med["night_big"], "<=", 1.0,
         "day %s, %d cases" % (c["day"], n["n_big"])),
        ("extract+transform pipe CPU (% of one core)", mem["pipe"].get("cpu_percent", 0), ">=", 180,
         "%d input files, 2 cores" % n["nfiles"]),
    ]
    compared = [
        ("load / text floor (\\copy into the indexed tables)", med["load"] / med["floor"]),
        ("end to end / (decompression + text floor)", med["e2e"] / (med["gzip"] + med["floor"])),
        ("true floor / text floor", med["truefloor"] / med["floor"]),
        ("nightly day: big / empty warehouse (new cases, not replaced)",
         med["night_big"] / med["night_empty"]),
    ]
    return {
        "scale": args.scale, "runs": args.runs, "commit": c["commit"],
        "machine": {"nproc": int(c["nproc"]), "cpu": c["cpu"], "memory": c["memory"],
                    "postgresql": c["pg"]},
        "input": {"files": n["nfiles"], "bytes_on_disk": n["bytes_gz"],
                  "bytes_decompressed": n["bytes_raw"], "first_day": c["first"], "last_day": c["last"]},
        "rows": {k[2:]: v for k, v in n.items() if k.startswith("n_")},
        "times": t, "memory": mem,
        "rates": {"hoso_load_rows_per_s": hoso_rows_s, "pgloader_rows_per_s": pgl_rows_s,
                  "e2e_cases_per_s": cases / med["e2e"],
                  "extract_mb_per_s": n["bytes_raw"] / med["extract"] / 1e6,
                  "gzip_mb_per_s": n["bytes_raw"] / med["gzip"] / 1e6},
        "targets": judged(targets), "commands": commands(args.work),
        "compared": [{"name": k, "value": round(v, 3)} for k, v in compared],
    }


def growth(args):
    """bench-growth.sh's run: scale K against scale 1, measured in the same run."""
    c = dict(kv.split("=", 1) for kv in args.set)
    k = args.scale
    t = {name: hyperfine(args.work, name) for name in ("e2e_s1", "e2e_s%d" % k)}
    mem = {name: time_v(args.work, name) for s in (1, k)
           for name in ("extract_s%d" % s, "transform_s%d" % s, "pipe_s%d" % s)}
    cases = {s: int(c["n_fact_s%d" % s]) for s in (1, k)}
    per_case = {s: t["e2e_s%d" % s]["median"] / cases[s] for s in (1, k)}
    rss = lambda name: mem[name]["max_rss_kib"] / 1024
    targets = [
        ("end to end per case: scale %d / scale 1" % k, per_case[k] / per_case[1], "<=", 1.1,
         "hoso run of every landing day into an empty warehouse, both scales in this run"),
        ("transform peak RSS at scale %d (MiB)" % k, rss("transform_s%d" % k), "<=", 128.0,
         "the default budget; %d distinct cases" % cases[k]),
        ("extract peak RSS at scale %d (MiB)" % k, rss("extract_s%d" % k), "<=", 64.0, "flat in input size"),
    ]
    return {
        "kind": "growth", "scale": k, "runs": args.runs, "commit": c["commit"],
        "machine": {"nproc": int(c["nproc"]), "cpu": c["cpu"], "memory": c["memory"],
                    "postgresql": c["pg"]},
        "input": {str(s): {"files": int(c["nfiles_s%d" % s]), "bytes_on_disk": int(c["bytes_gz_s%d" % s]),
                           "first_day": c["first_s%d" % s], "last_day": c["last_s%d" % s],
                           "cases": cases[s]} for s in (1, k)},
        "times": t, "memory": mem,
        "rates": {"e2e_cases_per_s_s1": 1 / per_case[1], "e2e_cases_per_s_s%d" % k: 1 / per_case[k]},
        "targets": judged(targets), "commands": commands(args.work),
    }


def judged(targets):
    out = []
    for name, value, op, limit, note in targets:
        ok = value >= limit if op == ">=" else value <= limit
        out.append({"name": name, "value": round(value, 3), "op": op, "limit": round(limit, 3),
                    "ok": ok, "note": note})
    return out


LABELS = [
    ("gzip", "gzip -dcf, every landing file (decompression floor)"),
    ("extract", "hoso-extract, every landing file, > /dev/null"),
    ("transform", "hoso-transform on the saved record stream"),
    ("floor", "psql \\copy of the staging rows into the indexed tables (text floor)"),
    ("truefloor", "binary COPY of the same rows, unindexed, then the same index builds (true floor)"),
    ("load", "hoso-load of the staging directory, fresh warehouse"),
    ("e2e", "hoso run, every landing day, empty warehouse"),
    ("pgloader", "pgloader, flat CSV of the same cases"),
    ("night_empty", "hoso run --date DAY, empty warehouse"),
    ("night_small", "hoso run --date DAY again, the full warehouse (the day's cases replaced)"),
    ("night_big", "hoso run --date DAY again, warehouse padded to >= 2M cases"),
]


def markdown(root, results):
    m = results[0]["machine"]
    w = ["# Benchmarks", "",
         "Written by `make bench` (scripts/bench.sh, bench/report.py); `make bench-check`",
         "compares the ratios below with the targets (exit 1 when one misses).",
         "Every figure is the median of the runs shown, measured in the same `make bench`",
         "run as the floors it is compared with.", "",
         "Machine: %d CPUs (%s), %s memory, PostgreSQL %s (private server from scripts/pg.sh:"
         " fsync off, shared_buffers 256MB)." % (m["nproc"], m["cpu"], m["memory"], m["postgresql"]), ""]
    for r in results:
        w += growth_section(r) if r.get("kind") == "growth" else full_section(r)
    # the profile notes (by hand), then the figures that
    # scripts/bench-analytics.sh and scripts/bench-national.sh wrote
    for extra in ("notes.md", "analytics.md", "national.md"):
        path = os.path.join(root, "bench", extra)
        if os.path.exists(path):
            with open(path) as f:
                w += [f.read().rstrip(), ""]
    return "\n".join(w)


def targets_table(r):
    w = ["", "| target | value | limit | |", "|---|---:|---:|---|"]
    for x in r["targets"]:
        w.append("| %s | %.3g | %s %.3g | %s |" % (x["name"], x["value"], x["op"], x["limit"],
                                                 "ok" if x["ok"] else "**MISS** (%s)" % x["note"]))
    return w


def commands_block(r):
    w = ["", "Commands (scripts in the bench work directory; `NAME.prep` runs before each run):", "", "```"]
    w += ["%s: %s" % (k, v) for k, v in r["commands"].items()]
    return w + ["```", ""]


def growth_section(r):
    k, t, i, m = r["scale"], r["times"], r["input"], r["memory"]
    w = ["## Scale %d against scale 1: growth (commit %s, %d runs each)" % (k, r["commit"], r["runs"]), "",
         "Written by `make bench BENCH_SCALE=%d` (scripts/bench-growth.sh): both scales measured in"
         " the same run, on the same private server, each into an empty warehouse." % k, "",
         "| scale | files | MB on disk | landing days | cases | hoso run, median s | min s | max s | cases/s |",
         "|---:|---:|---:|---|---:|---:|---:|---:|---:|"]
    for s in (1, k):
        x, n = t["e2e_s%d" % s], i[str(s)]
        w.append("| %d | %d | %.1f | %s .. %s | %d | %.2f | %.2f | %.2f | %.0f |" % (
            s, n["files"], n["bytes_on_disk"] / 1e6, n["first_day"], n["last_day"], n["cases"],
            x["median"], x["min"], x["max"], n["cases"] / x["median"]))
    w += ["", "| peak memory (time -v), `hoso-extract \\| hoso-transform` | scale 1 MiB | scale %d MiB |" % k,
          "|---|---:|---:|"]
    for stage in ("extract", "transform"):
        w.append("| %s | %.1f | %.1f |" % (stage, m["%s_s1" % stage]["max_rss_kib"] / 1024,
                                           m["%s_s%d" % (stage, k)]["max_rss_kib"] / 1024))
    w += ["", "CPU of the pipe: %d %% of one core at scale 1, %d %% at scale %d." % (
        m["pipe_s1"].get("cpu_percent", 0), m["pipe_s%d" % k].get("cpu_percent", 0), k)]
    return w + targets_table(r) + commands_block(r)


def full_section(r):
    i, rows, t = r["input"], r["rows"], r["times"]
    w = ["## Scale %d (commit %s, %d runs each)" % (r["scale"], r["commit"], r["runs"]), "",
         "Input: %d files, %.1f MB on disk, %.1f MB decompressed, landing days %s .. %s. "
         "Staging rows: %d dossier messages, %d progress rows, %d cases, %d due steps, "
         "%d status steps, %d rejects, %d summary rows (%d in all)." % (
             i["files"], i["bytes_on_disk"] / 1e6, i["bytes_decompressed"] / 1e6,
             i["first_day"], i["last_day"], rows["dossier"], rows["progress"], rows["fact"],
             rows["due"], rows["status"], rows["reject"], rows.get("summary", 0), rows["load"]), "",
         "| measurement | median s | min s | max s | user s | sys s |", "|---|---:|---:|---:|---:|---:|"]
    for key, label in LABELS:
        if key not in t:
            continue
        x = t[key]
        w.append("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |" % (
            label, x["median"], x["min"], x["max"], x["user"], x["system"]))
    rt = r["rates"]
    w += ["", "Rates: extract %.0f MB/s vs gzip %.0f MB/s (decompressed bytes); hoso-load %.0f rows/s; "
          "pgloader %.0f rows/s; end to end %.0f cases/s." % (
              rt["extract_mb_per_s"], rt["gzip_mb_per_s"], rt["hoso_load_rows_per_s"],
              rt["pgloader_rows_per_s"], rt["e2e_cases_per_s"]), "",
          "| peak memory (time -v) | MiB | CPU |", "|---|---:|---:|"]
    for k, v in r["memory"].items():
        w.append("| %s | %.1f | %d %% |" % (k, v["max_rss_kib"] / 1024, v.get("cpu_percent", 0)))
    w += targets_table(r)
    if r.get("compared"):
        w += ["", "Compared (not judged: the earlier floors and the night of new cases):", "",
              "| ratio | value |", "|---|---:|"]
        w += ["| %s | %.3g |" % (x["name"], x["value"]) for x in r["compared"]]
    return w + commands_block(r)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--work")
    p.add_argument("--scale", type=int)
    p.add_argument("--runs", type=int)
    p.add_argument("--markdown-only", action="store_true",
                   help="only rewrite BENCHMARKS.md from the saved results")
    p.add_argument("--growth", action="store_true",
                   help="scripts/bench-growth.sh's run: scale --scale against scale 1")
    p.add_argument("--set", nargs="*", default=[])
    args = p.parse_args()
    global ROOT
    ROOT = os.path.abspath(args.root)
    res = None
    if not args.markdown_only:
        if not (args.work and args.scale and args.runs):
            p.error("--work, --scale and --runs are required unless --markdown-only")
        res = growth(args) if args.growth else build(args)
        with open(os.path.join(args.root, "bench", "results-s%d.json" % args.scale), "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
            f.write("\n")
    results = []
    for path in sorted(glob.glob(os.path.join(args.root, "bench", "results-s*.json")),
                       key=lambda s: int(re.search(r"s(\d+)\.json$", s).group(1))):
        with open(path) as f:
            results.append(json.load(f))
    with open(os.path.join(args.root, "BENCHMARKS.md"), "w") as f:
        f.write(markdown(args.root, results))
    for x in res["targets"] if res else []:
        print("bench: %-45s %10.3f %s %-8.3g %s" % (x["name"], x["value"], x["op"], x["limit"],
                                                   "ok" if x["ok"] else "MISS"))


main()
