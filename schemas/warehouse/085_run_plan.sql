-- 085_run_plan.sql: the runner's plan kept with the files: each file's
-- landing day in the ledger (a rebuild hands a file the day hoso run gave
-- it, without expanding the pipeline's globs again), the files a run
-- handed to its stages, and the counting profile the pipeline names.

CREATE TABLE hoso.run_file (
	run_id		bigint NOT NULL REFERENCES hoso.run (run_id) ON DELETE CASCADE,
	path		text NOT NULL,
	format		text NOT NULL,
	landing_day	date,
	PRIMARY KEY (run_id, path)
);
COMMENT ON TABLE hoso.run_file IS 'Files a run handed to its stages, as the runner planned them (written before the load, whatever its outcome)';
COMMENT ON COLUMN hoso.run_file.run_id IS 'Run that planned the file';
COMMENT ON COLUMN hoso.run_file.path IS 'Absolute path of the file';
COMMENT ON COLUMN hoso.run_file.format IS 'Source format: dvcqg-jsonl or a CSV source schema name';
COMMENT ON COLUMN hoso.run_file.landing_day IS 'Day of the run whose {date} glob matched the file; NULL for globs without {date}';

ALTER TABLE hoso.file_ledger ADD COLUMN landing_day date;
COMMENT ON COLUMN hoso.file_ledger.landing_day IS 'Landing day the run gave the file (hoso.run_file); NULL for globs without {date} and for files loaded before this column existed (the day is then read from the path)';

ALTER TABLE hoso.run ADD COLUMN profile text;
COMMENT ON COLUMN hoso.run.profile IS 'Counting profile the pipeline names (checked against hoso.profile before the run)';
