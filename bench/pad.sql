-- pad.sql: copies of a loaded warehouse's cases (facts and archive) under
-- other _src values, until it holds at least :target cases.  Used by
-- scripts/bench.sh for the nightly-into-a-big-warehouse measurement.
SELECT set_config('bench.target', :'target', false);
DO $$
DECLARE
	n bigint;
	k int;
	tbl text;
	cols text;
BEGIN
	SELECT count(*) INTO n FROM hoso.case_fact;
	IF n = 0 THEN
		RAISE EXCEPTION 'nothing to pad';
	END IF;
	k := ceil((current_setting('bench.target')::numeric - n) / n);
	FOR i IN 1..k LOOP
		INSERT INTO hoso.file_ledger (path, size, sha256, format, rows, run_id, lines,
			messages, dossiers, progress, other_messages, rejects, unknown_fields)
		SELECT path || '#pad' || i, size, sha256, format, rows, run_id, lines, messages,
			dossiers, progress, other_messages, rejects, unknown_fields
		FROM hoso.file_ledger WHERE path NOT LIKE '%#pad%';
		CREATE TEMP TABLE fm ON COMMIT DROP AS
			SELECT o.file_id AS old_id, p.file_id AS new_id
			FROM hoso.file_ledger o JOIN hoso.file_ledger p ON p.path = o.path || '#pad' || i;
		FOREACH tbl IN ARRAY ARRAY['case_fact', 'case_due', 'case_status', 'dossier_msg', 'progress_msg'] LOOP
			SELECT string_agg(CASE column_name
					WHEN 'src' THEN format('src || %L', '-P' || i)
					WHEN 'file_id' THEN 'fm.new_id'
					ELSE 't.' || quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
			INTO cols
			FROM information_schema.columns
			WHERE table_schema = 'hoso' AND table_name = tbl
			  AND is_generated = 'NEVER' AND identity_generation IS NULL;
			IF tbl LIKE '%msg' THEN
				EXECUTE format('INSERT INTO hoso.%I SELECT %s FROM hoso.%I t JOIN fm ON fm.old_id = t.file_id',
					tbl, cols, tbl);
			ELSE
				EXECUTE format('INSERT INTO hoso.%I SELECT %s FROM hoso.%I t WHERE t.src NOT LIKE %L',
					tbl, cols, tbl, '%-P%');
			END IF;
		END LOOP;
		DROP TABLE fm;
	END LOOP;
END
$$;
-- vacuumed as well as analyzed: otherwise autovacuum's pass over the
-- copied rows (a minute or more) runs during the nights measured next
VACUUM (ANALYZE);
