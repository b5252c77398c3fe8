-- functions/summary.sql: the summary tables' maintenance and the one set
-- of period figures every analysts' function sums (docs/design.md §8).
--
-- Every figure of the period summary (docs/counting.md §3) is either a flow
-- or a state:
--   flows happen on one local day: a case is received on the day of its
--     accepted_at, resolved or closed on the day of its end_at;
--   states hold at the end of a day D (E(D) = D 23:59:59 local): a case is
--     open at E(D) when accepted_at <= E(D) < end_at, overdue when also the
--     due date in force at E(D) falls on a day before D, paused when its
--     status at E(D) is 5 or 6, late under 766 criterion 2.1 from its
--     late_766_at on.
-- A state is stored as its changes: +1 on the first day it holds, -1 on the
-- first day it no longer does.  Then, for a period [from, to]:
--   received_*, resolved_*, closed_other = the flows of the days from..to;
--   carried_over = open at E(from - 1)    = sum of d_open up to from - 1;
--   in_progress_total = open at E(to)     = sum of d_open up to to;
--   in_progress_overdue, _paused likewise; in_time = total - overdue.
-- (E(from - 1) is the instant before T0, E(to) is T1.)
--
-- A load replaces the facts of the cases it touched; hoso.summary_collect
-- gathers their old contributions (times -1) before, and the load adds
-- them up with the new ones (the rows the transform wrote) after, in the
-- load's transaction (load/summary.c), so its cost is proportional to the
-- cases the run touched, not to the warehouse.  hoso.summary_apply adds or
-- takes away directly (hoso.summary_rebuild, the tests).  The tests check
-- these figures against the same ones computed case by case from the facts
-- (tests/sql/scan.sql).
--
-- A function file: applied whole, again, by "hoso-load --migrate" whenever
-- a file of schemas/warehouse/functions changes.

/*
 * The contributions of a set of cases (the table p_keys, columns src and
 * case_no) to hoso.summary_day, times p_sign (+1 to add, -1 to take away).
 * The states' start and stop days follow from the definitions above:
 * open on the days D with day(accepted_at) <= D < day(end_at); in a
 * due-date or status span [from_at, next_at) on the days
 * day(from_at) <= D < day(next_at); overdue on the days D > day(due_at);
 * resolved_on_time_766 on the day of end_at; late under 766 on the days D
 * with max(day(accepted_at), day(late_766_at)) <= D < day(end_at) (T1 =
 * E(D) is at or after late_766_at exactly when day(late_766_at) <= D).
 * The end of a paused step is the smallest from_at after its own (after
 * NULL, "from the beginning": the smallest of all), looked up in
 * case_status_key rather than sorting every status step of the cases.
 */
CREATE OR REPLACE FUNCTION hoso.summary_day_apply(p_keys regclass, p_sign integer,
	p_into regclass DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
	EXECUTE format($q$
	WITH f AS (
		SELECT c.src, c.case_no, c.province, c.unit_path, c.channel, c.digitised, c.has_fee,
		       c.paid_online, c.vneid, c.reuse, c.end_kind, c.due_at_end, c.paper_result, c.e_result,
		       c.working_seconds, c.on_time_766, c.late_766_at,
		       hoso.local_date(c.accepted_at) AS acc_day, hoso.local_date(c.end_at) AS end_day
		  FROM hoso.case_fact c JOIN %1$s k ON k.src = c.src AND k.case_no = c.case_no
		 WHERE c.received
	), intake AS (
		SELECT acc_day AS day, province, unit_path,
		       (channel = 2)::int AS ro, (channel = 1)::int AS rd, (channel = 3)::int AS rp,
		       digitised::int AS dg, has_fee::int AS fee, (has_fee AND paid_online)::int AS feepaid,
		       (channel = 2 AND vneid)::int AS vneid, reuse::int AS reuse,
		       0 AS re, 0 AS rt, 0 AS rl, 0 AS cl, 0 AS paper, 0 AS paper_e, 0::numeric AS wsec,
		       0 AS r766, 1 AS d_open, 0 AS d_overdue, 0 AS d_paused, 0 AS d_late766
		  FROM f
	), ending AS (
		SELECT end_day, province, unit_path, 0, 0, 0, 0, 0, 0, 0, 0,
		       (end_kind = 'R' AND due_at_end IS NOT NULL AND end_day < hoso.local_date(due_at_end))::int,
		       (end_kind = 'R' AND (due_at_end IS NULL OR end_day = hoso.local_date(due_at_end)))::int,
		       coalesce(end_kind = 'R' AND end_day > hoso.local_date(due_at_end), false)::int,
		       (end_kind = 'C')::int,
		       (end_kind = 'R' AND paper_result)::int,
		       (end_kind = 'R' AND paper_result AND e_result)::int,
		       CASE WHEN end_kind = 'R' THEN coalesce(working_seconds, 0) ELSE 0 END,
		       (end_kind = 'R' AND on_time_766)::int,
		       -1, 0, 0, 0
		  FROM f WHERE end_day IS NOT NULL
	), due_span AS (
		SELECT f.province, f.unit_path, f.acc_day, f.end_day, hoso.local_date(d.due_at) AS due_day,
		       hoso.local_date(d.from_at) AS from_day,
		       hoso.local_date(lead(d.from_at) OVER w) AS next_day
		  FROM f JOIN hoso.case_due d ON d.src = f.src AND d.case_no = f.case_no
		WINDOW w AS (PARTITION BY d.src, d.case_no ORDER BY d.from_at NULLS FIRST)
	), overdue AS (
		SELECT greatest(from_day, acc_day, due_day + 1) AS start_day,
		       least(next_day, end_day) AS stop_day, province, unit_path
		  FROM due_span WHERE due_day IS NOT NULL
	), paused AS (
		SELECT greatest(hoso.local_date(s.from_at), f.acc_day) AS start_day,
		       least(hoso.local_date((SELECT min(n.from_at) FROM hoso.case_status n
					       WHERE n.src = s.src AND n.case_no = s.case_no
						 AND (s.from_at IS NULL OR n.from_at > s.from_at))),
			     f.end_day) AS stop_day, f.province, f.unit_path
		  FROM f JOIN hoso.case_status s ON s.src = f.src AND s.case_no = f.case_no
		 WHERE s.status IN (5, 6)
	), late766 AS (
		SELECT greatest(acc_day, hoso.local_date(late_766_at)) AS start_day,
		       end_day AS stop_day, province, unit_path
		  FROM f WHERE late_766_at IS NOT NULL
	), state_change AS (
		SELECT start_day AS day, province, unit_path, 1 AS d_overdue, 0 AS d_paused, 0 AS d_late766
		  FROM overdue
		 WHERE stop_day IS NULL OR start_day < stop_day
		UNION ALL
		SELECT stop_day, province, unit_path, -1, 0, 0 FROM overdue
		 WHERE stop_day IS NOT NULL AND start_day < stop_day
		UNION ALL
		SELECT start_day, province, unit_path, 0, 1, 0 FROM paused
		 WHERE stop_day IS NULL OR start_day < stop_day
		UNION ALL
		SELECT stop_day, province, unit_path, 0, -1, 0 FROM paused
		 WHERE stop_day IS NOT NULL AND start_day < stop_day
		UNION ALL
		SELECT start_day, province, unit_path, 0, 0, 1 FROM late766
		 WHERE stop_day IS NULL OR start_day < stop_day
		UNION ALL
		SELECT stop_day, province, unit_path, 0, 0, -1 FROM late766
		 WHERE stop_day IS NOT NULL AND start_day < stop_day
	), contribution AS (
		SELECT * FROM intake
		UNION ALL SELECT * FROM ending
		UNION ALL
		SELECT day, province, unit_path, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		       d_overdue, d_paused, d_late766
		  FROM state_change
	)
	-- each case counts in its own province's row (its fact's, so that taking
	-- away finds the row adding made); province is the table's last column
	INSERT INTO %3$s AS t
	SELECT day, unit_path,
	       %2$s * sum(ro), %2$s * sum(rd), %2$s * sum(rp), %2$s * sum(dg), %2$s * sum(fee),
	       %2$s * sum(feepaid), %2$s * sum(vneid), %2$s * sum(reuse), %2$s * sum(re),
	       %2$s * sum(rt), %2$s * sum(rl), %2$s * sum(cl), %2$s * sum(paper), %2$s * sum(paper_e),
	       %2$s * sum(wsec), %2$s * sum(d_open), %2$s * sum(d_overdue), %2$s * sum(d_paused),
	       %2$s * sum(r766), %2$s * sum(d_late766), province
	  FROM contribution
	 GROUP BY day, unit_path, province
	%4$s
	$q$, p_keys, p_sign, coalesce(p_into, 'hoso.summary_day'),
	CASE WHEN p_into IS NULL THEN $q$
	ON CONFLICT ON CONSTRAINT summary_day_pkey DO UPDATE SET
		received_online = t.received_online + excluded.received_online,
		received_direct = t.received_direct + excluded.received_direct,
		received_postal = t.received_postal + excluded.received_postal,
		digitised_at_intake = t.digitised_at_intake + excluded.digitised_at_intake,
		fee_cases = t.fee_cases + excluded.fee_cases,
		fee_paid_online = t.fee_paid_online + excluded.fee_paid_online,
		online_vneid = t.online_vneid + excluded.online_vneid,
		reuse_cases = t.reuse_cases + excluded.reuse_cases,
		resolved_early = t.resolved_early + excluded.resolved_early,
		resolved_on_time = t.resolved_on_time + excluded.resolved_on_time,
		resolved_late = t.resolved_late + excluded.resolved_late,
		closed_other = t.closed_other + excluded.closed_other,
		paper_resolved = t.paper_resolved + excluded.paper_resolved,
		paper_resolved_e_result = t.paper_resolved_e_result + excluded.paper_resolved_e_result,
		resolved_working_seconds = t.resolved_working_seconds + excluded.resolved_working_seconds,
		d_open = t.d_open + excluded.d_open,
		d_overdue = t.d_overdue + excluded.d_overdue,
		d_paused = t.d_paused + excluded.d_paused,
		resolved_on_time_766 = t.resolved_on_time_766 + excluded.resolved_on_time_766,
		d_late_766 = t.d_late_766 + excluded.d_late_766
	$q$ ELSE '' END);
	IF p_into IS NOT NULL THEN
		RETURN;
	END IF;
	DELETE FROM hoso.summary_day WHERE
	received_online = 0 AND received_direct = 0 AND received_postal = 0
	AND digitised_at_intake = 0 AND fee_cases = 0 AND fee_paid_online = 0
	AND online_vneid = 0 AND reuse_cases = 0 AND resolved_early = 0
	AND resolved_on_time = 0 AND resolved_late = 0 AND closed_other = 0
	AND paper_resolved = 0 AND paper_resolved_e_result = 0
	AND resolved_working_seconds = 0 AND d_open = 0 AND d_overdue = 0 AND d_paused = 0
	AND resolved_on_time_766 = 0 AND d_late_766 = 0;
END
$fn$;
COMMENT ON FUNCTION hoso.summary_day_apply(regclass, integer, regclass) IS 'Internal, called by hoso.summary_apply and summary_collect: the hoso.summary_day part (into p_into instead, when given)';

CREATE OR REPLACE FUNCTION hoso.summary_procedure_apply(p_keys regclass, p_sign integer,
	p_into_day regclass DEFAULT NULL, p_into_month regclass DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
	grain text;
	target regclass;
BEGIN
	FOREACH grain IN ARRAY ARRAY['day', 'month'] LOOP
		target := CASE grain WHEN 'day' THEN p_into_day ELSE p_into_month END;
		EXECUTE format($q$
		INSERT INTO %5$s AS t
		SELECT date_trunc(%3$L, hoso.local_date(c.end_at)::timestamp)::date, c.unit_path,
		       coalesce(c.procedure_code, ''), %2$s * count(*), %2$s * sum(c.working_seconds),
		       c.province
		  FROM hoso.case_fact c JOIN %1$s k ON k.src = c.src AND k.case_no = c.case_no
		 WHERE c.received AND c.end_kind = 'R' AND c.working_seconds IS NOT NULL
		 GROUP BY 1, 2, 3, 6
		%4$s
		$q$, p_keys, p_sign, grain,
		CASE WHEN target IS NULL THEN format($q$
		ON CONFLICT ON CONSTRAINT %I DO UPDATE SET
			resolved = t.resolved + excluded.resolved,
			working_seconds = t.working_seconds + excluded.working_seconds
		$q$, format('summary_procedure_%s_pkey', grain)) ELSE '' END,
		coalesce(target::text, format('hoso.summary_procedure_%s', grain)));
		-- rows that cancelled out go, so incremental equals a single load
		IF p_sign < 0 AND target IS NULL THEN
			EXECUTE format('DELETE FROM hoso.summary_procedure_%s WHERE resolved = 0', grain);
		END IF;
	END LOOP;
END
$fn$;
COMMENT ON FUNCTION hoso.summary_procedure_apply(regclass, integer, regclass, regclass) IS 'Internal, called by hoso.summary_apply and summary_collect: the hoso.summary_procedure_day and summary_procedure_month part (into p_into_day and p_into_month instead, when given)';

CREATE OR REPLACE FUNCTION hoso.summary_apply(p_keys regclass, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
	PERFORM hoso.summary_day_apply(p_keys, p_sign);
	PERFORM hoso.summary_procedure_apply(p_keys, p_sign);
END
$fn$;
COMMENT ON FUNCTION hoso.summary_apply(regclass, integer) IS 'Adds (p_sign = 1) or takes away (-1) the contributions of the cases listed in table p_keys (src, case_no) to hoso.summary_day and hoso.summary_procedure_day; hoso.summary_rebuild uses it';

/*
 * The same contributions as rows appended to tables shaped like the
 * summary tables (no key: a key may come again from another call), which
 * the caller then adds to the summary tables by key.  A load collects the
 * old facts' contributions (times -1) and the transform's new ones in the
 * same tables, so that each summary row it touches is written once, and
 * rows that cancel out are never written (load/summary.c).
 */
CREATE OR REPLACE FUNCTION hoso.summary_collect(p_keys regclass, p_sign integer,
	p_day regclass, p_procedure_day regclass, p_procedure_month regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
	PERFORM hoso.summary_day_apply(p_keys, p_sign, p_day);
	PERFORM hoso.summary_procedure_apply(p_keys, p_sign, p_procedure_day, p_procedure_month);
END
$fn$;
COMMENT ON FUNCTION hoso.summary_collect(regclass, integer, regclass, regclass, regclass) IS 'Appends the contributions of the cases listed in table p_keys (src, case_no), times p_sign, as rows to tables shaped like hoso.summary_day, summary_procedure_day and summary_procedure_month, without adding them up by key; hoso-load sums them by key into the summary tables';

CREATE OR REPLACE FUNCTION hoso.summary_rebuild() RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
	DELETE FROM hoso.summary_day;
	DELETE FROM hoso.summary_procedure_day;
	DELETE FROM hoso.summary_procedure_month;
	CREATE TEMP TABLE summary_all_keys ON COMMIT DROP AS
		SELECT src, case_no FROM hoso.case_fact;
	PERFORM hoso.summary_apply('summary_all_keys', 1);
	DROP TABLE summary_all_keys;
END
$fn$;
COMMENT ON FUNCTION hoso.summary_rebuild() IS 'Recomputes hoso.summary_day, summary_procedure_day and summary_procedure_month from hoso.case_fact, case_due and case_status';

/*
 * Per unit path: every count of docs/counting.md §3 and the parts of the §4
 * indicators for the period [p_from, p_to], from the summary rows up to
 * p_to (flows of the period, states summed up to its edges).  The tests
 * check them against the same figures computed case by case from the facts
 * (hoso_test.period_counts_scan, tests/sql/scan.sql).  Grouped by province
 * too: a coordinator whose summary rows are partitioned by province over
 * shards then has each shard add up its own rows (docs/national.md); a
 * path is on one row per province that has it (unresolved units only),
 * and every caller sums over paths.
 */
CREATE OR REPLACE FUNCTION hoso.period_counts(p_from date, p_to date)
RETURNS TABLE (
	unit_path text[],
	carried_over bigint, received_online bigint, received_direct bigint,
	received_postal bigint, resolved_early bigint, resolved_on_time bigint,
	resolved_late bigint, in_progress_in_time bigint, in_progress_overdue bigint,
	in_progress_paused bigint, closed_other bigint, digitised_at_intake bigint,
	fee_cases bigint, fee_paid_online bigint, paper_resolved bigint,
	paper_resolved_e_result bigint, online_vneid bigint, reuse_cases bigint,
	resolved_working_seconds numeric
)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT s.unit_path,
	       coalesce(sum(s.d_open) FILTER (WHERE s.day < p_from), 0)::bigint,
	       coalesce(sum(s.received_online) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.received_direct) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.received_postal) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.resolved_early) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.resolved_on_time) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.resolved_late) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.d_open) - sum(s.d_overdue), 0)::bigint,
	       coalesce(sum(s.d_overdue), 0)::bigint,
	       coalesce(sum(s.d_paused), 0)::bigint,
	       coalesce(sum(s.closed_other) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.digitised_at_intake) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.fee_cases) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.fee_paid_online) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.paper_resolved) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.paper_resolved_e_result) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.online_vneid) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.reuse_cases) FILTER (WHERE s.day >= p_from), 0)::bigint,
	       coalesce(sum(s.resolved_working_seconds) FILTER (WHERE s.day >= p_from), 0)
	  FROM hoso.summary_day s
	 WHERE s.day <= p_to
	 GROUP BY s.province, s.unit_path
$$;
COMMENT ON FUNCTION hoso.period_counts(date, date) IS 'Internal: docs/counting.md §3 counts and §4 indicator parts per unit path for a period, from hoso.summary_day; the one set of figures every analytics function sums';
