/*
 * rebuild.c: the load half of "hoso rebuild": the re-derived facts of a
 * past range swapped in, in one transaction.
 *
 *   reference data  -> dimensions (the corrected catalogues, reference.c)
 *   KEYS            -> the cases the rebuild selected; their contributions
 *                      to hoso.summary_day are taken away, their case_fact,
 *                      case_due and case_status rows deleted, then
 *   case_*.tsv      -> the facts of those that still derive, copied in, and
 *                      their contributions to hoso.summary_day added
 *   period figures  -> the run's detail: hoso.period_summary of the range,
 *                      and per unit, before and after the swap
 *
 * The ledger, the archive and the rejects are not touched: the files were
 * loaded once and stay as they were.  Readers see the old facts until the
 * commit and the new ones after it, never a mixture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "load.h"

/*
 * The figures of the range as one jsonb row of rebuild_figures: the
 * province-wide summary, and per unit code (every unit on a case's path)
 * every column of the period summary, summed as hoso.period_summary sums
 * them, so that a comparison can show whatever moved.
 */
static const char figures_sql[] =
	"INSERT INTO rebuild_figures (moment, summary, by_unit)"
	" SELECT $1,"
	"  (SELECT to_jsonb(s) FROM hoso.period_summary($2::date, $3::date) s),"
	"  (SELECT coalesce(jsonb_object_agg(code, to_jsonb(u) - 'code'), '{}'::jsonb) FROM ("
	"     SELECT code, co AS carried_over, ro AS received_online, rd AS received_direct,"
	"            rp AS received_postal, ro + rd + rp AS received_in_period,"
	"            co + ro + rd + rp AS received_total, re + rt + rl AS resolved_total,"
	"            re AS resolved_early, rt AS resolved_on_time, rl AS resolved_late,"
	"            pi + po AS in_progress_total, pi AS in_progress_in_time,"
	"            po AS in_progress_overdue, pp AS in_progress_paused, cl AS closed_other,"
	"            dg AS digitised_at_intake,"
	"            (re + rt)::numeric / NULLIF(re + rt + rl, 0) AS on_time_rate,"
	"            re + rt AS on_time_num, re + rt + rl AS on_time_den"
	"       FROM (SELECT p.code, sum(pc.carried_over)::bigint AS co,"
	"                    sum(pc.received_online)::bigint AS ro, sum(pc.received_direct)::bigint AS rd,"
	"                    sum(pc.received_postal)::bigint AS rp, sum(pc.resolved_early)::bigint AS re,"
	"                    sum(pc.resolved_on_time)::bigint AS rt, sum(pc.resolved_late)::bigint AS rl,"
	"                    sum(pc.in_progress_in_time)::bigint AS pi,"
	"                    sum(pc.in_progress_overdue)::bigint AS po,"
	"                    sum(pc.in_progress_paused)::bigint AS pp,"
	"                    sum(pc.closed_other)::bigint AS cl,"
	"                    sum(pc.digitised_at_intake)::bigint AS dg"
	"               FROM hoso.period_counts($2::date, $3::date) pc, unnest(pc.unit_path) AS p(code)"
	"              GROUP BY p.code) n) u)";

static bool
record_figures(PGconn *conn, const struct load_options *o, const char *moment)
{
	const char *p[3] = { moment, o->rebuild_from, o->rebuild_to };

	return hoso_pg_exec_params(conn, figures_sql, 3, p);
}

static bool
replace_facts(PGconn *conn, const struct manifest *m, const char *keys, long long *nkeys,
	      long long *cases)
{
	PGresult *res;

	if (!hoso_pg_exec(conn, "CREATE TEMP TABLE rebuild_case (src text, case_no text,"
			  " PRIMARY KEY (src, case_no)) ON COMMIT DROP") ||
	    !hoso_pg_copy_in_file(conn, "COPY rebuild_case (src, case_no) FROM STDIN", keys) ||
	    !hoso_pg_exec(conn, "ANALYZE rebuild_case"))
		return false;
	res = hoso_pg_query(conn, "SELECT count(*) FROM rebuild_case", 0, NULL);
	if (!res)
		return false;
	*nkeys = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	/* a case outside the list would collide with its own facts: the primary key stops it */
	return load_replace_facts(conn, m, "rebuild_case", cases);
}

int
load_rebuild(const struct load_options *o)
{
	struct manifest m = { 0 };
	struct hoso_buf report;
	PGconn *conn = NULL;
	char run_id[32], nkeys_s[32], cases_s[32];
	long long nkeys = 0, cases = 0;
	bool have_report = false;
	int ret = HOSO_EXIT_FAILED;

	snprintf(run_id, sizeof(run_id), "%lld", o->run_id);
	if (!load_open_staging(o->staging_dir, &m, &report, &have_report))
		goto cleanup;

	conn = hoso_pg_connect(o->conninfo, "hoso-load rebuild");
	if (!conn)
		goto cleanup;
	if (!hoso_pg_exec(conn, "BEGIN") ||
	    !hoso_pg_exec_params(conn,
				 "INSERT INTO hoso.run (run_id, kind, status, date_from, date_to)"
				 " VALUES ($1, 'rebuild', 'running', $2, $3) ON CONFLICT (run_id) DO NOTHING",
				 3, (const char *const[]) { run_id, o->rebuild_from, o->rebuild_to }) ||
	    !manifest_claim(conn, &m, o->run_id) ||
	    !hoso_pg_exec(conn, "CREATE TEMP TABLE rebuild_figures (moment text PRIMARY KEY,"
			  " summary jsonb, by_unit jsonb) ON COMMIT DROP") ||
	    !record_figures(conn, o, "before") ||
	    !load_reference(conn, o) ||
	    !replace_facts(conn, &m, o->rebuild_keys, &nkeys, &cases) ||
	    !record_figures(conn, o, "after"))
		goto cleanup;
	snprintf(nkeys_s, sizeof(nkeys_s), "%lld", nkeys);
	snprintf(cases_s, sizeof(cases_s), "%lld", cases);
	{
		const char *p[6] = { run_id, nkeys_s, cases_s, have_report ? report.data : NULL,
				     o->rebuild_from, o->rebuild_to };

		if (!hoso_pg_exec_params(conn,
					 "UPDATE hoso.run r SET status = 'done', exit_code = 0, finished_at = clock_timestamp(),"
					 " cases_derived = $3, files_loaded = 0, rows_loaded = 0,"
					 " detail = coalesce($4::jsonb, '{}'::jsonb) || jsonb_build_object('rebuild',"
					 "   jsonb_build_object('from', $5::date, 'to', $6::date,"
					 "     'cases_selected', $2::bigint, 'cases_derived', $3::bigint,"
					 "     'before', b.summary, 'after', a.summary,"
					 "     'by_unit', jsonb_build_object('before', b.by_unit, 'after', a.by_unit)))"
					 " FROM rebuild_figures b, rebuild_figures a"
					 " WHERE b.moment = 'before' AND a.moment = 'after' AND r.run_id = $1",
					 6, p))
			goto cleanup;
	}
	if (!hoso_pg_exec(conn, "COMMIT"))
		goto cleanup;
	hoso_info("run %lld: rebuilt %lld cases (%lld derive facts)", o->run_id, nkeys, cases);
	ret = HOSO_EXIT_OK;
cleanup:
	if (conn) {
		if (ret != HOSO_EXIT_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
			hoso_pg_exec(conn, "ROLLBACK");
			hoso_error("the rebuild was rolled back; the warehouse is unchanged");
		}
		PQfinish(conn);
	}
	hoso_buf_release(&report);
	manifest_release(&m);
	return ret;
}
