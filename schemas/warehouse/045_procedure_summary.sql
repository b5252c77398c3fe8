-- 045_procedure_summary.sql: per-procedure resolution durations from
-- summary rows, so hoso.procedure_durations costs what the other analysts'
-- functions cost (issue 5: < 100 ms on 2 million cases) instead of scanning
-- every resolved case of the period.
--
-- hoso.summary_procedure_day holds, per local day of end_at, unit path and
-- procedure, the resolved cases and their working seconds (a flow, like the
-- resolved_* columns of hoso.summary_day); hoso.summary_procedure_month the
-- same per calendar month.  They grow with days x unit paths x procedures,
-- not with cases; a period reads its whole months from the second and only
-- its ragged edges from the first, because the day rows are many (some 400
-- a day at scale 1).  hoso.summary_apply maintains both beside
-- hoso.summary_day, in the load's transaction.

CREATE TABLE hoso.summary_procedure_day (
	day			date NOT NULL,
	unit_path		text[] NOT NULL,
	procedure_code		text NOT NULL,
	resolved		bigint NOT NULL,
	working_seconds		numeric NOT NULL,
	PRIMARY KEY (day, unit_path, procedure_code)
);
COMMENT ON TABLE hoso.summary_procedure_day IS 'Per local day, unit path and procedure: the cases resolved that day and their working seconds (counting.md §1, §4 avg_resolution_working_days); maintained by every load through hoso.summary_apply, read by hoso.procedure_durations';
COMMENT ON COLUMN hoso.summary_procedure_day.day IS 'Local (Vietnam) date of the cases'' end_at';
COMMENT ON COLUMN hoso.summary_procedure_day.unit_path IS 'Unit path of the cases (as case_fact.unit_path)';
COMMENT ON COLUMN hoso.summary_procedure_day.procedure_code IS 'MaTTHC of the cases (as case_fact.procedure_code; empty for cases without one)';
COMMENT ON COLUMN hoso.summary_procedure_day.resolved IS 'Received cases resolved on this day with a working time';
COMMENT ON COLUMN hoso.summary_procedure_day.working_seconds IS 'Their office seconds used, supplement pauses excluded';

CREATE TABLE hoso.summary_procedure_month (
	month			date NOT NULL CHECK (extract(day FROM month) = 1),
	unit_path		text[] NOT NULL,
	procedure_code		text NOT NULL,
	resolved		bigint NOT NULL,
	working_seconds		numeric NOT NULL,
	PRIMARY KEY (month, unit_path, procedure_code)
);
COMMENT ON TABLE hoso.summary_procedure_month IS 'hoso.summary_procedure_day summed per calendar month, so that a period reads its whole months from here; maintained by hoso.summary_apply';
COMMENT ON COLUMN hoso.summary_procedure_month.month IS 'First local day of the month of the cases'' end_at';
COMMENT ON COLUMN hoso.summary_procedure_month.unit_path IS 'Unit path of the cases (as case_fact.unit_path)';
COMMENT ON COLUMN hoso.summary_procedure_month.procedure_code IS 'MaTTHC of the cases (empty for cases without one)';
COMMENT ON COLUMN hoso.summary_procedure_month.resolved IS 'Received cases resolved in this month with a working time';
COMMENT ON COLUMN hoso.summary_procedure_month.working_seconds IS 'Their office seconds used, supplement pauses excluded';

-- The summary_day maintenance of 040 keeps its name for the part it does;
-- hoso.summary_apply now maintains both tables.
ALTER FUNCTION hoso.summary_apply(regclass, integer) RENAME TO summary_day_apply;
COMMENT ON FUNCTION hoso.summary_day_apply(regclass, integer) IS 'Internal, called by hoso.summary_apply: the hoso.summary_day part';

CREATE FUNCTION hoso.summary_procedure_apply(p_keys regclass, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
	grain text;
BEGIN
	FOREACH grain IN ARRAY ARRAY['day', 'month'] LOOP
		EXECUTE format($q$
		INSERT INTO hoso.summary_procedure_%3$s AS t
		SELECT date_trunc(%3$L, hoso.local_date(c.end_at)::timestamp)::date, c.unit_path,
		       coalesce(c.procedure_code, ''), %2$s * count(*), %2$s * sum(c.working_seconds)
		  FROM hoso.case_fact c JOIN %1$s k ON k.src = c.src AND k.case_no = c.case_no
		 WHERE c.received AND c.end_kind = 'R' AND c.working_seconds IS NOT NULL
		 GROUP BY 1, 2, 3
		ON CONFLICT (%3$I, unit_path, procedure_code) DO UPDATE SET
			resolved = t.resolved + excluded.resolved,
			working_seconds = t.working_seconds + excluded.working_seconds
		$q$, p_keys, p_sign, grain);
		-- rows that cancelled out go, so incremental equals a single load
		IF p_sign < 0 THEN
			EXECUTE format('DELETE FROM hoso.summary_procedure_%s WHERE resolved = 0', grain);
		END IF;
	END LOOP;
END
$fn$;
COMMENT ON FUNCTION hoso.summary_procedure_apply(regclass, integer) IS 'Internal, called by hoso.summary_apply: the hoso.summary_procedure_day part';
CREATE INDEX summary_procedure_day_zero_idx ON hoso.summary_procedure_day (day) WHERE resolved = 0;
COMMENT ON INDEX hoso.summary_procedure_day_zero_idx IS 'Rows whose contributions cancelled out, removed by hoso.summary_procedure_apply';
CREATE INDEX summary_procedure_month_zero_idx ON hoso.summary_procedure_month (month) WHERE resolved = 0;
COMMENT ON INDEX hoso.summary_procedure_month_zero_idx IS 'Rows whose contributions cancelled out, removed by hoso.summary_procedure_apply';

CREATE FUNCTION hoso.summary_apply(p_keys regclass, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
	PERFORM hoso.summary_day_apply(p_keys, p_sign);
	PERFORM hoso.summary_procedure_apply(p_keys, p_sign);
END
$fn$;
COMMENT ON FUNCTION hoso.summary_apply(regclass, integer) IS 'Adds (p_sign = 1) or takes away (-1) the contributions of the cases listed in table p_keys (src, case_no) to hoso.summary_day and hoso.summary_procedure_day; hoso-load calls it around replacing those cases'' facts';

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

-- Existing facts: fill the new table once.
CREATE TEMP TABLE summary_procedure_keys ON COMMIT DROP AS SELECT src, case_no FROM hoso.case_fact;
SELECT hoso.summary_procedure_apply('summary_procedure_keys', 1);
DROP TABLE summary_procedure_keys;

CREATE OR REPLACE FUNCTION hoso.procedure_durations(p_from date, p_to date, p_unit text DEFAULT NULL)
RETURNS TABLE (procedure_code text, procedure_name text, resolved bigint,
	       working_days_total numeric, avg_resolution_working_days numeric)
LANGUAGE sql STABLE AS $$
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
	 ORDER BY 5, 1
$$;
COMMENT ON FUNCTION hoso.procedure_durations(date, date, text) IS 'Per procedure: cases resolved in the period (for unit p_unit and its sub-units, or all), their total and mean working days used (counting.md §1, supplement pauses excluded); fastest first; read from hoso.summary_procedure_month (whole months) and summary_procedure_day (the other days)';

/*
 * The same figures from the facts, for verification (tests compare the two).
 */
CREATE FUNCTION hoso.procedure_durations_scan(p_from date, p_to date, p_unit text DEFAULT NULL)
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
COMMENT ON FUNCTION hoso.procedure_durations_scan(date, date, text) IS 'Internal, for verification: hoso.procedure_durations computed from hoso.case_fact';
