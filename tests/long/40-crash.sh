#!/bin/sh
# The long crash mode: tests/integration/40-crash.sh with 50 kills.
HOSO_CRASH_TRIALS=${HOSO_CRASH_TRIALS:-50} exec sh "$HOSO_ROOT/tests/integration/40-crash.sh"
