-- 045_procedure_summary.sql: per-procedure resolution durations from
-- summary rows, so hoso.procedure_durations costs what the other analysts'
-- functions cost (issue 5: < 100 ms on 2 million cases) instead of scanning
-- every resolved case of the period.
--
-- hoso.summary_procedure_day holds, per local day of end_at, unit path and
-- procedure, the resolved cases and their working seconds (a flow, like the
-- resolved_* columns of hoso.summary_day).  It grows with days x unit paths
-- x procedures, not with cases.  hoso.summary_apply maintains it beside
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

-- The summary_day maintenance of 040 keeps its name for the part it does;
-- hoso.summary_apply now maintains both tables.
ALTER FUNCTION hoso.summary_apply(regclass, integer) RENAME TO summary_day_apply;
COMMENT ON FUNCTION hoso.summary_day_apply(regclass, integer) IS 'Internal, called by hoso.summary_apply: the hoso.summary_day part';

CREATE FUNCTION hoso.summary_procedure_apply(p_keys regclass, p_sign integer) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
	EXECUTE format($q$
	INSERT INTO hoso.summary_procedure_day AS t
	SELECT hoso.local_date(c.end_at), c.unit_path, coalesce(c.procedure_code, ''),
	       %2$s * count(*), %2$s * sum(c.working_seconds)
	  FROM hoso.case_fact c JOIN %1$s k ON k.src = c.src AND k.case_no = c.case_no
	 WHERE c.received AND c.end_kind = 'R' AND c.working_seconds IS NOT NULL
	 GROUP BY 1, 2, 3
	ON CONFLICT (day, unit_path, procedure_code) DO UPDATE SET
		resolved = t.resolved + excluded.resolved,
		working_seconds = t.working_seconds + excluded.working_seconds
	$q$, p_keys, p_sign);
	-- rows that cancelled out go, so incremental equals a single load
	IF p_sign < 0 THEN
		DELETE FROM hoso.summary_procedure_day WHERE resolved = 0;
	END IF;
END
$fn$;
COMMENT ON FUNCTION hoso.summary_procedure_apply(regclass, integer) IS 'Internal, called by hoso.summary_apply: the hoso.summary_procedure_day part';
CREATE INDEX summary_procedure_day_zero_idx ON hoso.summary_procedure_day (day) WHERE resolved = 0;
COMMENT ON INDEX hoso.summary_procedure_day_zero_idx IS 'Rows whose contributions cancelled out, removed by hoso.summary_procedure_apply';

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
	CREATE TEMP TABLE summary_all_keys ON COMMIT DROP AS
		SELECT src, case_no FROM hoso.case_fact;
	PERFORM hoso.summary_apply('summary_all_keys', 1);
	DROP TABLE summary_all_keys;
END
$fn$;
COMMENT ON FUNCTION hoso.summary_rebuild() IS 'Recomputes hoso.summary_day and hoso.summary_procedure_day from hoso.case_fact, case_due and case_status';

-- Existing facts: fill the new table once.
CREATE TEMP TABLE summary_procedure_keys ON COMMIT DROP AS SELECT src, case_no FROM hoso.case_fact;
SELECT hoso.summary_procedure_apply('summary_procedure_keys', 1);
DROP TABLE summary_procedure_keys;

CREATE OR REPLACE FUNCTION hoso.procedure_durations(p_from date, p_to date, p_unit text DEFAULT NULL)
RETURNS TABLE (procedure_code text, procedure_name text, resolved bigint,
	       working_days_total numeric, avg_resolution_working_days numeric)
LANGUAGE sql STABLE AS $$
	SELECT nullif(s.procedure_code, ''), max(p.name), sum(s.resolved)::bigint,
	       sum(s.working_seconds) / 28800.0,
	       sum(s.working_seconds) / 28800.0 / sum(s.resolved)
	  FROM hoso.summary_procedure_day s
	  LEFT JOIN hoso.procedure p ON p.code = s.procedure_code
	 WHERE s.day BETWEEN p_from AND p_to
	   AND (p_unit IS NULL OR p_unit = ANY(s.unit_path))
	 GROUP BY s.procedure_code
	HAVING sum(s.resolved) > 0
	 ORDER BY 5, 1
$$;
COMMENT ON FUNCTION hoso.procedure_durations(date, date, text) IS 'Per procedure: cases resolved in the period (for unit p_unit and its sub-units, or all), their total and mean working days used (counting.md §1, supplement pauses excluded); fastest first; read from hoso.summary_procedure_day';

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
