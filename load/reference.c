/*
 * reference.c: the reference data files (docs/design.md §4) into the
 * dimensions hoso.unit, hoso.unit_alias, hoso.procedure and hoso.calendar.
 *
 * Each CSV is read with hoso_csv, the reader transform and `hoso check`
 * use (so a BOM or a blank line means the same everywhere), and copied
 * as text into a temporary table (HEADER MATCH checks its header against
 * the expected columns); then the dimension's contents are replaced in
 * the caller's transaction.  The catalogues are small
 * (thousands of rows), so replacing them whole is both simplest and cheap.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_csv.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "load.h"

static const char *const unit_sql[] = {
	"CREATE TEMP TABLE ref_unit (code text, name text, aliases text, level text,"
	" parent_code text, valid_from text, valid_to text, successor_code text) ON COMMIT DROP",
	NULL,	/* the COPY */
	"DELETE FROM hoso.unit",
	"INSERT INTO hoso.unit (code, name, level, parent_code, valid_from, valid_to, successor_code)"
	" SELECT trim(code), name, upper(trim(level)), NULLIF(trim(parent_code), ''),"
	"        NULLIF(trim(valid_from), '')::date, NULLIF(trim(valid_to), '')::date,"
	"        NULLIF(trim(successor_code), '')"
	" FROM ref_unit",
	"INSERT INTO hoso.unit_alias (code, alias)"
	" SELECT DISTINCT trim(u.code), trim(a.alias)"
	" FROM ref_unit u, unnest(string_to_array(u.aliases, '|')) AS a(alias)"
	" WHERE trim(a.alias) <> ''",
	"DROP TABLE ref_unit",
	NULL
};

static const char *const procedure_sql[] = {
	"CREATE TEMP TABLE ref_procedure (code text, name text, field_code text, field_name text,"
	" limit_value text, limit_unit text, online_level text, has_fee text, paper_result text,"
	" integrated text, valid_from text, valid_to text) ON COMMIT DROP",
	NULL,
	"DELETE FROM hoso.procedure",
	"INSERT INTO hoso.procedure (code, name, field_code, field_name, limit_value, limit_unit,"
	"  online_level, has_fee, paper_result, integrated, valid_from, valid_to)"
	" SELECT trim(code), name, NULLIF(trim(field_code), ''), NULLIF(field_name, ''),"
	"        NULLIF(trim(limit_value), '')::integer, NULLIF(trim(limit_unit), ''),"
	"        coalesce(NULLIF(upper(trim(online_level)), ''), 'NONE'),"
	"        coalesce(NULLIF(trim(has_fee), '')::boolean, false),"
	"        coalesce(NULLIF(trim(paper_result), '')::boolean, false),"
	"        coalesce(NULLIF(trim(integrated), '')::boolean, false),"
	"        NULLIF(trim(valid_from), '')::date, NULLIF(trim(valid_to), '')::date"
	" FROM ref_procedure",
	"DROP TABLE ref_procedure",
	NULL
};

static const char *const calendar_sql[] = {
	"CREATE TEMP TABLE ref_calendar (date text, working text, reason text) ON COMMIT DROP",
	NULL,
	"DELETE FROM hoso.calendar",
	"INSERT INTO hoso.calendar (day, working, reason)"
	" SELECT trim(date)::date, trim(working)::boolean, NULLIF(reason, '') FROM ref_calendar",
	"DROP TABLE ref_calendar",
	NULL
};

/* Every record of the CSV file at path, re-quoted, into a COPY ... (FORMAT csv). */
static bool
copy_csv_file(PGconn *conn, const char *copy_sql, const char *path)
{
	FILE *f = hoso_pg_copy_begin_file(conn, copy_sql, path);
	struct hoso_csv csv;
	struct hoso_buf row = HOSO_BUF_INIT, msg = HOSO_BUF_INIT;
	const char *abort_message = NULL;
	enum hoso_csv_status st;

	if (!f)
		return false;
	hoso_csv_init(&csv, hoso_csv_read_stdio, f);
	while ((st = hoso_csv_next(&csv, &msg)) == HOSO_CSV_RECORD) {
		hoso_buf_reset(&row);
		for (size_t i = 0; i < csv.nfields; i++) {
			if (i)
				hoso_buf_addch(&row, ',');
			hoso_buf_addch(&row, '"');
			for (size_t j = 0; j < csv.lengths[i]; j++) {
				if (csv.fields[i][j] == '"')
					hoso_buf_addch(&row, '"');
				hoso_buf_addch(&row, csv.fields[i][j]);
			}
			hoso_buf_addch(&row, '"');
		}
		hoso_buf_addch(&row, '\n');
		if (!hoso_pg_copy_put(conn, row.data, row.len)) {
			abort_message = "sending the data failed";
			break;
		}
	}
	if (!abort_message && st == HOSO_CSV_ERROR) {
		hoso_error("%s:%s", path, msg.data);
		abort_message = "the reference file is not valid CSV";
	}
	hoso_csv_release(&csv);
	hoso_buf_release(&row);
	hoso_buf_release(&msg);
	return hoso_pg_copy_end_file(conn, f, path, abort_message);
}

/* Run the statements before the NULL slot, COPY the files, then the rest. */
static bool
replace_dimension(PGconn *conn, const char *const *sql, const char *table,
		  char *const *paths, size_t npaths)
{
	char copy[128];
	size_t i = 0;

	snprintf(copy, sizeof(copy), "COPY %s FROM STDIN (FORMAT csv, HEADER match)", table);
	for (; sql[i]; i++)
		if (!hoso_pg_exec(conn, sql[i]))
			return false;
	for (size_t k = 0; k < npaths; k++) {
		if (!copy_csv_file(conn, copy, paths[k])) {
			hoso_error("%s: cannot load this reference file", paths[k]);
			return false;
		}
	}
	for (i++; sql[i]; i++) {
		if (!hoso_pg_exec(conn, sql[i])) {
			hoso_error("replacing %s from %s%s failed", table, paths[0],
				   npaths > 1 ? " ..." : "");
			return false;
		}
	}
	return true;
}

static bool
is_year_csv(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return strcmp(name + 4, ".csv") == 0;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool
load_calendar(PGconn *conn, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **paths = NULL;
	size_t n = 0;
	bool ok = false;

	if (!d) {
		hoso_error("cannot read the calendar directory \"%s\": %s", dir, strerror(errno));
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len;

		if (!is_year_csv(de->d_name))
			continue;
		len = strlen(dir) + strlen(de->d_name) + 2;
		paths = hoso_xrealloc(paths, (n + 1) * sizeof(*paths));
		paths[n] = hoso_xmalloc(len);
		snprintf(paths[n++], len, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n == 0) {
		hoso_error("the calendar directory \"%s\" holds no YYYY.csv file", dir);
		goto cleanup;
	}
	qsort(paths, n, sizeof(*paths), compare_strings);
	ok = replace_dimension(conn, calendar_sql, "ref_calendar", paths, n);
cleanup:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return ok;
}

bool
load_reference(PGconn *conn, const struct load_options *o)
{
	if (o->reference_units) {
		char *p[1] = { (char *) o->reference_units };

		if (!replace_dimension(conn, unit_sql, "ref_unit", p, 1))
			return false;
	}
	if (o->reference_procedures) {
		char *p[1] = { (char *) o->reference_procedures };

		if (!replace_dimension(conn, procedure_sql, "ref_procedure", p, 1))
			return false;
	}
	if (o->reference_calendar && !load_calendar(conn, o->reference_calendar))
		return false;
	return true;
}
