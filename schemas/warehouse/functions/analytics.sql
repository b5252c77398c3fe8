-- functions/analytics.sql: the analysts' functions: period_summary,
-- period_summary_by_unit, unit_ranking, monthly_trend, catalogue_summary,
-- procedure_durations, and the indicators (docs/counting.md §3, §4, §6).
--
-- Every figure is computed by hoso.period_counts (functions/summary.sql),
-- which classifies each received case once for a period and sums by unit
-- path; the functions below only group those sums by unit, month or
-- indicator, so there is one definition of every count.
--
-- A function file: applied whole, again, by "hoso-load --migrate" whenever
-- a file of schemas/warehouse/functions changes.

-- The profile named, or an error naming it and the profiles known.
CREATE OR REPLACE FUNCTION hoso.check_profile(p_profile text) RETURNS text
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

/*
 * The period summary sums hoso.period_counts (functions/summary.sql) over
 * the unit paths in scope: one classification of every case serves this function, the summaries by
 * unit, the rankings and the trends alike.  received_total, resolved_total
 * and in_progress_total are sums of their parts, so the identities of
 * docs/counting.md §3 hold by construction.
 */
CREATE OR REPLACE FUNCTION hoso.period_summary(p_from date, p_to date, p_unit text DEFAULT NULL,
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
	PERFORM hoso.check_unit(p_unit);

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
	'Period summary (docs/counting.md §3, form II.06a) of the local days p_from..p_to, for the whole warehouse or unit p_unit with its sub-units; one row';

/*
 * A unit argument, or an error naming it with the nearest candidates: the
 * units whose name or other name contains it (a name passed for a code),
 * else the codes sharing the longest prefix with it.  NULL (every unit)
 * passes.
 */
CREATE OR REPLACE FUNCTION hoso.check_unit(p_unit text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	hint text;
BEGIN
	IF p_unit IS NULL OR EXISTS (SELECT 1 FROM hoso.unit u WHERE u.code = p_unit) THEN
		RETURN p_unit;
	END IF;
	SELECT string_agg(format('%s (%s)', c.code, c.name), ', ' ORDER BY c.exact DESC, c.code)
	  INTO hint
	  FROM (SELECT u.code, u.name, bool_or(lower(n.name) = lower(p_unit)) AS exact
		  FROM hoso.unit u
		  CROSS JOIN LATERAL (SELECT u.name UNION ALL
				      SELECT a.alias FROM hoso.unit_alias a WHERE a.code = u.code) n(name)
		 WHERE strpos(lower(n.name), lower(p_unit)) > 0
		 GROUP BY u.code, u.name
		 ORDER BY 3 DESC, 1 LIMIT 5) c;
	IF hint IS NOT NULL THEN
		hint := 'a unit is named by its code; units whose name matches: ' || hint;
	ELSE
		-- the codes that share the longest prefix with it
		SELECT 'nearest codes: ' || string_agg(format('%s (%s)', c.code, c.name), ', ' ORDER BY c.code)
		  INTO hint
		  FROM (SELECT y.code, y.name
			  FROM (SELECT x.*, max(x.common) OVER () AS best
				  FROM (SELECT u.code, u.name,
					       (SELECT max(i) FROM generate_series(0, least(length(u.code), length(p_unit))) i
						 WHERE left(u.code, i) = left(p_unit, i)) AS common
					  FROM hoso.unit u) x) y
			 WHERE y.common = y.best AND y.best > 0
			 ORDER BY y.code LIMIT 5) c;
	END IF;
	IF hint IS NULL THEN
		SELECT 'no code is near it; codes look like ' || string_agg(c.code, ', ' ORDER BY c.code)
		  INTO hint FROM (SELECT u.code FROM hoso.unit u ORDER BY u.code LIMIT 3) c;
	END IF;
	RAISE EXCEPTION 'unknown unit code "%"', p_unit
		USING ERRCODE = 'invalid_parameter_value',
		      HINT = coalesce(hint, 'the unit catalogue (hoso.unit) is empty: load the reference data');
END $$;
COMMENT ON FUNCTION hoso.check_unit(text) IS 'Returns its argument if it is NULL or a unit code of hoso.unit, else raises an error whose hint names the units whose name matches, or the nearest codes';

/*
 * The unit a case counts under at a level, per unit of the catalogue: "as
 * was" a unit of the level is its own (a path counts under the unit of the
 * level on it, as resolved when derived); "as is" a unit goes through the
 * successor map to today's units and up their parents.  A path counts under
 * the least code its units give.  One walk of the catalogue serves every
 * path (hoso.counts_by_unit looks their units up in its result): a query
 * per path costs more than the period's counts on a national catalogue.
 */
CREATE OR REPLACE FUNCTION hoso.unit_level_map(p_level text, p_as_is boolean)
RETURNS TABLE (code text, at_level text)
-- Planned on its own, without JIT: the recursive walks' row estimates run
-- to millions for a catalogue of thousands, and would make the caller's
-- query compile itself for longer than it runs.  UNION ALL, not UNION: a
-- UNION's hash table is sized by those estimates, and each walk is a chain
-- (one successor, one parent per unit) whose depth bounds it anyway.
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1000 SET jit = off AS $$
	WITH RECURSIVE succ(start, code, depth) AS (
		SELECT u.code, u.code, 0 FROM hoso.unit u WHERE p_as_is
		UNION ALL
		SELECT s.start, u.successor_code, s.depth + 1
		  FROM succ s JOIN hoso.unit u ON u.code = s.code
		 WHERE u.successor_code IS NOT NULL AND s.depth < 16
	), up(start, code, depth) AS (
		-- the ends of the successor chains (a successor missing from
		-- the catalogue ends one too, and counts under nothing)
		SELECT s.start, s.code, 0 FROM succ s
		 WHERE NOT EXISTS (SELECT 1 FROM hoso.unit u WHERE u.code = s.code AND u.successor_code IS NOT NULL)
		UNION ALL
		SELECT up.start, u.parent_code, up.depth + 1
		  FROM up JOIN hoso.unit u ON u.code = up.code
		 WHERE u.parent_code IS NOT NULL AND up.depth < 16
	)
	SELECT u.code, u.code FROM hoso.unit u WHERE NOT p_as_is AND u.level = p_level
	UNION ALL
	SELECT up.start, min(u.code) FROM up JOIN hoso.unit u ON u.code = up.code
	 WHERE u.level = p_level
	 GROUP BY up.start
$$;
COMMENT ON FUNCTION hoso.unit_level_map(text, boolean) IS 'Internal: per unit of the catalogue, the unit of level p_level its cases count under, as was or (p_as_is) rolled up through the successor map; a unit path counts under the least of its units'' (hoso.counts_by_unit)';

CREATE OR REPLACE FUNCTION hoso.check_level(p_level text, p_from date, p_to date, p_as_is boolean) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
	cut date := (SELECT value::date FROM hoso.setting WHERE name = 'restructuring_date');
BEGIN
	IF p_level IS NULL OR p_level NOT IN ('TINH', 'SO_NGANH', 'HUYEN', 'XA') THEN
		RAISE EXCEPTION 'unknown unit level "%"', p_level
			USING ERRCODE = 'invalid_parameter_value', HINT = 'levels: TINH, SO_NGANH, HUYEN, XA';
	END IF;
	IF p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
		RAISE EXCEPTION 'period % .. % is not a period', p_from, p_to
			USING ERRCODE = 'invalid_parameter_value', HINT = 'give a first and a last day, in that order';
	END IF;
	-- "as is" rolls every fact up to today's units: nothing is mixed
	IF NOT p_as_is AND p_level IN ('TINH', 'HUYEN') AND p_from < cut AND p_to >= cut THEN
		RAISE EXCEPTION 'a % ranking over % .. % would mix units from before and after the % restructuring',
			p_level, p_from, p_to, cut
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'split the period at ' || (cut - 1) || ' / ' || cut || ', or rank "as is"';
	END IF;
	IF p_as_is AND NOT EXISTS (SELECT 1 FROM hoso.unit u WHERE u.level = p_level
				     AND u.successor_code IS NULL AND (u.valid_to IS NULL OR u.valid_to >= current_date)) THEN
		RAISE EXCEPTION 'no unit of level % exists today to count "as is" under', p_level
			USING ERRCODE = 'invalid_parameter_value', HINT = 'count "as was", or at another level';
	END IF;
END $$;
COMMENT ON FUNCTION hoso.check_level(text, date, date, boolean) IS 'Internal: raises on an unknown level or period, an "as was" TINH/HUYEN period that spans the 1 July 2025 restructuring, or an "as is" level without any unit today';

/*
 * Every figure per unit of a level: "as was" the units that existed during
 * the period, "as is" today's units (the ends of the successor chains),
 * whatever the period.  Cases whose unit could not be resolved make a row
 * of their own, unit_code UNRESOLVED, when there are any, so that a
 * level's rows account for every case; it is listed last.
 */
CREATE OR REPLACE FUNCTION hoso.counts_by_unit(p_from date, p_to date, p_level text, p_as_is boolean)
RETURNS TABLE (unit_code text, unit_name text,
	co bigint, ro bigint, rd bigint, rp bigint, re bigint, rt bigint, rl bigint, pi bigint,
	po bigint, pp bigint, cl bigint, dg bigint, fee bigint, feepaid bigint, paper bigint,
	paper_e bigint, vneid bigint, reuse bigint, wsec numeric)
LANGUAGE sql STABLE AS $$
	WITH lvl AS (
		-- the catalogue's map, once, as an object: a path's units are
		-- looked up in it, row by row, without a join
		SELECT coalesce(jsonb_object_agg(m.code, m.at_level), '{}') AS map
		  FROM hoso.unit_level_map(p_level, p_as_is) m
	), per_code AS (
		-- summed per unit before the units are listed: 64 to 6,500 rows
		-- to join, not one per path
		SELECT p.code,
		       bool_or(p.carried_over + p.received_online + p.received_direct + p.received_postal > 0) AS counted,
		       sum(p.carried_over) AS co, sum(p.received_online) AS ro,
		       sum(p.received_direct) AS rd, sum(p.received_postal) AS rp,
		       sum(p.resolved_early) AS re, sum(p.resolved_on_time) AS rt,
		       sum(p.resolved_late) AS rl, sum(p.in_progress_in_time) AS pi,
		       sum(p.in_progress_overdue) AS po, sum(p.in_progress_paused) AS pp,
		       sum(p.closed_other) AS cl, sum(p.digitised_at_intake) AS dg,
		       sum(p.fee_cases) AS fee, sum(p.fee_paid_online) AS feepaid,
		       sum(p.paper_resolved) AS paper, sum(p.paper_resolved_e_result) AS paper_e,
		       sum(p.online_vneid) AS vneid, sum(p.reuse_cases) AS reuse,
		       sum(p.resolved_working_seconds) AS wsec
		  FROM (SELECT CASE WHEN pc.unit_path = ARRAY['UNRESOLVED'] THEN 'UNRESOLVED'
				    ELSE (SELECT min(lvl.map ->> e.code) FROM unnest(pc.unit_path) e(code)) END AS code,
			       pc.*
			  FROM hoso.period_counts(p_from, p_to) pc CROSS JOIN lvl) p
		 GROUP BY p.code
	), units AS (
		SELECT u.code, u.name FROM hoso.unit u
		 WHERE u.level = p_level
		   AND CASE WHEN p_as_is THEN u.successor_code IS NULL
			    ELSE (u.valid_from IS NULL OR u.valid_from <= p_to)
				 AND (u.valid_to IS NULL OR u.valid_to >= p_from) END
		UNION ALL
		-- a path's counts are never negative: some path of them counted
		-- a case when their sum has
		SELECT 'UNRESOLVED', 'unresolved unit (see the runs'' reports)'
		 WHERE EXISTS (SELECT 1 FROM per_code p WHERE p.code = 'UNRESOLVED' AND p.counted)
	)
	SELECT units.code, units.name,
	       coalesce(p.co, 0)::bigint, coalesce(p.ro, 0)::bigint, coalesce(p.rd, 0)::bigint,
	       coalesce(p.rp, 0)::bigint, coalesce(p.re, 0)::bigint, coalesce(p.rt, 0)::bigint,
	       coalesce(p.rl, 0)::bigint, coalesce(p.pi, 0)::bigint, coalesce(p.po, 0)::bigint,
	       coalesce(p.pp, 0)::bigint, coalesce(p.cl, 0)::bigint, coalesce(p.dg, 0)::bigint,
	       coalesce(p.fee, 0)::bigint, coalesce(p.feepaid, 0)::bigint, coalesce(p.paper, 0)::bigint,
	       coalesce(p.paper_e, 0)::bigint, coalesce(p.vneid, 0)::bigint, coalesce(p.reuse, 0)::bigint,
	       coalesce(p.wsec, 0)
	  FROM units LEFT JOIN per_code p ON p.code = units.code
	 ORDER BY units.code = 'UNRESOLVED', units.code
$$;
COMMENT ON FUNCTION hoso.counts_by_unit(date, date, text, boolean) IS 'Internal: the period counts summed per unit of a level, as was or as is, with a last row UNRESOLVED for the cases whose unit could not be resolved';

CREATE OR REPLACE FUNCTION hoso.period_summary_by_unit(p_from date, p_to date, p_level text,
					    p_profile text DEFAULT 'ii06a',
					    p_as_is boolean DEFAULT false)
RETURNS TABLE (
	unit_code text, unit_name text,
	carried_over bigint, received_online bigint, received_direct bigint,
	received_postal bigint, received_in_period bigint, received_total bigint,
	resolved_total bigint, resolved_early bigint, resolved_on_time bigint,
	resolved_late bigint, in_progress_total bigint, in_progress_in_time bigint,
	in_progress_overdue bigint, in_progress_paused bigint, closed_other bigint,
	digitised_at_intake bigint, on_time_rate numeric, on_time_num bigint, on_time_den bigint
)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM hoso.check_profile(p_profile);
	PERFORM hoso.check_level(p_level, p_from, p_to, p_as_is);
	RETURN QUERY
	SELECT s.unit_code, s.unit_name, s.co, s.ro, s.rd, s.rp, s.ro + s.rd + s.rp,
	       s.co + s.ro + s.rd + s.rp, s.re + s.rt + s.rl, s.re, s.rt, s.rl,
	       s.pi + s.po, s.pi, s.po, s.pp, s.cl, s.dg,
	       CASE WHEN s.re + s.rt + s.rl > 0
		    THEN (s.re + s.rt)::numeric / (s.re + s.rt + s.rl) END,
	       s.re + s.rt, s.re + s.rt + s.rl
	  FROM hoso.counts_by_unit(p_from, p_to, p_level, p_as_is) s
	 ORDER BY s.unit_code = 'UNRESOLVED', s.unit_code;
END $$;
COMMENT ON FUNCTION hoso.period_summary_by_unit(date, date, text, text, boolean) IS 'Form II.06a per unit of a level (TINH, SO_NGANH, HUYEN, XA): every column of docs/counting.md §3; p_as_is rolls facts up through the successor map to today''s units, whatever the period; a last row UNRESOLVED holds the cases whose unit could not be resolved';

-- The indicators of docs/counting.md §4 (and 766's 4.3 reuse) as numerator and
-- denominator over summed period counts.  avg_resolution_working_days is
-- lower-is-better; every other indicator is a rate, higher is better; the
-- last four are plain counts (no denominator).
CREATE OR REPLACE FUNCTION hoso.indicator_names() RETURNS text[]
LANGUAGE sql IMMUTABLE
RETURN ARRAY['on_time_rate', 'online_share', 'digitised_at_intake_rate',
	     'online_payment_rate', 'e_result_rate', 'vneid_rate', 'reuse_rate',
	     'avg_resolution_working_days', 'received_in_period', 'received_total',
	     'resolved_total', 'in_progress_total'];
COMMENT ON FUNCTION hoso.indicator_names() IS 'The indicators unit_ranking and monthly_trend know (docs/counting.md §3, §4)';

CREATE OR REPLACE FUNCTION hoso.check_indicator(p_indicator text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_indicator IS NULL OR NOT p_indicator = ANY(hoso.indicator_names()) THEN
		RAISE EXCEPTION 'unknown indicator "%"', p_indicator
			USING HINT = 'indicators: ' || array_to_string(hoso.indicator_names(), ', ');
	END IF;
END $$;
COMMENT ON FUNCTION hoso.check_indicator(text) IS 'Internal: raises unless the indicator is known';

-- Summed counts of a set of unit paths, as one row, for an indicator.
CREATE OR REPLACE FUNCTION hoso.indicator_value(p_indicator text,
	co numeric, ro numeric, rd numeric, rp numeric, re numeric, rt numeric, rl numeric,
	pi numeric, po numeric, dg numeric, fee numeric, feepaid numeric, paper numeric,
	paper_e numeric, vneid numeric, reuse numeric, wsec numeric,
	OUT numerator numeric, OUT denominator bigint)
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p_indicator
		WHEN 'on_time_rate' THEN re + rt
		WHEN 'online_share' THEN ro
		WHEN 'digitised_at_intake_rate' THEN dg
		WHEN 'online_payment_rate' THEN feepaid
		WHEN 'e_result_rate' THEN paper_e
		WHEN 'vneid_rate' THEN vneid
		WHEN 'reuse_rate' THEN reuse
		-- 8 office hours make one working day (docs/counting.md §1)
		WHEN 'avg_resolution_working_days' THEN wsec / 28800
		WHEN 'received_in_period' THEN ro + rd + rp
		WHEN 'received_total' THEN co + ro + rd + rp
		WHEN 'resolved_total' THEN re + rt + rl
		WHEN 'in_progress_total' THEN pi + po
	       END,
	       (CASE p_indicator
		WHEN 'on_time_rate' THEN re + rt + rl
		WHEN 'online_share' THEN ro + rd + rp
		WHEN 'digitised_at_intake_rate' THEN ro + rd + rp
		WHEN 'online_payment_rate' THEN fee
		WHEN 'e_result_rate' THEN paper
		WHEN 'vneid_rate' THEN ro
		WHEN 'reuse_rate' THEN ro + rd + rp
		WHEN 'avg_resolution_working_days' THEN re + rt + rl
	       END)::bigint
$$;
COMMENT ON FUNCTION hoso.indicator_value(text, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric) IS 'Internal: numerator and denominator of an indicator from summed period counts (denominator NULL for plain counts)';

CREATE OR REPLACE FUNCTION hoso.unit_ranking(p_from date, p_to date, p_level text, p_indicator text,
				  p_profile text DEFAULT 'ii06a', p_as_is boolean DEFAULT false)
RETURNS TABLE (unit_code text, unit_name text, value numeric, numerator numeric,
	       denominator bigint, rank bigint, field_size bigint)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	min_den bigint := (SELECT s.value::bigint FROM hoso.setting s WHERE s.name = 'ranking_min_denominator');
	lower_better boolean := p_indicator = 'avg_resolution_working_days';
BEGIN
	PERFORM hoso.check_profile(p_profile);
	PERFORM hoso.check_indicator(p_indicator);
	PERFORM hoso.check_level(p_level, p_from, p_to, p_as_is);
	RETURN QUERY
	WITH v AS (
		SELECT s.unit_code AS code, s.unit_name AS name, iv.numerator AS num, iv.denominator AS den
		  FROM hoso.counts_by_unit(p_from, p_to, p_level, p_as_is) s
		 CROSS JOIN LATERAL hoso.indicator_value(p_indicator, s.co, s.ro, s.rd, s.rp,
			s.re, s.rt, s.rl, s.pi, s.po, s.dg, s.fee, s.feepaid, s.paper, s.paper_e,
			s.vneid, s.reuse, s.wsec) iv
	), r AS (
		-- a plain count (no denominator) ranks every unit by its count;
		-- a rate, the units whose denominator reaches the minimum; the
		-- unresolved cases never
		SELECT v.*, v.code <> 'UNRESOLVED' AND (v.den IS NULL OR (v.den > 0 AND v.den >= min_den)) AS ranked,
		       CASE WHEN v.den IS NULL THEN v.num WHEN v.den > 0 THEN v.num / v.den END AS val,
		       -- an exact sort key: distinct fractions with denominators
		       -- below 10^15 differ in it, equal fractions are equal
		       CASE WHEN v.den IS NULL THEN v.num WHEN v.den > 0 THEN div(v.num * 1e30, v.den) END AS key
		  FROM v
	)
	SELECT r.code, r.name, r.val, r.num, r.den,
	       CASE WHEN r.ranked THEN rank() OVER (PARTITION BY r.ranked
			ORDER BY CASE WHEN lower_better THEN r.key END ASC,
				 CASE WHEN NOT lower_better THEN r.key END DESC) END,
	       count(*) FILTER (WHERE r.ranked) OVER ()
	  FROM r
	 ORDER BY 6 NULLS LAST, r.code = 'UNRESOLVED', r.code;
END $$;
COMMENT ON FUNCTION hoso.unit_ranking(date, date, text, text, text, boolean) IS 'Units of one level ranked by one indicator over a period, best first, comparing exact fractions; standard competition ranking (1, 2, 2, 4); for a rate, units whose denominator is 0 or below setting ranking_min_denominator are listed without a rank; a plain count (denominator NULL) ranks every unit, largest first; the UNRESOLVED row is never ranked; field_size counts the ranked units (docs/counting.md §6)';

-- The reporting month a day falls in: month M runs from the 15th of M-1 to
-- the 14th of M and is labelled M (docs/counting.md §1).
CREATE OR REPLACE FUNCTION hoso.month_of(p_day date, p_month text) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (date_trunc('month', p_day) + CASE WHEN p_month = 'reporting' AND extract(day FROM p_day) >= 15
					  THEN interval '1 month' ELSE interval '0' END)::date;
COMMENT ON FUNCTION hoso.month_of(date, text) IS 'Internal: the first day of the calendar month (p_month calendar) or the label of the reporting month (reporting) a day falls in';

-- The first and last day of month p_label (as month_of gives it).
CREATE OR REPLACE FUNCTION hoso.month_days(p_label date, p_month text, OUT m_from date, OUT m_to date)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT CASE WHEN p_month = 'reporting' THEN (p_label - interval '1 month')::date + 14 ELSE p_label END,
	       CASE WHEN p_month = 'reporting' THEN p_label + 13
		    ELSE (p_label + interval '1 month')::date - 1 END
$$;
COMMENT ON FUNCTION hoso.month_days(date, text) IS 'Internal: first and last day of a calendar month, or of reporting month M (15th of M-1 to 14th of M)';

-- The months of a trend: those that intersect [p_from, p_to], whole
-- (m_from, m_to) and clipped to the period (c_from, c_to).
CREATE OR REPLACE FUNCTION hoso.trend_months(p_from date, p_to date, p_month text)
RETURNS TABLE (month date, m_from date, m_to date, c_from date, c_to date)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_month IS NULL OR p_month NOT IN ('calendar', 'reporting') THEN
		RAISE EXCEPTION 'unknown kind of month "%"', p_month
			USING ERRCODE = 'invalid_parameter_value', HINT = 'calendar or reporting';
	END IF;
	RETURN QUERY
	SELECT l.m::date, d.m_from, d.m_to, greatest(d.m_from, p_from), least(d.m_to, p_to)
	  FROM generate_series(hoso.month_of(p_from, p_month), hoso.month_of(p_to, p_month),
			       interval '1 month') l(m)
	 CROSS JOIN LATERAL hoso.month_days(l.m::date, p_month) d;
END $$;
COMMENT ON FUNCTION hoso.trend_months(date, date, text) IS 'Internal: the months of a trend that intersect the period, with their first and last day, whole and clipped to the period';

/*
 * Each month of the trend is a period summary over (month ∩ period), so
 * the months' flows add up to the period's; a clipped month has partial =
 * true.  The changes compare a month with the previous month and with the
 * same month a year earlier, those taken whole; a change against a month
 * that starts before the first day the warehouse holds data for
 * (hoso.coverage) is NULL, not a change from zero.
 */
CREATE OR REPLACE FUNCTION hoso.monthly_trend(p_from date, p_to date, p_unit text DEFAULT NULL,
				   p_month text DEFAULT 'calendar')
RETURNS TABLE (month text, indicator text, value numeric, numerator numeric,
	       denominator bigint, mom_change numeric, yoy_change numeric, partial boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	first_day date;
BEGIN
	IF p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
		RAISE EXCEPTION 'period % .. % is not a period', p_from, p_to
			USING ERRCODE = 'invalid_parameter_value', HINT = 'give a first and a last day, in that order';
	END IF;
	PERFORM hoso.check_unit(p_unit);
	SELECT min(c.first_day) INTO first_day FROM hoso.coverage() c;
	RETURN QUERY
	WITH months AS (
		SELECT * FROM hoso.trend_months(p_from, p_to, p_month)
	), ranges AS (
		-- the clipped months, and the whole months they are compared with
		SELECT m.month AS label, 'cur' AS kind, m.c_from AS r_from, m.c_to AS r_to FROM months m
		UNION ALL
		SELECT m.month, r.kind, d.m_from, d.m_to
		  FROM months m
		 CROSS JOIN (VALUES ('prev', interval '1 month'), ('ly', interval '1 year')) r(kind, back)
		 CROSS JOIN LATERAL hoso.month_days((m.month - r.back)::date, p_month) d
	), daily AS (
		-- one pass over the summary rows in scope: each day's flows, and
		-- the states at its end as running sums of their changes
		SELECT d.day, d.ro, d.rd, d.rp, d.re, d.rt, d.rl, d.dg, d.fee, d.feepaid,
		       d.paper, d.paper_e, d.vneid, d.reuse, d.wsec,
		       sum(d.d_open) OVER w AS open_end, sum(d.d_overdue) OVER w AS overdue_end
		  FROM (SELECT sd.day, sum(sd.received_online) AS ro, sum(sd.received_direct) AS rd,
			       sum(sd.received_postal) AS rp, sum(sd.resolved_early) AS re,
			       sum(sd.resolved_on_time) AS rt, sum(sd.resolved_late) AS rl,
			       sum(sd.digitised_at_intake) AS dg,
			       sum(sd.fee_cases) AS fee, sum(sd.fee_paid_online) AS feepaid,
			       sum(sd.paper_resolved) AS paper, sum(sd.paper_resolved_e_result) AS paper_e,
			       sum(sd.online_vneid) AS vneid, sum(sd.reuse_cases) AS reuse,
			       sum(sd.resolved_working_seconds) AS wsec, sum(sd.d_open) AS d_open,
			       sum(sd.d_overdue) AS d_overdue
			  FROM hoso.summary_day sd
			 WHERE sd.day <= p_to AND (p_unit IS NULL OR p_unit = ANY(sd.unit_path))
			 GROUP BY sd.day) d
		WINDOW w AS (ORDER BY d.day)
	), s AS (
		-- per range: the flows of its days; the states at the end of the
		-- day before it (carried over) and at its end (in progress)
		SELECT g.label, g.kind, g.r_from, g.r_to,
		       coalesce((SELECT x.open_end FROM daily x WHERE x.day < g.r_from ORDER BY x.day DESC LIMIT 1), 0) AS co,
		       coalesce(sum(d.ro), 0) AS ro, coalesce(sum(d.rd), 0) AS rd, coalesce(sum(d.rp), 0) AS rp,
		       coalesce(sum(d.re), 0) AS re, coalesce(sum(d.rt), 0) AS rt, coalesce(sum(d.rl), 0) AS rl,
		       coalesce((SELECT x.open_end - x.overdue_end FROM daily x WHERE x.day <= g.r_to ORDER BY x.day DESC LIMIT 1), 0) AS pi,
		       coalesce((SELECT x.overdue_end FROM daily x WHERE x.day <= g.r_to ORDER BY x.day DESC LIMIT 1), 0) AS po,
		       coalesce(sum(d.dg), 0) AS dg, coalesce(sum(d.fee), 0) AS fee,
		       coalesce(sum(d.feepaid), 0) AS feepaid, coalesce(sum(d.paper), 0) AS paper,
		       coalesce(sum(d.paper_e), 0) AS paper_e, coalesce(sum(d.vneid), 0) AS vneid,
		       coalesce(sum(d.reuse), 0) AS reuse, coalesce(sum(d.wsec), 0) AS wsec
		  FROM ranges g
		  LEFT JOIN daily d ON d.day BETWEEN g.r_from AND g.r_to
		 GROUP BY g.label, g.kind, g.r_from, g.r_to
	), v AS (
		SELECT s.label, s.kind, s.r_from, i.name AS ind, iv.numerator AS num, iv.denominator AS den,
		       CASE WHEN iv.denominator IS NULL THEN iv.numerator
			    WHEN iv.denominator > 0 THEN iv.numerator / iv.denominator END AS val,
		       -- rates change in percentage points, counts in cases
		       CASE WHEN iv.denominator IS NULL OR i.name = 'avg_resolution_working_days'
			    THEN 1 ELSE 100 END AS scale
		  FROM s
		 CROSS JOIN unnest(ARRAY['received_total', 'received_in_period', 'resolved_total',
					 'in_progress_total', 'on_time_rate', 'online_share',
					 'digitised_at_intake_rate']) i(name)
		 CROSS JOIN LATERAL hoso.indicator_value(i.name, s.co, s.ro, s.rd, s.rp, s.re, s.rt,
			s.rl, s.pi, s.po, s.dg, s.fee, s.feepaid, s.paper, s.paper_e, s.vneid,
			s.reuse, s.wsec) iv
	)
	SELECT to_char(cur.label, 'YYYY-MM'), cur.ind, cur.val, cur.num, cur.den,
	       CASE WHEN prev.r_from >= first_day THEN (cur.val - prev.val) * cur.scale END,
	       CASE WHEN ly.r_from >= first_day THEN (cur.val - ly.val) * cur.scale END,
	       m.c_from > m.m_from OR m.c_to < m.m_to
	  FROM v cur
	  JOIN months m ON m.month = cur.label
	  JOIN v prev ON prev.label = cur.label AND prev.ind = cur.ind AND prev.kind = 'prev'
	  JOIN v ly ON ly.label = cur.label AND ly.ind = cur.ind AND ly.kind = 'ly'
	 WHERE cur.kind = 'cur'
	 ORDER BY cur.label, cur.ind;
END $$;
COMMENT ON FUNCTION hoso.monthly_trend(date, date, text, text) IS 'Indicators per month (calendar, or reporting months cut on the 15th) that intersects the period, for the whole warehouse or unit p_unit with its sub-units; each month is a period summary over (month ∩ period), partial = true when clipped, so the months'' flows add up to the period''s; mom_change and yoy_change compare with the previous and year-earlier months taken whole, in cases for counts and in percentage points for rates, NULL when that month starts before the first day of data (hoso.coverage)';

-- What the warehouse holds, per source system (_src): the first and last
-- landing day of its files and how many files hold it.  A file loaded
-- without a landing day (a glob without {date}) counts from its first to
-- its last message time.
CREATE OR REPLACE FUNCTION hoso.coverage()
RETURNS TABLE (source text, first_day date, last_day date, files bigint)
LANGUAGE sql STABLE AS $$
	SELECT f.src, min(coalesce(l.landing_day, hoso.local_date(f.first_at))),
	       max(coalesce(l.landing_day, hoso.local_date(f.last_at))), count(*)
	  FROM hoso.file_source f
	  -- file ids count per shard: on a coordinator the province tells them apart
	  JOIN hoso.file_ledger l ON l.file_id = f.file_id AND l.province = f.province
	 GROUP BY f.src
	 ORDER BY f.src
$$;
COMMENT ON FUNCTION hoso.coverage() IS 'Per source system (_src): the first and last landing day of its loaded files (for a file without one, the local days of its first and last message times) and the number of those files; what the warehouse holds data for (hoso.file_source, file_ledger)';

CREATE OR REPLACE FUNCTION hoso.catalogue_summary(p_at date)
RETURNS TABLE (full_online bigint, partial_online bigint, integrated_national_portal bigint, total bigint)
LANGUAGE sql STABLE AS $$
	SELECT count(*) FILTER (WHERE p.online_level = 'TOAN_TRINH'),
	       count(*) FILTER (WHERE p.online_level = 'MOT_PHAN'),
	       count(*) FILTER (WHERE p.integrated),
	       count(*)
	  FROM hoso.procedure p
	 WHERE (p.valid_from IS NULL OR p.valid_from <= p_at)
	   AND (p.valid_to IS NULL OR p.valid_to >= p_at)
$$;
COMMENT ON FUNCTION hoso.catalogue_summary(date) IS 'The procedure catalogue as of a date: procedures with full online service, partial online service, integrated on the national portal, and the total (docs/counting.md §4)';

CREATE OR REPLACE FUNCTION hoso.procedure_durations(p_from date, p_to date, p_unit text DEFAULT NULL)
RETURNS TABLE (procedure_code text, procedure_name text, resolved bigint,
	       working_days_total numeric, avg_resolution_working_days numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
	PERFORM hoso.check_unit(p_unit);
	RETURN QUERY
	-- whole months [m0, m1) from the month rows, the days before m0 and
	-- from m1 on from the day rows; without a whole month, only days
	WITH edge AS (
		SELECT (date_trunc('month', p_from::timestamp) + interval '1 month')::date AS first_whole,
		       date_trunc('month', (p_to + 1)::timestamp)::date AS after_whole
	), b AS (
		SELECT CASE WHEN extract(day FROM p_from) = 1 THEN p_from ELSE first_whole END AS m0,
		       after_whole AS m1
		  FROM edge
	), w AS (
		SELECT CASE WHEN m0 < m1 THEN m0 ELSE p_to + 1 END AS m0,
		       CASE WHEN m0 < m1 THEN m1 ELSE p_to + 1 END AS m1
		  FROM b
	), period_rows AS (
		SELECT s.procedure_code, s.resolved, s.working_seconds
		  FROM hoso.summary_procedure_month s, w
		 WHERE s.month >= w.m0 AND s.month < w.m1
		   AND (p_unit IS NULL OR p_unit = ANY(s.unit_path))
		UNION ALL
		SELECT s.procedure_code, s.resolved, s.working_seconds
		  FROM hoso.summary_procedure_day s, w
		 WHERE ((s.day >= p_from AND s.day < w.m0) OR (s.day >= w.m1 AND s.day <= p_to))
		   AND (p_unit IS NULL OR p_unit = ANY(s.unit_path))
	)
	SELECT nullif(r.procedure_code, ''), max(p.name), sum(r.resolved)::bigint,
	       sum(r.working_seconds) / 28800.0,
	       sum(r.working_seconds) / 28800.0 / sum(r.resolved)
	  FROM period_rows r
	  LEFT JOIN hoso.procedure p ON p.code = r.procedure_code
	 GROUP BY r.procedure_code
	HAVING sum(r.resolved) > 0
	 ORDER BY 5, 1;
END $$;
COMMENT ON FUNCTION hoso.procedure_durations(date, date, text) IS 'Per procedure: cases resolved in the period (for unit p_unit and its sub-units, or all), their total and mean working days used (docs/counting.md §1, supplement pauses excluded); fastest first; read from hoso.summary_procedure_month (whole months) and summary_procedure_day (the other days)';

