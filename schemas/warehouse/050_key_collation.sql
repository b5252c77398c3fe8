-- 050_key_collation.sql: the case keys (src, case_no) compare bytewise.
--
-- The keys are codes (a source system name, MaHoSo), never text to be read
-- in a language's order.  Under the database's default collation (C.UTF-8
-- or a language locale) every comparison in the key indexes and in the
-- sorts and joins of hoso.summary_apply goes through strcoll; COLLATE "C"
-- compares bytes: a load's index maintenance measured 20-30 % faster.  For
-- UTF-8, byte order is code point order, the order C.UTF-8 gives, so no
-- result changes order.  A comparison with a parameter or a literal (of the
-- default collation) takes the column's collation, so the key indexes still
-- serve every lookup.  The heap is not rewritten (text to text); the
-- indexes on these columns are rebuilt.  hoso.due_at and hoso.status_at
-- (002_period_summary.sql) depend on the columns, so they are dropped and
-- created again as they were.

DROP FUNCTION hoso.due_at(text, text, timestamptz);
DROP FUNCTION hoso.status_at(text, text, timestamptz);

ALTER TABLE hoso.dossier_msg
	ALTER COLUMN src TYPE text COLLATE "C",
	ALTER COLUMN case_no TYPE text COLLATE "C";
ALTER TABLE hoso.progress_msg
	ALTER COLUMN src TYPE text COLLATE "C",
	ALTER COLUMN case_no TYPE text COLLATE "C";
ALTER TABLE hoso.case_fact
	ALTER COLUMN src TYPE text COLLATE "C",
	ALTER COLUMN case_no TYPE text COLLATE "C";
ALTER TABLE hoso.case_due
	ALTER COLUMN src TYPE text COLLATE "C",
	ALTER COLUMN case_no TYPE text COLLATE "C";
ALTER TABLE hoso.case_status
	ALTER COLUMN src TYPE text COLLATE "C",
	ALTER COLUMN case_no TYPE text COLLATE "C";

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
