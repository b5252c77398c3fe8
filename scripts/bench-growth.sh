#!/bin/sh
# bench-growth.sh (make bench BENCH_SCALE=K, K > 1): growth with the input,
# measured, not assumed.
#
#   BENCH_SCALE=10   hoso-gen --scale of the big sample (K copies of Kon Tum)
#   BENCH_RUNS=3     repetitions of each end-to-end run (the median is reported)
#   BENCH_TO=DAY     only the landing days up to DAY (a quick check)
#
# In one run, on one private server: `hoso run` of every landing day into an
# empty warehouse at scale 1 and at scale K (hyperfine), then
# hoso-extract | hoso-transform of each sample as hoso run chains them,
# each stage under /usr/bin/time -v (peak RSS) and the pipe's CPU share.
# Writes bench/results-sK.json ("growth": the time per case at scale K
# against scale 1's in the same run, the stages' peak memory at scale K,
# with their targets) and regenerates BENCHMARKS.md; `make bench-check`
# judges it with the others.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
scale=${BENCH_SCALE:-10}
runs=${BENCH_RUNS:-3}
work=$root/.hoso/bench/growth
# the commit measured, read before the run: the tree may move while it runs
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
bench_name=bench-growth
. "$root/scripts/bench-lib.sh"

for tool in hyperfine psql python3 /usr/bin/time; do
	command -v "$tool" >/dev/null 2>&1 || { echo "$bench_name: $tool is missing (make deps)" >&2; exit 1; }
done
mkdir -p "$work/cmd" "$work/hf" "$work/mem"
rm -f "$work"/*.err "$work"/cmd/*.sh
chmod 755 "$root/.hoso" "$root/.hoso/bench" "$work" 2>/dev/null || true
bench_pg_start

sets=""
for s in 1 "$scale"; do
	# the samples are bench.sh's (.hoso/bench/sSCALE), shared with it
	d=$root/.hoso/bench/s$s
	bench_sample "$s" "$d"
	bytes_gz=$(xargs cat <"$d/files.txt" | wc -c)
	say "scale $s: $nfiles files, $bytes_gz bytes on disk, $first .. $last"
	mkcmd "e2e_s$s" "cd '$d' && PGDATABASE=hg_s$s '$bin/hoso' run --log-format json bench.yaml --from $first --to $last 2>>'$work/e2e.err'"
	hf "e2e_s$s" "rm -rf '$d/staging-run'; $(fresh_db_cmd "hg_s$s")"
	n_fact=$(psql -X -At -d "hg_s$s" -c "SELECT count(*) FROM hoso.case_fact")
	dropdb "hg_s$s"	# the disk for the next scale
	say "measuring the stages' peak memory at scale $s"
	mem "pipe_s$s" "rm -rf '$work/staging-t' && /usr/bin/time -v -o '$work/mem/extract_s$s.txt' '$bin/hoso-extract' $files | /usr/bin/time -v -o '$work/mem/transform_s$s.txt' '$bin/hoso-transform' --out '$work/staging-t' $refopts"
	rm -rf "$work/staging-t"
	sets="$sets nfiles_s$s=$nfiles bytes_gz_s$s=$bytes_gz n_fact_s$s=$n_fact first_s$s=$first last_s$s=$last"
done

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
memtotal=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
# shellcheck disable=SC2086 # $sets: KEY=VALUE words without spaces
python3 "$root/bench/report.py" --root "$root" --work "$work" --scale "$scale" --runs "$runs" --growth \
	--set $sets nproc="$(nproc)" cpu="$cpu" memory="$memtotal" pg="$pgversion" commit="$commit"
say "wrote bench/results-s$scale.json and BENCHMARKS.md; make bench-check judges them"
