#!/bin/sh
# run-tests.sh [--long] [STEP...]: the test suite, as `make test` runs it.
#
# Steps, in order (all of them when none is named):
#   unit         unit tests (build/tests/test_*)
#   fuzz         replay of every fuzz target's corpus ($build/replay/*)
#   stage        stage tests: tests/<area>/run.sh and the oracle's own test
#   integration  tests/integration/[0-9]*.sh against one private PostgreSQL
#                started here and stopped on every exit path
# --long runs, instead, the long checks of tests/long/*.sh (the full scale-1
# Kon Tum sample, the long crash mode, ...) against a private PostgreSQL:
# `make test-long` runs them after the sanitizer build and the fuzzers.
#
# Environment given to the tests: HOSO_ROOT, HOSO_BIN (the programs under
# test), PGHOST/PGPORT/PGUSER/PGDATABASE for the PostgreSQL tests.
# HOSO_TESTS="gen load" limits stage, integration and long tests to names
# containing those words; HOSO_SKIP_TESTS="kontum" leaves those out.
# The last line is "N passed, N failed"; the exit status is 0 when none failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export HOSO_ROOT="$root"
export HOSO_BIN=${HOSO_BIN:-$root/bin}
build=${HOSO_BUILD:-build}
failed=""
passed=0
nfailed=0
long=0
if [ "${1:-}" = --long ]; then
	long=1
	shift
fi
steps=${*:-unit fuzz stage integration}
[ "$long" = 1 ] && steps=long
logs="$root/.hoso/test-logs"
mkdir -p "$logs"
# hoso-gen's scale-1 sample, made once by the first test that needs it
# (tests/integration/lib.sh, kontum_sample) and shared by the others
export HOSO_SAMPLE_DIR="${HOSO_SAMPLE_DIR:-$(mktemp -d /tmp/hoso-test-sample.XXXXXX)/sample}"
pgdir=""
cleanup() {
	if [ -n "$pgdir" ]; then
		"$root/scripts/pg.sh" stop "$pgdir"
		rm -rf "$pgdir"
	fi
	case $HOSO_SAMPLE_DIR in /tmp/hoso-test-sample.*/sample) rm -rf "${HOSO_SAMPLE_DIR%/sample}" ;; esac
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wants() {
	case " $steps " in *" $1 "*) return 0 ;; esac
	return 1
}

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

record_failure() {
	failed="$failed $1"
	nfailed=$((nfailed + 1))
}

run_one() {
	name=$1
	shift
	start=$(date +%s)
	log="$logs/$(echo "$name" | tr '/ ()' '____').log"
	if "$@" >"$log" 2>&1; then
		echo "PASS $name ($(( $(date +%s) - start )) s)"
		passed=$((passed + 1))
	else
		echo "FAIL $name ($(( $(date +%s) - start )) s); last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
		record_failure "$name"
	fi
}

# with_pg GLOB: run the numbered tests matching GLOB against one private server
with_pg() {
	pgdir=$(mktemp -d /tmp/hoso-test-pg.XXXXXX)
	chmod 755 "$pgdir"
	if pgenv=$("$root/scripts/pg.sh" start "$pgdir"); then
		eval "$pgenv"
		for t in $1; do
			[ -f "$t" ] || continue
			selected "$t" || continue
			run_one "$t" sh "$t"
		done
	else
		echo "FAIL could not start PostgreSQL"
		record_failure postgresql
	fi
	"$root/scripts/pg.sh" stop "$pgdir"
	rm -rf "$pgdir"
	pgdir=""
}

if wants unit; then
	echo "== unit tests"
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "unit/$(basename "$t")" "$t"
	done
fi

if wants fuzz; then
	echo "== fuzz corpus replay"
	for src in fuzz/fuzz_*.c; do
		[ -f "$src" ] || continue
		name=$(basename "$src" .c)
		corpus="tests/fuzz-corpus/$name"
		if [ ! -d "$corpus" ]; then
			echo "FAIL fuzz/$name: no corpus in $corpus"
			record_failure "fuzz/$name"
			continue
		fi
		# the target once on every corpus input (make fuzz runs it under libFuzzer)
		run_one "fuzz/$name (replay)" "$build/replay/$name" "$corpus"
	done
fi

if wants stage; then
	echo "== stage tests"
	for t in tests/*/run.sh tests/oracle/test_oracle.sh; do
		[ -f "$t" ] || continue
		case $t in tests/integration/* | tests/long/*) continue ;; esac
		selected "$t" || continue
		run_one "$t" sh "$t"
	done
fi

if wants integration; then
	echo "== integration tests (private PostgreSQL)"
	with_pg "tests/integration/[0-9]*.sh"
fi

if wants long; then
	echo "== long tests (private PostgreSQL)"
	with_pg "tests/long/[0-9]*.sh"
fi

echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$passed passed, $nfailed failed"
[ "$nfailed" -eq 0 ]
