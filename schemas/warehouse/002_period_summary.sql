-- 002_period_summary.sql: counting profiles and hoso.period_summary
-- (counting.md §3, form II.06a).
--
-- Every bound and date is taken in Vietnam time whatever the session's
-- TimeZone (counting.md §1): T0 = from 00:00:00 local, T1 = to 23:59:59
-- local, local date of x = (x AT TIME ZONE 'Asia/Ho_Chi_Minh')::date.  The
-- zone is always named, never written '+07' (POSIX strings read the sign
-- the other way).

CREATE TABLE hoso.profile (
	name		text PRIMARY KEY,
	description	text NOT NULL
);
COMMENT ON TABLE hoso.profile IS 'Counting profiles the SQL functions know (counting.md §3); an unknown profile is an error';
COMMENT ON COLUMN hoso.profile.name IS 'Profile name, the p_profile argument of the functions';
COMMENT ON COLUMN hoso.profile.description IS 'What the profile counts, in one sentence';

INSERT INTO hoso.profile (name, description) VALUES
	('ii06a', 'Form II.06a of the provincial reporting templates: resolved by end time, early/on time/late by local date against the due date in force (counting.md §3)');

-- The profile named, or an error naming it and the profiles known.
CREATE FUNCTION hoso.check_profile(p_profile text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM hoso.profile WHERE name = p_profile) THEN
		RAISE EXCEPTION 'unknown counting profile "%"', p_profile
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'known profiles: ' || (SELECT string_agg(name, ', ' ORDER BY name) FROM hoso.profile);
	END IF;
	RETURN p_profile;
END
$$;
COMMENT ON FUNCTION hoso.check_profile(text) IS 'Returns its argument if it names a counting profile of hoso.profile, else raises an error naming it';

-- T0 and T1 of a period of local days [p_from, p_to] (counting.md §1).
CREATE FUNCTION hoso.period_start(p_from date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN p_from::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh';
COMMENT ON FUNCTION hoso.period_start(date) IS 'T0 of a period: its first day at 00:00:00 Vietnam time';

CREATE FUNCTION hoso.period_end(p_to date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (p_to + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' - interval '1 second';
COMMENT ON FUNCTION hoso.period_end(date) IS 'T1 of a period: its last day at 23:59:59 Vietnam time';

CREATE FUNCTION hoso.local_date(p_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (p_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
COMMENT ON FUNCTION hoso.local_date(timestamptz) IS 'The Vietnam local date of an instant, whatever the session TimeZone';

-- due_at(t) and status_at(t) of a case: the step with the greatest from_at <= t.
CREATE FUNCTION hoso.due_at(p_src text, p_case_no text, p_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT d.due_at FROM hoso.case_due d
	WHERE d.src = p_src AND d.case_no = p_case_no
	  AND (d.from_at IS NULL OR d.from_at <= p_at)
	ORDER BY d.from_at DESC NULLS LAST LIMIT 1);
COMMENT ON FUNCTION hoso.due_at(text, text, timestamptz) IS 'due_at(t) of a case (counting.md §2); NULL when it had no due date at t';

CREATE FUNCTION hoso.status_at(p_src text, p_case_no text, p_at timestamptz) RETURNS smallint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT s.status FROM hoso.case_status s
	WHERE s.src = p_src AND s.case_no = p_case_no
	  AND (s.from_at IS NULL OR s.from_at <= p_at)
	ORDER BY s.from_at DESC NULLS LAST LIMIT 1);
COMMENT ON FUNCTION hoso.status_at(text, text, timestamptz) IS 'status_at(t) of a case (counting.md §2); NULL before its first status';

-- Per unit path, from the facts: every count of counting.md §3 and the parts of the §4
-- indicators, over the received cases that touch the period [p_from, p_to].
CREATE FUNCTION hoso.period_counts_scan(p_from date, p_to date)
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
	WITH bounds AS (
		SELECT hoso.period_start(p_from) AS t0, hoso.period_end(p_to) AS t1
	), c AS (
		SELECT f.*, b.t0, b.t1,
		       f.accepted_at >= b.t0 AS in_period,
		       f.end_kind = 'R' AND f.end_at BETWEEN b.t0 AND b.t1 AS resolved,
		       f.end_kind = 'C' AND f.end_at BETWEEN b.t0 AND b.t1 AS closed,
		       f.end_at IS NULL OR f.end_at > b.t1 AS open
		  FROM hoso.case_fact f, bounds b
		 WHERE f.received AND f.accepted_at <= b.t1
		   AND (f.end_at IS NULL OR f.end_at >= b.t0)
	), k AS (
		SELECT c.*,
		       CASE WHEN c.resolved THEN
			   CASE WHEN c.due_at_end IS NULL THEN 'O'
			        WHEN hoso.local_date(c.end_at) < hoso.local_date(c.due_at_end) THEN 'E'
			        WHEN hoso.local_date(c.end_at) = hoso.local_date(c.due_at_end) THEN 'O'
			        ELSE 'L' END
		       END AS resolved_class,
		       CASE WHEN c.open THEN
			   CASE WHEN hoso.local_date(hoso.due_at(c.src, c.case_no, c.t1)) < p_to
			        THEN 'O' ELSE 'I' END
		       END AS open_class,
		       -- CASE keeps the look-ups lazy: only cases open at T1 need them
		       CASE WHEN c.open THEN coalesce(hoso.status_at(c.src, c.case_no, c.t1) IN (5, 6), false)
		            ELSE false END AS paused
		  FROM c
	)
	SELECT unit_path,
	       count(*) FILTER (WHERE NOT in_period),
	       count(*) FILTER (WHERE in_period AND channel = 2),
	       count(*) FILTER (WHERE in_period AND channel = 1),
	       count(*) FILTER (WHERE in_period AND channel = 3),
	       count(*) FILTER (WHERE resolved_class = 'E'),
	       count(*) FILTER (WHERE resolved_class = 'O'),
	       count(*) FILTER (WHERE resolved_class = 'L'),
	       count(*) FILTER (WHERE open_class = 'I'),
	       count(*) FILTER (WHERE open_class = 'O'),
	       count(*) FILTER (WHERE paused),
	       count(*) FILTER (WHERE closed),
	       count(*) FILTER (WHERE in_period AND digitised),
	       count(*) FILTER (WHERE in_period AND has_fee),
	       count(*) FILTER (WHERE in_period AND has_fee AND paid_online),
	       count(*) FILTER (WHERE resolved AND paper_result),
	       count(*) FILTER (WHERE resolved AND paper_result AND e_result),
	       count(*) FILTER (WHERE in_period AND channel = 2 AND vneid),
	       count(*) FILTER (WHERE in_period AND reuse),
	       coalesce(sum(working_seconds) FILTER (WHERE resolved), 0)
	  FROM k
	 GROUP BY unit_path
$$;
COMMENT ON FUNCTION hoso.period_counts_scan(date, date) IS 'counting.md §3 counts and §4 indicator parts per unit path for a period, computed by scanning the facts: the definition that hoso.period_counts (from the summary tables) must equal; used to verify them';

/*
 * The period summary sums hoso.period_counts (003_summary.sql: the same
 * figures as period_counts_scan, from the summary tables) over the unit
 * paths in scope:
 * one classification of every case serves this function, the summaries by
 * unit, the rankings and the trends alike.  received_total, resolved_total
 * and in_progress_total are sums of their parts, so the identities of
 * counting.md §3 hold by construction.
 */
CREATE FUNCTION hoso.period_summary(p_from date, p_to date, p_unit text DEFAULT NULL,
				    p_profile text DEFAULT 'ii06a')
RETURNS TABLE (
	carried_over		bigint,
	received_online		bigint,
	received_direct		bigint,
	received_postal		bigint,
	received_in_period	bigint,
	received_total		bigint,
	resolved_total		bigint,
	resolved_early		bigint,
	resolved_on_time	bigint,
	resolved_late		bigint,
	in_progress_total	bigint,
	in_progress_in_time	bigint,
	in_progress_overdue	bigint,
	in_progress_paused	bigint,
	closed_other		bigint,
	digitised_at_intake	bigint,
	on_time_rate		numeric,
	on_time_num		bigint,
	on_time_den		bigint
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF p_from IS NULL OR p_to IS NULL THEN
		RAISE EXCEPTION 'period_summary: p_from and p_to are required'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_to < p_from THEN
		RAISE EXCEPTION 'period_summary: the period ends (%) before it starts (%)', p_to, p_from
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM hoso.check_profile(p_profile);

	RETURN QUERY
	WITH n AS (
		SELECT coalesce(sum(pc.carried_over), 0)::bigint AS co,
		       coalesce(sum(pc.received_online), 0)::bigint AS ro,
		       coalesce(sum(pc.received_direct), 0)::bigint AS rd,
		       coalesce(sum(pc.received_postal), 0)::bigint AS rp,
		       coalesce(sum(pc.resolved_early), 0)::bigint AS re,
		       coalesce(sum(pc.resolved_on_time), 0)::bigint AS rt,
		       coalesce(sum(pc.resolved_late), 0)::bigint AS rl,
		       coalesce(sum(pc.in_progress_in_time), 0)::bigint AS pi,
		       coalesce(sum(pc.in_progress_overdue), 0)::bigint AS po,
		       coalesce(sum(pc.in_progress_paused), 0)::bigint AS pp,
		       coalesce(sum(pc.closed_other), 0)::bigint AS cl,
		       coalesce(sum(pc.digitised_at_intake), 0)::bigint AS dg
		  FROM hoso.period_counts(p_from, p_to) pc
		 WHERE p_unit IS NULL OR p_unit = ANY(pc.unit_path)
	)
	SELECT n.co, n.ro, n.rd, n.rp, n.ro + n.rd + n.rp, n.co + n.ro + n.rd + n.rp,
	       n.re + n.rt + n.rl, n.re, n.rt, n.rl, n.pi + n.po, n.pi, n.po, n.pp, n.cl, n.dg,
	       (n.re + n.rt)::numeric / NULLIF(n.re + n.rt + n.rl, 0),
	       n.re + n.rt, n.re + n.rt + n.rl
	  FROM n;
END
$$;
COMMENT ON FUNCTION hoso.period_summary(date, date, text, text) IS
	'Period summary (counting.md §3, form II.06a) of the local days p_from..p_to, for the whole warehouse or unit p_unit with its sub-units; one row';
