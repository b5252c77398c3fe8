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

# the 10-month report as a trend: its months' flows add up to the seed's
# figures, in calendar months (2022-12 and 2023-10 clipped) and in reporting
# months (exactly 2023-01 .. 2023-10)
for kind in calendar reporting; do
	assert_eq "$(q -c "SELECT count(DISTINCT month) || ' ' || sum(value) FILTER (WHERE indicator = 'received_in_period')
	                     || ' ' || sum(value) FILTER (WHERE indicator = 'resolved_total')
	                     FROM hoso.monthly_trend('2022-12-15', '2023-10-14', NULL, '$kind')")" \
		"$([ $kind = calendar ] && echo 11 || echo 10) 194927 193339" "$kind trend of the 10-month report adds up to it"
done
# "as is": 2023's commune cases under today's communes, the as-was total;
# the TINH rows, the unresolved one included, add up to the province
assert_eq "$(q -c "SELECT (SELECT sum(received_total) FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'XA', 'ii06a', true))
                   = (SELECT sum(received_total) FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'XA'))
               AND (SELECT sum(received_total) FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'XA')) > 100000")" \
	t "as is, XA 2023: the as-was total (over 100,000 cases)"
assert_eq "$(q -c "SELECT count(*) FROM hoso.period_summary_by_unit('2023-01-01', '2023-12-31', 'XA', 'ii06a', true) s
                    WHERE s.unit_code <> 'UNRESOLVED' AND NOT EXISTS (SELECT 1 FROM hoso.unit u
                          WHERE u.code = s.unit_code AND u.valid_from >= '2025-07-01' AND u.successor_code IS NULL)")" \
	0 "as is, XA 2023: the rows are today's communes"
assert_eq "$(q -c "SELECT sum(received_total) FROM hoso.period_summary_by_unit('2022-12-15', '2023-10-14', 'TINH')")" \
	199352 "TINH rows with the unresolved one add up to the province"
finish
