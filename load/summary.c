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

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "load.h"

/* The counters of hoso.summary_day, in the column order of summary_day.tsv. */
static const char *const day_columns[] = {
	"received_online", "received_direct", "received_postal", "digitised_at_intake",
	"fee_cases", "fee_paid_online", "online_vneid", "reuse_cases", "resolved_early",
	"resolved_on_time", "resolved_late", "closed_other", "paper_resolved",
	"paper_resolved_e_result", "resolved_working_seconds", "d_open", "d_overdue",
	"d_paused", "resolved_on_time_766", "d_late_766",
};
static const char *const procedure_columns[] = { "resolved", "working_seconds" };

struct summary_file {
	const char *file;		/* in the staging directory */
	const char *table;		/* hoso.summary_<name> */
	const char *temp;		/* the temporary table it is copied into */
	const char *key;		/* the key columns, in file order */
	const char *const *columns;	/* the counters after the key, in file order */
	size_t ncolumns;
};

#define NCOLUMNS(a) (sizeof(a) / sizeof((a)[0]))

static const struct summary_file summary_files[] = {
	{ "summary_day.tsv", "hoso.summary_day", "load_summary_day", "day, unit_path",
	  day_columns, NCOLUMNS(day_columns) },
	{ "summary_procedure_day.tsv", "hoso.summary_procedure_day", "load_summary_procedure_day",
	  "day, unit_path, procedure_code", procedure_columns, NCOLUMNS(procedure_columns) },
	{ "summary_procedure_month.tsv", "hoso.summary_procedure_month",
	  "load_summary_procedure_month", "month, unit_path, procedure_code", procedure_columns,
	  NCOLUMNS(procedure_columns) },
};

bool
load_summary_files_present(const struct manifest *m)
{
	for (size_t i = 0; i < NCOLUMNS(summary_files); i++)
		if (!manifest_find(m, summary_files[i].file))
			return false;
	return true;
}

/* Copy one file into its temporary table and add it to its summary table. */
static bool
add_file(PGconn *conn, const struct manifest *m, const struct summary_file *f)
{
	struct hoso_buf columns = HOSO_BUF_INIT, sql = HOSO_BUF_INIT;
	bool ok;

	hoso_buf_addstr(&columns, f->key);
	for (size_t i = 0; i < f->ncolumns; i++)
		hoso_buf_addf(&columns, ", %s", f->columns[i]);

	hoso_buf_addf(&sql, "CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA",
		      f->temp, columns.data, f->table);
	ok = hoso_pg_exec(conn, sql.data);
	hoso_buf_reset(&sql);
	hoso_buf_addf(&sql, "COPY %s (%s) FROM STDIN", f->temp, columns.data);
	ok = ok && manifest_copy(conn, m, f->file, sql.data, STAGING_COPY_AS_IS, NULL, NULL);
	hoso_buf_reset(&sql);
	hoso_buf_addf(&sql, "INSERT INTO %s AS t (%s) SELECT %s FROM %s ON CONFLICT (%s) DO UPDATE SET ",
		      f->table, columns.data, columns.data, f->temp, f->key);
	for (size_t i = 0; i < f->ncolumns; i++)
		hoso_buf_addf(&sql, "%s%s = t.%s + excluded.%s", i ? ", " : "", f->columns[i],
			      f->columns[i], f->columns[i]);
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_reset(&sql);
	hoso_buf_addf(&sql, "DROP TABLE %s", f->temp);
	ok = ok && hoso_pg_exec(conn, sql.data);
	hoso_buf_release(&sql);
	hoso_buf_release(&columns);
	return ok;
}

bool
load_summary_add(PGconn *conn, const struct manifest *m)
{
	for (size_t i = 0; i < NCOLUMNS(summary_files); i++)
		if (!add_file(conn, m, &summary_files[i]))
			return false;
	/*
	 * Rows that cancelled out go, as hoso.summary_day_apply removes them
	 * (the procedure rows only grow here: hoso.summary_procedure_apply
	 * removes theirs when taking away).
	 */
	return hoso_pg_exec(conn,
			    "DELETE FROM hoso.summary_day WHERE"
			    " received_online = 0 AND received_direct = 0 AND received_postal = 0"
			    " AND digitised_at_intake = 0 AND fee_cases = 0 AND fee_paid_online = 0"
			    " AND online_vneid = 0 AND reuse_cases = 0 AND resolved_early = 0"
			    " AND resolved_on_time = 0 AND resolved_late = 0 AND closed_other = 0"
			    " AND paper_resolved = 0 AND paper_resolved_e_result = 0"
			    " AND resolved_working_seconds = 0 AND d_open = 0 AND d_overdue = 0"
			    " AND d_paused = 0 AND resolved_on_time_766 = 0 AND d_late_766 = 0");
}
