#!/bin/sh
# run-tests.sh: the whole suite, as `make test` runs it.
#
#   1. unit tests (build/tests/*)
#   2. replay of every fuzz target's corpus (needs clang; skipped loudly without)
#   3. stage tests: tests/<area>/run.sh (each starts what it needs)
#   4. integration tests: tests/integration/*.sh against one private
#      PostgreSQL started here and stopped on every exit path
#
# Environment given to the tests: HOSO_ROOT, HOSO_BIN (the programs under
# test), PGHOST/PGPORT/PGUSER/PGDATABASE for integration tests.
# HOSO_TESTS="gen load" limits step 3 and 4 to names containing those words;
# HOSO_SKIP_TESTS="kontum" leaves out the names containing those.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export HOSO_ROOT="$root"
export HOSO_BIN=${HOSO_BIN:-$root/bin}
build=${HOSO_BUILD:-build}
failed=""
passed=0

selected() {
	for word in ${HOSO_SKIP_TESTS:-}; do
		case $1 in *"$word"*) echo "SKIP $1 (HOSO_SKIP_TESTS)"; return 1 ;; esac
	done
	[ -z "${HOSO_TESTS:-}" ] && return 0
	for word in $HOSO_TESTS; do
		case $1 in *"$word"*) return 0 ;; esac
	done
	return 1
}

run_one() {
	name=$1
	shift
	start=$(date +%s)
	log="$root/.hoso/test-logs/$(echo "$name" | tr '/ ' '__').log"
	mkdir -p "$root/.hoso/test-logs"
	if "$@" >"$log" 2>&1; then
		echo "PASS $name ($(( $(date +%s) - start )) s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name ($(( $(date +%s) - start )) s); last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
		failed="$failed $name"
	fi
}

echo "== unit tests"
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done

echo "== fuzz corpus replay"
if command -v clang >/dev/null 2>&1; then
	for src in fuzz/fuzz_*.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		corpus="tests/fuzz-corpus/$name"
		[ -d "$corpus" ] || { echo "FAIL fuzz/$name: no corpus in $corpus"; failed="$failed fuzz/$name"; continue; }
		if ! make -s "build-fuzz/$name" >"$root/.hoso/fuzz-build-$name.log" 2>&1; then
			echo "FAIL fuzz/$name: does not build"; tail -20 "$root/.hoso/fuzz-build-$name.log"
			failed="$failed fuzz/$name"; continue
		fi
		# -runs=0: execute every corpus input once, no new fuzzing
		run_one "fuzz/$name (replay)" "build-fuzz/$name" -runs=0 "$corpus"
		if [ -n "${HOSO_FUZZ_SECONDS:-}" ]; then
			run_one "fuzz/$name (${HOSO_FUZZ_SECONDS} s)" "build-fuzz/$name" \
				-max_total_time="$HOSO_FUZZ_SECONDS" -print_final_stats=1 "$corpus"
		fi
	done
else
	echo "SKIP fuzz replay: clang is not installed (make deps installs it)"
fi

echo "== stage tests"
for t in tests/*/run.sh; do
	[ -f "$t" ] || continue
	case $t in tests/integration/*) continue ;; esac
	selected "$t" || continue
	run_one "$t" sh "$t"
done

echo "== integration tests (private PostgreSQL)"
if ls tests/integration/*.sh >/dev/null 2>&1; then
	pgdir=$(mktemp -d /tmp/hoso-test-pg.XXXXXX)
	chmod 755 "$pgdir"
	trap '"$root/scripts/pg.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
	trap 'exit 130' INT TERM
	if pgenv=$("$root/scripts/pg.sh" start "$pgdir"); then
		eval "$pgenv"
		for t in tests/integration/[0-9]*.sh; do
			selected "$t" || continue
			run_one "$t" sh "$t"
		done
	else
		echo "FAIL could not start PostgreSQL"
		failed="$failed postgresql"
	fi
fi

echo
if [ -n "$failed" ]; then
	echo "$passed passed; FAILED:$failed"
	exit 1
fi
echo "all $passed passed"
