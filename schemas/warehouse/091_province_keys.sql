-- 091_province_keys.sql: the province in the keys of the summary tables.
--
-- A summary row counts one province's cases: two provinces on one shard
-- each have their own row of a day and unit path, even where the path is
-- the same for both (cases whose unit is unknown all have {UNRESOLVED}).
-- Without the province in the key they shared that row, and moving a
-- province onto a shard where another one had such a row of the same day
-- failed on the key.  A distributed engine also wants its distribution
-- column in every key (docs/national.md, "Keys and Citus").
--
-- The province goes last: queries by day read the key's leading columns as
-- before.  The keys keep their names: the upserts name them
-- (ON CONFLICT ON CONSTRAINT), so their columns are written only here.

ALTER TABLE hoso.summary_day DROP CONSTRAINT summary_day_pkey,
	ADD CONSTRAINT summary_day_pkey PRIMARY KEY (day, unit_path, province);
ALTER TABLE hoso.summary_procedure_day DROP CONSTRAINT summary_procedure_day_pkey,
	ADD CONSTRAINT summary_procedure_day_pkey PRIMARY KEY (day, unit_path, procedure_code, province);
ALTER TABLE hoso.summary_procedure_month DROP CONSTRAINT summary_procedure_month_pkey,
	ADD CONSTRAINT summary_procedure_month_pkey PRIMARY KEY (month, unit_path, procedure_code, province);
