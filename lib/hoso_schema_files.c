/*
 * hoso_schema_files.c: the warehouse's schema files, read and digested
 * once for the migrator and the runner's check (hoso_schema_files.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_schema_files.h"
#include "hoso_sha256.h"

#define FUNCTION_DIR "functions"
#define PROFILE_DIR "../profiles"

enum kind { MIGRATIONS, FUNCTIONS, PROFILES };

int
hoso_schema_migration_version(const char *name)
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

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* DIR/warehouse if it exists (DIR names the schemas root), else DIR itself. */
static char *
warehouse_dir(const char *dir)
{
	char *p = hoso_path_join(dir, "warehouse");

	if (is_dir(p))
		return p;
	free(p);
	return hoso_xstrdup(dir);
}

char *
hoso_schema_dir(const char *option)
{
	const char *env = getenv("HOSO_SCHEMA_DIR");
	const char *data;

	if (option)
		return warehouse_dir(option);
	if (env && *env)
		return warehouse_dir(env);
	data = hoso_datadir();
	return data ? hoso_path_join(data, "schemas/warehouse") : NULL;
}

static int
compare_files(const void *a, const void *b)
{
	const struct hoso_schema_file *x = a, *y = b;

	if (x->version != y->version)
		return (x->version > y->version) - (x->version < y->version);
	return strcmp(x->name, y->name);
}

void
hoso_schema_list_sort(struct hoso_schema_list *l)
{
	if (l->n > 0)	/* l->v is NULL when there is none, which qsort may not take */
		qsort(l->v, l->n, sizeof(*l->v), compare_files);
}

static bool
read_file(struct hoso_schema_file *f)
{
	struct hoso_sha256 sha;
	bool ok = hoso_buf_read_file(&f->text, f->path);

	if (!ok)
		hoso_error("cannot read \"%s\": %s", f->path, strerror(errno));
	else if (memchr(f->text.data, '\0', f->text.len)) {
		hoso_error("%s: contains a NUL byte", f->path);
		ok = false;
	}
	hoso_sha256_init(&sha);
	hoso_sha256_update(&sha, f->text.data, f->text.len);
	hoso_sha256_final_hex(&sha, f->sha);
	return ok;
}

void
hoso_schema_list_release(struct hoso_schema_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
		hoso_buf_release(&l->v[i].text);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * The files of dir of one kind, read, sorted.  Only migrations must exist:
 * a missing function or profile directory is an empty list.
 */
static bool
list_files(const char *dir, enum kind kind, struct hoso_schema_list *out)
{
	const char *suffix = kind == PROFILES ? ".yaml" : ".sql";
	size_t slen = strlen(suffix);
	DIR *d = opendir(dir);
	struct dirent *de;
	bool ok = true;

	out->v = NULL;
	out->n = 0;
	if (!d) {
		if (kind != MIGRATIONS && errno == ENOENT)
			return true;
		hoso_error("cannot read the schema directory \"%s\": %s", dir, strerror(errno));
		return false;
	}
	while (ok && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), plen = strlen(dir) + len + 2;
		struct hoso_schema_file *f;
		int v = 0;

		if (len <= slen || strcmp(de->d_name + len - slen, suffix) != 0)
			continue;
		if (kind == MIGRATIONS && (v = hoso_schema_migration_version(de->d_name)) < 0) {
			hoso_error("%s/%s: a migration is named NNN_name.sql", dir, de->d_name);
			ok = false;
			break;
		}
		out->v = hoso_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		f = &out->v[out->n++];
		memset(f, 0, sizeof(*f));
		hoso_buf_init(&f->text);
		f->version = v;
		f->name = hoso_xstrdup(de->d_name);
		f->path = hoso_xmalloc(plen);
		snprintf(f->path, plen, "%s/%s", dir, de->d_name);
		ok = read_file(f);
	}
	closedir(d);
	if (!ok)
		return false;
	hoso_schema_list_sort(out);
	for (size_t i = 1; kind == MIGRATIONS && i < out->n; i++) {
		if (out->v[i].version == out->v[i - 1].version) {
			hoso_error("%s: %s and %s have the same version", dir, out->v[i - 1].name,
				   out->v[i].name);
			return false;
		}
	}
	if (kind == MIGRATIONS && out->n == 0) {
		hoso_error("the schema directory \"%s\" holds no NNN_name.sql file", dir);
		return false;
	}
	return true;
}

bool
hoso_schema_files_read(const char *dir, struct hoso_schema_files *out)
{
	char *fdir = hoso_path_join(dir, FUNCTION_DIR), *pdir = hoso_path_join(dir, PROFILE_DIR);
	bool ok;

	memset(out, 0, sizeof(*out));
	ok = list_files(dir, MIGRATIONS, &out->mig) && list_files(fdir, FUNCTIONS, &out->fn) &&
		list_files(pdir, PROFILES, &out->prof);
	free(fdir);
	free(pdir);
	if (!ok)
		hoso_schema_files_release(out);
	return ok;
}

void
hoso_schema_files_release(struct hoso_schema_files *f)
{
	hoso_schema_list_release(&f->mig);
	hoso_schema_list_release(&f->fn);
	hoso_schema_list_release(&f->prof);
}

void
hoso_schema_list_digests(const struct hoso_schema_list *l, struct hoso_buf *out)
{
	for (size_t i = 0; i < l->n; i++)
		hoso_buf_addf(out, "%s %s\n", l->v[i].name, l->v[i].sha);
}

int
hoso_schema_current(PGconn *conn, const struct hoso_schema_files *f)
{
	struct hoso_buf versions = HOSO_BUF_INIT, shas = HOSO_BUF_INIT;
	struct hoso_buf fn = HOSO_BUF_INIT, prof = HOSO_BUF_INIT;
	const char *p[2];
	PGresult *res;
	int current = -1;

	for (size_t i = 0; i < f->mig.n; i++) {
		hoso_buf_addf(&versions, "%s%d", i ? "," : "{", f->mig.v[i].version);
		hoso_buf_addf(&shas, "%s%s", i ? "," : "{", f->mig.v[i].sha);
	}
	hoso_buf_addch(&versions, '}');
	hoso_buf_addch(&shas, '}');
	hoso_schema_list_digests(&f->fn, &fn);
	hoso_schema_list_digests(&f->prof, &prof);
	p[0] = versions.data;
	p[1] = shas.data;
	/*
	 * One statement, so one snapshot: the migrator writes all three tables
	 * in one transaction, and this sees all of a migration or none of it.
	 * A migration recorded with other content is the migrator's error to
	 * report: not current.  A missing table (a warehouse not yet created,
	 * or older than hoso.profile_file) fails the statement: cannot tell.
	 */
	res = PQexecParams(conn,
			   "SELECT (SELECT count(*) FROM unnest($1::int[], $2::text[]) AS f(version, sha256)"
			   "  LEFT JOIN hoso.schema_version r USING (version)"
			   "  WHERE r.sha256 IS DISTINCT FROM f.sha256),"
			   " (" HOSO_SCHEMA_RECORDED("hoso.function_file") "),"
			   " (" HOSO_SCHEMA_RECORDED("hoso.profile_file") ")",
			   2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		/* the migrator leaves the functions alone when there is no file */
		current = strcmp(PQgetvalue(res, 0, 0), "0") == 0 &&
			(f->fn.n == 0 || strcmp(PQgetvalue(res, 0, 1), fn.data) == 0) &&
			strcmp(PQgetvalue(res, 0, 2), prof.data) == 0;
	} else {
		const char *why = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

		hoso_debug("cannot tell whether the warehouse's schema is current: %s",
			   why ? why : PQerrorMessage(conn));
	}
	PQclear(res);
	hoso_buf_release(&versions);
	hoso_buf_release(&shas);
	hoso_buf_release(&fn);
	hoso_buf_release(&prof);
	return current;
}
