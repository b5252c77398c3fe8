/*
 * migrate.c: "hoso-load --migrate": bring a warehouse to the schema of
 * schemas/warehouse (docs/design.md §8).
 *
 * Two kinds of file, in one transaction under a transaction advisory lock
 * (two migrations started at once apply everything exactly once):
 *   NNN_name.sql        migrations (tables, indexes, seed rows, grants),
 *                       applied once each in the order of NNN and recorded
 *                       in hoso.schema_version with their SHA-256.  An
 *                       applied file whose content has changed is an error:
 *                       a migration is never edited, a new one is added.
 *   functions/NAME.sql  every function, each family whole in one file.
 *                       When any of them differs from what hoso.function_file
 *                       records (added, removed, edited), or a migration was
 *                       applied, every function of schema hoso is dropped
 *                       and every file applied again in name order, so the
 *                       warehouse's functions are exactly those the files
 *                       define (but for functions that a table or view
 *                       depends on: those stay, and live in migrations).
 * A baseline migration (one that lists "-- replaces FILE SHA256" lines)
 * stands for the migrations it lists: a warehouse that recorded exactly
 * those gets the baseline recorded as applied without running it.
 *   ../profiles/NAME.yaml  the scoring profiles (profiles.c), stored
 *                       again, and recorded, by every migration.
 * No file may contain its own BEGIN/COMMIT.  The files are read by
 * hoso_schema_files.c, which the runner's check shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_schema_files.h"
#include "load.h"

#define REPLACES_MARK "-- replaces "

/*
 * The "-- replaces FILE SHA256" lines of a baseline migration as text
 * "version sha" lines sorted by version, the form the query in
 * record_baseline() gives for the recorded history; empty for an ordinary
 * migration.
 */
static bool
baseline_replaces(const struct hoso_schema_file *f, struct hoso_buf *out)
{
	const char *p = f->text.data;
	struct hoso_schema_list l = { NULL, 0 };

	for (; (p = strstr(p, REPLACES_MARK)) != NULL; p++) {
		char name[256], sha[65];
		int v;

		if (p != f->text.data && p[-1] != '\n')
			continue;
		if (sscanf(p + strlen(REPLACES_MARK), "%255s %64s", name, sha) != 2 ||
		    (v = hoso_schema_migration_version(name)) < 0 || strlen(sha) != 64) {
			hoso_error("%s: a baseline line is \"-- replaces NNN_name.sql SHA256\"", f->path);
			hoso_schema_list_release(&l);
			return false;
		}
		l.v = hoso_xrealloc(l.v, (l.n + 1) * sizeof(*l.v));
		memset(&l.v[l.n], 0, sizeof(*l.v));
		l.v[l.n].version = v;
		l.v[l.n].name = hoso_xstrdup(name);
		memcpy(l.v[l.n++].sha, sha, 65);
	}
	hoso_schema_list_sort(&l);
	for (size_t i = 0; i < l.n; i++)
		hoso_buf_addf(out, "%d %s\n", l.v[i].version, l.v[i].sha);
	hoso_schema_list_release(&l);
	return true;
}

/*
 * A baseline not yet recorded, in a warehouse that recorded migrations
 * below it: those must be exactly the ones it replaces; then it is
 * recorded without running.  Returns 1 if recorded, 0 if the baseline is
 * to run (no history below it), -1 on error.
 */
static int
record_baseline(PGconn *conn, const struct hoso_schema_file *f, const char *replaces)
{
	char version[16];
	const char *p[3] = { version, f->name, f->sha };
	PGresult *res;
	int ret = -1;

	snprintf(version, sizeof(version), "%d", f->version);
	res = hoso_pg_query(conn,
			    "SELECT count(*), coalesce(string_agg(version || ' ' || sha256 || E'\\n', ''"
			    " ORDER BY version), '')"
			    " FROM hoso.schema_version WHERE version < $1::int", 1, p);
	if (!res)
		return -1;
	if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
		ret = 0;
	} else if (strcmp(PQgetvalue(res, 0, 1), replaces) != 0) {
		hoso_error("%s: the warehouse's migrations below version %d are not those of the "
			   "release this baseline replaces; migrate it with that release's hoso-load "
			   "--migrate first (recorded:\n%sexpected:\n%s)", f->path, f->version,
			   PQgetvalue(res, 0, 1), replaces);
	} else if (hoso_pg_exec_params(conn,
				       "INSERT INTO hoso.schema_version (version, file, sha256)"
				       " VALUES ($1, $2, $3)", 3, p)) {
		hoso_info("recorded %s as applied: the warehouse holds the migrations it replaces",
			  f->name);
		ret = 1;
	}
	PQclear(res);
	return ret;
}

/*
 * Apply one migration unless it is recorded.  Returns 1 if applied now, 0
 * if it already was, -1 on error.
 */
static int
apply_migration(PGconn *conn, const struct hoso_schema_file *f)
{
	char version[16];
	const char *p[3] = { version, f->name, f->sha };
	struct hoso_buf replaces = HOSO_BUF_INIT;
	PGresult *res = NULL;
	int ret = -1;

	snprintf(version, sizeof(version), "%d", f->version);
	res = hoso_pg_query(conn, "SELECT to_regclass('hoso.schema_version') IS NOT NULL", 0, NULL);
	if (!res)
		goto cleanup;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		PQclear(res);
		res = hoso_pg_query(conn,
				    "SELECT sha256, file, to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS TZ')"
				    " FROM hoso.schema_version WHERE version = $1::int", 1, p);
		if (!res)
			goto cleanup;
		if (PQntuples(res) == 1) {
			if (strcmp(PQgetvalue(res, 0, 0), f->sha) != 0) {
				hoso_error("%s: version %d was applied on %s (as %s) with other content "
					   "(sha256 %s, now %s); never edit an applied migration, add a "
					   "new one", f->path, f->version, PQgetvalue(res, 0, 2),
					   PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0), f->sha);
				goto cleanup;
			}
			ret = 0;
			goto cleanup;
		}
		if (!baseline_replaces(f, &replaces))
			goto cleanup;
		if (replaces.len > 0) {
			ret = record_baseline(conn, f, replaces.data);
			if (ret != 0)
				goto cleanup;
			ret = -1;
		}
	}
	if (!hoso_pg_exec(conn, f->text.data)) {
		hoso_error("%s: migration failed; nothing was applied", f->path);
		goto cleanup;
	}
	if (!hoso_pg_exec_params(conn,
				 "INSERT INTO hoso.schema_version (version, file, sha256)"
				 " VALUES ($1, $2, $3)", 3, p)) {
		hoso_error("%s: the migration must create hoso.schema_version or come after the one that does",
			   f->path);
		goto cleanup;
	}
	hoso_report(HOSO_LOG_INFO, hoso_log_event("migration_applied"), hoso_log_str("file", f->name),
		    hoso_msg("applied %s", f->name));
	ret = 1;
cleanup:
	if (res)
		PQclear(res);
	hoso_buf_release(&replaces);
	return ret;
}

/* True when hoso.function_file records exactly the files of l. */
static bool
functions_recorded(PGconn *conn, const struct hoso_schema_list *l, bool *same)
{
	struct hoso_buf want = HOSO_BUF_INIT;
	PGresult *res;

	hoso_schema_list_digests(l, &want);
	res = hoso_pg_query(conn, HOSO_SCHEMA_RECORDED("hoso.function_file"), 0, NULL);
	if (!res) {
		hoso_error("the function files are recorded in hoso.function_file, which a migration "
			   "must create");
		hoso_buf_release(&want);
		return false;
	}
	*same = strcmp(PQgetvalue(res, 0, 0), want.data) == 0;
	PQclear(res);
	hoso_buf_release(&want);
	return true;
}

/*
 * Every function of schema hoso dropped, every file applied and recorded.
 * A function that something other than a function depends on (a column
 * default, a view) stays: it belongs with that object's migration, and a
 * file may still CREATE OR REPLACE it.
 */
static bool
apply_functions(PGconn *conn, const struct hoso_schema_list *l)
{
	if (!hoso_pg_exec(conn,
			  "DO $$ DECLARE routines text; BEGIN"
			  " SELECT string_agg(p.oid::regprocedure::text, ', ') INTO routines"
			  "   FROM pg_proc p"
			  "  WHERE p.pronamespace = 'hoso'::regnamespace AND p.prokind IN ('f', 'p')"
			  "    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
			  "                    AND d.objid = p.oid AND d.deptype = 'e')"
			  "    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_proc'::regclass"
			  "                    AND d.refobjid = p.oid AND d.classid <> 'pg_proc'::regclass);"
			  " IF routines IS NOT NULL THEN EXECUTE 'DROP ROUTINE ' || routines; END IF;"
			  " END $$") ||
	    !hoso_pg_exec(conn, "DELETE FROM hoso.function_file") ||
	    /* bodies refer to functions of other files: check them when called, as pg_dump does */
	    !hoso_pg_exec(conn, "SET LOCAL check_function_bodies = off"))
		return false;
	for (size_t i = 0; i < l->n; i++) {
		const char *p[2] = { l->v[i].name, l->v[i].sha };

		if (!hoso_pg_exec(conn, l->v[i].text.data)) {
			hoso_error("%s: function file failed; nothing was applied", l->v[i].path);
			return false;
		}
		if (!hoso_pg_exec_params(conn, "INSERT INTO hoso.function_file (file, sha256)"
					 " VALUES ($1, $2)", 2, p))
			return false;
	}
	return hoso_pg_exec(conn, "RESET check_function_bodies");
}

/* A baseline stands for every migration below it: none may be in the directory. */
static bool
check_baseline_first(const struct hoso_schema_list *mig)
{
	for (size_t i = 1; i < mig->n; i++) {
		if (strstr(mig->v[i].text.data, "\n" REPLACES_MARK) != NULL) {
			hoso_error("%s: %s is numbered below the baseline %s, which stands for every "
				   "migration below it; number it above the last migration", mig->v[0].path,
				   mig->v[0].name, mig->v[i].name);
			return false;
		}
	}
	return true;
}

int
load_migrate(const char *conninfo, const char *schema_dir)
{
	struct hoso_schema_files files;
	const struct hoso_schema_list *mig = &files.mig, *fn = &files.fn;
	struct load_profiles *profiles = NULL;
	size_t applied = 0;
	char lock[64];
	bool same = true;
	PGconn *conn = NULL;
	int ret = HOSO_EXIT_FAILED;

	snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%lld)", LOAD_MIGRATE_LOCK_KEY);
	if (!hoso_schema_files_read(schema_dir, &files))
		return HOSO_EXIT_FAILED;
	if (!check_baseline_first(mig))
		goto cleanup;
	/* a bad profile file is the configuration's fault, found before anything is touched */
	ret = load_profiles_read(&files.prof, &profiles);
	if (ret != HOSO_EXIT_OK)
		goto cleanup;
	ret = HOSO_EXIT_FAILED;
	conn = hoso_pg_connect(conninfo, "hoso-load --migrate");
	if (!conn)
		goto cleanup;
	/* keep notices such as "schema already exists" out of the log */
	hoso_pg_exec(conn, "SET client_min_messages = warning");
	/* read under the lock: another migration may have just committed */
	if (!hoso_pg_exec(conn, "BEGIN") || !hoso_pg_exec(conn, lock))
		goto cleanup;
	for (size_t i = 0; i < mig->n; i++) {
		int r = apply_migration(conn, &mig->v[i]);

		if (r < 0)
			goto cleanup;
		applied += (size_t) r;
	}
	if (fn->n > 0 && !functions_recorded(conn, fn, &same))
		goto cleanup;
	if ((applied > 0 || !same) && fn->n > 0 && !apply_functions(conn, fn))
		goto cleanup;
	/* the scoring profiles, in the same transaction: one connection, one outcome */
	if (!load_profiles_store(conn, profiles) || !hoso_pg_exec(conn, "COMMIT"))
		goto cleanup;
	if (applied > 0 || !same)
		hoso_info("warehouse schema migrated to version %d (%zu migrations, %zu function "
			  "files applied)", mig->v[mig->n - 1].version, applied, fn->n);
	else	/* only news is worth a line */
		hoso_debug("warehouse schema up to date (version %d)", mig->v[mig->n - 1].version);
	ret = HOSO_EXIT_OK;
cleanup:
	if (conn) {
		if (PQtransactionStatus(conn) != PQTRANS_IDLE)
			hoso_pg_exec(conn, "ROLLBACK");
		PQfinish(conn);
	}
	load_profiles_free(profiles);
	hoso_schema_files_release(&files);
	return ret;
}
