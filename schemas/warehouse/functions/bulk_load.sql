-- functions/bulk_load.sql: a load that is large against a table builds that
-- table's indexes once, after its COPY, instead of inserting every row into
-- every B-tree (docs/design.md §7).
--
-- hoso-load calls hoso.bulk_begin(table) inside its transaction before the
-- COPY and hoso.bulk_end() after it: begin records the table's primary key,
-- unique and foreign key constraints and its other indexes (with their
-- comments) as the DDL that makes them again, then drops them; end runs
-- that DDL, which checks every constraint over all the rows as it would
-- have row by row.  All of it is in the load's one transaction: a failure
-- or a crash rolls the drop back with the rest.  Dropping takes an ACCESS
-- EXCLUSIVE lock, so readers of the table wait for the load's commit
-- instead of reading the old rows; hoso-load keeps small loads (a night's
-- files into a filled warehouse) on the row-by-row path.

/*
 * Drops the constraints and indexes of p_table, recording in the temporary
 * table bulk_ddl the statements that make them again.  Returns false, and
 * changes nothing, when a foreign key of another table refers to p_table
 * (its key cannot be dropped without dropping theirs).
 */
CREATE OR REPLACE FUNCTION hoso.bulk_begin(p_table regclass) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
	r record;
BEGIN
	IF EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = p_table AND conrelid <> p_table) THEN
		RETURN false;
	END IF;
	IF to_regclass('pg_temp.bulk_ddl') IS NULL THEN
		CREATE TEMP TABLE bulk_ddl (ord bigint GENERATED ALWAYS AS IDENTITY,
			ddl text NOT NULL) ON COMMIT DROP;
	END IF;
	-- keys first (their indexes), then the other indexes, then foreign keys
	INSERT INTO pg_temp.bulk_ddl (ddl)
	SELECT ddl FROM (
		SELECT CASE c.contype WHEN 'f' THEN 3 ELSE 1 END AS phase, c.conname AS name,
		       format('ALTER TABLE %s ADD CONSTRAINT %I %s', p_table, c.conname,
			      pg_get_constraintdef(c.oid)) AS ddl
		  FROM pg_constraint c
		 WHERE c.conrelid = p_table AND c.contype IN ('p', 'u', 'x', 'f')
		UNION ALL
		SELECT 1, c.conname,
		       format('COMMENT ON CONSTRAINT %I ON %s IS %L', c.conname, p_table, d.description)
		  FROM pg_constraint c
		  JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = c.oid
		 WHERE c.conrelid = p_table AND c.contype IN ('p', 'u', 'x', 'f')
		UNION ALL
		SELECT 2, i.relname, pg_get_indexdef(x.indexrelid)
		  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		 WHERE x.indrelid = p_table
		   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
				     AND c.conrelid = p_table)
		UNION ALL
		SELECT 2, i.relname,
		       format('COMMENT ON INDEX %I.%I IS %L', n.nspname, i.relname, d.description)
		  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		  JOIN pg_namespace n ON n.oid = i.relnamespace
		  JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = i.oid
		 WHERE x.indrelid = p_table
		   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
				     AND c.conrelid = p_table)
	) s ORDER BY phase, name, ddl LIKE 'COMMENT%';
	FOR r IN SELECT c.conname FROM pg_constraint c
		  WHERE c.conrelid = p_table AND c.contype IN ('p', 'u', 'x', 'f')
		  ORDER BY c.contype = 'f' DESC LOOP
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', p_table, r.conname);
	END LOOP;
	FOR r IN SELECT n.nspname, i.relname
		   FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		   JOIN pg_namespace n ON n.oid = i.relnamespace
		  WHERE x.indrelid = p_table LOOP
		EXECUTE format('DROP INDEX %I.%I', r.nspname, r.relname);
	END LOOP;
	RETURN true;
END
$fn$;
COMMENT ON FUNCTION hoso.bulk_begin(regclass) IS 'Internal to hoso-load: drops the keys and indexes of a table about to receive a bulk COPY, recording how to make them again (hoso.bulk_end); false when another table''s foreign key refers to it';

/* Makes again what hoso.bulk_begin dropped, in the order it recorded. */
CREATE OR REPLACE FUNCTION hoso.bulk_end() RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
	r record;
BEGIN
	IF to_regclass('pg_temp.bulk_ddl') IS NULL THEN
		RETURN;
	END IF;
	FOR r IN SELECT ddl FROM pg_temp.bulk_ddl ORDER BY ord LOOP
		EXECUTE r.ddl;
	END LOOP;
	DELETE FROM pg_temp.bulk_ddl;
END
$fn$;
COMMENT ON FUNCTION hoso.bulk_end() IS 'Internal to hoso-load: makes again, checking them, the keys and indexes hoso.bulk_begin dropped';
