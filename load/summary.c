/*
 * summary.c: the new facts' contributions to the summary tables
 * (docs/design.md §8) from the staging directory's summary_*.tsv, which
 * hoso-transform adds up as it derives the cases: each file is copied into
 * a temporary table and added to its summary table by one upsert, as
 * hoso.summary_apply(keys, +1) would add them from the facts, without
 * joining the facts back.  The old facts' contributions are still taken
 * away in SQL (hoso.summary_apply(keys, -1)): they may have been derived
 * with other reference data, so only the facts themselves know them.
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

/*
 * Copy one file into a temporary table like its summary table and add it
 * to that table by key: the columns after the key are counters.  The key
 * is the table's primary key, named by the migration that declares its
 * columns (they include the province, which the file leaves to the
 * column's default: the loading session's).
 */
static bool
add_file(PGconn *conn, const struct manifest *m, enum hoso_staging_file f)
{
	const struct hoso_staging_layout *l = &hoso_staging_layouts[f];
	struct hoso_buf columns = HOSO_BUF_INIT, sql = HOSO_BUF_INIT;
	/* the table's own name with its schema dropped: load_summary_day, ... */
	const char *base = strchr(l->table, '.') ? strchr(l->table, '.') + 1 : l->table;
	char temp[64];
	PGresult *res;
	bool ok, empty, bulk = false;

	/*
	 * An empty table (a first load, a backfill into a new warehouse) takes
	 * the file as it is: the transform wrote one row per key, so nothing
	 * can conflict, and the temporary copy and the upsert's conflict checks
	 * are saved.  A duplicate key would fail the key's build, not be added.
	 */
	hoso_buf_addf(&sql, "SELECT NOT EXISTS (SELECT 1 FROM %s)", l->table);
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

	snprintf(temp, sizeof(temp), "load_%s", base);
	hoso_staging_column_list(f, -1, &columns);
	hoso_buf_addf(&sql, "CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA",
		      temp, columns.data, l->table);
	ok = hoso_pg_exec(conn, sql.data);
	ok = ok && load_copy_staging(conn, m, f, temp, STAGING_COPY_AS_IS, NULL, NULL);
	hoso_buf_reset(&sql);
	hoso_buf_addf(&sql, "INSERT INTO %s AS t (%s) SELECT %s FROM %s"
		      " ON CONFLICT ON CONSTRAINT %s_pkey DO UPDATE SET ",
		      l->table, columns.data, columns.data, temp, base);
	for (int i = l->nkey; i < l->ncolumns; i++) {
		const char *c = l->columns[i].name;

		hoso_buf_addf(&sql, "%s%s = t.%s + excluded.%s", i > l->nkey ? ", " : "", c, c, c);
	}
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_reset(&sql);
	hoso_buf_addf(&sql, "DROP TABLE %s", temp);
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_release(&sql);
	hoso_buf_release(&columns);
	return ok;
}

bool
load_summary_add(PGconn *conn, const struct manifest *m)
{
	struct hoso_buf sql = HOSO_BUF_INIT;
	bool ok = true;

	for (size_t i = 0; ok && i < NELEM(summary_files); i++)
		ok = add_file(conn, m, summary_files[i]);
	/*
	 * Rows that cancelled out go, as hoso.summary_day_apply removes them
	 * (the procedure rows only grow here: hoso.summary_procedure_apply
	 * removes theirs when taking away).
	 */
#define ZERO_(name, kind) " AND " #name " = 0"
	hoso_buf_addstr(&sql, "DELETE FROM hoso.summary_day WHERE true"
			HOSO_SUMMARY_DAY_COUNTERS(ZERO_));
#undef ZERO_
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_release(&sql);
	return ok;
}
