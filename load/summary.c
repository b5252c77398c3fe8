/*
 * summary.c: keeping the summary tables (docs/design.md §8) in step with
 * the facts a load replaces.  The old facts' contributions are taken away
 * in SQL (hoso.summary_collect(keys, -1)): they may have been derived
 * with other reference data, so only the facts themselves know them.  The
 * new facts' contributions come from the staging directory's
 * summary_*.tsv, which hoso-transform adds up as it derives the cases, as
 * hoso.summary_apply(keys, +1) would from the facts.  Both go into one
 * temporary table per summary table, and one upsert adds them up by key:
 * each summary row the load touches is written once, and not at all when
 * the case's old and new contributions to it cancel out (most rows of a
 * night's cases: their days of intake and of ending do not move).
 */
#include <stdio.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_layout.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "load.h"

static const enum hoso_staging_file summary_files[] = {
	HOSO_STAGING_SUMMARY_DAY, HOSO_STAGING_SUMMARY_PROCEDURE_DAY,
	HOSO_STAGING_SUMMARY_PROCEDURE_MONTH,
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* the temporary table of one summary table: load_summary_day, ... */
static void
temp_name(enum hoso_staging_file f, char *out, size_t len)
{
	const char *table = hoso_staging_layouts[f].table;
	const char *base = strchr(table, '.') ? strchr(table, '.') + 1 : table;

	snprintf(out, len, "load_%s", base);
}

bool
load_summary_take(PGconn *conn, const char *keys_table)
{
	struct hoso_buf sql = HOSO_BUF_INIT;
	char temp[NELEM(summary_files)][64];
	bool ok = true;

	/* shaped like the summary table, with its default province: the loading session's */
	for (size_t i = 0; ok && i < NELEM(summary_files); i++) {
		temp_name(summary_files[i], temp[i], sizeof(temp[i]));
		hoso_buf_reset(&sql);
		hoso_buf_addf(&sql, "CREATE TEMP TABLE %s (LIKE %s INCLUDING DEFAULTS) ON COMMIT DROP",
			      temp[i], hoso_staging_layouts[summary_files[i]].table);
		ok = hoso_pg_exec(conn, sql.data);
	}
	_Static_assert(NELEM(summary_files) == 3, "summary_collect takes three tables");
	hoso_buf_reset(&sql);
	hoso_buf_addf(&sql, "SELECT hoso.summary_collect('%s', -1, '%s', '%s', '%s')",
		      keys_table, temp[0], temp[1], temp[2]);
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_release(&sql);
	return ok;
}

/*
 * One summary file into its summary table: into the temporary table that
 * holds the old contributions taken away, then all of it added up by key.
 * The key is the table's primary key, named by the migration that declares
 * its columns: the file's key columns and the province (which the file
 * leaves to the column's default).
 */
static bool
add_file(PGconn *conn, const struct manifest *m, enum hoso_staging_file f)
{
	const struct hoso_staging_layout *l = &hoso_staging_layouts[f];
	struct hoso_buf keys = HOSO_BUF_INIT, sql = HOSO_BUF_INIT;
	char temp[64];
	PGresult *res;
	bool ok, empty, bulk = false;

	temp_name(f, temp, sizeof(temp));
	/*
	 * An empty table with nothing taken away (a first load, a backfill into
	 * a new warehouse) takes the file as it is: the transform wrote one row
	 * per key, so nothing can conflict, and the temporary copy and the
	 * upsert's conflict checks are saved.  A duplicate key would fail the
	 * key's build, not be added.
	 */
	hoso_buf_addf(&sql, "SELECT NOT EXISTS (SELECT 1 FROM %s) AND NOT EXISTS (SELECT 1 FROM %s)",
		      l->table, temp);
	res = hoso_pg_query(conn, sql.data, 0, NULL);
	hoso_buf_release(&sql);
	if (!res)
		return false;
	empty = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (empty)
		return load_bulk_begin(conn, m, f, &bulk) &&
			load_copy_staging(conn, m, f, NULL, STAGING_COPY_AS_IS, NULL, NULL) &&
			load_bulk_end(conn, &bulk, 1);

	ok = load_copy_staging(conn, m, f, temp, STAGING_COPY_AS_IS, NULL, NULL);
	hoso_staging_column_list(f, l->nkey, &keys);
	hoso_buf_addstr(&keys, ", province");
	hoso_buf_addf(&sql, "INSERT INTO %s AS t (%s", l->table, keys.data);
	for (int i = l->nkey; i < l->ncolumns; i++)
		hoso_buf_addf(&sql, ", %s", l->columns[i].name);
	hoso_buf_addf(&sql, ") SELECT %s", keys.data);
	for (int i = l->nkey; i < l->ncolumns; i++)
		hoso_buf_addf(&sql, ", sum(%s)", l->columns[i].name);
	hoso_buf_addf(&sql, " FROM %s GROUP BY %s HAVING ", temp, keys.data);
	/* a key whose old and new contributions cancel out: nothing to write */
	for (int i = l->nkey; i < l->ncolumns; i++)
		hoso_buf_addf(&sql, "%ssum(%s) <> 0", i > l->nkey ? " OR " : "", l->columns[i].name);
	hoso_buf_addf(&sql, " ON CONFLICT ON CONSTRAINT %s_pkey DO UPDATE SET ", temp + strlen("load_"));
	for (int i = l->nkey; i < l->ncolumns; i++) {
		const char *c = l->columns[i].name;

		hoso_buf_addf(&sql, "%s%s = t.%s + excluded.%s", i > l->nkey ? ", " : "", c, c, c);
	}
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_reset(&sql);
	hoso_buf_addf(&sql, "DROP TABLE %s", temp);
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_release(&sql);
	hoso_buf_release(&keys);
	return ok;
}

bool
load_summary_add(PGconn *conn, const struct manifest *m)
{
	bool ok = true;

	for (size_t i = 0; ok && i < NELEM(summary_files); i++)
		ok = add_file(conn, m, summary_files[i]);
	/* rows that cancelled out go, so that incremental loads equal a single one */
#define ZERO_(name, kind) " AND " #name " = 0"
	return ok &&
		hoso_pg_exec(conn, "DELETE FROM hoso.summary_day WHERE true"
			     HOSO_SUMMARY_DAY_COUNTERS(ZERO_)) &&
		hoso_pg_exec(conn, "DELETE FROM hoso.summary_procedure_day WHERE resolved = 0") &&
		hoso_pg_exec(conn, "DELETE FROM hoso.summary_procedure_month WHERE resolved = 0");
#undef ZERO_
}
