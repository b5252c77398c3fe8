-- 092_file_source_deferred.sql: file_source's key into the ledger is checked
-- at commit.  A run's load may copy the archive while the transform still
-- writes it (hoso-load --follow --tail), before the run's files have their
-- ledger rows, which it inserts once files.tsv is complete; the archive's
-- trigger adds the file_source rows meanwhile.  Every row is still checked,
-- by the commit; deleting a ledger row still removes its file_source rows.
ALTER TABLE hoso.file_source
	ALTER CONSTRAINT file_source_file_id_fkey DEFERRABLE INITIALLY DEFERRED;
