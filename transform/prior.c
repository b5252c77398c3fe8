/*
 * prior.c: the archived messages of the run's cases.
 *
 * A case's facts depend on every message ever received about it (a progress
 * row may have arrived a week before its dossier), so before deriving, the
 * transform reads back from the warehouse the archived messages of exactly
 * the cases this run touches.  The runner holds the warehouse lock for the
 * whole run, so the archive cannot change between this read and the load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso_layout.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_records.h"
#include "transform.h"

/* COPY rows sent as they are made, one or two fields each. */
struct run_rows {
	PGconn *conn;
	struct hoso_buf row;
};

static bool
send_row(struct run_rows *r, const char *first, const char *second)
{
	hoso_buf_reset(&r->row);
	hoso_buf_add_copy_field(&r->row, first, strlen(first));
	if (second) {
		hoso_buf_addch(&r->row, '\t');
		hoso_buf_add_copy_field(&r->row, second, strlen(second));
	}
	hoso_buf_addch(&r->row, '\n');
	return hoso_pg_copy_put(r->conn, r->row.data, r->row.len);
}

static bool
send_key(const struct case_entry *c, void *arg)
{
	return !c->touched || send_row(arg, c->src, c->case_no);
}

/*
 * The touched cases' keys into run_case (keys true), spilled ones
 * included, or the paths of the run's own files (file numbers below the
 * prior ones) into run_path.
 */
static bool
copy_run_table(PGconn *conn, struct transform *tr, bool keys)
{
	struct run_rows r = { conn, HOSO_BUF_INIT };
	bool ok = true;

	if (!hoso_pg_copy_begin(conn, keys ? "COPY run_case (src, case_no) FROM STDIN"
				: "COPY run_path (path) FROM STDIN"))
		return false;
	if (keys)
		ok = case_table_each(&tr->cases, send_key, &r);
	for (size_t i = 0; !keys && ok && i < tr->npaths; i++)
		if (tr->paths[i])
			ok = send_row(&r, tr->paths[i], NULL);
	hoso_buf_release(&r.row);
	return hoso_pg_copy_end(conn, ok ? NULL : "sending the rows failed") && ok;
}

/*
 * COPY (SELECT 'T', pf.file_no, <the record's other fields from alias.>
 * FROM from_sql) TO STDOUT: archived rows read back as records of type T,
 * their fields listed by the record layout (hoso_layout.h).  Times go back
 * to the 14-digit local form, booleans to 0/1.
 */
static void
record_query(struct hoso_buf *sql, char type, const char *alias, const char *from_sql)
{
	int n;
	const struct hoso_column *fields = hoso_record_layout(type, &n);

	hoso_buf_addf(sql, "COPY (SELECT '%c', pf.file_no", type);
	for (int i = 1; i < n; i++) {
		const char *name = fields[i].name;

		if (fields[i].kind == HOSO_KIND_TIME)
			hoso_buf_addf(sql, ", to_char(%s.%s AT TIME ZONE 'Asia/Ho_Chi_Minh',"
				      " 'YYYYMMDDHH24MISS')", alias, name);
		else if (fields[i].kind == HOSO_KIND_BOOL)
			hoso_buf_addf(sql, ", (%s.%s)::int", alias, name);
		else
			hoso_buf_addf(sql, ", %s.%s", alias, name);
	}
	hoso_buf_addf(sql, " FROM %s) TO STDOUT", from_sql);
}

static bool
copy_out_records(PGconn *conn, FILE *f, char type, const char *alias, const char *from_sql)
{
	struct hoso_buf sql = HOSO_BUF_INIT;
	bool ok;

	record_query(&sql, type, alias, from_sql);
	ok = hoso_pg_copy_out(conn, sql.data, f);
	hoso_buf_release(&sql);
	return ok;
}

/* The cases with an archived message in one of the run's ledgered paths: touched. */
static bool
touch_replaced_cases(struct transform *tr, PGconn *conn)
{
	PGresult *res = hoso_pg_query(conn,
				      "SELECT DISTINCT m.src, m.case_no"
				      " FROM (SELECT file_id, src, case_no FROM hoso.dossier_msg"
				      "       UNION ALL SELECT file_id, src, case_no FROM hoso.progress_msg) m"
				      " JOIN hoso.file_ledger l USING (file_id) JOIN run_path USING (path)",
				      0, NULL);

	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++)
		case_table_get(&tr->cases, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1))->touched = true;
	PQclear(res);
	return true;
}

bool
transform_fetch_prior(struct transform *tr, const char *conninfo, const char *tmpdir)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	char records[4096], file_base[32];
	const char *params[1];
	FILE *f = NULL;
	bool ok = false;

	snprintf(records, sizeof(records), "%s/" HOSO_STAGING_PRIOR_RECORDS, tmpdir);
	conn = hoso_pg_connect(conninfo, "hoso-transform");
	if (!conn)
		goto cleanup;
	/* a warehouse not yet created has no archive: nothing came before */
	res = PQexec(conn, "SELECT to_regclass('hoso.dossier_msg') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		hoso_error("reading archived messages failed: %s", PQerrorMessage(conn));
		goto cleanup;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		ok = true;
		goto cleanup;
	}
	PQclear(res);
	res = NULL;
	/*
	 * The run's own paths: a ledgered file being replaced (--replace) must
	 * not contribute its old messages, and every case it had a message
	 * about is derived again, so that what it no longer says is gone too.
	 * Both temporary tables are analyzed before they are joined: without
	 * statistics the planner takes them for a thousand rows and reads the
	 * whole archive, which makes a night's run grow with the archive.
	 */
	if (!hoso_pg_exec(conn, "CREATE TEMP TABLE run_path (path text)") ||
	    !copy_run_table(conn, tr, false) ||
	    !hoso_pg_exec(conn, "ANALYZE run_path") ||
	    !touch_replaced_cases(tr, conn))
		goto cleanup;
	if (!hoso_pg_exec(conn, "CREATE TEMP TABLE run_case (src text, case_no text)") ||
	    !copy_run_table(conn, tr, true) ||
	    !hoso_pg_exec(conn, "ANALYZE run_case"))
		goto cleanup;
	snprintf(file_base, sizeof(file_base), "%zu", tr->npaths);
	params[0] = file_base;
	res = PQexecParams(conn,
			   "CREATE TEMP TABLE prior_file AS"
			   " SELECT $1::bigint + row_number() OVER (ORDER BY file_id) AS file_no, file_id"
			   " FROM (SELECT file_id FROM hoso.dossier_msg JOIN run_case USING (src, case_no)"
			   "       UNION SELECT file_id FROM hoso.progress_msg JOIN run_case USING (src, case_no)) f"
			   " WHERE file_id NOT IN (SELECT l.file_id FROM hoso.file_ledger l"
			   "                       JOIN run_path USING (path))",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		hoso_error("reading archived messages failed: %s", PQerrorMessage(conn));
		goto cleanup;
	}
	f = fopen(records, "w+");
	if (!f) {
		hoso_error("cannot create \"%s\": %s", records, strerror(errno));
		goto cleanup;
	}
	fputs("H\t" HOSO_RECORDS_MAGIC "\t" HOSO_RECORDS_VERSION "\n", f);
	if (!copy_out_records(conn, f, 'F', "l", "prior_file pf JOIN hoso.file_ledger l USING (file_id)"
			      " ORDER BY pf.file_no") ||
	    !copy_out_records(conn, f, 'D', "m", "hoso.dossier_msg m JOIN run_case USING (src, case_no)"
			      " JOIN prior_file pf USING (file_id)") ||
	    !copy_out_records(conn, f, 'P', "m", "hoso.progress_msg m JOIN run_case USING (src, case_no)"
			      " JOIN prior_file pf USING (file_id)"))
		goto cleanup;
	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
		hoso_error("cannot read back \"%s\": %s", records, strerror(errno));
		goto cleanup;
	}
	ok = transform_read_stream(tr, f, records, true);
cleanup:
	if (res)
		PQclear(res);
	if (f)
		fclose(f);
	if (conn)
		PQfinish(conn);
	unlink(records);
	return ok;
}
