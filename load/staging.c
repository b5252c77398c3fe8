/*
 * staging.c: one staging directory (docs/design.md §2) into the warehouse,
 * in one transaction:
 *
 *   reference data -> dimensions (reference.c)
 *   files.tsv      -> file_ledger (a --replace'd path's old row, and by
 *                     cascade its archived messages, deleted first)
 *   dossier_msg.tsv, progress_msg.tsv -> the archive, straight into the
 *                     final tables, file_no rewritten to file_id on the way
 *   case_*.tsv     -> the facts: the rows of every case in case_fact.tsv are
 *                     deleted, then the files are copied straight in
 *   reject.tsv     -> hoso.reject; counts -> the run's row
 *
 * A table that the load brings more than it holds (a first load, a large
 * backfill) is bulk-loaded: its keys and indexes are dropped before its
 * COPY and built again after it (hoso.bulk_begin, functions/bulk_load.sql), in
 * the same transaction.
 *
 * Rejects over the threshold roll all of it back; then a second, small
 * transaction commits only the rejects and the run row, so that the failure
 * can be read in the warehouse (README.md, exit status 1).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso_buf.h"
#include "hoso_layout.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "load.h"

/* What files.tsv says of the run's files. */
struct file_totals {
	long long files, bytes, records, rejects, messages_loaded;
};

/* The SQL type of a staging column in the load's own temporary tables. */
static const char *
sql_type(enum hoso_kind kind)
{
	switch (kind) {
	case HOSO_KIND_INT: return "bigint";
	case HOSO_KIND_JSON: return "jsonb";
	case HOSO_KIND_TIME: return "timestamptz";
	case HOSO_KIND_BOOL: return "boolean";
	case HOSO_KIND_DATE: return "date";
	case HOSO_KIND_PATH: return "text[]";
	case HOSO_KIND_CODE:
	case HOSO_KIND_TEXT: break;
	}
	return "text";
}

/*
 * CREATE TEMP TABLE for staging file f, its columns as the layout declares
 * them, then constraints (may be empty).
 */
static bool
create_temp_table(PGconn *conn, enum hoso_staging_file f, const char *constraints)
{
	const struct hoso_staging_layout *l = &hoso_staging_layouts[f];
	struct hoso_buf sql = HOSO_BUF_INIT;
	bool ok;

	hoso_buf_addf(&sql, "CREATE TEMP TABLE %s (", l->table);
	for (int i = 0; i < l->ncolumns; i++)
		hoso_buf_addf(&sql, "%s%s %s", i ? ", " : "", l->columns[i].name,
			      sql_type(l->columns[i].kind));
	hoso_buf_addf(&sql, "%s) ON COMMIT DROP", constraints);
	ok = hoso_pg_exec(conn, sql.data);
	hoso_buf_release(&sql);
	return ok;
}

/* Whether the MANIFEST lists every staging file (logged when not). */
static bool
manifest_complete(const struct manifest *m, const char *dir)
{
	for (int f = 0; f < HOSO_STAGING_NFILES; f++) {
		if (!manifest_find(m, hoso_staging_layouts[f].file)) {
			hoso_error("%s/%s: does not list %s; refusing the staging directory", dir,
				   HOSO_STAGING_MANIFEST, hoso_staging_layouts[f].file);
			return false;
		}
	}
	return true;
}

/*
 * DIR/NAME into out (whose cap, if any, it must fit); *present false (and
 * true returned) when it does not exist.
 */
static bool
read_small_file(const char *dir, const char *name, struct hoso_buf *out, bool *present)
{
	char path[4200];
	char buf[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*present = false;
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return true;
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		return false;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && !out->too_big)
		hoso_buf_add(out, buf, n);
	if (out->too_big) {
		hoso_error("\"%s\": larger than %zu bytes; refusing the staging directory", path,
			   out->max);
		fclose(f);
		return false;
	}
	if (ferror(f)) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		fclose(f);
		return false;
	}
	fclose(f);
	*present = true;
	return true;
}

bool
load_open_staging(const char *dir, struct manifest *m, struct hoso_buf *report, bool *have_report)
{
	hoso_buf_init_max(report, LOAD_REPORT_MAX);
	return manifest_read(m, dir, HOSO_STAGING_MANIFEST) && manifest_complete(m, dir) &&
		read_small_file(dir, HOSO_STAGING_REPORT, report, have_report);
}

/*
 * The run's row: written by the runner before the load; a load started
 * alone creates it (kind 'load') and moves the identity past it.
 */
static bool
ensure_run_row(PGconn *conn, const char *run_id, bool *created)
{
	const char *p[1] = { run_id };
	PGresult *res;

	res = hoso_pg_query(conn,
			    "INSERT INTO hoso.run (run_id, kind, status) VALUES ($1, 'load', 'running')"
			    " ON CONFLICT (run_id) DO NOTHING RETURNING run_id", 1, p);
	if (!res)
		return false;
	*created = PQntuples(res) == 1;
	PQclear(res);
	if (*created)
		return hoso_pg_exec(conn,
				    "SELECT setval(pg_get_serial_sequence('hoso.run', 'run_id'),"
				    " (SELECT max(run_id) FROM hoso.run))");
	return true;
}

static bool
copy_files_tsv(PGconn *conn, const struct manifest *m, struct file_totals *t)
{
	PGresult *res;

	if (!create_temp_table(conn, HOSO_STAGING_FILES,
			       ", PRIMARY KEY (file_no), CHECK (path IS NOT NULL)") ||
	    !load_copy_staging(conn, m, HOSO_STAGING_FILES, NULL, STAGING_COPY_AS_IS, NULL, NULL))
		return false;
	res = hoso_pg_query(conn,
			    "SELECT count(*), coalesce(sum(size), 0),"
			    " coalesce(sum(dossiers + progress + rejects), 0), coalesce(sum(rejects), 0),"
			    " coalesce(sum(dossiers + progress), 0)"
			    " FROM load_files", 0, NULL);
	if (!res)
		return false;
	t->files = atoll(PQgetvalue(res, 0, 0));
	t->bytes = atoll(PQgetvalue(res, 0, 1));
	t->records = atoll(PQgetvalue(res, 0, 2));
	t->rejects = atoll(PQgetvalue(res, 0, 3));
	t->messages_loaded = atoll(PQgetvalue(res, 0, 4));
	PQclear(res);
	return true;
}

/* reject.tsv -> hoso.reject, each with its file's path (needs load_files). */
static bool
copy_rejects(PGconn *conn, const struct manifest *m, const char *run_id)
{
	const char *p[1] = { run_id };

	return create_temp_table(conn, HOSO_STAGING_REJECT, "") &&
		load_copy_staging(conn, m, HOSO_STAGING_REJECT, NULL, STAGING_COPY_AS_IS, NULL, NULL) &&
		hoso_pg_exec_params(conn,
				    "INSERT INTO hoso.reject (run_id, path, line, byte_offset, field, reason, raw)"
				    " SELECT $1, f.path, r.line, r.byte_offset, r.field, r.reason, r.raw"
				    " FROM load_reject r LEFT JOIN load_files f USING (file_no)"
				    " ORDER BY r.file_no, r.line", 1, p);
}

static void
rollback(PGconn *conn)
{
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		hoso_pg_exec(conn, "ROLLBACK");
}

/*
 * Over the threshold: nothing of the load stays; commit only the rejects
 * and the run's row, marked failed with the message.
 */
static int
fail_with_rejects(PGconn *conn, const struct manifest *m, const char *run_id,
		  const struct file_totals *t, const char *message)
{
	char records[32], rejects[32];
	const char *p[4] = { run_id, message, records, rejects };
	struct file_totals again;
	bool created;

	rollback(conn);
	snprintf(records, sizeof(records), "%lld", t->records);
	snprintf(rejects, sizeof(rejects), "%lld", t->rejects);
	if (!hoso_pg_exec(conn, "BEGIN") ||
	    !ensure_run_row(conn, run_id, &created) ||
	    !copy_files_tsv(conn, m, &again) ||
	    !copy_rejects(conn, m, run_id) ||
	    !hoso_pg_exec_params(conn,
				 "UPDATE hoso.run SET status = 'failed', exit_code = 1,"
				 " finished_at = clock_timestamp(), message = $2, rows_read = $3,"
				 " rows_loaded = 0, rows_rejected = $4, files_loaded = 0,"
				 " cases_derived = 0"
				 " WHERE run_id = $1", 4, p) ||
	    !load_follow_may_commit() ||
	    !hoso_pg_exec(conn, "COMMIT")) {
		rollback(conn);
		hoso_error("recording the rejects of the failed run failed too");
	}
	hoso_error("%s", message);
	return HOSO_EXIT_FAILED;
}

/* The rejects' share against the policy; a message when over it. */
static bool
over_threshold(const struct load_options *o, const struct file_totals *t, char *msg, size_t len)
{
	double ratio = t->records > 0 ? (double) t->rejects / (double) t->records : 0.0;

	if (o->max_rejects >= 0 && t->rejects > o->max_rejects) {
		snprintf(msg, len, "%lld rejects of %lld records exceed the threshold of %lld rejects; "
			 "nothing was loaded (the rejects are in hoso.reject, run %lld)",
			 t->rejects, t->records, o->max_rejects, o->run_id);
		return true;
	}
	if (t->rejects > 0 && ratio > o->max_reject_ratio) {
		snprintf(msg, len, "%lld rejects of %lld records (%.2f %%) exceed the threshold of "
			 "%.2f %%; nothing was loaded (the rejects are in hoso.reject, run %lld)",
			 t->rejects, t->records, 100.0 * ratio, 100.0 * o->max_reject_ratio, o->run_id);
		return true;
	}
	return false;
}

/* A ledgered path is an error unless --replace, which deletes its old row. */
static bool
check_ledger(PGconn *conn, const struct load_options *o)
{
	PGresult *res;
	int n;

	/*
	 * The cases the replaced content had a message about are re-derived
	 * (replace_facts): one it no longer mentions loses its facts.
	 */
	if (o->replace)
		return hoso_pg_exec(conn,
				    "CREATE TEMP TABLE load_replaced_case ON COMMIT DROP AS"
				    " SELECT DISTINCT m.src, m.case_no"
				    " FROM (SELECT file_id, src, case_no FROM hoso.dossier_msg"
				    "       UNION ALL SELECT file_id, src, case_no FROM hoso.progress_msg) m"
				    " JOIN hoso.file_ledger l USING (file_id) JOIN load_files f USING (path)") &&
			hoso_pg_exec(conn,
				     "DELETE FROM hoso.file_ledger l USING load_files f WHERE l.path = f.path");
	res = hoso_pg_query(conn,
			    "SELECT l.path, l.run_id FROM hoso.file_ledger l JOIN load_files f USING (path)"
			    " ORDER BY l.path", 0, NULL);
	if (!res)
		return false;
	n = PQntuples(res);
	if (n > 0)
		hoso_report(HOSO_LOG_ERROR,
			    hoso_msg("%s: already in the ledger (loaded by run %s)%s",
				     PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
				     n > 1 ? " and so are others" : ""),
			    hoso_hint("Rerun with --replace to replace what it loaded."));
	PQclear(res);
	return n == 0;
}

/* Appends the file_no -> file_id rows of res (file_no, file_id) to map. */
static bool
map_file_ids(PGresult *res, struct file_map *map)
{
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		long long no = atoll(PQgetvalue(res, i, 0));

		if (no < 0 || no > 10000000) {
			hoso_error("files.tsv: file number %lld out of range", no);
			PQclear(res);
			return false;
		}
		if ((size_t) no >= map->n) {
			size_t size = (size_t) no + 1;

			map->ids = hoso_xrealloc(map->ids, size * sizeof(*map->ids));
			memset(map->ids + map->n, 0, (size - map->n) * sizeof(*map->ids));
			map->n = size;
		}
		map->ids[no] = atoll(PQgetvalue(res, i, 1));
	}
	return true;
}

/*
 * The ledger's rows of the run's files.  With reserved ids (load_file_id,
 * reserve_file_ids) each file takes its own; otherwise the identity gives
 * them.  map gets file_no -> file_id.
 */
static bool
insert_ledger(PGconn *conn, const char *run_id, struct file_map *map, bool reserved,
	      long long files)
{
	const char *p[1] = { run_id };
	PGresult *res;
	bool ok;

	/* the day the runner planned; none when hoso-load runs alone */
#define LEDGER_ROWS(id_column, overriding, id_value, id_join) \
	"WITH ins AS (" \
	"  INSERT INTO hoso.file_ledger (" id_column "path, size, sha256, format, rows, run_id," \
	"    lines, messages, dossiers, progress, other_messages, rejects, unknown_fields," \
	"    landing_day)" overriding \
	"  SELECT " id_value "f.path, f.size, f.sha256, f.format, f.dossiers + f.progress, $1," \
	"    f.lines, f.messages, f.dossiers, f.progress, f.other_messages, f.rejects," \
	"    f.unknown_fields, rf.landing_day" \
	"  FROM load_files f " id_join "LEFT JOIN hoso.run_file rf" \
	"    ON rf.run_id = $1::bigint AND rf.path = f.path" \
	"  ORDER BY f.file_no" \
	"  RETURNING file_id, path)" \
	" SELECT f.file_no, ins.file_id FROM ins JOIN load_files f USING (path)"
	res = hoso_pg_query(conn, reserved ?
			    /* an identity GENERATED ALWAYS takes given ids only when told */
			    LEDGER_ROWS("file_id, ", " OVERRIDING SYSTEM VALUE", "i.file_id, ",
					 "JOIN load_file_id i USING (file_no) ")
			    : LEDGER_ROWS("", "", "", ""), 1, p);
#undef LEDGER_ROWS
	if (!res)
		return false;
	ok = map_file_ids(res, map);
	/* a file numbered past the run's plan has no reserved id, and no ledger row */
	if (ok && reserved && PQntuples(res) != files) {
		hoso_error("files.tsv: %lld files, but the run planned %d of them; refusing the "
			   "staging directory", files, PQntuples(res));
		ok = false;
	}
	PQclear(res);
	return ok;
}

/*
 * Before the archive is copied as the transform writes it (--tail), when
 * files.tsv is not complete yet: an id for each of the run's planned files
 * (extract numbers them 1..N in that order), kept in load_file_id for
 * insert_ledger.  The identity's sequence gives them, so no later load
 * takes them again.
 */
static bool
reserve_file_ids(PGconn *conn, const char *run_id, struct file_map *map)
{
	const char *p[1] = { run_id };
	PGresult *res;
	bool ok;

	if (!hoso_pg_exec_params(conn,
				 "CREATE TEMP TABLE load_file_id ON COMMIT DROP AS"
				 " SELECT g AS file_no,"
				 "   nextval(pg_get_serial_sequence('hoso.file_ledger', 'file_id')) AS file_id"
				 " FROM generate_series(1, (SELECT count(*) FROM hoso.run_file"
				 "                          WHERE run_id = $1::bigint)) g", 1, p))
		return false;
	res = hoso_pg_query(conn, "SELECT file_no, file_id FROM load_file_id", 0, NULL);
	if (!res)
		return false;
	ok = map_file_ids(res, map);
	PQclear(res);
	return ok;
}

/* dossier_msg.tsv and progress_msg.tsv into the archive, bulk-loaded when large (bulk[2]). */
static bool
copy_archive(PGconn *conn, const struct manifest *m, bool bulk[2], const struct file_map *map,
	     long long *dossiers, long long *progress)
{
	return load_bulk_begin(conn, m, HOSO_STAGING_DOSSIER_MSG, &bulk[0]) &&
		load_copy_staging(conn, m, HOSO_STAGING_DOSSIER_MSG, NULL, STAGING_COPY_FILE_ID,
				  map, dossiers) &&
		load_bulk_begin(conn, m, HOSO_STAGING_PROGRESS_MSG, &bulk[1]) &&
		load_copy_staging(conn, m, HOSO_STAGING_PROGRESS_MSG, NULL, STAGING_COPY_FILE_ID,
				  map, progress);
}

/*
 * Below this many bytes of staging file a table is never bulk-loaded: the
 * rows cost less to index one by one than the index builds (milliseconds
 * each) and the ACCESS EXCLUSIVE lock they take, and a night's files stay
 * on the path that readers do not wait for.
 */
#define LOAD_BULK_MIN_BYTES (16LL * 1024 * 1024)
/*
 * A table never written to (a first load) has no readers to keep and no
 * rows to index again: from this size its builds already cost less than
 * indexing the rows one by one (10 MB of case_status: about 0.7 x).
 */
#define LOAD_BULK_EMPTY_MIN_BYTES (4LL * 1024 * 1024)

/*
 * Before the COPY of staging file f into its table: when the file is large
 * and larger than the table, drop the table's keys and indexes for
 * load_bulk_end to build again.  *bulk says whether it did.
 */
bool
load_bulk_begin(PGconn *conn, const struct manifest *m, enum hoso_staging_file f, bool *bulk)
{
	const char *table = hoso_staging_layouts[f].table;
	const struct manifest_entry *e = manifest_find(m, hoso_staging_layouts[f].file);
	char bytes[32];
	const char *p[3] = { table, bytes, NULL };
	PGresult *res;

	/*
	 * A file copied as the transform writes it (--tail, into an empty
	 * archive) has no size yet: it is bulk-loaded, whatever its size, which
	 * also drops the foreign key its rows meet before their files' ledger
	 * rows exist.
	 */
	long long size = e ? e->size : load_follow_tails() ? LLONG_MAX : -1;

	*bulk = false;
	if (size < LOAD_BULK_EMPTY_MIN_BYTES)
		return true;
	snprintf(bytes, sizeof(bytes), "%lld", size);
	p[2] = size >= LOAD_BULK_MIN_BYTES ? "true" : "false";
	res = hoso_pg_query(conn,
			    "SELECT CASE WHEN pg_relation_size($1::regclass) < $2::bigint"
			    " AND ($3::boolean OR pg_relation_size($1::regclass) = 0)"
			    " THEN hoso.bulk_begin($1::regclass) ELSE false END", 3, p);
	if (!res)
		return false;
	*bulk = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return true;
}

/*
 * What the index builds of a bulk load may use, for the rest of its
 * transaction, when the server's settings give them less: parallel
 * maintenance workers (a B-tree build sorts in them and in the load's own
 * backend), and the memory they share, which the server plans at no less
 * than 32 MB a sorter (the default 64 MB allows one worker).
 */
#define LOAD_BUILD_WORKERS "2"
#define LOAD_BUILD_MEMORY "256MB"

/*
 * After the COPYs: build the keys and indexes load_bulk_begin dropped
 * (bulk[i] says it dropped some).  Autovacuum gathers the tables' new
 * statistics after the commit, which spares a bulk load seconds of
 * sampling.
 */
bool
load_bulk_end(PGconn *conn, const bool *bulk, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (bulk[i])
			return hoso_pg_exec(conn,
					    "SELECT set_config('max_parallel_maintenance_workers', '"
					    LOAD_BUILD_WORKERS "', true)"
					    " WHERE current_setting('max_parallel_maintenance_workers')::int < "
					    LOAD_BUILD_WORKERS ";"
					    " SELECT set_config('maintenance_work_mem', '" LOAD_BUILD_MEMORY "', true)"
					    " WHERE pg_size_bytes(current_setting('maintenance_work_mem'))"
					    " < pg_size_bytes('" LOAD_BUILD_MEMORY "');"
					    " SELECT hoso.bulk_end()");
	return true;
}

/*
 * Replace the facts of the cases listed in the temporary table keys_table
 * (src, case_no) by the staging directory's case_*.tsv, keeping the summary
 * tables in step: the cases' old contributions are collected before their
 * facts go, and added up with the new ones (from summary_*.tsv) after they
 * come (summary.c).  keys_table is one of this
 * program's own table names, never data.  Shared by a run's load and a
 * rebuild.
 */
bool
load_replace_facts(PGconn *conn, const struct manifest *m, const char *keys_table,
		   long long *cases)
{
	static const enum hoso_staging_file facts[] = {
		HOSO_STAGING_CASE_FACT, HOSO_STAGING_CASE_DUE, HOSO_STAGING_CASE_STATUS
	};
	enum { NFACT = sizeof(facts) / sizeof(facts[0]) };
	bool bulk[NFACT];
	char sql[256];

	if (!load_summary_take(conn, keys_table))
		return false;
	for (size_t i = 0; i < NFACT; i++) {
		snprintf(sql, sizeof(sql),
			 "DELETE FROM %s t USING %s k WHERE t.src = k.src AND t.case_no = k.case_no",
			 hoso_staging_layouts[facts[i]].table, keys_table);
		if (!hoso_pg_exec(conn, sql))
			return false;
	}
	for (size_t i = 0; i < NFACT; i++) {
		if (!load_bulk_begin(conn, m, facts[i], &bulk[i]) ||
		    !load_copy_staging(conn, m, facts[i], NULL, STAGING_COPY_AS_IS, NULL,
				       i == 0 ? cases : NULL))
			return false;
	}
	/* the new contributions as the transform added them up (summary.c) */
	return load_bulk_end(conn, bulk, NFACT) &&
		load_summary_add(conn, m);
}

/* The cases of a run: those of its case_fact.tsv, and with replace those of the replaced content. */
static bool
replace_facts(PGconn *conn, const struct manifest *m, bool replace, long long *cases)
{
	_Static_assert(HOSO_CASE_FACT_src == 0 && HOSO_CASE_FACT_case_no == 1,
		       "case_fact.tsv begins with its key");
	PGresult *res;
	bool facts;

	/* a warehouse without facts has none to take away: no keys to gather */
	res = hoso_pg_query(conn, "SELECT EXISTS (SELECT FROM hoso.case_fact)", 0, NULL);
	if (!res)
		return false;
	facts = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return hoso_pg_exec(conn, "CREATE TEMP TABLE load_case_key (src text, case_no text) ON COMMIT DROP") &&
		(!facts ||
		 load_copy_staging(conn, m, HOSO_STAGING_CASE_FACT, "load_case_key", STAGING_COPY_KEYS,
				   NULL, NULL)) &&
		(!replace ||
		 hoso_pg_exec(conn, "INSERT INTO load_case_key SELECT src, case_no FROM load_replaced_case"
			      " EXCEPT SELECT src, case_no FROM load_case_key")) &&
		hoso_pg_exec(conn, "ANALYZE load_case_key") &&
		load_replace_facts(conn, m, "load_case_key", cases);
}

static long long
elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000LL + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int
load_staging(const struct load_options *o)
{
	struct manifest m = { 0 };
	bool bulk[2] = { false, false };
	struct file_map map = { NULL, 0 };
	struct file_totals t = { 0 };
	struct hoso_buf report;
	struct timespec start;
	PGconn *conn = NULL;
	char run_id[32], msg[512];
	long long dossiers = 0, progress = 0, cases = 0;
	bool created = false, have_report = false;
	int ret = HOSO_EXIT_FAILED;

	snprintf(run_id, sizeof(run_id), "%lld", o->run_id);
	if (o->follow) {
		/* report.json comes with the MANIFEST (load_follow_complete) */
		hoso_buf_init_max(&report, LOAD_REPORT_MAX);
		load_follow_begin(o->tail);
		if (o->tail)
			m.dir = hoso_xstrdup(o->staging_dir);
		else if (!load_follow_read_files(o->staging_dir, &m))
			goto cleanup;
	} else if (!load_open_staging(o->staging_dir, &m, &report, &have_report)) {
		goto cleanup;
	}
	/* the load's time, not the transform's that a following load waited for */
	clock_gettime(CLOCK_MONOTONIC, &start);

	conn = hoso_pg_connect(o->conninfo, "hoso-load");
	if (!conn)
		goto cleanup;
	if (!hoso_pg_exec(conn, "BEGIN") ||
	    !ensure_run_row(conn, run_id, &created) ||
	    !manifest_claim(conn, &m, o->run_id) ||
	    !load_reference(conn, o))
		goto cleanup;
	/* --tail: the archive as the transform writes it, then what MANIFEST.read says of it */
	if (o->tail &&
	    (!reserve_file_ids(conn, run_id, &map) ||
	     !copy_archive(conn, &m, bulk, &map, &dossiers, &progress) ||
	     !load_follow_read_files(o->staging_dir, &m) ||
	     !load_follow_check_tailed(&m)))
		goto cleanup;
	if (!copy_files_tsv(conn, &m, &t))
		goto cleanup;
	if (over_threshold(o, &t, msg, sizeof(msg))) {
		ret = fail_with_rejects(conn, &m, run_id, &t, msg);
		goto cleanup;
	}
	if (!check_ledger(conn, o) ||
	    !insert_ledger(conn, run_id, &map, o->tail, t.files) ||
	    (!o->tail && !copy_archive(conn, &m, bulk, &map, &dossiers, &progress)) ||
	    !load_bulk_end(conn, bulk, 2) ||
	    (o->follow && !load_follow_complete(&m, &report, &have_report)) ||
	    !replace_facts(conn, &m, o->replace, &cases) ||
	    !copy_rejects(conn, &m, run_id))
		goto cleanup;
	{
		char files[32], bytes[32], read[32], loaded[32], rejected[32], derived[32], ms[32];
		const char *p[9] = { run_id, files, bytes, read, loaded, rejected, derived,
				     have_report ? report.data : NULL, ms };

		snprintf(files, sizeof(files), "%lld", t.files);
		snprintf(bytes, sizeof(bytes), "%lld", t.bytes);
		snprintf(read, sizeof(read), "%lld", t.records);
		snprintf(loaded, sizeof(loaded), "%lld", dossiers + progress);
		snprintf(rejected, sizeof(rejected), "%lld", t.rejects);
		snprintf(derived, sizeof(derived), "%lld", cases);
		snprintf(ms, sizeof(ms), "%lld", elapsed_ms(&start));
		if (!hoso_pg_exec_params(conn,
					 "UPDATE hoso.run SET files_loaded = $2, bytes = $3, rows_read = $4,"
					 " rows_loaded = $5, rows_rejected = $6, cases_derived = $7,"
					 " detail = coalesce($8::jsonb, detail)"
					 " WHERE run_id = $1", 8, p))
			goto cleanup;
		/*
		 * The row says done in the transaction that loads: a commit is
		 * never reported failed, whatever happens to the runner after it.
		 */
		if (!hoso_pg_exec_params(conn,
					 "UPDATE hoso.run SET status = 'done', exit_code = 0,"
					 " finished_at = clock_timestamp(), load_ms = $2 WHERE run_id = $1",
					 2, (const char *const[]) { run_id, ms }))
			goto cleanup;
	}
	if (!load_follow_may_commit() || !hoso_pg_exec(conn, "COMMIT"))
		goto cleanup;
	hoso_report(HOSO_LOG_INFO, hoso_log_event("load_done"), hoso_log_int("files", t.files),
		    hoso_log_int("dossiers", dossiers), hoso_log_int("progress", progress),
		    hoso_log_int("rows", dossiers + progress), hoso_log_int("cases", cases),
		    hoso_log_int("rejects", t.rejects),
		    hoso_msg("run %lld: loaded %lld files (%lld dossier messages, %lld progress rows), "
			     "%lld cases, %lld rejects", o->run_id, t.files, dossiers, progress, cases,
			     t.rejects));
	ret = HOSO_EXIT_OK;
cleanup:
	if (conn) {
		if (ret != HOSO_EXIT_OK && PQtransactionStatus(conn) != PQTRANS_IDLE) {
			rollback(conn);
			if (!load_follow_cancelled())
				hoso_error("the load of \"%s\" was rolled back; the warehouse is unchanged",
					   o->staging_dir);
		}
		PQfinish(conn);
	}
	free(map.ids);
	hoso_buf_release(&report);
	manifest_release(&m);
	return ret;
}
