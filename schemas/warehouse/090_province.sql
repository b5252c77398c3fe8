-- 090_province.sql: the province on every fact, archive, summary and run
-- table, so that a national warehouse can keep each province's rows on the
-- server that owns it (docs/national.md) and a distributed engine can use
-- the province as its distribution column.
--
-- A one-province warehouse keeps working unchanged: the column's default is
-- the setting "province" (empty until an operator names it), unless the
-- loading session names its province in the parameter hoso.province (the
-- runner does, for a pipeline that names its province).  Existing rows get
-- the setting's value as it is when this migration runs.

INSERT INTO hoso.setting VALUES
	('province', '',
	 'Province code of a one-province warehouse: the default of the province column of rows loaded by a session that names none (parameter hoso.province)');

CREATE FUNCTION hoso.load_province() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT coalesce(nullif(current_setting('hoso.province', true), ''),
			(SELECT value FROM hoso.setting WHERE name = 'province'), '')
$$;
COMMENT ON FUNCTION hoso.load_province() IS 'The province of the rows a session writes: parameter hoso.province, else the setting "province"';

ALTER TABLE hoso.run ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.file_ledger ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.reject ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.file_source ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.dossier_msg ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.progress_msg ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.case_fact ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.case_due ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.case_status ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.summary_day ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.summary_procedure_day ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();
ALTER TABLE hoso.summary_procedure_month ADD COLUMN province text NOT NULL DEFAULT hoso.load_province();

COMMENT ON COLUMN hoso.run.province IS 'Province the run loaded (its pipeline''s, else the setting "province")';
COMMENT ON COLUMN hoso.file_ledger.province IS 'Province whose file this is';
COMMENT ON COLUMN hoso.file_source.province IS 'Province whose file this is: the shard key of a national warehouse (what hoso.coverage() reads)';
COMMENT ON COLUMN hoso.reject.province IS 'Province of the run that rejected it';
COMMENT ON COLUMN hoso.dossier_msg.province IS 'Province of the load that archived it: the shard key of a national warehouse';
COMMENT ON COLUMN hoso.progress_msg.province IS 'Province of the load that archived it: the shard key of a national warehouse';
COMMENT ON COLUMN hoso.case_fact.province IS 'Province of the load that derived it: the shard key of a national warehouse';
COMMENT ON COLUMN hoso.case_due.province IS 'Province of the load that derived it: the shard key of a national warehouse';
COMMENT ON COLUMN hoso.case_status.province IS 'Province of the load that derived it: the shard key of a national warehouse';
COMMENT ON COLUMN hoso.summary_day.province IS 'Province whose cases these sums count: the shard key of a national warehouse';
COMMENT ON COLUMN hoso.summary_procedure_day.province IS 'Province whose cases these sums count: the shard key of a national warehouse';
COMMENT ON COLUMN hoso.summary_procedure_month.province IS 'Province whose cases these sums count: the shard key of a national warehouse';

