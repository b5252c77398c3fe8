-- 094_profile_file.sql: the record of the scoring profile files, as
-- hoso.function_file records the function files.
--
-- "hoso-load --migrate" stores schemas/profiles/*.yaml into hoso.profile
-- and hoso.profile_criterion and records each file's digest here, in the
-- migrations' transaction.  With every file of schemas/ recorded, a run
-- tells a current warehouse from its own connection and starts no
-- migration.

CREATE TABLE hoso.profile_file (
	file		text PRIMARY KEY,
	sha256		text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	applied_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE hoso.profile_file IS 'Scoring profile files stored (schemas/profiles/NAME.yaml), one row each, written in the same transaction as hoso.profile_criterion';
COMMENT ON COLUMN hoso.profile_file.file IS 'File name within schemas/profiles';
COMMENT ON COLUMN hoso.profile_file.sha256 IS 'SHA-256 (hex) of the file as stored; another content makes a run start hoso-load --migrate';
COMMENT ON COLUMN hoso.profile_file.applied_at IS 'When it was stored';
