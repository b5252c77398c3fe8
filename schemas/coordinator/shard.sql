-- shard.sql: the coordinator of a national warehouse (docs/national.md).
--
-- The coordinator is a warehouse like any other (same migrations, same
-- analyst functions), except that the tables holding provinces' rows are
-- partitioned by province, each partition a postgres_fdw foreign table on
-- the shard that owns those provinces.  Catalogues (units, procedures,
-- calendar) are small and copied from a shard.  "hoso shard init" runs
-- this file, then the functions below, in one transaction; everything here
-- is idempotent.

CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SCHEMA IF NOT EXISTS hoso_shard;
COMMENT ON SCHEMA hoso_shard IS 'hoso coordinator: the foreign partitions of the sharded tables and the functions that make them';

-- The tables whose rows belong to one province each: on the coordinator,
-- partitioned by province over the shards.  The ledger comes last: the
-- archive tables refer to it, so it is dropped after them.
CREATE OR REPLACE FUNCTION hoso_shard.sharded_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['file_source', 'dossier_msg', 'progress_msg', 'case_fact', 'case_due', 'case_status',
		     'summary_day', 'summary_procedure_day', 'summary_procedure_month', 'file_ledger']
$$;

-- The catalogues every shard loads and the coordinator copies, in an order
-- that inserts a referenced row before the rows that refer to it.
CREATE OR REPLACE FUNCTION hoso_shard.catalogue_tables() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT ARRAY['unit', 'unit_alias', 'procedure', 'calendar']
$$;

-- Turn each sharded table that is still a plain (empty) table into a
-- table partitioned by province, with the same columns and defaults.
CREATE OR REPLACE FUNCTION hoso_shard.partition_tables() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	t text;
	has_rows boolean;
	f record;
	saved text[];
BEGIN
	FOREACH t IN ARRAY hoso_shard.sharded_tables() LOOP
		CONTINUE WHEN (SELECT c.relkind FROM pg_class c
				WHERE c.oid = format('hoso.%I', t)::regclass) = 'p';
		EXECUTE format('SELECT EXISTS (SELECT 1 FROM hoso.%I)', t) INTO has_rows;
		IF has_rows THEN
			RAISE EXCEPTION 'hoso.% holds rows: a coordinator holds no province''s rows itself', t
				USING HINT = 'make the coordinator a database of its own';
		END IF;
		EXECUTE format('CREATE TABLE hoso.%I (LIKE hoso.%I INCLUDING DEFAULTS INCLUDING COMMENTS)'
			       ' PARTITION BY LIST (province)', t || '_sharded', t);
		EXECUTE format('COMMENT ON TABLE hoso.%I IS %L', t || '_sharded',
			       obj_description(format('hoso.%I', t)::regclass, 'pg_class')
			       || ' (coordinator: partitioned by province over the shards)');
		-- functions with SQL-standard bodies are bound to the table: made again after
		saved := '{}';
		FOR f IN SELECT DISTINCT d.objid::regprocedure AS fn
			   FROM pg_depend d
			  WHERE d.classid = 'pg_proc'::regclass
			    AND d.refobjid = format('hoso.%I', t)::regclass LOOP
			saved := saved || pg_get_functiondef(f.fn)
				|| coalesce(format('; COMMENT ON FUNCTION %s IS %L', f.fn,
						   obj_description(f.fn, 'pg_proc')), '');
			EXECUTE format('DROP FUNCTION %s', f.fn);
		END LOOP;
		EXECUTE format('DROP TABLE hoso.%I', t);
		EXECUTE format('ALTER TABLE hoso.%I RENAME TO %I', t || '_sharded', t);
		FOR i IN 1 .. coalesce(array_length(saved, 1), 0) LOOP
			EXECUTE saved[i];
		END LOOP;
	END LOOP;
END $$;

-- Drop every foreign partition, so that the topology's are made afresh.
CREATE OR REPLACE FUNCTION hoso_shard.detach_all() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT c.oid::regclass AS part
		   FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		  WHERE i.inhparent IN (SELECT format('hoso.%I', t)::regclass
					  FROM unnest(hoso_shard.sharded_tables()) t)
		    AND c.relkind = 'f' LOOP
		EXECUTE format('DROP FOREIGN TABLE %s', r.part);
	END LOOP;
END $$;

-- The server of shard p_name with the libpq options p_options (keyword,
-- value, keyword, value...; no user or password), and the user mappings of
-- the current user and the analyst role (as shard user p_user, or the
-- default user when NULL).
CREATE OR REPLACE FUNCTION hoso_shard.set_server(p_name text, p_options text[], p_user text)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	server text := 'hoso_shard_' || p_name;
	o text;
	opts text := '';
	role text;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_foreign_server WHERE srvname = server) THEN
		EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw', server);
	END IF;
	FOR o IN SELECT split_part(x, '=', 1)
		   FROM pg_foreign_server s, unnest(s.srvoptions) x WHERE s.srvname = server LOOP
		EXECUTE format('ALTER SERVER %I OPTIONS (DROP %I)', server, o);
	END LOOP;
	FOR i IN 1 .. coalesce(array_length(p_options, 1), 0) / 2 LOOP
		opts := opts || format('%I %L, ', p_options[2 * i - 1], p_options[2 * i]);
	END LOOP;
	-- shards scan at the same time; the province's rows come in big batches
	EXECUTE format('ALTER SERVER %I OPTIONS (%s async_capable ''true'', fetch_size ''10000'')',
		       server, opts);
	FOREACH role IN ARRAY ARRAY[current_user::text, 'hoso_analyst'] LOOP
		EXECUTE format('DROP USER MAPPING IF EXISTS FOR %I SERVER %I', role, server);
		-- analysts connect without a password of their own: the mapping's
		-- (or the server's .pgpass) is the coordinator's to keep
		EXECUTE format('CREATE USER MAPPING FOR %I SERVER %I OPTIONS (%s password_required %L)',
			       role, server,
			       CASE WHEN p_user IS NULL THEN '' ELSE format('user %L,', p_user) END,
			       'false');
	END LOOP;
END $$;

-- Lock the sharded tables until the transaction ends: a move of a
-- province between shards makes national queries wait for it.
CREATE OR REPLACE FUNCTION hoso_shard.lock_tables() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY hoso_shard.sharded_tables() LOOP
		EXECUTE format('LOCK TABLE hoso.%I IN ACCESS EXCLUSIVE MODE', t);
	END LOOP;
END $$;

-- Shard p_name's partitions of every sharded table, holding p_provinces:
-- foreign tables on the shard's views of those provinces (on-shard.sql).
CREATE OR REPLACE FUNCTION hoso_shard.attach(p_name text, p_provinces text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	t text;
	vals text := (SELECT string_agg(quote_literal(p), ', ') FROM unnest(p_provinces) p);
BEGIN
	IF vals IS NULL THEN
		RETURN;		-- a shard with no province (yet)
	END IF;
	FOREACH t IN ARRAY hoso_shard.sharded_tables() LOOP
		EXECUTE format('CREATE FOREIGN TABLE hoso_shard.%I PARTITION OF hoso.%I'
			       ' FOR VALUES IN (%s) SERVER %I OPTIONS (schema_name %L, table_name %L)',
			       t || '_' || p_name, t, vals, 'hoso_shard_' || p_name, 'hoso_shard_' || p_name, t);
	END LOOP;
END $$;

-- Copy the catalogues from shard p_name, if it has any; returns the units copied.
CREATE OR REPLACE FUNCTION hoso_shard.copy_catalogues(p_name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	t text;
	cols text;
	units bigint;
BEGIN
	DROP SCHEMA IF EXISTS hoso_shard_import CASCADE;
	CREATE SCHEMA hoso_shard_import;
	EXECUTE format('IMPORT FOREIGN SCHEMA hoso LIMIT TO (%s) FROM SERVER %I INTO hoso_shard_import',
		       (SELECT string_agg(quote_ident(x), ', ') FROM unnest(hoso_shard.catalogue_tables()) x),
		       'hoso_shard_' || p_name);
	SELECT count(*) INTO units FROM hoso_shard_import.unit;
	IF units > 0 THEN
		SET CONSTRAINTS ALL DEFERRED;
		FOREACH t IN ARRAY hoso_shard.catalogue_tables() LOOP
			SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
			  FROM pg_attribute a
			 WHERE a.attrelid = format('hoso.%I', t)::regclass AND a.attnum > 0
			   AND NOT a.attisdropped AND a.attgenerated = '';
			EXECUTE format('DELETE FROM hoso.%I', t);
			EXECUTE format('INSERT INTO hoso.%I (%s) SELECT %s FROM hoso_shard_import.%I',
				       t, cols, cols, t);
		END LOOP;
	END IF;
	DROP SCHEMA hoso_shard_import CASCADE;
	RETURN units;
END $$;

-- Provinces of the catalogue (top units before the restructuring date;
-- the province code is the last part of the unit code) that p_assigned
-- does not name.
CREATE OR REPLACE FUNCTION hoso_shard.unassigned(p_assigned text[]) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
	SELECT regexp_replace(u.code, '^.*\.', '')
	  FROM hoso.unit u
	 WHERE u.level = 'TINH'
	   AND coalesce(u.valid_from, '-infinity') <
	       (SELECT value::date FROM hoso.setting WHERE name = 'restructuring_date')
	   AND regexp_replace(u.code, '^.*\.', '') <> ALL (p_assigned)
	 ORDER BY 1
$$;

-- What a national query needs: aggregates grouped by province pushed to
-- each shard, the shards scanned at once.
DO $$
BEGIN
	EXECUTE format('ALTER DATABASE %I SET enable_partitionwise_aggregate = on', current_database());
	EXECUTE format('ALTER DATABASE %I SET enable_partitionwise_join = on', current_database());
END $$;

GRANT USAGE ON SCHEMA hoso_shard TO hoso_analyst;
