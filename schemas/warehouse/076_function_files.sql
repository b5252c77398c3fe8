-- 076_function_files.sql: the record of the function files, and the
-- wording of the comments as the baseline (075) states it.
--
-- schemas/warehouse/functions/*.sql hold every function, each family whole
-- in one file.  "hoso-load --migrate" applies them again, all of them, in
-- the migrations' transaction, whenever the files differ from those
-- recorded here (one added, removed or edited) or a migration was applied:
-- the functions of a warehouse are then exactly those the files define.

CREATE TABLE hoso.function_file (
	file		text PRIMARY KEY,
	sha256		text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	applied_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE hoso.function_file IS 'Function files applied (schemas/warehouse/functions/NAME.sql), one row each, written in the same transaction as the functions';
COMMENT ON COLUMN hoso.function_file.file IS 'File name within schemas/warehouse/functions';
COMMENT ON COLUMN hoso.function_file.sha256 IS 'SHA-256 (hex) of the file as applied; another content makes --migrate apply the function files again';
COMMENT ON COLUMN hoso.function_file.applied_at IS 'When it was applied';

-- A warehouse of the release before the baseline cited an outside
-- specification in these comments and rows; the baseline's wording:
COMMENT ON COLUMN hoso.dossier_msg.status IS 'TrangThaiHoSo as sent (1-10)';
COMMENT ON COLUMN hoso.progress_msg.status IS 'TrangThai as sent (1-10)';
COMMENT ON TABLE hoso.case_fact IS 'One row per case (src, case_no): its milestones (docs/counting.md §2), derived from every archived message about it; replaced whole when new messages arrive';
COMMENT ON COLUMN hoso.case_fact.received IS 'A received case (docs/counting.md §2): has accepted_at and latest status not 1 or 3; only these are counted';
COMMENT ON COLUMN hoso.case_fact.working_seconds IS 'Office seconds used from accepted_at to end_at minus supplement pauses (docs/counting.md §1); NULL while open';
COMMENT ON COLUMN hoso.case_fact.on_time_766 IS 'Resolved cases: on time under 766 criterion 2.1 (timestamps, supplement pauses, original due date; docs/counting.md §5); NULL for the others';
COMMENT ON COLUMN hoso.case_fact.late_766_at IS 'The instant from which the case, while still open, is late under 766 criterion 2.1 (docs/counting.md §5); NULL: never';
COMMENT ON COLUMN hoso.case_status.status IS 'Status (TrangThaiHoSo, 1-10)';
COMMENT ON TABLE hoso.profile IS 'Counting profiles the SQL functions know (docs/counting.md §3); an unknown profile is an error';
COMMENT ON TABLE hoso.summary_day IS 'Per local day and unit path: the flows of that day and the changes of the open/overdue/paused states at its end (see schemas/warehouse/functions/summary.sql); maintained by every load, read by hoso.period_counts';
COMMENT ON TABLE hoso.summary_procedure_day IS 'Per local day, unit path and procedure: the cases resolved that day and their working seconds (docs/counting.md §1, §4 avg_resolution_working_days); maintained by every load through hoso.summary_apply, read by hoso.procedure_durations';
COMMENT ON TABLE hoso.profile_criterion IS 'Criteria of a scoring profile (766: docs/counting.md §5) with their weights and thresholds; loaded from schemas/profiles/NAME.yaml by hoso-load --migrate';
UPDATE hoso.profile SET description = 'Form II.06a of the provincial reporting templates: resolved by end time, early/on time/late by local date against the due date in force (docs/counting.md §3)' WHERE name = 'ii06a';
UPDATE hoso.setting SET description = 'A unit whose indicator denominator is below this is listed in a ranking without a rank (docs/counting.md §6)' WHERE name = 'ranking_min_denominator';
