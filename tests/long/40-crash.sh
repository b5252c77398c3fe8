#!/bin/sh
# The long crash mode: 100 trials at random moments, rotating through every
# way to die (runner only, SIGTERM, one stage, the process group, the server).
HOSO_CRASH_TRIALS=${HOSO_CRASH_TRIALS:-100} \
HOSO_CRASH_MODES=${HOSO_CRASH_MODES:-runner-kill stage runner-term group server} \
	exec sh "$HOSO_ROOT/tests/integration/40-crash.sh"
