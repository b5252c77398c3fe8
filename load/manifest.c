/*
 * manifest.c: the staging directory's MANIFEST (docs/design.md §2) and the
 * streaming of its files into binary COPY (hoso_pgbinary.h: the server
 * stores the typed values without parsing their text).
 *
 * The transform writes MANIFEST last, so a directory without one is
 * incomplete.  Sizes are checked up front (cheap); each file's SHA-256 is
 * computed while the file is streamed to the server, and a mismatch aborts
 * that COPY and with it the load's transaction.  The hash so covers exactly
 * the bytes loaded, with no second read of the file.  staging.c holds the
 * order of the load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_owner.h"
#include "hoso_pg.h"
#include "hoso_pgbinary.h"
#include "hoso_sha256.h"
#include "load.h"

#define READ_CHUNK (256 * 1024)		/* one read per 256 KiB */
#define SEND_CHUNK (256 * 1024)		/* encoded rows are sent in blocks this big */

static bool
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

bool
manifest_read(struct manifest *m, const char *dir, const char *manifest_name)
{
	char *path = hoso_path_join(dir, manifest_name);
	FILE *f;
	char line[1024];
	long lineno = 0;
	bool ok = false;

	memset(m, 0, sizeof(*m));
	m->dir = hoso_xstrdup(dir);
	f = fopen(path, "r");
	if (!f) {
		hoso_error("%s: cannot read the staging %s: %s; the staging directory is "
			   "incomplete or not one", path, manifest_name, strerror(errno));
		free(path);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[256], hex[128];
		long long size;
		struct manifest_entry *e;
		struct stat st;
		char *file;
		int end = 0;

		lineno++;
		if (sscanf(line, "%255s %lld %127s%n", name, &size, hex, &end) != 3 ||
		    (line[end] != '\n' && line[end] != '\0') || size < 0 || !is_hex64(hex) ||
		    strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
			hoso_error("%s:%ld: malformed MANIFEST line (expected \"name size sha256\")",
				   path, lineno);
			goto cleanup;
		}
		if (manifest_find(m, name)) {
			hoso_error("%s:%ld: \"%s\" is listed twice", path, lineno, name);
			goto cleanup;
		}
		file = hoso_path_join(dir, name);
		if (stat(file, &st) != 0) {
			hoso_error("%s: listed in the MANIFEST but cannot be read: %s", file, strerror(errno));
			free(file);
			goto cleanup;
		}
		if ((long long) st.st_size != size) {
			hoso_error("%s: size %lld does not match the MANIFEST (%lld); refusing the staging "
				   "directory", file, (long long) st.st_size, size);
			free(file);
			goto cleanup;
		}
		free(file);
		m->entries = hoso_xrealloc(m->entries, (m->n + 1) * sizeof(*m->entries));
		e = &m->entries[m->n++];
		e->name = hoso_xstrdup(name);
		e->size = size;
		memcpy(e->sha256, hex, 65);
	}
	if (ferror(f)) {
		hoso_error("%s: cannot read: %s", path, strerror(errno));
		goto cleanup;
	}
	ok = true;
cleanup:
	fclose(f);
	free(path);
	return ok;
}

const struct manifest_entry *
manifest_find(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->entries[i].name, name) == 0)
			return &m->entries[i];
	return NULL;
}

void
manifest_release(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].name);
	free(m->entries);
	free(m->dir);
	memset(m, 0, sizeof(*m));
}

/* The widest staging file's column count fits (case_fact.tsv has 32). */
#define HOSO_STAGING_MAX_COLUMNS 64
#define COUNT_COLUMN_(name, kind) + 1
#define FITS_(id, file, table, columns, nkey) \
	_Static_assert(0 columns(COUNT_COLUMN_) <= HOSO_STAGING_MAX_COLUMNS, file " is too wide");
HOSO_STAGING_FILES(FITS_)

/*
 * How a staging file's rows go into a table: the first nsend columns of its
 * layout, each as its type in the table, then the fields of extra (already
 * encoded, nextra of them) with every row.
 */
struct copy_plan {
	struct hoso_pgbin_column cols[HOSO_STAGING_MAX_COLUMNS];
	int nsend;
	struct hoso_buf extra;
	int nextra;
	struct hoso_buf extra_names;	/* ", name" for each */
};

/*
 * The warehouse's province column (schemas/warehouse/090_province.sql) is
 * no staging column: its default, hoso.load_province(), is a SQL function
 * the server would run for every row (some 8 us a row, more than the rest
 * of the row costs).  It is the same for every row of the load, so a table
 * whose province column has that default gets the value, taken once, sent
 * with each row.
 */
#define PROVINCE_COLUMN "province"
#define PROVINCE_DEFAULT "hoso.load_province()"

/*
 * What the server calls the first plan->nsend columns of staging file f's
 * layout in table: each column's type, which decides its wire form; and
 * the province column, when table has it.
 */
static bool
plan_copy(PGconn *conn, enum hoso_staging_file f, const char *table, struct copy_plan *plan)
{
	const struct hoso_staging_layout *l = &hoso_staging_layouts[f];
	const char *p[1] = { table };
	PGresult *res;
	bool ok = true, province = false;

	res = hoso_pg_query(conn,
			    "SELECT a.attname, a.atttypid, t.typelem,"
			    " coalesce(pg_get_expr(d.adbin, d.adrelid) = '" PROVINCE_DEFAULT "', false)"
			    " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
			    " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
			    " WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped",
			    1, p);
	if (!res)
		return false;
	for (int i = 0; ok && i < plan->nsend; i++) {
		int row;

		for (row = 0; row < PQntuples(res); row++)
			if (strcmp(PQgetvalue(res, row, 0), l->columns[i].name) == 0)
				break;
		if (row == PQntuples(res)) {
			hoso_error("%s: the table has no column %s, which %s holds", table,
				   l->columns[i].name, l->file);
			ok = false;
		} else if (!hoso_pgbin_column_for(l->columns[i].kind,
						  (unsigned) strtoul(PQgetvalue(res, row, 1), NULL, 10),
						  (unsigned) strtoul(PQgetvalue(res, row, 2), NULL, 10),
						  &plan->cols[i])) {
			hoso_error("%s.%s: its type (oid %s) cannot receive the values %s holds", table,
				   l->columns[i].name, PQgetvalue(res, row, 1), l->file);
			ok = false;
		}
	}
	for (int row = 0; row < PQntuples(res); row++)
		if (strcmp(PQgetvalue(res, row, 0), PROVINCE_COLUMN) == 0 &&
		    strcmp(PQgetvalue(res, row, 1), "25") == 0 &&
		    strcmp(PQgetvalue(res, row, 3), "t") == 0)
			province = true;
	PQclear(res);
	if (ok && province) {
		res = hoso_pg_query(conn, "SELECT " PROVINCE_DEFAULT, 0, NULL);
		if (!res)
			return false;
		if (PQgetisnull(res, 0, 0))
			hoso_pgbin_null(&plan->extra);
		else
			hoso_pgbin_text(&plan->extra, PQgetvalue(res, 0, 0),
					(size_t) PQgetlength(res, 0, 0));
		PQclear(res);
		plan->nextra = 1;
		hoso_buf_addstr(&plan->extra_names, ", " PROVINCE_COLUMN);
	}
	return ok;
}

/* Where each field of a row starts and ends. */
struct row_fields {
	const char *start[HOSO_STAGING_MAX_COLUMNS];
	size_t len[HOSO_STAGING_MAX_COLUMNS];
	int n;			/* how many the row has (may be more than the array) */
};

/* Splits a row at its tabs; "\<tab>" is an escaped tab, inside a field. */
static void
split_row(const char *row, size_t len, struct row_fields *rf)
{
	const char *p = row, *end = row + len, *field = row;

	rf->n = 0;
	for (;;) {
		const char *tab = memchr(p, '\t', (size_t) (end - p));
		const char *bs;

		if (tab) {
			for (bs = tab; bs > field && bs[-1] == '\\'; bs--)
				;
			if ((tab - bs) % 2 == 1) {
				p = tab + 1;
				continue;
			}
		}
		if (rf->n < HOSO_STAGING_MAX_COLUMNS) {
			rf->start[rf->n] = field;
			rf->len[rf->n] = (size_t) ((tab ? tab : end) - field);
		}
		rf->n++;
		if (!tab)
			return;
		field = p = tab + 1;
	}
}

/*
 * One staging row (without its newline) as a binary COPY row of its first
 * nsend columns.  False, with the message logged, for a row whose value
 * its column's type would refuse.
 */
static bool
encode_row(const char *path, long long line, enum hoso_staging_file f, const char *row,
	   size_t len, const struct copy_plan *plan, enum staging_copy_mode mode,
	   const struct file_map *map, struct hoso_buf *out)
{
	const struct hoso_staging_layout *l = &hoso_staging_layouts[f];
	struct row_fields rf;
	char err[128], id[24];

	split_row(row, len, &rf);
	if (rf.n != l->ncolumns) {
		hoso_error("%s:%lld: %d fields where the layout has %d", path, line, rf.n,
			   l->ncolumns);
		return false;
	}
	hoso_pgbin_row(out, plan->nsend + plan->nextra);
	for (int i = 0; i < plan->nsend; i++) {
		const char *s = rf.start[i];
		size_t n = rf.len[i];

		if (i == 0 && mode == STAGING_COPY_FILE_ID) {
			unsigned long long no = 0;
			size_t k;

			for (k = 0; k < n && s[k] >= '0' && s[k] <= '9' && no < 1000000000ULL; k++)
				no = no * 10 + (unsigned) (s[k] - '0');
			if (k != n || n == 0 || no >= map->n || map->ids[no] == 0) {
				hoso_error("%s:%lld: column %s: file number \"%.*s\" is not in files.tsv",
					   path, line, l->columns[0].name, (int) (n > 20 ? 20 : n), s);
				return false;
			}
			if (plan->cols[i].type_oid == HOSO_PG_INT8) {
				hoso_pgbin_int8(out, map->ids[no]);
				continue;
			}
			n = (size_t) snprintf(id, sizeof(id), "%lld", map->ids[no]);
			s = id;
		}
		if (!hoso_pgbin_field(out, &plan->cols[i], s, n, err, sizeof(err))) {
			hoso_error("%s:%lld: column %s: %s: \"%.*s%s\"", path, line, l->columns[i].name,
				   err, (int) (n > 60 ? 60 : n), s, n > 60 ? "..." : "");
			return false;
		}
	}
	hoso_buf_add(out, plan->extra.data, plan->extra.len);
	return true;
}

bool
load_copy_staging(PGconn *conn, const struct manifest *m, enum hoso_staging_file f,
		  const char *table, enum staging_copy_mode mode, const struct file_map *map,
		  long long *rows)
{
	const struct hoso_staging_layout *l = &hoso_staging_layouts[f];
	const struct manifest_entry *e = manifest_find(m, l->file);
	static char buf[READ_CHUNK];
	struct copy_plan plan = { .extra = HOSO_BUF_INIT, .extra_names = HOSO_BUF_INIT };
	struct hoso_buf carry = HOSO_BUF_INIT, out = HOSO_BUF_INIT, sql = HOSO_BUF_INIT;
	struct hoso_sha256 sha;
	char *path = hoso_path_join(m->dir, l->file), hex[65];
	const char *abort_message = NULL;
	bool bad_row = false;
	long long size = 0, nrows = 0;
	FILE *fp = NULL;
	size_t n;
	bool ok = false;
	/* a following load copies a file no manifest lists yet as the transform writes it */
	bool tail = !e && load_follow_tails(), complete = false;

	if (!table)
		table = l->table;
	if (!e && !tail) {
		hoso_error("%s: not listed in the MANIFEST; refusing the staging directory", path);
		goto cleanup;
	}
	if (tail && !load_follow_wait_for(m->dir, l->file))
		goto cleanup;
	fp = fopen(path, "rb");
	if (!fp) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		goto cleanup;
	}
	/* the case keys alone go into load_case_key */
	plan.nsend = mode == STAGING_COPY_KEYS ? 2 : l->ncolumns;
	if (!plan_copy(conn, f, table, &plan))
		goto cleanup;
	/* the columns named, as pg_dump does: a table's physical order may differ */
	hoso_buf_addf(&sql, "COPY %s (", table);
	hoso_staging_column_list(f, plan.nsend, &sql);
	hoso_buf_addf(&sql, "%s) FROM STDIN (FORMAT binary)", plan.extra_names.data);
	if (!hoso_pg_copy_begin(conn, sql.data)) {
		hoso_error("loading \"%s\" failed", path);
		goto cleanup;
	}
	hoso_pgbin_header(&out);
	hoso_sha256_init(&sha);
	/* after a bad row the rest is still hashed: a file that differs from the MANIFEST says so */
	while (!abort_message || (bad_row && !tail)) {
		const char *p = buf, *end, *nl;

		n = fread(buf, 1, sizeof(buf), fp);
		if (n == 0) {
			if (!tail || complete || ferror(fp))
				break;
			if (!load_follow_wait_more(m->dir, &complete)) {
				abort_message = "the load was cancelled";
				break;
			}
			clearerr(fp);
			continue;
		}
		end = buf + n;

		hoso_sha256_update(&sha, buf, n);
		size += (long long) n;
		if (abort_message)
			continue;
		/* COPY text escapes newlines inside fields, so '\n' always ends a row */
		while (p < end && (nl = memchr(p, '\n', (size_t) (end - p))) != NULL) {
			const char *row = p;
			size_t len = (size_t) (nl - p);

			if (carry.len) {
				hoso_buf_add(&carry, p, len);
				row = carry.data;
				len = carry.len;
			}
			if (!encode_row(path, nrows + 1, f, row, len, &plan, mode, map, &out)) {
				abort_message = "a staging row was refused";
				bad_row = true;
				break;
			}
			hoso_buf_reset(&carry);
			nrows++;
			p = nl + 1;
		}
		if (!abort_message && p < end)
			hoso_buf_add(&carry, p, (size_t) (end - p));
		if (!abort_message && out.len >= SEND_CHUNK) {
			if (!hoso_pg_copy_put(conn, out.data, out.len))
				abort_message = "sending the data failed";
			hoso_buf_reset(&out);
		}
	}
	if (ferror(fp)) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		abort_message = "reading a staging file failed";
	}
	if (!abort_message && carry.len) {
		/* a last row without its newline */
		if (!encode_row(path, nrows + 1, f, carry.data, carry.len, &plan, mode, map, &out)) {
			abort_message = "a staging row was refused";
			bad_row = true;
		}
		nrows++;
	}
	hoso_pgbin_trailer(&out);
	if (!abort_message && !hoso_pg_copy_put(conn, out.data, out.len))
		abort_message = "sending the data failed";
	hoso_sha256_final_hex(&sha, hex);
	if (tail && !abort_message)
		load_follow_tailed(l->file, size, hex);
	else if (!tail && (!abort_message || bad_row) && (size != e->size || strcmp(hex, e->sha256) != 0)) {
		hoso_error("%s: content does not match the MANIFEST (size %lld, sha256 %s; MANIFEST "
			   "says %lld, %s); refusing the staging directory", path, size, hex, e->size,
			   e->sha256);
		abort_message = "a staging file does not match its MANIFEST";
	}
	ok = hoso_pg_copy_end(conn, abort_message);
	if (!ok && !abort_message)
		hoso_error("loading \"%s\" failed", path);
	if (ok && rows)
		*rows = nrows;
cleanup:
	if (fp)
		fclose(fp);
	free(path);
	hoso_buf_release(&carry);
	hoso_buf_release(&out);
	hoso_buf_release(&sql);
	hoso_buf_release(&plan.extra);
	hoso_buf_release(&plan.extra_names);
	return ok;
}

bool
manifest_claim(PGconn *conn, const struct manifest *m, long long run_id)
{
	struct hoso_warehouse_id id;
	long long owner_run = -1;
	char run[32];
	const char *p[1] = { run };
	PGresult *res;
	bool ok;

	if (!hoso_warehouse_id_query(conn, &id) ||
	    !hoso_owner_matches(m->dir, &id, &owner_run, false))
		return false;
	if (owner_run != run_id) {
		hoso_error("%s/OWNER: the staging directory was made for run %lld, not run %lld; "
			   "refusing it", m->dir, owner_run, run_id);
		return false;
	}
	snprintf(run, sizeof(run), "%lld", run_id);
	res = hoso_pg_query(conn, "SELECT status FROM hoso.run WHERE run_id = $1 FOR UPDATE", 1, p);
	if (!res)
		return false;
	ok = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "running") == 0;
	if (!ok)
		hoso_error("run %lld is %s; only a running run may load its staging directory",
			   run_id, PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "not recorded");
	PQclear(res);
	return ok;
}
