-- functions/index_766.sql: the part of the Decision 766/QĐ-TTg index that
-- case logs and the catalogue can compute (docs/counting.md §5).
--
-- Weights and thresholds are configuration: schemas/profiles/766.yaml,
-- which hoso-load --migrate loads into hoso.profile (the 766 row) and
-- hoso.profile_criterion after applying the migrations.  Edit the YAML and
-- rerun hoso-load --migrate to change them.
--
-- The transform judges each case once under criterion 2.1
-- (lib/hoso_index766.c):
--   on_time_766  a resolved case, judged at its finished_at;
--   late_766_at  the instant from which the case, while still open, counts
--                late.  2.1's verdict on an open case only ever changes
--                from on time to late as T1 grows, so this one instant
--                answers every period.
-- hoso.summary_day keeps, per day and unit path, the resolved cases judged
-- on time (a flow, on the day of finished_at) and the changes of "open and
-- late" at the end of the day (a state, like d_overdue), so index_766
-- costs what the other analysts' functions cost.  Facts loaded before the
-- judgement existed carry judged_766 = false; 2.1 is reported as not
-- computed until "hoso rebuild" has re-derived them.
--
-- A function file: applied whole, again, by "hoso-load --migrate" whenever
-- a file of schemas/warehouse/functions changes.

CREATE OR REPLACE FUNCTION hoso.index_766(p_from date, p_to date, p_unit text DEFAULT NULL)
RETURNS TABLE (criterion text, name text, numerator numeric, denominator bigint, rate numeric,
	       threshold numeric, points numeric, score numeric, computed boolean, note text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	judged boolean;
BEGIN
	IF p_from IS NULL OR p_to IS NULL OR p_to < p_from THEN
		RAISE EXCEPTION 'index_766: a period p_from <= p_to is required'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM hoso.check_unit(p_unit);
	IF NOT EXISTS (SELECT 1 FROM hoso.profile_criterion WHERE profile = '766') THEN
		RAISE EXCEPTION 'the 766 profile has no criteria'
			USING HINT = 'hoso-load --migrate loads them from schemas/profiles/766.yaml';
	END IF;

	-- 2.1 from the summary rows: resolved in the period and judged on time,
	-- plus open at T1 and not late at T1 (see the top of this file)
	judged := NOT EXISTS (SELECT 1 FROM hoso.case_fact WHERE NOT judged_766);

	RETURN QUERY
	WITH s AS (
		SELECT coalesce(sum(d.received_online) FILTER (WHERE d.day >= p_from), 0) AS ro,
		       coalesce(sum(d.received_online + d.received_direct + d.received_postal)
				FILTER (WHERE d.day >= p_from), 0) AS rin,
		       coalesce(sum(d.fee_cases) FILTER (WHERE d.day >= p_from), 0) AS fee,
		       coalesce(sum(d.fee_paid_online) FILTER (WHERE d.day >= p_from), 0) AS feepaid,
		       coalesce(sum(d.paper_resolved) FILTER (WHERE d.day >= p_from), 0) AS paper,
		       coalesce(sum(d.paper_resolved_e_result) FILTER (WHERE d.day >= p_from), 0) AS paper_e,
		       coalesce(sum(d.digitised_at_intake) FILTER (WHERE d.day >= p_from), 0) AS dg,
		       coalesce(sum(d.reuse_cases) FILTER (WHERE d.day >= p_from), 0) AS reuse,
		       coalesce(sum(d.online_vneid) FILTER (WHERE d.day >= p_from), 0) AS vneid,
		       coalesce(sum(d.resolved_early + d.resolved_on_time + d.resolved_late)
				FILTER (WHERE d.day >= p_from), 0) AS resolved,
		       coalesce(sum(d.resolved_on_time_766) FILTER (WHERE d.day >= p_from), 0) AS resolved_766,
		       coalesce(sum(d.d_open), 0) AS open_t1,
		       coalesce(sum(d.d_late_766), 0) AS late_t1
		  FROM hoso.summary_day d
		 WHERE d.day <= p_to AND (p_unit IS NULL OR p_unit = ANY(d.unit_path))
	), cat AS (
		-- the catalogue as of the period's last day, whatever the unit
		SELECT count(*) FILTER (WHERE p.has_fee AND p.integrated) AS fee_portal,
		       count(*) FILTER (WHERE p.has_fee) AS fee_procedures
		  FROM hoso.procedure p
		 WHERE (p.valid_from IS NULL OR p.valid_from <= p_to)
		   AND (p.valid_to IS NULL OR p.valid_to >= p_to)
	), received AS (
		-- the period's received cases with their procedure, for the
		-- criteria the summary rows do not hold (through the accepted_at index)
		SELECT f.channel, f.has_fee, f.paid_online, f.procedure_code, p.online_level
		  FROM hoso.case_fact f
		  LEFT JOIN hoso.procedure p ON p.code = f.procedure_code
		 WHERE f.received AND f.accepted_at BETWEEN hoso.period_start(p_from) AND hoso.period_end(p_to)
		   AND (p_unit IS NULL OR p_unit = ANY(f.unit_path))
	), r AS (
		SELECT count(*) FILTER (WHERE online_level = 'TOAN_TRINH' AND channel = 2) AS e2e_online,
		       count(*) FILTER (WHERE online_level = 'TOAN_TRINH') AS e2e,
		       count(DISTINCT procedure_code) FILTER (WHERE has_fee AND paid_online) AS fee_proc_paid,
		       count(DISTINCT procedure_code) FILTER (WHERE has_fee) AS fee_proc
		  FROM received
	), v(criterion, num, den) AS (
		SELECT '2.1', s.resolved_766 + s.open_t1 - s.late_t1, (s.resolved + s.open_t1)::bigint
		  FROM s WHERE judged UNION ALL
		SELECT '3.3', r.e2e_online::numeric, r.e2e FROM r UNION ALL
		SELECT '3.4', cat.fee_portal::numeric, cat.fee_procedures FROM cat UNION ALL
		SELECT '3.5', r.fee_proc_paid::numeric, r.fee_proc FROM r UNION ALL
		SELECT '3.6', s.feepaid, s.fee::bigint FROM s UNION ALL
		SELECT '4.1', s.paper_e, s.paper::bigint FROM s UNION ALL
		SELECT '4.2', s.dg, s.rin::bigint FROM s UNION ALL
		SELECT '4.3', s.reuse, s.rin::bigint FROM s UNION ALL
		SELECT '4.6', s.vneid, s.ro::bigint FROM s
	)
	SELECT pc.criterion, pc.name, v.num, v.den,
	       CASE WHEN v.den > 0 THEN v.num / v.den END,
	       pc.threshold, pc.points,
	       CASE WHEN v.den > 0 THEN least(v.num / v.den / pc.threshold, 1) * pc.points END,
	       v.criterion IS NOT NULL,
	       CASE WHEN pc.criterion = '2.1' AND NOT judged
		    THEN 'not computed: facts loaded before migration 040 lack the 766 judgement; hoso rebuild over their period re-derives them'
		    WHEN pc.computed AND v.criterion IS NULL
		    THEN 'hoso.index_766 has no computation for this criterion'
		    WHEN v.den = 0 THEN concat_ws('; ', 'no case in its denominator', pc.note)
		    ELSE pc.note END
	  FROM hoso.profile_criterion pc
	  LEFT JOIN v ON v.criterion = pc.criterion AND pc.computed AND pc.threshold IS NOT NULL
	 WHERE pc.profile = '766'
	 ORDER BY pc.ord;
END $$;
COMMENT ON FUNCTION hoso.index_766(date, date, text) IS 'Decision 766/QĐ-TTg criteria computable from case logs and the catalogue (docs/counting.md §5) for a period, the whole warehouse or unit p_unit with its sub-units: one row per criterion of the 766 profile (hoso.profile_criterion), score = min(rate / threshold, 1) x points, read from hoso.summary_day; computed = false rows say in note why they are out of reach (3.4 is the catalogue''s, whatever p_unit)';

