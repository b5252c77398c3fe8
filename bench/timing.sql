-- timing.sql: server-side timings for the benchmark scripts, as temporary
-- functions (gone with the session).  Times are taken with clock_timestamp()
-- inside the server, so the client and its connection are not counted.

-- bench_ms(query, n): the median milliseconds of n runs of
-- SELECT count(*) FROM (query), after one run that warms the caches
CREATE FUNCTION pg_temp.bench_ms(q text, n int) RETURNS numeric LANGUAGE plpgsql AS $f$
DECLARE
	t timestamptz;
	ms numeric[] := '{}';
BEGIN
	EXECUTE 'SELECT count(*) FROM (' || q || ') s';
	FOR i IN 1..n LOOP
		t := clock_timestamp();
		EXECUTE 'SELECT count(*) FROM (' || q || ') s';
		ms := ms || (extract(epoch FROM clock_timestamp() - t) * 1000)::numeric;
	END LOOP;
	RETURN (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 1) FROM unnest(ms) x);
END $f$;

-- plan_ms(query, n): the planning time EXPLAIN (SUMMARY) reports for the
-- query: the first in this session (catalogue caches cold), then the
-- median of n more, as text "first|median"
CREATE FUNCTION pg_temp.plan_ms(q text, n int) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	plan json;
	first numeric;
	ms numeric[] := '{}';
BEGIN
	EXECUTE 'EXPLAIN (SUMMARY, FORMAT JSON) ' || q INTO plan;
	first := (plan -> 0 ->> 'Planning Time')::numeric;
	FOR i IN 1..n LOOP
		EXECUTE 'EXPLAIN (SUMMARY, FORMAT JSON) ' || q INTO plan;
		ms := ms || (plan -> 0 ->> 'Planning Time')::numeric;
	END LOOP;
	RETURN round(first, 2) || '|'
	       || (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY x)::numeric, 2) FROM unnest(ms) x);
END $f$;
