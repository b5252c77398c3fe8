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

struct key_writer {
	FILE *f;
	struct hoso_buf row;
};

static bool
write_key(const struct case_entry *c, void *arg)
{
	struct key_writer *w = arg;

	if (!c->touched)
		return true;
	hoso_buf_reset(&w->row);
	hoso_buf_add_copy_field(&w->row, c->src, strlen(c->src));
	hoso_buf_addch(&w->row, '\t');
	hoso_buf_add_copy_field(&w->row, c->case_no, strlen(c->case_no));
	hoso_buf_addch(&w->row, '\n');
	return fwrite(w->row.data, 1, w->row.len, w->f) == w->row.len;
}

static bool
write_keys(struct transform *tr, const char *path)
{
	struct key_writer w = { fopen(path, "w"), HOSO_BUF_INIT };
	bool ok = w.f != NULL;

	if (ok)
		ok = case_table_each(&tr->cases, write_key, &w);
	if (w.f && fclose(w.f) != 0)
		ok = false;
	if (!ok)
		hoso_error("cannot write \"%s\": %s", path, strerror(errno));
	hoso_buf_release(&w.row);
	return ok;
}

/* The paths of the run's own files (file numbers below the prior ones). */
static bool
write_paths(const struct transform *tr, const char *path)
{
	FILE *f = fopen(path, "w");
	struct hoso_buf row = HOSO_BUF_INIT;
	bool ok = f != NULL;

	for (size_t i = 0; ok && i < tr->npaths; i++) {
		if (!tr->paths[i])
			continue;
		hoso_buf_reset(&row);
		hoso_buf_add_copy_field(&row, tr->paths[i], strlen(tr->paths[i]));
		hoso_buf_addch(&row, '\n');
		ok = fwrite(row.data, 1, row.len, f) == row.len;
	}
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		hoso_error("cannot write \"%s\": %s", path, strerror(errno));
	hoso_buf_release(&row);
	return ok;
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
	char keys[4096], records[4096], paths[4096], file_base[32];
	const char *params[1];
	FILE *f = NULL;
	bool ok = false;

	snprintf(keys, sizeof(keys), "%s/" HOSO_STAGING_PRIOR_KEYS, tmpdir);
	snprintf(records, sizeof(records), "%s/" HOSO_STAGING_PRIOR_RECORDS, tmpdir);
	snprintf(paths, sizeof(paths), "%s/" HOSO_STAGING_PRIOR_PATHS, tmpdir);
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
	 */
	if (!write_paths(tr, paths) ||
	    !hoso_pg_exec(conn, "CREATE TEMP TABLE run_path (path text)") ||
	    !hoso_pg_copy_in_file(conn, "COPY run_path (path) FROM STDIN", paths) ||
	    !touch_replaced_cases(tr, conn))
		goto cleanup;
	if (!write_keys(tr, keys) ||
	    !hoso_pg_exec(conn, "CREATE TEMP TABLE run_case (src text, case_no text)") ||
	    !hoso_pg_copy_in_file(conn, "COPY run_case (src, case_no) FROM STDIN", keys) ||
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
	unlink(keys);
	unlink(records);
	unlink(paths);
	return ok;
}
