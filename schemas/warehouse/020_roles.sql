-- 020_roles.sql: who may do what (interfaces.md, "The warehouse").
--
-- hoso_analyst reads every table and calls every function; only the loading
-- role (the owner of schema hoso, whoever ran the migrations) writes.  Roles
-- are cluster-wide, so they are created only when missing; grant the role to
-- people: GRANT hoso_analyst TO alice;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hoso_analyst') THEN
		CREATE ROLE hoso_analyst NOLOGIN;
	END IF;
END $$;
COMMENT ON ROLE hoso_analyst IS 'hoso: read-only analysts (SELECT on every hoso table, EXECUTE on every hoso function)';

GRANT USAGE ON SCHEMA hoso TO hoso_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA hoso TO hoso_analyst;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA hoso TO hoso_analyst;
-- tables and functions of later migrations, created by the same owner
ALTER DEFAULT PRIVILEGES IN SCHEMA hoso GRANT SELECT ON TABLES TO hoso_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA hoso GRANT EXECUTE ON FUNCTIONS TO hoso_analyst;
-- nobody else writes: PUBLIC gets nothing in schema hoso
REVOKE ALL ON SCHEMA hoso FROM PUBLIC;
