-- 093_reference_digest.sql: what the load last put into each reference
-- dimension, so that a night whose catalogues are those of the night
-- before leaves the dimensions alone (no temporary table, COPY, DELETE or
-- INSERT; no dead rows for autovacuum).  The load records the SHA-256 of a
-- dimension's files (and of the statements that load them) in the
-- transaction that replaces the dimension; a load whose files digest to the
-- recorded value skips it (docs/design.md §4).
--
-- Any other write to a dimension (an operator's UPDATE, a TRUNCATE, the
-- coordinator's copy of a shard's catalogues) forgets its digest, so the
-- next load replaces it again: the digest only ever stands for rows the load
-- itself wrote.  The load's own statements forget it too, and it records
-- the new one after them.

CREATE TABLE hoso.reference_digest (
	dimension	text PRIMARY KEY CHECK (dimension IN ('unit', 'procedure', 'calendar')),
	sha256		text NOT NULL,
	loaded_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE hoso.reference_digest IS 'Per reference dimension, the digest of the files the load last replaced it from; no row: the next load replaces it';
COMMENT ON COLUMN hoso.reference_digest.dimension IS 'unit (hoso.unit and hoso.unit_alias, from units.csv), procedure or calendar';
COMMENT ON COLUMN hoso.reference_digest.sha256 IS 'SHA-256 of the loading statements and the files (for the calendar, each YYYY.csv name and content, in name order)';
COMMENT ON COLUMN hoso.reference_digest.loaded_at IS 'When the load that replaced the dimension began';

CREATE FUNCTION hoso.reference_digest_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM hoso.reference_digest WHERE dimension = TG_ARGV[0];
	RETURN NULL;
END $$;
COMMENT ON FUNCTION hoso.reference_digest_forget() IS 'Internal: trigger of the reference dimensions forgetting the digest of the one written (its argument)';

CREATE TRIGGER unit_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hoso.unit
	FOR EACH STATEMENT EXECUTE FUNCTION hoso.reference_digest_forget('unit');
CREATE TRIGGER unit_alias_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hoso.unit_alias
	FOR EACH STATEMENT EXECUTE FUNCTION hoso.reference_digest_forget('unit');
CREATE TRIGGER procedure_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hoso.procedure
	FOR EACH STATEMENT EXECUTE FUNCTION hoso.reference_digest_forget('procedure');
CREATE TRIGGER calendar_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON hoso.calendar
	FOR EACH STATEMENT EXECUTE FUNCTION hoso.reference_digest_forget('calendar');
