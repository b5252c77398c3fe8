/*
 * status.c: "hoso status" and "hoso runs": the history of runs and the
 * state of the landing days, without writing SQL; a table on a terminal,
 * JSON (--format json) for scripts.
 *
 * Each section is one query, read either as rows (text) or as one JSON
 * array built by the server (json_agg), so both forms show the same thing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_cli.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "runner.h"

/*
 * Vietnam time, as every date of the warehouse (docs/counting.md §1), with
 * its offset as the staging files write it ("2023-10-20 08:15+07"): the
 * logs' times are UTC, so a bare time would be read as either.
 */
#define LOCAL_TIME(x) "to_char(" x " AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI\"+07\"')"

static const char runs_sql[] =
	"SELECT run_id, kind, coalesce(pipeline, '') AS pipeline, status, exit_code,"
	" " LOCAL_TIME("started_at") " AS started,"
	" round(extract(epoch FROM coalesce(finished_at, now()) - started_at)::numeric, 1) AS seconds,"
	" coalesce(date_from::text, '') AS date_from, coalesce(date_to::text, '') AS date_to,"
	" coalesce(files_loaded, 0) AS files_loaded, coalesce(files_skipped, 0) AS files_skipped,"
	" coalesce(rows_loaded, 0) AS rows_loaded, coalesce(rows_rejected, 0) AS rejects,"
	" coalesce(cases_derived, 0) AS cases, coalesce(message, '') AS message"
	" FROM hoso.run ORDER BY run_id DESC LIMIT $1";

/* The latest landing day loaded per source (its format), and the files behind it. */
static const char sources_sql[] =
	"SELECT format AS source, coalesce(max(landing_day)::text, '') AS latest_landing_day,"
	" count(*) AS files, " LOCAL_TIME("max(loaded_at)") " AS last_loaded"
	" FROM hoso.file_ledger GROUP BY format ORDER BY format";

/*
 * Days with no file, per source with dated files: the 60 days before its
 * latest landing day (or before yesterday, Vietnam time, when that is
 * earlier) from its first, and every day since up to yesterday; runs of
 * consecutive days as one row.
 */
static const char gaps_sql[] =
	"WITH span AS ("
	"  SELECT format, min(landing_day) AS first_day, max(landing_day) AS last_day,"
	"         (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - 1 AS yesterday"
	"    FROM hoso.file_ledger WHERE landing_day IS NOT NULL GROUP BY format),"
	" missing AS ("
	"  SELECT s.format, d::date AS day FROM span s,"
	"         generate_series(greatest(s.first_day, least(s.last_day, s.yesterday) - 59),"
	"                         s.yesterday, interval '1 day') d"
	"   WHERE NOT EXISTS (SELECT 1 FROM hoso.file_ledger f"
	"                      WHERE f.format = s.format AND f.landing_day = d::date))"
	" SELECT format AS source, min(day)::text AS first_day, max(day)::text AS last_day,"
	"        count(*) AS days"
	"   FROM (SELECT m.*, m.day - (row_number() OVER (PARTITION BY format ORDER BY day))::int AS grp"
	"           FROM missing m) g"
	"  GROUP BY format, grp ORDER BY format, min(day)";

/* The oldest failure not followed by a success of the same kind and pipeline. */
static const char failure_sql[] =
	"SELECT run_id, kind, coalesce(pipeline, '') AS pipeline, " LOCAL_TIME("started_at") " AS started,"
	" coalesce(message, '') AS message"
	" FROM hoso.run r WHERE status = 'failed' AND kind IN ('run', 'rebuild')"
	" AND NOT EXISTS (SELECT 1 FROM hoso.run s WHERE s.kind = r.kind"
	"   AND s.pipeline IS NOT DISTINCT FROM r.pipeline AND s.status = 'done' AND s.run_id > r.run_id)"
	" ORDER BY run_id LIMIT 1";

enum output { OUTPUT_TEXT, OUTPUT_JSON };

/* The rows as an aligned table under a title; "(none)" for no rows. */
static void
print_table(const char *title, const PGresult *res)
{
	int nf = PQnfields(res), nt = PQntuples(res);
	int *width = hoso_xcalloc((size_t) nf + 1, sizeof(*width));

	printf("%s\n", title);
	if (nt == 0) {
		printf("  (none)\n\n");
		free(width);
		return;
	}
	for (int c = 0; c < nf; c++) {
		width[c] = (int) strlen(PQfname(res, c));
		for (int r = 0; r < nt; r++) {
			int w = PQgetlength(res, r, c);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (int c = 0; c < nf; c++)
		printf("%s%-*s", c ? "  " : "  ", c == nf - 1 ? 0 : width[c], PQfname(res, c));
	putchar('\n');
	for (int r = 0; r < nt; r++) {
		for (int c = 0; c < nf; c++)
			printf("%s%-*s", c ? "  " : "  ", c == nf - 1 ? 0 : width[c],
			       PQgetvalue(res, r, c));
		putchar('\n');
	}
	putchar('\n');
	free(width);
}

/* One section: a table, or its JSON array (an object when single). */
static bool
section(PGconn *conn, enum output out, const char *title, const char *sql, int nparams,
	const char *const *params, bool single, const char *json_key, bool first)
{
	PGresult *res;

	if (out == OUTPUT_TEXT) {
		res = hoso_pg_query(conn, sql, nparams, params);
		if (!res)
			return false;
		print_table(title, res);
		PQclear(res);
		return true;
	}
	{
		struct hoso_buf q = HOSO_BUF_INIT;

		hoso_buf_addf(&q, single ? "SELECT (SELECT row_to_json(t) FROM (%s) t)"
			      : "SELECT coalesce((SELECT json_agg(t) FROM (%s) t), '[]')", sql);
		res = hoso_pg_query(conn, q.data, nparams, params);
		hoso_buf_release(&q);
	}
	if (!res)
		return false;
	if (json_key)
		printf("%s\"%s\": %s", first ? "{" : ", ", json_key,
		       PQgetisnull(res, 0, 0) ? "null" : PQgetvalue(res, 0, 0));
	else
		printf("%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

struct status_args {
	const char *pipeline_path;	/* NULL: libpq's environment */
	enum output out;
	long long limit;
};

/* The command line of hoso status (runs false) or hoso runs: 0, or the exit status. */
static int
parse_status_args(int argc, char **argv, bool runs, struct status_args *a)
{
	static const char *const formats[] = { "text", "json", NULL };
	static const char *const status_usage[] = { "hoso status [PIPELINE.yaml] [OPTION]...", NULL };
	static const char *const runs_usage[] = { "hoso runs [PIPELINE.yaml] [OPTION]...", NULL };
	int format = OUTPUT_TEXT;
	const struct hoso_option status_options[] = {
		HOSO_OPT_CHOICE("format", &format, formats, "text (default) or json"),
		HOSO_OPT_END(),
	};
	const struct hoso_option runs_options[] = {
		HOSO_OPT_INTEGER("limit", &a->limit, "N", 1, 100000, "the last N runs (default 20)"),
		HOSO_OPT_CHOICE("format", &format, formats, "text (default) or json"),
		HOSO_OPT_END(),
	};
	struct hoso_cli cli = {
		.name = runs ? "hoso runs" : "hoso status",
		.usage = runs ? runs_usage : status_usage,
		.options = runs ? runs_options : status_options,
		.about = runs ? "The last runs: kind, outcome, days, files, rows, rejects, cases, and why a\n"
				"run failed."
			 : "The last runs, the latest landing day loaded per source, the days with no file\n"
			   "(the 60 before the latest and every one since), and the oldest failure no\n"
			   "success has followed.",
		.footer = "The warehouse is the pipeline's, else the one libpq's environment names.\n"
			  "Exit status: 0, 1 the warehouse cannot be read, 2 bad usage.",
		.args_name = "PIPELINE.yaml", .min_args = 0, .max_args = 1,
	};

	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status == HOSO_EXIT_OK ? -1 : cli.status;
	a->out = (enum output) format;
	a->pipeline_path = cli.nargs > 0 ? cli.args[0] : NULL;
	return HOSO_EXIT_OK;
}

/* The warehouse of the pipeline, or of libpq's environment; NULL after a message. */
static PGconn *
connect_for(const struct status_args *a, const char *appname)
{
	struct hoso_pipeline p;
	struct hoso_buf err = HOSO_BUF_INIT;
	PGconn *conn;

	if (!a->pipeline_path)
		return hoso_pg_connect(NULL, appname);
	if (!hoso_pipeline_load(a->pipeline_path, &p, &err)) {
		hoso_error("%s", err.data);
		hoso_buf_release(&err);
		return NULL;
	}
	conn = hoso_pg_connect(p.target.conninfo, appname);
	hoso_pipeline_release(&p);
	hoso_buf_release(&err);
	return conn;
}

static bool
has_warehouse(PGconn *conn)
{
	bool ok = runner_table_exists(conn, "hoso.run_file");

	if (!ok)
		hoso_error("this database holds no hoso warehouse of this version yet: run hoso run "
			   "(or hoso-load --migrate) first");
	return ok;
}

static int
show(int argc, char **argv, bool whole_status)
{
	struct status_args a = { .out = OUTPUT_TEXT, .limit = whole_status ? 5 : 20 };
	char limit[32];
	const char *params[1] = { limit };
	PGconn *conn;
	bool ok;
	int ret = parse_status_args(argc, argv, !whole_status, &a);

	if (ret != HOSO_EXIT_OK)
		return ret < 0 ? HOSO_EXIT_OK : ret;
	snprintf(limit, sizeof(limit), "%lld", a.limit);
	conn = connect_for(&a, whole_status ? "hoso status" : "hoso runs");
	if (!conn)
		return HOSO_EXIT_FAILED;
	if (!has_warehouse(conn)) {
		PQfinish(conn);
		return HOSO_EXIT_FAILED;
	}
	if (!whole_status) {
		ok = section(conn, a.out, "Runs, latest first:", runs_sql, 1, params, false, NULL, true);
	} else {
		ok = section(conn, a.out, "Last runs:", runs_sql, 1, params, false, "runs", true) &&
		     section(conn, a.out, "Latest landing day loaded, per source:", sources_sql, 0, NULL,
			     false, "sources", false) &&
		     section(conn, a.out, "Days with no file (up to yesterday):", gaps_sql, 0,
			     NULL, false, "days_without_files", false) &&
		     section(conn, a.out, "Oldest failure not followed by a success:", failure_sql, 0,
			     NULL, true, "oldest_open_failure", false);
		if (ok && a.out == OUTPUT_JSON)
			printf("}\n");
	}
	PQfinish(conn);
	return ok ? HOSO_EXIT_OK : HOSO_EXIT_FAILED;
}

int
runner_cmd_status(int argc, char **argv)
{
	return show(argc, argv, true);
}

int
runner_cmd_runs(int argc, char **argv)
{
	return show(argc, argv, false);
}
