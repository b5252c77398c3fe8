-- 077_file_source.sql: what each loaded file holds per source system, kept
-- as its messages arrive, so that hoso.coverage() tells what the warehouse
-- holds data for without reading the archive.
--
-- A statement trigger on each archive table adds up the rows the statement
-- inserted (a COPY of a whole staging file at a time): per file and _src,
-- the earliest and latest message time and the count.  Deleting a file
-- from the ledger (--replace) cascades here as to its messages.  The
-- trigger function belongs with the table, so it lives here and not in a
-- function file (--migrate keeps functions that a table depends on).

CREATE TABLE hoso.file_source (
	file_id		bigint NOT NULL REFERENCES hoso.file_ledger (file_id) ON DELETE CASCADE,
	src		text COLLATE "C" NOT NULL,
	first_at	timestamptz,
	last_at		timestamptz,
	messages	bigint NOT NULL,
	PRIMARY KEY (file_id, src)
);
COMMENT ON TABLE hoso.file_source IS 'Per loaded file and source system (_src): the span of its messages'' times and their number (dossier messages and progress rows); kept by triggers on the archive tables, read by hoso.coverage()';
COMMENT ON COLUMN hoso.file_source.file_id IS 'The file (file_ledger)';
COMMENT ON COLUMN hoso.file_source.src IS 'Source system (_src) of the messages';
COMMENT ON COLUMN hoso.file_source.first_at IS 'Earliest message time (_at) of that source in the file';
COMMENT ON COLUMN hoso.file_source.last_at IS 'Latest message time (_at) of that source in the file';
COMMENT ON COLUMN hoso.file_source.messages IS 'Dossier messages and progress rows of that source in the file';

CREATE FUNCTION hoso.file_source_add() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
	INSERT INTO hoso.file_source AS t (file_id, src, first_at, last_at, messages)
	SELECT n.file_id, n.src, min(n.at), max(n.at), count(*) FROM new_rows n GROUP BY 1, 2
	ON CONFLICT (file_id, src) DO UPDATE SET
		first_at = least(t.first_at, excluded.first_at),
		last_at = greatest(t.last_at, excluded.last_at),
		messages = t.messages + excluded.messages;
	RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION hoso.file_source_add() IS 'Internal: trigger of the archive tables adding the inserted rows to hoso.file_source';

CREATE TRIGGER dossier_msg_file_source AFTER INSERT ON hoso.dossier_msg
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hoso.file_source_add();
CREATE TRIGGER progress_msg_file_source AFTER INSERT ON hoso.progress_msg
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hoso.file_source_add();

-- the files already loaded
INSERT INTO hoso.file_source (file_id, src, first_at, last_at, messages)
SELECT file_id, src, min(at), max(at), count(*)
  FROM (SELECT file_id, src, at FROM hoso.dossier_msg
	UNION ALL SELECT file_id, src, at FROM hoso.progress_msg) m
 GROUP BY 1, 2;
