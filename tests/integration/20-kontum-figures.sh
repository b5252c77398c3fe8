#!/bin/sh
# The Kon Tum 2023 sample, the reference figures only: hoso-gen's scale-1
# sample, loaded from its first landing day to a week after the reporting
# period in one run, must give the province's published figures for
# 2022-12-15..2023-10-14 exactly (lib.sh, check_kontum_reference).  The
# rest of the sample's checks (historic fidelity, scans, idempotence, the
# oracle, personal data) run in make test-long (tests/long/20-kontum.sh).
. "$HOSO_ROOT/tests/integration/lib.sh"

kontum_warehouse kontum_figures
"$HOSO" run "$P" --from 2022-06-01 --to 2023-10-21 >"$work/run.log" 2>&1 ||
	{ cat "$work/run.log"; fail "the run failed"; finish; }
check_kontum_reference "data to 2023-10-21"
finish
