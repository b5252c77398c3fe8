-- on-shard.sql: what hoso runs on a shard of a national warehouse
-- (docs/national.md), in a session of its own; everything here is
-- temporary (schema pg_temp) and goes with the session.
--
-- The coordinator reads a shard through views of its own schema
-- hoso_shard_NAME, which show only the provinces the topology gives the
-- shard: rows of another province (on their way in or out during a move)
-- are never counted, and an error while reading names the shard.
CREATE FUNCTION pg_temp.shard_views(p_name text, p_provinces text[], p_tables text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	s text := 'hoso_shard_' || p_name;
	t text;
BEGIN
	EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', s);
	EXECUTE format('COMMENT ON SCHEMA %I IS %L', s,
		       'hoso: what the coordinator of a national warehouse reads of this shard ("' || p_name || '")');
	FOREACH t IN ARRAY p_tables LOOP
		-- made again: a migration may have added columns since
		EXECUTE format('DROP VIEW IF EXISTS %I.%I', s, t);
		EXECUTE format('CREATE VIEW %I.%I AS SELECT * FROM hoso.%I WHERE province = ANY (%L::text[])',
			       s, t, t, p_provinces);
	END LOOP;
	EXECUTE format('GRANT USAGE ON SCHEMA %I TO hoso_analyst', s);
	EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO hoso_analyst', s);
END $$;

-- Moving one province's rows from one shard to another ("hoso shard
-- move"), in a session of each of the two shards.  The runner streams each table's rows with COPY from the
-- old shard into temporary tables on the new one, where publish() gives
-- them the new shard's own run and file numbers; digest() on each side
-- then proves the two copies equal before the old one is deleted.

-- The tables holding a province's rows, a referenced table before the
-- tables that refer to it.  hoso.file_source is not copied: the archive
-- tables' insert trigger makes it again (digest() compares it).
CREATE FUNCTION pg_temp.move_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['run', 'run_file', 'file_ledger', 'reject', 'dossier_msg', 'progress_msg',
		     'case_fact', 'case_due', 'case_status',
		     'summary_day', 'summary_procedure_day', 'summary_procedure_month']
$$;

CREATE FUNCTION pg_temp.move_columns(p_table text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
	  FROM pg_attribute a
	 WHERE a.attrelid = format('hoso.%I', p_table)::regclass AND a.attnum > 0
	   AND NOT a.attisdropped AND a.attgenerated = ''
$$;

-- A SELECT of province p_province's rows of p_table (run_file has no
-- province column: its rows belong to the province's runs).
CREATE FUNCTION pg_temp.move_rows(p_table text, p_province text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN p_table = 'run_file'
		THEN format('SELECT %s FROM hoso.run_file WHERE run_id IN'
			    ' (SELECT run_id FROM hoso.run WHERE province = %L)',
			    pg_temp.move_columns(p_table), p_province)
		ELSE format('SELECT %s FROM hoso.%I WHERE province = %L',
			    pg_temp.move_columns(p_table), p_table, p_province) END
$$;

CREATE FUNCTION pg_temp.move_has_column(p_table text, p_column text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM pg_attribute
			WHERE attrelid = format('hoso.%I', p_table)::regclass
			  AND attname = p_column AND NOT attisdropped)
$$;

-- Per table, the province's row count and an md5 of its rows sorted, with
-- the numbers each shard gives itself (run_id, file_id, reject_id)
-- replaced by what they stand for (the run's start, the file's path).
CREATE FUNCTION pg_temp.move_digest(p_province text)
RETURNS TABLE (table_name text, row_count bigint, rows_md5 text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	t text;
	joins text;
	extra text;
BEGIN
	FOREACH t IN ARRAY pg_temp.move_tables() || 'file_source'::text LOOP
		joins := '';
		extra := '';
		IF pg_temp.move_has_column(t, 'file_id') THEN
			joins := joins || ' LEFT JOIN hoso.file_ledger l ON l.file_id = x.file_id';
			extra := extra || ' || jsonb_build_object(''file'', l.path)';
		END IF;
		IF pg_temp.move_has_column(t, 'run_id') THEN
			joins := joins || ' LEFT JOIN hoso.run r ON r.run_id = x.run_id';
			extra := extra || ' || jsonb_build_object(''run'', r.started_at)';
		END IF;
		table_name := t;
		EXECUTE format('SELECT count(*), coalesce(md5(string_agg(j, E''\n'' ORDER BY j)), ''-'')'
			       ' FROM (SELECT ((to_jsonb(x) - ''run_id'' - ''file_id'' - ''reject_id'')%s)::text AS j'
			       ' FROM (%s) x%s) s', extra, pg_temp.move_rows(t, p_province), joins)
			INTO row_count, rows_md5;
		RETURN NEXT;
	END LOOP;
END $$;

-- Empty copies of the moved tables, which the runner fills with COPY.
CREATE FUNCTION pg_temp.move_stage() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY pg_temp.move_tables() LOOP
		EXECUTE format('CREATE TEMP TABLE %I ON COMMIT DROP AS SELECT %s FROM hoso.%I WITH NO DATA',
			       'move_' || t, pg_temp.move_columns(t), t);
	END LOOP;
END $$;

-- Insert the staged rows into the shard's tables, each run and file with
-- a new number of this shard (numbers repeat across shards).
CREATE FUNCTION pg_temp.move_publish(p_province text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	t text;
	cols text;
	vals text;
	joins text;
BEGIN
	-- the province of the rows the archive's trigger adds to hoso.file_source
	PERFORM set_config('hoso.province', p_province, true);
	CREATE TEMP TABLE move_run_id ON COMMIT DROP AS
		SELECT run_id AS old, nextval(pg_get_serial_sequence('hoso.run', 'run_id')) AS new
		  FROM pg_temp.move_run;
	CREATE TEMP TABLE move_file_id ON COMMIT DROP AS
		SELECT file_id AS old, nextval(pg_get_serial_sequence('hoso.file_ledger', 'file_id')) AS new
		  FROM pg_temp.move_file_ledger;
	FOREACH t IN ARRAY pg_temp.move_tables() LOOP
		joins := '';
		SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
		       string_agg(CASE
				WHEN a.attname = 'run_id' THEN 'mr.new'
				WHEN a.attname = 'file_id' THEN 'mf.new'
				WHEN a.attidentity <> '' THEN format('nextval(%L)',
					pg_get_serial_sequence(format('hoso.%I', t), a.attname))
				ELSE 'm.' || quote_ident(a.attname) END, ', ' ORDER BY a.attnum)
		  INTO cols, vals
		  FROM pg_attribute a
		 WHERE a.attrelid = format('hoso.%I', t)::regclass AND a.attnum > 0
		   AND NOT a.attisdropped AND a.attgenerated = '';
		IF pg_temp.move_has_column(t, 'run_id') THEN
			joins := joins || ' JOIN pg_temp.move_run_id mr ON mr.old = m.run_id';
		END IF;
		IF pg_temp.move_has_column(t, 'file_id') THEN
			joins := joins || ' JOIN pg_temp.move_file_id mf ON mf.old = m.file_id';
		END IF;
		EXECUTE format('INSERT INTO hoso.%I (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM pg_temp.%I m%s',
			       t, cols, vals, 'move_' || t, joins);
	END LOOP;
	-- (a row whose run or file is not the province's would be left out by
	-- the joins: the digests, compared before anything is deleted, tell)
END $$;

-- Delete province p_province's rows, the tables that refer to others
-- first (file_source goes with the ledger, by its foreign key).
CREATE FUNCTION pg_temp.move_delete(p_province text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	tables text[] := pg_temp.move_tables();
BEGIN
	FOR i IN REVERSE array_length(tables, 1) .. 1 LOOP
		IF tables[i] = 'run_file' THEN
			DELETE FROM hoso.run_file
			 WHERE run_id IN (SELECT run_id FROM hoso.run WHERE province = p_province);
		ELSE
			EXECUTE format('DELETE FROM hoso.%I WHERE province = $1', tables[i]) USING p_province;
		END IF;
	END LOOP;
END $$;
