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

/*
 * One pass over the received cases that overlap the period.  A case is in
 * received_total when it was accepted by T1 and had not ended before T0;
 * the same pass splits it into resolved / in progress / closed by its end,
 * so the identities of counting.md §3 hold by construction.  due_at(T1) and
 * status_at(T1) are looked up only for cases still open at T1 (CASE makes
 * the subquery lazy); resolved cases use due_at_end = due_at(end_at).
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
#variable_conflict use_column
DECLARE
	t0 timestamptz;
	t1 timestamptz;
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
	t0 := hoso.period_start(p_from);
	t1 := hoso.period_end(p_to);

	RETURN QUERY
	WITH c AS (
		SELECT f.accepted_at < t0 AS carried,
		       f.channel,
		       f.digitised,
		       f.end_kind,
		       f.end_at IS NOT NULL AND f.end_at <= t1 AS ended,
		       hoso.local_date(f.end_at) AS end_day,
		       hoso.local_date(f.due_at_end) AS due_end_day,
		       CASE WHEN f.end_at IS NULL OR f.end_at > t1 THEN
			       (SELECT d.due_at FROM hoso.case_due d
				WHERE d.src = f.src AND d.case_no = f.case_no
				  AND (d.from_at IS NULL OR d.from_at <= t1)
				ORDER BY d.from_at DESC NULLS LAST LIMIT 1)
		       END AS due_t1,
		       CASE WHEN f.end_at IS NULL OR f.end_at > t1 THEN
			       (SELECT s.status FROM hoso.case_status s
				WHERE s.src = f.src AND s.case_no = f.case_no
				  AND (s.from_at IS NULL OR s.from_at <= t1)
				ORDER BY s.from_at DESC NULLS LAST LIMIT 1)
		       END AS status_t1
		FROM hoso.case_fact f
		WHERE f.received
		  AND f.accepted_at <= t1
		  AND (f.end_at IS NULL OR f.end_at >= t0)
		  -- received in the period counts only the three channels
		  AND (f.accepted_at < t0 OR f.channel IN (1, 2, 3))
		  AND (p_unit IS NULL OR f.unit_path @> ARRAY[p_unit])
	), n AS (
		SELECT
			count(*) FILTER (WHERE carried) AS carried_over,
			count(*) FILTER (WHERE NOT carried AND channel = 2) AS received_online,
			count(*) FILTER (WHERE NOT carried AND channel = 1) AS received_direct,
			count(*) FILTER (WHERE NOT carried AND channel = 3) AS received_postal,
			count(*) FILTER (WHERE NOT carried) AS received_in_period,
			count(*) AS received_total,
			count(*) FILTER (WHERE ended AND end_kind = 'R') AS resolved_total,
			count(*) FILTER (WHERE ended AND end_kind = 'R' AND end_day < due_end_day) AS resolved_early,
			count(*) FILTER (WHERE ended AND end_kind = 'R'
					 AND (due_end_day IS NULL OR end_day = due_end_day)) AS resolved_on_time,
			count(*) FILTER (WHERE ended AND end_kind = 'R' AND end_day > due_end_day) AS resolved_late,
			count(*) FILTER (WHERE NOT ended) AS in_progress_total,
			count(*) FILTER (WHERE NOT ended
					 AND (due_t1 IS NULL OR hoso.local_date(due_t1) >= p_to)) AS in_progress_in_time,
			count(*) FILTER (WHERE NOT ended
					 AND hoso.local_date(due_t1) < p_to) AS in_progress_overdue,
			count(*) FILTER (WHERE NOT ended AND status_t1 IN (5, 6)) AS in_progress_paused,
			count(*) FILTER (WHERE ended AND end_kind = 'C') AS closed_other,
			count(*) FILTER (WHERE NOT carried AND digitised) AS digitised_at_intake
		FROM c
	)
	SELECT n.carried_over, n.received_online, n.received_direct, n.received_postal,
	       n.received_in_period, n.received_total, n.resolved_total, n.resolved_early,
	       n.resolved_on_time, n.resolved_late, n.in_progress_total, n.in_progress_in_time,
	       n.in_progress_overdue, n.in_progress_paused, n.closed_other, n.digitised_at_intake,
	       (n.resolved_early + n.resolved_on_time)::numeric / NULLIF(n.resolved_total, 0),
	       n.resolved_early + n.resolved_on_time,
	       n.resolved_total
	FROM n;
END
$$;
COMMENT ON FUNCTION hoso.period_summary(date, date, text, text) IS
	'Period summary (counting.md §3, form II.06a) of the local days p_from..p_to, for the whole warehouse or unit p_unit with its sub-units; one row';
