-- tests/sql/scan.sql: the warehouse's figures computed case by case from
-- the facts and the archive, in schema hoso_test, for the tests to check
-- the summary rows against (hoso_test.period_counts_scan against
-- hoso.period_counts, index_766_scan against hoso.index_766's 2.1,
-- procedure_durations_scan against hoso.procedure_durations).  Slow: each
-- scans the period's cases.  Not part of the warehouse: a test loads it
-- with psql after hoso-load --migrate (tests/integration/lib.sh,
-- load_scan_functions).

SET client_min_messages = warning;
DROP SCHEMA IF EXISTS hoso_test CASCADE;
CREATE SCHEMA hoso_test;

CREATE FUNCTION hoso_test.due_at(p_src text, p_case_no text, p_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT d.due_at FROM hoso.case_due d
	WHERE d.src = p_src AND d.case_no = p_case_no
	  AND (d.from_at IS NULL OR d.from_at <= p_at)
	ORDER BY d.from_at DESC NULLS LAST LIMIT 1);
COMMENT ON FUNCTION hoso_test.due_at(text, text, timestamptz) IS 'due_at(t) of a case (docs/counting.md §2); NULL when it had no due date at t';

CREATE FUNCTION hoso_test.status_at(p_src text, p_case_no text, p_at timestamptz) RETURNS smallint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT s.status FROM hoso.case_status s
	WHERE s.src = p_src AND s.case_no = p_case_no
	  AND (s.from_at IS NULL OR s.from_at <= p_at)
	ORDER BY s.from_at DESC NULLS LAST LIMIT 1);
COMMENT ON FUNCTION hoso_test.status_at(text, text, timestamptz) IS 'status_at(t) of a case (docs/counting.md §2); NULL before its first status';

-- Per unit path, from the facts: every count of docs/counting.md §3 and the parts of the §4
-- indicators, over the received cases that touch the period [p_from, p_to].
CREATE FUNCTION hoso_test.period_counts_scan(p_from date, p_to date)
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
			   CASE WHEN hoso.local_date(hoso_test.due_at(c.src, c.case_no, c.t1)) < p_to
			        THEN 'O' ELSE 'I' END
		       END AS open_class,
		       -- CASE keeps the look-ups lazy: only cases open at T1 need them
		       CASE WHEN c.open THEN coalesce(hoso_test.status_at(c.src, c.case_no, c.t1) IN (5, 6), false)
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
COMMENT ON FUNCTION hoso_test.period_counts_scan(date, date) IS 'docs/counting.md §3 counts and §4 indicator parts per unit path for a period, computed by scanning the facts: the definition that hoso.period_counts (from the summary tables) must equal; used to verify them';

-- A 14-digit local time of the source (yyyyMMddHHmmss) as an instant.
CREATE FUNCTION hoso_test.compact_time(p text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN p ~ '^[0-9]{14}$' THEN
	(substr(p, 1, 4) || '-' || substr(p, 5, 2) || '-' || substr(p, 7, 2) || ' ' ||
	 substr(p, 9, 2) || ':' || substr(p, 11, 2) || ':' || substr(p, 13, 2))::timestamp
	AT TIME ZONE 'Asia/Ho_Chi_Minh' END;
COMMENT ON FUNCTION hoso_test.compact_time(text) IS 'Internal: a source time yyyyMMddHHmmss (Vietnam time) as timestamptz; NULL when empty or malformed';

/*
 * The supplement rounds of a case's latest dossier version (the current one:
 * later _at wins, then file path in byte order, line, position), read from
 * the archive, where they are kept as sent
 * (NgayBoSung|NgayTiepNhanBoSung|NgayHenTraTruoc|NgayHenTraMoi;...).
 */
CREATE FUNCTION hoso_test.case_rounds(p_src text, p_case_no text)
RETURNS TABLE (ord integer, requested_at timestamptz, received_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT r.ord::integer, hoso_test.compact_time(split_part(r.s, '|', 1)),
	       hoso_test.compact_time(split_part(r.s, '|', 2))
	  FROM (SELECT d.supplements FROM hoso.dossier_msg d
		  JOIN hoso.file_ledger l ON l.file_id = d.file_id
		 WHERE d.src = p_src AND d.case_no = p_case_no
		 ORDER BY d.at DESC NULLS LAST, l.path COLLATE "C" DESC, d.line DESC, d.pos DESC
		 LIMIT 1) v
	 CROSS JOIN LATERAL regexp_split_to_table(v.supplements, ';') WITH ORDINALITY r(s, ord)
	 WHERE v.supplements IS NOT NULL AND v.supplements <> ''
$$;
COMMENT ON FUNCTION hoso_test.case_rounds(text, text) IS 'Internal: supplement rounds (NgayBoSung, NgayTiepNhanBoSung) of a case''s latest archived dossier, in the order sent';

/*
 * Office seconds between two instants over hoso.calendar, with the default
 * office day 07:00-11:30 and 13:30-17:00 (docs/counting.md §1); a day missing
 * from the calendar counts as working Monday to Friday.  Used for the few
 * cases 766's 2.1 judges by their procedure's limit while still open
 * (resolved cases carry working_seconds from the transform).
 */
CREATE FUNCTION hoso_test.office_seconds(p_a timestamptz, p_b timestamptz) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce(sum(greatest(0, extract(epoch FROM
			least(p_b, (d.day + iv.e) AT TIME ZONE 'Asia/Ho_Chi_Minh') -
			greatest(p_a, (d.day + iv.s) AT TIME ZONE 'Asia/Ho_Chi_Minh')))), 0)::bigint
	  FROM generate_series(hoso.local_date(p_a)::timestamp, hoso.local_date(p_b)::timestamp,
			       interval '1 day') d(day)
	 CROSS JOIN (VALUES (interval '7 hours', interval '11 hours 30 minutes'),
			    (interval '13 hours 30 minutes', interval '17 hours')) iv(s, e)
	  LEFT JOIN hoso.calendar c ON c.day = d.day::date
	 WHERE p_b > p_a AND coalesce(c.working, extract(isodow FROM d.day) < 6)
$$;
COMMENT ON FUNCTION hoso_test.office_seconds(timestamptz, timestamptz) IS 'Internal: office seconds (07:00-11:30, 13:30-17:00 on working days of hoso.calendar) between two instants';

/*
 * 766's 2.1 judgement of one case (docs/counting.md §5).  p_end0 is finished_at
 * for a resolved case, T1 for one in progress.
 */

CREATE FUNCTION hoso_test.on_time_766(p_src text, p_case_no text, p_resolved boolean,
				 p_end0 timestamptz, p_t1 timestamptz)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
	f hoso.case_fact;
	n integer := 0;
	open_at timestamptz;
	e timestamptz;
	paused interval := interval '0';
	used bigint;
	lim_value integer;
	lim_unit text;
	r record;
BEGIN
	SELECT * INTO f FROM hoso.case_fact WHERE src = p_src AND case_no = p_case_no;
	e := p_end0;
	IF f.supplement_rounds > 0 THEN
		-- rounds requested by the end; the one still open at T1, if any
		FOR r IN SELECT * FROM hoso_test.case_rounds(p_src, p_case_no)
			  WHERE requested_at IS NOT NULL AND requested_at <= p_end0 LOOP
			n := n + 1;
			IF r.received_at IS NULL OR r.received_at > p_t1 THEN
				open_at := r.requested_at;
			END IF;
		END LOOP;
		IF n > 1 THEN
			RETURN false;
		END IF;
		IF n = 1 AND NOT p_resolved AND open_at IS NOT NULL THEN
			e := open_at;
		END IF;
		SELECT coalesce(sum(least(coalesce(x.received_at, e), e) - x.requested_at), interval '0')
		  INTO paused
		  FROM hoso_test.case_rounds(p_src, p_case_no) x
		 WHERE x.requested_at IS NOT NULL AND x.requested_at < e;
	END IF;
	IF f.original_due_at IS NOT NULL THEN
		RETURN e - paused <= f.original_due_at;
	END IF;
	-- no due date: working time used against the procedure's limit
	SELECT p.limit_value, p.limit_unit INTO lim_value, lim_unit
	  FROM hoso.procedure p WHERE p.code = f.procedure_code;
	IF lim_value IS NULL OR lim_unit IS NULL THEN
		RETURN true;	-- no limit known: on time, as II.06a counts no due date
	END IF;
	IF lim_unit IN ('days', 'months') THEN
		-- calendar days and months of the local calendar
		RETURN e - paused <= ((f.accepted_at AT TIME ZONE 'Asia/Ho_Chi_Minh') + lim_value *
			CASE lim_unit WHEN 'days' THEN interval '1 day' ELSE interval '1 month' END)
			AT TIME ZONE 'Asia/Ho_Chi_Minh';
	END IF;
	IF p_resolved THEN
		used := f.working_seconds;
	ELSE
		used := hoso_test.office_seconds(f.accepted_at, e) -
			coalesce((SELECT sum(hoso_test.office_seconds(greatest(x.requested_at, f.accepted_at),
							       least(coalesce(x.received_at, e), e)))
				    FROM hoso_test.case_rounds(p_src, p_case_no) x
				   WHERE x.requested_at IS NOT NULL AND x.requested_at < e), 0);
	END IF;
	-- 8 office hours make one working day (docs/counting.md §1)
	RETURN used <= lim_value * CASE lim_unit WHEN 'hours' THEN 3600 ELSE 28800 END;
END $$;
COMMENT ON FUNCTION hoso_test.on_time_766(text, text, boolean, timestamptz, timestamptz) IS 'Internal, for verification: whether a resolved or in-progress case is on time under 766 criterion 2.1 (docs/counting.md §5), judged from the facts and the archive at query time; hoso.index_766 reads the transform''s judgements instead';

/*
 * 2.1 judged case by case at query time (hoso_test.on_time_766), from the facts
 * and the archive: the definition the summary rows are checked against
 * (tests/integration/76-index-766.sh, 20-kontum.sh).  Slow: it scans the
 * period's cases.
 */
CREATE FUNCTION hoso_test.index_766_scan(p_from date, p_to date, p_unit text DEFAULT NULL)
RETURNS TABLE (numerator bigint, denominator bigint)
LANGUAGE sql STABLE AS $$
	WITH t AS (SELECT hoso.period_start(p_from) AS t0, hoso.period_end(p_to) AS t1)
	SELECT count(*) FILTER (WHERE hoso_test.on_time_766(f.src, f.case_no, f.end_kind = 'R' AND f.end_at <= t.t1,
						   CASE WHEN f.end_kind = 'R' AND f.end_at <= t.t1
							THEN f.end_at ELSE t.t1 END, t.t1)),
	       count(*)
	  FROM hoso.case_fact f CROSS JOIN t
	 WHERE f.received AND f.accepted_at <= t.t1
	   AND ((f.end_kind = 'R' AND f.end_at BETWEEN t.t0 AND t.t1) OR f.end_at IS NULL OR f.end_at > t.t1)
	   AND (p_unit IS NULL OR p_unit = ANY(f.unit_path))
$$;
COMMENT ON FUNCTION hoso_test.index_766_scan(date, date, text) IS 'Internal, for verification: 766 criterion 2.1 (numerator, denominator) judged case by case from the facts and the archive; hoso.index_766 reads the same from hoso.summary_day';

-- hoso.procedure_durations from the facts.
CREATE FUNCTION hoso_test.procedure_durations_scan(p_from date, p_to date, p_unit text DEFAULT NULL)
RETURNS TABLE (procedure_code text, procedure_name text, resolved bigint,
	       working_days_total numeric, avg_resolution_working_days numeric)
LANGUAGE sql STABLE AS $$
	SELECT f.procedure_code, max(p.name), count(*),
	       sum(f.working_seconds) / 28800.0,
	       sum(f.working_seconds) / 28800.0 / count(*)
	  FROM hoso.case_fact f
	  LEFT JOIN hoso.procedure p ON p.code = f.procedure_code
	 WHERE f.received AND f.end_kind = 'R'
	   AND f.end_at BETWEEN hoso.period_start(p_from) AND hoso.period_end(p_to)
	   AND f.working_seconds IS NOT NULL
	   AND (p_unit IS NULL OR f.unit_path @> ARRAY[p_unit])
	 GROUP BY f.procedure_code
	 ORDER BY 5, 1
$$;
COMMENT ON FUNCTION hoso_test.procedure_durations_scan(date, date, text) IS 'Internal, for verification: hoso.procedure_durations computed from hoso.case_fact';
