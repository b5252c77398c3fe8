-- 030_index_766.sql: the part of the Decision 766/QĐ-TTg index that case
-- logs and the catalogue can compute (counting.md §5): hoso.index_766.
--
-- Weights and thresholds are configuration: schemas/profiles/766.yaml,
-- which hoso-load --migrate loads into hoso.profile (the 766 row) and
-- hoso.profile_criterion after applying the migrations.  Edit the YAML and
-- rerun hoso-load --migrate to change them.

CREATE TABLE hoso.profile_criterion (
	profile		text NOT NULL REFERENCES hoso.profile (name) ON DELETE CASCADE,
	criterion	text NOT NULL,
	ord		integer NOT NULL,
	name		text NOT NULL,
	points		numeric NOT NULL CHECK (points >= 0),
	threshold	numeric CHECK (threshold > 0 AND threshold <= 1),
	computed	boolean NOT NULL,
	weight_public	boolean NOT NULL,
	note		text,
	PRIMARY KEY (profile, criterion)
);
COMMENT ON TABLE hoso.profile_criterion IS 'Criteria of a scoring profile (766: counting.md §5) with their weights and thresholds; loaded from schemas/profiles/NAME.yaml by hoso-load --migrate';
COMMENT ON COLUMN hoso.profile_criterion.profile IS 'Profile (hoso.profile.name)';
COMMENT ON COLUMN hoso.profile_criterion.criterion IS 'Criterion number, e.g. 2.1; a whole group (1, 5) when none of it is computed';
COMMENT ON COLUMN hoso.profile_criterion.ord IS 'Position in the profile file (output order)';
COMMENT ON COLUMN hoso.profile_criterion.name IS 'What the criterion measures';
COMMENT ON COLUMN hoso.profile_criterion.points IS 'Its weight: the score at full marks';
COMMENT ON COLUMN hoso.profile_criterion.threshold IS 'Rate (0..1] at and above which it scores full marks; NULL when not computed';
COMMENT ON COLUMN hoso.profile_criterion.computed IS 'Case logs and the catalogue can compute it';
COMMENT ON COLUMN hoso.profile_criterion.weight_public IS 'The weight is published (true) or a documented guess (false)';
COMMENT ON COLUMN hoso.profile_criterion.note IS 'Why it is not computed, or where its weight comes from';

-- A 14-digit local time of the source (yyyyMMddHHmmss) as an instant.
CREATE FUNCTION hoso.compact_time(p text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN p ~ '^[0-9]{14}$' THEN
	(substr(p, 1, 4) || '-' || substr(p, 5, 2) || '-' || substr(p, 7, 2) || ' ' ||
	 substr(p, 9, 2) || ':' || substr(p, 11, 2) || ':' || substr(p, 13, 2))::timestamp
	AT TIME ZONE 'Asia/Ho_Chi_Minh' END;
COMMENT ON FUNCTION hoso.compact_time(text) IS 'Internal: a source time yyyyMMddHHmmss (Vietnam time) as timestamptz; NULL when empty or malformed';

/*
 * The supplement rounds of a case's latest dossier version (input.md §2:
 * later _at wins, then file path in byte order, line, position), read from
 * the archive, where they are kept as sent
 * (NgayBoSung|NgayTiepNhanBoSung|NgayHenTraTruoc|NgayHenTraMoi;...).
 */
CREATE FUNCTION hoso.case_rounds(p_src text, p_case_no text)
RETURNS TABLE (ord integer, requested_at timestamptz, received_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT r.ord::integer, hoso.compact_time(split_part(r.s, '|', 1)),
	       hoso.compact_time(split_part(r.s, '|', 2))
	  FROM (SELECT d.supplements FROM hoso.dossier_msg d
		  JOIN hoso.file_ledger l ON l.file_id = d.file_id
		 WHERE d.src = p_src AND d.case_no = p_case_no
		 ORDER BY d.at DESC NULLS LAST, l.path COLLATE "C" DESC, d.line DESC, d.pos DESC
		 LIMIT 1) v
	 CROSS JOIN LATERAL regexp_split_to_table(v.supplements, ';') WITH ORDINALITY r(s, ord)
	 WHERE v.supplements IS NOT NULL AND v.supplements <> ''
$$;
COMMENT ON FUNCTION hoso.case_rounds(text, text) IS 'Internal: supplement rounds (NgayBoSung, NgayTiepNhanBoSung) of a case''s latest archived dossier, in the order sent';

/*
 * Office seconds between two instants over hoso.calendar, with the default
 * office day 07:00-11:30 and 13:30-17:00 (counting.md §1); a day missing
 * from the calendar counts as working Monday to Friday.  Used for the few
 * cases 766's 2.1 judges by their procedure's limit while still open
 * (resolved cases carry working_seconds from the transform).
 */
CREATE FUNCTION hoso.office_seconds(p_a timestamptz, p_b timestamptz) RETURNS bigint
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
COMMENT ON FUNCTION hoso.office_seconds(timestamptz, timestamptz) IS 'Internal: office seconds (07:00-11:30, 13:30-17:00 on working days of hoso.calendar) between two instants';

/*
 * 766's 2.1 judgement of one case (counting.md §5).  p_end0 is finished_at
 * for a resolved case, T1 for one in progress.
 */
CREATE FUNCTION hoso.on_time_766(p_src text, p_case_no text, p_resolved boolean,
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
		FOR r IN SELECT * FROM hoso.case_rounds(p_src, p_case_no)
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
		  FROM hoso.case_rounds(p_src, p_case_no) x
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
		RETURN e - paused <= f.accepted_at + lim_value *
			CASE lim_unit WHEN 'days' THEN interval '1 day' ELSE interval '1 month' END;
	END IF;
	IF p_resolved THEN
		used := f.working_seconds;
	ELSE
		used := hoso.office_seconds(f.accepted_at, e) -
			coalesce((SELECT sum(hoso.office_seconds(x.requested_at, least(coalesce(x.received_at, e), e)))
				    FROM hoso.case_rounds(p_src, p_case_no) x
				   WHERE x.requested_at IS NOT NULL AND x.requested_at < e), 0);
	END IF;
	-- 8 office hours make one working day (counting.md §1)
	RETURN used <= lim_value * CASE lim_unit WHEN 'hours' THEN 3600 ELSE 28800 END;
END $$;
COMMENT ON FUNCTION hoso.on_time_766(text, text, boolean, timestamptz, timestamptz) IS 'Internal: whether a resolved or in-progress case is on time under 766 criterion 2.1 (counting.md §5)';

CREATE FUNCTION hoso.index_766(p_from date, p_to date, p_unit text DEFAULT NULL)
RETURNS TABLE (criterion text, name text, numerator numeric, denominator bigint, rate numeric,
	       threshold numeric, points numeric, score numeric, computed boolean, note text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	t0 timestamptz := hoso.period_start(p_from);
	t1 timestamptz := hoso.period_end(p_to);
	n21 bigint;
	d21 bigint;
BEGIN
	IF p_from IS NULL OR p_to IS NULL OR p_to < p_from THEN
		RAISE EXCEPTION 'index_766: a period p_from <= p_to is required'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM hoso.profile_criterion WHERE profile = '766') THEN
		RAISE EXCEPTION 'the 766 profile has no criteria'
			USING HINT = 'hoso-load --migrate loads them from schemas/profiles/766.yaml';
	END IF;

	-- 2.1: resolved in the period plus in progress at T1
	SELECT count(*) FILTER (WHERE hoso.on_time_766(f.src, f.case_no, f.end_kind = 'R' AND f.end_at <= t1,
						   CASE WHEN f.end_kind = 'R' AND f.end_at <= t1
							THEN f.end_at ELSE t1 END, t1)),
	       count(*)
	  INTO n21, d21
	  FROM hoso.case_fact f
	 WHERE f.received AND f.accepted_at <= t1
	   AND ((f.end_kind = 'R' AND f.end_at BETWEEN t0 AND t1) OR f.end_at IS NULL OR f.end_at > t1)
	   AND (p_unit IS NULL OR p_unit = ANY(f.unit_path));

	RETURN QUERY
	WITH s AS (
		SELECT coalesce(sum(pc.received_online), 0) AS ro,
		       coalesce(sum(pc.received_online + pc.received_direct + pc.received_postal), 0) AS rin,
		       coalesce(sum(pc.fee_cases), 0) AS fee, coalesce(sum(pc.fee_paid_online), 0) AS feepaid,
		       coalesce(sum(pc.paper_resolved), 0) AS paper,
		       coalesce(sum(pc.paper_resolved_e_result), 0) AS paper_e,
		       coalesce(sum(pc.digitised_at_intake), 0) AS dg, coalesce(sum(pc.reuse_cases), 0) AS reuse
		  FROM hoso.period_counts(p_from, p_to) pc
		 WHERE p_unit IS NULL OR p_unit = ANY(pc.unit_path)
	), cat AS (
		SELECT * FROM hoso.catalogue_summary(p_to)
	), v(criterion, num, den) AS (
		SELECT '2.1', n21::numeric, d21 UNION ALL
		SELECT '3.1', (cat.full_online + cat.partial_online)::numeric, cat.total FROM cat UNION ALL
		SELECT '3.3', s.ro, s.rin::bigint FROM s UNION ALL
		SELECT '3.6', s.feepaid, s.fee::bigint FROM s UNION ALL
		SELECT '4.1', s.paper_e, s.paper::bigint FROM s UNION ALL
		SELECT '4.2', s.dg, s.rin::bigint FROM s UNION ALL
		SELECT '4.3', s.reuse, s.rin::bigint FROM s
	)
	SELECT pc.criterion, pc.name, v.num, v.den,
	       CASE WHEN v.den > 0 THEN v.num / v.den END,
	       pc.threshold, pc.points,
	       CASE WHEN v.den > 0 THEN least(v.num / v.den / pc.threshold, 1) * pc.points END,
	       v.criterion IS NOT NULL,
	       CASE WHEN pc.computed AND v.criterion IS NULL
		    THEN 'hoso.index_766 has no computation for this criterion'
		    WHEN v.den = 0 THEN concat_ws('; ', 'no case in its denominator', pc.note)
		    ELSE pc.note END
	  FROM hoso.profile_criterion pc
	  LEFT JOIN v ON v.criterion = pc.criterion AND pc.computed AND pc.threshold IS NOT NULL
	 WHERE pc.profile = '766'
	 ORDER BY pc.ord;
END $$;
COMMENT ON FUNCTION hoso.index_766(date, date, text) IS 'Decision 766/QĐ-TTg criteria computable from case logs and the catalogue (counting.md §5) for a period, the whole warehouse or unit p_unit with its sub-units: one row per criterion of the 766 profile (hoso.profile_criterion), score = min(rate / threshold, 1) x points; computed = false rows say in note why they are out of reach (3.1 is the catalogue''s, whatever p_unit)';
