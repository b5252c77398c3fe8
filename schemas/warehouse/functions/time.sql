-- functions/time.sql: periods and local dates.
--
-- Every bound and date is taken in Vietnam time whatever the session's
-- TimeZone (docs/counting.md §1): T0 = from 00:00:00 local, T1 = to
-- 23:59:59 local, local date of x = (x AT TIME ZONE 'Asia/Ho_Chi_Minh')::date.
-- The zone is always named, never written '+07' (POSIX strings read the
-- sign the other way).
--
-- A function file: applied whole, again, by "hoso-load --migrate" whenever
-- a file of schemas/warehouse/functions changes (docs/design.md §8).

-- T0 and T1 of a period of local days [p_from, p_to] (docs/counting.md §1).
CREATE OR REPLACE FUNCTION hoso.period_start(p_from date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN p_from::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh';
COMMENT ON FUNCTION hoso.period_start(date) IS 'T0 of a period: its first day at 00:00:00 Vietnam time';

CREATE OR REPLACE FUNCTION hoso.period_end(p_to date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (p_to + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' - interval '1 second';
COMMENT ON FUNCTION hoso.period_end(date) IS 'T1 of a period: its last day at 23:59:59 Vietnam time';

CREATE OR REPLACE FUNCTION hoso.local_date(p_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (p_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
COMMENT ON FUNCTION hoso.local_date(timestamptz) IS 'The Vietnam local date of an instant, whatever the session TimeZone';
