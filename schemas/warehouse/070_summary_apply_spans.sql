-- 070_summary_apply_spans.sql: the summary_day part of hoso.summary_apply
-- (040_index_766_summary.sql; hoso.summary_day_apply since 045) with the
-- same contributions for less work: the paused spans look up each
-- paused step's successor in case_status_key instead of sorting every
-- status step of the cases for lead() (a first load sorted 1.27 million
-- rows to keep 26 thousand), and the cases' rows carry only the columns
-- the contributions read.

/*
 * As in 040_index_766_summary.sql.  The end of a paused step is the
 * smallest from_at after its own (after NULL, "from the beginning": the
 * smallest of all), which is what lead() over from_at NULLS FIRST gave.
 */
CREATE OR REPLACE FUNCTION hoso.summary_day_apply(p_keys regclass, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
	EXECUTE format($q$
	WITH f AS (
		SELECT c.src, c.case_no, c.unit_path, c.channel, c.digitised, c.has_fee, c.paid_online,
		       c.vneid, c.reuse, c.end_kind, c.due_at_end, c.paper_result, c.e_result,
		       c.working_seconds, c.on_time_766, c.late_766_at,
		       hoso.local_date(c.accepted_at) AS acc_day, hoso.local_date(c.end_at) AS end_day
		  FROM hoso.case_fact c JOIN %1$s k ON k.src = c.src AND k.case_no = c.case_no
		 WHERE c.received
	), intake AS (
		SELECT acc_day AS day, unit_path,
		       (channel = 2)::int AS ro, (channel = 1)::int AS rd, (channel = 3)::int AS rp,
		       digitised::int AS dg, has_fee::int AS fee, (has_fee AND paid_online)::int AS feepaid,
		       (channel = 2 AND vneid)::int AS vneid, reuse::int AS reuse,
		       0 AS re, 0 AS rt, 0 AS rl, 0 AS cl, 0 AS paper, 0 AS paper_e, 0::numeric AS wsec,
		       0 AS r766, 1 AS d_open, 0 AS d_overdue, 0 AS d_paused, 0 AS d_late766
		  FROM f
	), ending AS (
		SELECT end_day, unit_path, 0, 0, 0, 0, 0, 0, 0, 0,
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
		SELECT f.unit_path, f.acc_day, f.end_day, hoso.local_date(d.due_at) AS due_day,
		       hoso.local_date(d.from_at) AS from_day,
		       hoso.local_date(lead(d.from_at) OVER w) AS next_day
		  FROM f JOIN hoso.case_due d ON d.src = f.src AND d.case_no = f.case_no
		WINDOW w AS (PARTITION BY d.src, d.case_no ORDER BY d.from_at NULLS FIRST)
	), overdue AS (
		SELECT greatest(from_day, acc_day, due_day + 1) AS start_day,
		       least(next_day, end_day) AS stop_day, unit_path
		  FROM due_span WHERE due_day IS NOT NULL
	), paused AS (
		SELECT greatest(hoso.local_date(s.from_at), f.acc_day) AS start_day,
		       least(hoso.local_date((SELECT min(n.from_at) FROM hoso.case_status n
					       WHERE n.src = s.src AND n.case_no = s.case_no
						 AND (s.from_at IS NULL OR n.from_at > s.from_at))),
			     f.end_day) AS stop_day, f.unit_path
		  FROM f JOIN hoso.case_status s ON s.src = f.src AND s.case_no = f.case_no
		 WHERE s.status IN (5, 6)
	), late766 AS (
		SELECT greatest(acc_day, hoso.local_date(late_766_at)) AS start_day,
		       end_day AS stop_day, unit_path
		  FROM f WHERE late_766_at IS NOT NULL
	), state_change AS (
		SELECT start_day AS day, unit_path, 1 AS d_overdue, 0 AS d_paused, 0 AS d_late766
		  FROM overdue
		 WHERE stop_day IS NULL OR start_day < stop_day
		UNION ALL
		SELECT stop_day, unit_path, -1, 0, 0 FROM overdue
		 WHERE stop_day IS NOT NULL AND start_day < stop_day
		UNION ALL
		SELECT start_day, unit_path, 0, 1, 0 FROM paused
		 WHERE stop_day IS NULL OR start_day < stop_day
		UNION ALL
		SELECT stop_day, unit_path, 0, -1, 0 FROM paused
		 WHERE stop_day IS NOT NULL AND start_day < stop_day
		UNION ALL
		SELECT start_day, unit_path, 0, 0, 1 FROM late766
		 WHERE stop_day IS NULL OR start_day < stop_day
		UNION ALL
		SELECT stop_day, unit_path, 0, 0, -1 FROM late766
		 WHERE stop_day IS NOT NULL AND start_day < stop_day
	), contribution AS (
		SELECT * FROM intake
		UNION ALL SELECT * FROM ending
		UNION ALL
		SELECT day, unit_path, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		       d_overdue, d_paused, d_late766
		  FROM state_change
	)
	INSERT INTO hoso.summary_day AS t
	SELECT day, unit_path,
	       %2$s * sum(ro), %2$s * sum(rd), %2$s * sum(rp), %2$s * sum(dg), %2$s * sum(fee),
	       %2$s * sum(feepaid), %2$s * sum(vneid), %2$s * sum(reuse), %2$s * sum(re),
	       %2$s * sum(rt), %2$s * sum(rl), %2$s * sum(cl), %2$s * sum(paper), %2$s * sum(paper_e),
	       %2$s * sum(wsec), %2$s * sum(d_open), %2$s * sum(d_overdue), %2$s * sum(d_paused),
	       %2$s * sum(r766), %2$s * sum(d_late766)
	  FROM contribution
	 GROUP BY day, unit_path
	ON CONFLICT (day, unit_path) DO UPDATE SET
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
	$q$, p_keys, p_sign);
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
COMMENT ON FUNCTION hoso.summary_day_apply(regclass, integer) IS 'Internal, called by hoso.summary_apply: the hoso.summary_day part';
