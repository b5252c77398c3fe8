/*
 * migrate.c: "hoso-load --migrate": apply the pending schemas/warehouse
 * files NNN_name.sql in the order of NNN.
 *
 * Each file runs in its own transaction together with its row in
 * hoso.schema_version, under a transaction advisory lock, so that two
 * migrations started at once apply each file exactly once.  A file applied
 * earlier whose content has changed since is an error: an applied
 * migration is never edited, a new one is added.  A file must not contain
 * its own BEGIN/COMMIT.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_sha256.h"
#include "load.h"

struct migration {
	int version;
	char *file;		/* owned: name within the directory */
};

/* "NNN_name.sql" -> NNN; -1 for any other name. */
static int
migration_version(const char *name)
{
	size_t len = strlen(name);
	int v = 0, i = 0;

	if (len < 6 || strcmp(name + len - 4, ".sql") != 0)
		return -1;
	for (; name[i] >= '0' && name[i] <= '9'; i++) {
		if (v > 99999)
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return i > 0 && name[i] == '_' ? v : -1;
}

static int
compare_migrations(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

static bool
list_migrations(const char *dir, struct migration **out, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d) {
		hoso_error("cannot read the schema directory \"%s\": %s", dir, strerror(errno));
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		int v;

		if (len < 4 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		v = migration_version(de->d_name);
		if (v < 0) {
			hoso_error("%s/%s: a migration is named NNN_name.sql", dir, de->d_name);
			closedir(d);
			return false;
		}
		*out = hoso_xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n].version = v;
		(*out)[(*n)++].file = hoso_xstrdup(de->d_name);
	}
	closedir(d);
	qsort(*out, *n, sizeof(**out), compare_migrations);
	for (size_t i = 1; i < *n; i++) {
		if ((*out)[i].version == (*out)[i - 1].version) {
			hoso_error("%s: %s and %s have the same version", dir, (*out)[i - 1].file,
				   (*out)[i].file);
			return false;
		}
	}
	if (*n == 0) {
		hoso_error("the schema directory \"%s\" holds no NNN_name.sql file", dir);
		return false;
	}
	return true;
}

static bool
read_file(const char *path, struct hoso_buf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t n;
	bool ok;

	if (!f) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		return false;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		hoso_buf_add(out, buf, n);
	ok = !ferror(f);
	if (!ok)
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
	fclose(f);
	if (ok && memchr(out->data, '\0', out->len)) {
		hoso_error("%s: contains a NUL byte", path);
		ok = false;
	}
	return ok;
}

/*
 * Apply one migration unless it is applied.  Returns 1 if applied now, 0 if
 * it already was, -1 on error (rolled back).
 */
static int
apply_one(PGconn *conn, const char *dir, const struct migration *mg)
{
	struct hoso_buf sql = HOSO_BUF_INIT;
	struct hoso_sha256 sha;
	char path[4200], hex[65], version[16], lock[64];
	const char *p[3] = { version, mg->file, hex };
	PGresult *res = NULL;
	int ret = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, mg->file);
	snprintf(version, sizeof(version), "%d", mg->version);
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%lld)", LOAD_MIGRATE_LOCK_KEY);
	if (!read_file(path, &sql))
		goto cleanup;
	hoso_sha256_init(&sha);
	hoso_sha256_update(&sha, sql.data, sql.len);
	hoso_sha256_final_hex(&sha, hex);

	if (!hoso_pg_exec(conn, "BEGIN") || !hoso_pg_exec(conn, lock))
		goto cleanup;
	/* read under the lock: another migration may have just applied it */
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
			if (strcmp(PQgetvalue(res, 0, 0), hex) != 0) {
				hoso_error("%s: version %d was applied on %s (as %s) with other content "
					   "(sha256 %s, now %s); never edit an applied migration, add a "
					   "new one", path, mg->version, PQgetvalue(res, 0, 2),
					   PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0), hex);
				goto cleanup;
			}
			ret = 0;
			goto cleanup;
		}
	}
	PQclear(res);
	res = NULL;
	if (!hoso_pg_exec(conn, sql.data)) {
		hoso_error("%s: migration failed; nothing of it was applied", path);
		goto cleanup;
	}
	if (!hoso_pg_exec_params(conn,
				 "INSERT INTO hoso.schema_version (version, file, sha256)"
				 " VALUES ($1, $2, $3)", 3, p)) {
		hoso_error("%s: the migration must create hoso.schema_version or come after the one that does",
			   path);
		goto cleanup;
	}
	if (!hoso_pg_exec(conn, "COMMIT"))
		goto cleanup;
	hoso_info("applied %s", mg->file);
	ret = 1;
cleanup:
	if (res)
		PQclear(res);
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		hoso_pg_exec(conn, "ROLLBACK");
	hoso_buf_release(&sql);
	return ret;
}

int
load_migrate(const char *conninfo, const char *schema_dir)
{
	struct migration *list = NULL;
	size_t n = 0, applied = 0;
	PGconn *conn = NULL;
	int ret = HOSO_EXIT_FAILED;

	if (!list_migrations(schema_dir, &list, &n))
		goto cleanup;
	conn = hoso_pg_connect(conninfo, "hoso-load --migrate");
	if (!conn)
		goto cleanup;
	/* keep notices such as "schema already exists" out of the log */
	hoso_pg_exec(conn, "SET client_min_messages = warning");
	for (size_t i = 0; i < n; i++) {
		int r = apply_one(conn, schema_dir, &list[i]);

		if (r < 0)
			goto cleanup;
		applied += (size_t) r;
	}
	if (applied)
		hoso_info("warehouse schema migrated to version %d (%zu migrations applied)",
			  list[n - 1].version, applied);
	else
		hoso_info("warehouse schema up to date (version %d)", list[n - 1].version);
	ret = HOSO_EXIT_OK;
cleanup:
	if (conn)
		PQfinish(conn);
	for (size_t i = 0; i < n; i++)
		free(list[i].file);
	free(list);
	return ret;
}
