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
 *
 * They seldom change from one night to the next, though, and replacing
 * them still costs the load's transaction tens of milliseconds and leaves
 * dead rows each night.  So each dimension's files are read whole and
 * digested (SHA-256 of the loading statements, then each file), and a
 * dimension whose digest is the one hoso.reference_digest records is left
 * alone: its files are byte for byte those a load already copied without
 * error.  A dimension replaced records its new digest in the same
 * transaction; any other write to it forgets the digest (a trigger).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_csv.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_sha256.h"
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

/* A dimension's files, read whole: what is digested is what is copied. */
struct ref_file {
	const char *path;	/* borrowed */
	struct hoso_buf data;
};

/* Every record of a CSV file, re-quoted, into a COPY ... (FORMAT csv). */
static bool
copy_csv_file(PGconn *conn, const char *copy_sql, const struct ref_file *file)
{
	struct hoso_csv_memory in = { file->data.data, file->data.len, 0, 0 };
	struct hoso_csv csv;
	struct hoso_buf row = HOSO_BUF_INIT, msg = HOSO_BUF_INIT;
	const char *abort_message = NULL;
	enum hoso_csv_status st;

	if (!hoso_pg_copy_begin(conn, copy_sql))
		return false;
	hoso_csv_init(&csv, hoso_csv_read_memory, &in);
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
		hoso_error("%s:%s", file->path, msg.data);
		abort_message = "the reference file is not valid CSV";
	}
	hoso_csv_release(&csv);
	hoso_buf_release(&row);
	hoso_buf_release(&msg);
	if (!hoso_pg_copy_end(conn, abort_message)) {
		if (!abort_message)
			hoso_error("COPY from \"%s\" failed", file->path);
		return false;
	}
	return true;
}

/*
 * The digest of a dimension: its statements, then per file its length
 * and content, preceded by its name when named (the calendar's YYYY.csv:
 * the name is the year).  A new release's statements load anew.
 */
static void
digest_dimension(const char *const *sql, const struct ref_file *files, size_t n, bool named,
		 char hex[65])
{
	struct hoso_sha256 sha;
	char len[32];

	hoso_sha256_init(&sha);
	/* the statements before the COPY's NULL slot, then those up to the final NULL */
	for (int slots = 0; slots < 2; sql++)
		if (*sql)
			hoso_sha256_update(&sha, *sql, strlen(*sql) + 1);
		else
			slots++;
	for (size_t k = 0; k < n; k++) {
		if (named) {
			const char *base = strrchr(files[k].path, '/');

			base = base ? base + 1 : files[k].path;
			hoso_sha256_update(&sha, base, strlen(base) + 1);
		}
		snprintf(len, sizeof(len), "%zu", files[k].data.len);
		hoso_sha256_update(&sha, len, strlen(len) + 1);
		hoso_sha256_update(&sha, files[k].data.data, files[k].data.len);
	}
	hoso_sha256_final_hex(&sha, hex);
}

/*
 * Replace dimension from the files at paths, unless their digest is the
 * one recorded: run the statements before the NULL slot, COPY the files,
 * then the rest, and record the digest.
 */
static bool
replace_dimension(PGconn *conn, const char *dimension, const char *const *sql, const char *table,
		  char *const *paths, size_t npaths, bool named)
{
	struct ref_file *files = hoso_xmalloc(npaths * sizeof(*files));
	char copy[128], sha[65];
	const char *p[2] = { dimension, sha };
	PGresult *res = NULL;
	bool ok = false;
	size_t i = 0, nread = 0;

	for (; nread < npaths; nread++) {
		files[nread].path = paths[nread];
		hoso_buf_init(&files[nread].data);
		if (!hoso_buf_read_file(&files[nread].data, paths[nread])) {
			hoso_error("cannot read \"%s\": %s", paths[nread], strerror(errno));
			hoso_error("%s: cannot load this reference file", paths[nread]);
			nread++;
			goto done;
		}
	}
	digest_dimension(sql, files, npaths, named, sha);
	res = hoso_pg_query(conn, "SELECT sha256 = $2 FROM hoso.reference_digest WHERE dimension = $1",
			    2, p);
	if (!res)
		goto done;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		hoso_debug("hoso.%s: its reference files are those last loaded; left as it is",
			   dimension);
		ok = true;
		goto done;
	}
	snprintf(copy, sizeof(copy), "COPY %s FROM STDIN (FORMAT csv, HEADER match)", table);
	for (; sql[i]; i++)
		if (!hoso_pg_exec(conn, sql[i]))
			goto done;
	for (size_t k = 0; k < npaths; k++) {
		if (!copy_csv_file(conn, copy, &files[k])) {
			hoso_error("%s: cannot load this reference file", paths[k]);
			goto done;
		}
	}
	for (i++; sql[i]; i++) {
		if (!hoso_pg_exec(conn, sql[i])) {
			hoso_error("replacing %s from %s%s failed", table, paths[0],
				   npaths > 1 ? " ..." : "");
			goto done;
		}
	}
	/* after the statements: their writes forget the old digest */
	ok = hoso_pg_exec_params(conn,
				 "INSERT INTO hoso.reference_digest (dimension, sha256) VALUES ($1, $2)"
				 " ON CONFLICT (dimension) DO UPDATE SET sha256 = excluded.sha256,"
				 " loaded_at = excluded.loaded_at", 2, p);
done:
	if (res)
		PQclear(res);
	for (size_t k = 0; k < nread; k++)
		hoso_buf_release(&files[k].data);
	free(files);
	return ok;
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
	ok = replace_dimension(conn, "calendar", calendar_sql, "ref_calendar", paths, n, true);
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

		if (!replace_dimension(conn, "unit", unit_sql, "ref_unit", p, 1, false))
			return false;
	}
	if (o->reference_procedures) {
		char *p[1] = { (char *) o->reference_procedures };

		if (!replace_dimension(conn, "procedure", procedure_sql, "ref_procedure", p, 1, false))
			return false;
	}
	if (o->reference_calendar && !load_calendar(conn, o->reference_calendar))
		return false;
	return true;
}
