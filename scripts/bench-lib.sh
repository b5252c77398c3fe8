# bench-lib.sh: what the benchmark scripts share (sourced, not run).
# The caller sets $work (the work directory, with cmd/ and hf/) and $runs,
# and $bench_name (the prefix of its messages).

say() { echo "$bench_name: $*"; }

# mkcmd NAME LINE...: the script $work/cmd/NAME.sh (a command line may be
# longer than one argument may be: the file lists)
mkcmd() {
	_mk=$1
	shift
	printf '%s\n' "set -e" "$@" >"$work/cmd/$_mk.sh"
}

# hf NAME [PREP]: hyperfine of $work/cmd/NAME.sh, $runs runs, PREP (a
# command line) before each; the results in $work/hf/NAME.json
hf() {
	_hf=$1
	_prep=${2:-}
	say "measuring $_hf ($runs runs)"
	if [ -n "$_prep" ]; then
		# every run starts from the same state, whatever ran before it: the
		# server's dirty buffers written (CHECKPOINT) and the kernel's
		# dirty pages flushed (sync), so that no run pays for the writes of
		# the one before (with bench_pg_start's server only)
		if [ -n "${bench_settle:-}" ]; then _prep="$_prep && $bench_settle"; fi
		mkcmd "$_hf.prep" "$_prep"
		set -- --prepare "sh $work/cmd/$_hf.prep.sh"
	else
		set --
	fi
	hyperfine -N --runs "$runs" --export-json "$work/hf/$_hf.json" "$@" \
		-n "$_hf" "sh $work/cmd/$_hf.sh" >"$work/hf/$_hf.log" 2>&1 ||
		{ cat "$work/hf/$_hf.log" >&2; tail -n 5 "$work"/*.err >&2 2>/dev/null; exit 1; }
	grep -E 'Time|Range' "$work/hf/$_hf.log" | sed 's/^/    /'
}

# hf_median NAME: the median seconds of hf NAME
hf_median() {
	python3 -c 'import json, sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' \
		"$work/hf/$1.json"
}

# bench_sample SCALE DIR: hoso-gen's Kon Tum sample at SCALE in DIR/sample
# (made again only when hoso-gen changed), its landing files listed in
# DIR/files.txt and the pipeline DIR/bench.yaml (staging in
# DIR/staging-run); sets nfiles, files (quoted, for a command line),
# first and last (landing days), ref and refopts (the stages' reference
# options).  Needs $bin.
bench_sample() {
	_s=$1 _d=$2
	_stamp="scale=$_s gen=$(sha256sum "$bin/hoso-gen" | cut -c1-16)"
	mkdir -p "$_d"
	if [ "$(cat "$_d/sample.stamp" 2>/dev/null)" != "$_stamp" ]; then
		say "generating the Kon Tum sample, scale $_s (bin/hoso-gen)"
		rm -rf "$_d/sample" "$_d/sample.stamp"
		"$bin/hoso-gen" --out "$_d/sample" --scale "$_s" --reference "$_d/sample/ref"
		echo "$_stamp" >"$_d/sample.stamp"
	fi
	chmod -R a+rX "$_d/sample"
	# BENCH_TO=YYYY-MM-DD: only the landing days up to it (a quick check of
	# the scripts, not a measurement to publish)
	(cd "$_d/sample" && find landing -type f -name '*.jsonl*' | LC_ALL=C sort |
		awk -v to="${BENCH_TO:-}" '{ d = substr($0, 9, 10); gsub("/", "-", d) } to == "" || d <= to' |
		sed "s|^|$_d/sample/|") >"$_d/files.txt"
	[ -s "$_d/files.txt" ] || { echo "$bench_name: no landing file in $_d/sample${BENCH_TO:+ up to $BENCH_TO}" >&2; exit 1; }
	nfiles=$(wc -l <"$_d/files.txt")
	files=$(sed "s/.*/'&'/" "$_d/files.txt" | tr '\n' ' ')
	first=$(sed -n 's|.*/landing/\([0-9]*\)/\([0-9]*\)/\([0-9]*\)/.*|\1-\2-\3|p' "$_d/files.txt" | head -1)
	last=$(sed -n 's|.*/landing/\([0-9]*\)/\([0-9]*\)/\([0-9]*\)/.*|\1-\2-\3|p' "$_d/files.txt" | tail -1)
	ref="$_d/sample/ref"
	refopts="--reference-units '$ref/units.csv' --reference-procedures '$ref/procedures.csv' --reference-calendar '$ref/calendar'"
	cat >"$_d/bench.yaml" <<EOY
name: bench
source:
  paths: ["$_d/sample/landing/{date:%Y/%m/%d}/*.jsonl.gz"]
  format: dvcqg-jsonl
reference:
  units: $ref/units.csv
  procedures: $ref/procedures.csv
  calendar: $ref/calendar
rejects:
  max_ratio: 0.01
personal_data: drop
staging: $_d/staging-run
EOY
}

# bench_pg_start: a private PostgreSQL for this run (PGHOST... exported),
# stopped and removed on exit; sets pgversion
bench_pg_start() {
	pgdir=$(mktemp -d /tmp/hoso-bench-pg.XXXXXX)
	chmod 755 "$pgdir"	# as root, the server runs as postgres
	trap '"$root/scripts/pg.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
	trap 'exit 130' INT TERM
	eval "$("$root/scripts/pg.sh" start "$pgdir")"
	export PGHOST PGPORT PGUSER
	unset PGDATABASE
	pgversion=$(psql -X -At -d postgres -c "SHOW server_version")
	bench_settle="psql -X -q -d postgres -c CHECKPOINT && sync"
	say "private PostgreSQL $pgversion in $pgdir"
}

# fresh_db_cmd NAME [migrate]: the command line of a new empty database
# (with the warehouse schema)
fresh_db_cmd() {
	echo "dropdb --if-exists $1 && createdb $1${2:+ && PGDATABASE=$1 '$bin/hoso-load' --migrate --log-format json 2>/dev/null}"
}

# mem NAME CMD: peak RSS and CPU share of one run of CMD (/usr/bin/time -v)
mem() {
	_mem=$1
	shift
	mkcmd "mem-$_mem" "$@"
	/usr/bin/time -v -o "$work/mem/$_mem.txt" sh "$work/cmd/mem-$_mem.sh"
}
