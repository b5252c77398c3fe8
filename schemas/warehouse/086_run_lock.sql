-- 086_run_lock.sql: the warehouse lock that serialises runs and rebuilds.
-- A runner holds the one row of hoso.run_lock with SELECT ... FOR UPDATE in
-- an open transaction of a session of its own, for as long as it runs; the
-- lock goes with that session.  Locking a row needs the UPDATE privilege,
-- which only the loading role has: a role that may only read the warehouse
-- (hoso_analyst) cannot take the lock and keep the nightly runs out, as it
-- could take any advisory lock.

CREATE TABLE hoso.run_lock (
	id	int PRIMARY KEY CHECK (id = 1)
);
INSERT INTO hoso.run_lock VALUES (1);
REVOKE ALL ON hoso.run_lock FROM PUBLIC;
COMMENT ON TABLE hoso.run_lock IS 'The warehouse lock: one row, held FOR UPDATE by the running hoso run or rebuild; only the loading role may lock it';
COMMENT ON COLUMN hoso.run_lock.id IS 'Always 1';
